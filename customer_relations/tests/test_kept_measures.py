"""Issue #16: a recompute after a change of the policy re-scores from the measures kept by the
last recompute, measuring again only the customers whose orders or data changed since. What it
stores must be exactly what reading every order again stores."""

from datetime import date, datetime

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, Form, tagged
from odoo.tests.common import get_db_name

from .common import CustomerRelationsCase

EVAL_DATE = date(2026, 6, 30)
FIGURES = [
    "revenue",
    "revenue_previous",
    "margin",
    "order_count",
    "breadth",
    "regularity",
    "relationship_years",
    "score",
    "proposed_tier",
    "proposed_class",
    "quadrant",
    "lifecycle_stage",
    "breakdown",
]


@tagged("post_install", "-at_install")
class TestKeptMeasures(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_own_company("数控机床 Kept Measures Test Machine Tools")
        cls.lathe = cls._product("CNC lathe", 1000.0, 600.0, "Lathes")
        cls.tooling = cls._product("Tooling set", 100.0, 30.0, "Tooling")
        Partner = cls.env["res.partner"]
        cls.big = Partner.create({"name": "三一 Sany", "is_company": True})
        cls.mid = Partner.create({"name": "徐工 XCMG", "is_company": True})
        cls.small = Partner.create({"name": "柳工 LiuGong", "is_company": True})
        cls.buyer = Partner.create({"name": "王芳 Wang Fang", "parent_id": cls.big.id})
        cls.policy = cls.env["customer.tier.policy"]._get_for_company(cls.company)
        cls.policy.write(
            {
                "tier_method": "threshold",
                "threshold_a": 60.0,
                "threshold_b": 30.0,
                "criterion_ids": [
                    Command.clear(),
                    Command.create({"name": "Revenue", "kind": "measured", "measure": "revenue", "weight": 3}),
                    Command.create({"name": "Margin", "kind": "measured", "measure": "margin", "weight": 1}),
                    Command.create({"name": "Orders", "kind": "measured", "measure": "order_count", "weight": 1}),
                ],
            }
        )
        cls._order(cls.buyer, [(cls.lathe, 4), (cls.tooling, 5)], datetime(2026, 3, 10))
        cls._order(cls.big, [(cls.lathe, 2)], datetime(2025, 4, 2))
        cls._order(cls.mid, [(cls.lathe, 2)], datetime(2026, 1, 20))
        cls._order(cls.small, [(cls.tooling, 3)], datetime(2026, 5, 5))

    @classmethod
    def _order(cls, partner, lines, when):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "order_line": [Command.create({"product_id": p.id, "product_uom_qty": q}) for p, q in lines],
            }
        )
        order.action_confirm()
        order.date_order = when
        return order

    def _stored(self):
        values = self.env["customer.value"].search([("company_id", "=", self.company.id)])
        return {value.partner_id.id: {name: value[name] for name in FIGURES} for value in values}

    def _evaluated(self):
        """Customers of the last recompute (with demo data, the prospects shared by every
        company are evaluated too)."""
        return self.env["customer.value"].search_count([("company_id", "=", self.company.id)])

    def _recompute(self):
        self.policy._compute_customer_values(EVAL_DATE)
        return self._stored()

    def _recompute_reading_every_order(self):
        """What a recompute gives with nothing kept: the reference."""
        self.env["customer.tier.measure.store"]._forget(self.policy)
        stored = self._recompute()
        self.assertEqual(self.policy.last_run_kept, 0)
        return stored

    def test_a_change_of_weights_rescores_every_customer_from_the_kept_measures(self):
        before = self._recompute()
        self.assertEqual(self.policy.last_run_kept, 0, "nothing kept yet: every order is read")
        self.assertTrue(self.policy.orders_read_at)
        # the manager moves the weights in the policy form
        with Form(self.policy.with_user(self.manager)) as form:
            with form.criterion_ids.edit(0) as revenue:
                revenue.weight = 1
            with form.criterion_ids.edit(2) as orders:
                orders.weight = 4
        after = self._recompute()
        self.assertEqual(self.policy.last_run_kept, self._evaluated(), "no order changed: every customer taken as kept")
        self.assertNotEqual(
            [row["score"] for row in before.values()], [row["score"] for row in after.values()], "weights moved"
        )
        self.assertEqual(after, self._recompute_reading_every_order())

    def test_customers_whose_orders_changed_are_measured_again(self):
        self._recompute()
        self._order(self.mid, [(self.lathe, 3)], datetime(2026, 6, 1))  # confirmed
        quotation = self.env["sale.order"].create(
            {"partner_id": self.small.id, "order_line": [Command.create({"product_id": self.lathe.id})]}
        )
        after = self._recompute()
        self.assertEqual(
            self.policy.last_run_kept, self._evaluated() - 1, "the quotation does not count; the confirmed order does"
        )
        self.assertEqual(after[self.mid.id]["revenue"], 5000.0)
        self.assertEqual(after[self.mid.id]["order_count"], 2)
        self.assertEqual(after, self._recompute_reading_every_order())
        # confirming the quotation, then cancelling another order, changes those customers
        quotation.action_confirm()
        quotation.date_order = datetime(2026, 6, 2)
        self.env["sale.order"].search([("partner_id", "=", self.buyer.id)])._action_cancel()
        after = self._recompute()
        self.assertEqual(
            self.policy.last_run_kept, self._evaluated() - 2, "the small customer and the buyer's company again"
        )
        self.assertEqual(after[self.big.id]["revenue"], 0.0)
        self.assertEqual(after[self.small.id]["order_count"], 2)
        self.assertEqual(after, self._recompute_reading_every_order())

    def test_edited_lines_and_moved_contacts_are_measured_again(self):
        self._recompute()
        line = self.env["sale.order.line"].search([("order_id.partner_id", "=", self.small.id)])
        line.product_uom_qty = 7  # edited on the confirmed order: its subtotal is recomputed
        self.buyer.parent_id = self.mid  # the buyer and its orders move to another customer
        after = self._recompute()
        self.assertEqual(after[self.small.id]["revenue"], 700.0)
        self.assertEqual(after[self.mid.id]["revenue"], 2000.0 + 4500.0)
        self.assertEqual(after[self.big.id]["revenue"], 0.0, "its only order in the window went with the buyer")
        self.assertEqual(after, self._recompute_reading_every_order())

    def test_a_deleted_prospect_and_merged_customers_are_measured_again(self):
        prospect = self.env["res.partner"].create(
            {"name": "潜在 Prospect", "is_company": True, "customer_rank": 1, "company_id": self.company.id}
        )
        before = self._recompute()
        self.assertIn(prospect.id, before, "a prospect of the company is evaluated")
        newcomer = self.env["res.partner"].create(
            {"name": "新客 Newcomer", "is_company": True, "customer_rank": 1, "company_id": self.company.id}
        )
        after = self._recompute()
        self.assertIn(newcomer.id, after, "a new prospect joins the evaluation")
        self.assertEqual(self.policy.last_run_kept, self._evaluated() - 1)
        prospect.unlink()
        after = self._recompute()
        self.assertNotIn(prospect.id, after)
        self.assertEqual(self.policy.last_run_kept, self._evaluated(), "the others are kept")
        # Odoo's merge moves the orders to the kept customer with SQL of its own
        self.env["base.partner.merge.automatic.wizard"]._merge((self.mid | self.small).ids, dst_partner=self.small)
        after = self._recompute()
        self.assertEqual(self.policy.last_run_kept, 0)
        self.assertEqual(after[self.small.id]["revenue"], 2000.0 + 300.0)
        self.assertEqual(after, self._recompute_reading_every_order())

    def test_a_change_every_customer_reads_reads_every_order_again(self):
        self._recompute()
        self.tooling.standard_price = 80.0  # every buyer of tooling has another margin
        after = self._recompute()
        self.assertEqual(self.policy.last_run_kept, 0)
        self.assertEqual(after[self.small.id]["margin"], 300.0 - 3 * 80.0)
        self._recompute()
        self.assertEqual(self.policy.last_run_kept, self._evaluated(), "and keeps them again")
        self.env["product.category"].create({"name": "Spindles"})
        self._recompute()
        self.assertEqual(self.policy.last_run_kept, 0, "a new category moves the categories' positions")

    def test_another_date_or_window_reads_every_order(self):
        self._recompute()
        self.policy._compute_customer_values(date(2026, 7, 1))
        self.assertEqual(self.policy.last_run_kept, 0)
        self.policy.evaluation_months = 6
        self.policy._compute_customer_values(date(2026, 7, 1))
        self.assertEqual(self.policy.last_run_kept, 0)
        self.policy._compute_customer_values(date(2026, 7, 1))
        self.assertEqual(self.policy.last_run_kept, self._evaluated())

    def test_orders_of_another_company_leave_the_kept_measures_valid(self):
        self._recompute()
        order = (
            self.env["sale.order"]
            .with_company(self.other_company)
            .create(
                {
                    "partner_id": self.env["res.partner"].create({"name": "西北 Buyer"}).id,
                    "company_id": self.other_company.id,
                    "order_line": [Command.create({"product_id": self.lathe.id})],
                }
            )
        )
        order.action_confirm()
        self._recompute()
        self.assertEqual(self.policy.last_run_kept, self._evaluated())

    def test_only_the_recompute_writes_when_and_how_it_ran(self):
        self._recompute()
        for vals in ({"last_run_kept": 0}, {"orders_read_at": fields.Datetime.now()}, {"last_run": False}):
            with self.assertRaises(UserError):
                self.policy.with_user(self.manager).write(vals)
        with self.assertRaises(UserError):
            self.env["customer.tier.policy"].with_user(self.manager).create(
                {"company_id": self.other_company.id, "last_run_kept": 7}
            )
        self.assertEqual(self.policy.last_run_kept, 0)
        # a client's default_* context keys set nothing either
        self.manager.write({"company_ids": [Command.link(self.other_company.id)]})
        policy = (
            self.env["customer.tier.policy"]
            .with_user(self.manager)
            .with_context(default_last_run_kept=7, allowed_company_ids=[self.company.id, self.other_company.id])
            .create({"company_id": self.other_company.id})
        )
        self.assertEqual(policy.last_run_kept, 0)

    def test_the_background_job_tells_what_was_kept(self):
        self.policy._compute_customer_values()  # today, as the job does
        self.policy.criterion_ids[0].weight = 2
        self.policy.with_user(self.manager).with_context(allowed_company_ids=self.company.ids).action_recompute()
        self.env["customer.tier.policy"]._cron_run_jobs()
        self.assertEqual(self.policy.job_state, "done")
        self.assertIn(f"{self._evaluated()} of them", self.policy.job_message)
        self.assertIn("taken as measured then", self.policy.job_message)


@tagged("post_install", "-at_install")
class TestKeptMeasuresAcrossTransactions(BaseCase):
    """The kept measures are those of the snapshot they were read in: an order confirmed by
    another transaction that commits after that snapshot, even before the measures are kept,
    has its customer measured again. Committed for real on two connections; removed at the
    end."""

    def test_a_change_committed_after_the_snapshot_is_not_missed(self):
        registry = Registry(get_db_name())
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            policy_id = env["customer.tier.policy"]._get_for_company(env.ref("base.main_company")).id
        log_ids = []

        def record_change(partner_id):
            with registry.cursor() as cr:
                cr.execute(
                    "INSERT INTO customer_tier_source_change (partner_id) VALUES (%s) RETURNING id",
                    [partner_id],
                )
                log_ids.append(cr.fetchone()[0])

        try:
            record_change(-1)  # committed before the measures are read: seen by them
            with registry.cursor() as reader:
                env = api.Environment(reader, SUPERUSER_ID, {})
                reader.execute("SELECT 1")  # the reader's snapshot
                record_change(-2)  # committed after it, before the measures are kept
                store = env["customer.tier.measure.store"]
                store._remember(
                    env["customer.tier.policy"].browse(policy_id), EVAL_DATE, b"kept", fields.Datetime.now()
                )
            record_change(-3)  # committed after they were kept
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                _payload, _when, changed = env["customer.tier.measure.store"]._recall(
                    env["customer.tier.policy"].browse(policy_id), EVAL_DATE
                )
            self.assertEqual(sorted(changed), [-3, -2])
        finally:
            with registry.cursor() as cr:
                cr.execute("DELETE FROM customer_tier_source_change WHERE id = ANY(%s)", [log_ids])
                cr.execute("DELETE FROM customer_tier_measures_kept WHERE policy_id = %s", [policy_id])
