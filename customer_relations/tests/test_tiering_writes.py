"""Issue #16: the recompute writes customer values and lifecycle stages with set-based SQL
(binary COPY, one UPDATE / INSERT per run). What it leaves behind must be what the engine
computed, seen by the ORM in the same transaction, and confined to the policy's company."""

from datetime import date, datetime

from odoo import Command
from odoo.tests import tagged

from ..engine import tiering
from .common import CustomerRelationsCase

EVAL_DATE = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestTieringWrites(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_own_company("注塑机械 Tiering Writes Test Moulding Machines")
        cls.press = cls._product("Injection press 200 t", 1000.0, 700.0, "Presses")
        cls.mould = cls._product("Mould service", 100.0, 40.0, "Moulds")
        Partner = cls.env["res.partner"]
        cls.big = Partner.create({"name": "美的 Midea", "is_company": True, "user_id": cls.user.id})
        cls.mid = Partner.create({"name": "格力 Gree", "is_company": True, "user_id": cls.user.id})
        cls.big_buyer = Partner.create({"name": "张敏 Zhang Min", "parent_id": cls.big.id})
        cls.policy = cls.env["customer.tier.policy"]._get_for_company(cls.company)
        cls.policy.write(
            {
                "tier_method": "threshold",
                "criterion_ids": [
                    Command.clear(),
                    Command.create({"name": "Revenue", "kind": "measured", "measure": "revenue", "weight": 3}),
                    Command.create({"name": "Orders", "kind": "measured", "measure": "order_count", "weight": 1}),
                    Command.create({"name": "Financial strength", "kind": "rated", "weight": 1}),
                ],
            }
        )
        cls.rated = cls.policy.criterion_ids.filtered(lambda c: c.kind == "rated")
        # big orders through its buyer (a contact) and directly, in two months of the window,
        # presses and moulds; mid: 3000 now against 6000 a year before (decline).
        cls._order(cls.big_buyer, [(cls.press, 5), (cls.mould, 3)], datetime(2026, 2, 10))
        cls._order(cls.big, [(cls.press, 1)], datetime(2026, 5, 3))
        cls._order(cls.big_buyer, [(cls.press, 5)], datetime(2025, 3, 1))
        cls._order(cls.mid, [(cls.press, 3)], datetime(2025, 12, 1))
        cls._order(cls.mid, [(cls.press, 6)], datetime(2024, 12, 1))

    @classmethod
    def _order(cls, partner, lines, when, company=None):
        order = (
            cls.env["sale.order"]
            .with_company(company or cls.company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": (company or cls.company).id,
                    "order_line": [Command.create({"product_id": p.id, "product_uom_qty": q}) for p, q in lines],
                }
            )
        )
        order.action_confirm()
        order.date_order = when
        return order

    def _value(self, partner, company=None):
        return self.env["customer.value"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", (company or self.company).id)]
        )

    def _stage(self, partner, company=None):
        return partner.with_company(company or self.company).lifecycle_stage

    def test_contact_orders_are_merged_into_the_commercial_entity(self):
        self.policy._compute_customer_values(EVAL_DATE)
        big = self._value(self.big)
        self.assertEqual(big.revenue, 6000.0 + 300.0, "the buyer's order and the direct one")
        self.assertEqual(big.revenue_previous, 5000.0)
        self.assertEqual(big.order_count, 2)
        self.assertEqual(big.breadth, 2, "presses and moulds, one bought through the buyer")
        self.assertAlmostEqual(big.regularity, 2 / 12, msg="February (buyer) and May (direct) of 12 months")
        self.assertEqual(big.margin, 6300.0 - 6 * 700.0 - 3 * 40.0)
        self.assertFalse(self._value(self.big_buyer), "the contact has no evaluation of its own")

    def test_stored_breakdown_is_the_engines(self):
        self.env["customer.tier.rating"].with_user(self.user).create(
            {"partner_id": self.big.id, "criterion_id": self.rated.id, "rating": "4", "date": date(2026, 6, 1)}
        )
        self.policy._compute_customer_values(EVAL_DATE)
        _measures, result, breakdown, _anomalies = self.policy._evaluate(EVAL_DATE)
        values = self.env["customer.value"].with_user(self.user).search([("company_id", "=", self.company.id)])
        self.assertEqual(sorted(values.partner_id.ids), sorted(result.index.tolist()))
        for value in values:
            expected = {str(key): score for key, score in tiering.breakdown_of(breakdown, value.partner_id.id).items()}
            self.assertEqual(value.breakdown, expected, value.partner_id.name)
        self.assertEqual(self._value(self.big).breakdown[str(self.rated.id)], 75.0, "a rating of 4 of 5")
        self.assertNotIn(str(self.rated.id), self._value(self.mid).breakdown, "no rating, no key")

    def test_the_orm_sees_the_set_based_writes_in_the_same_transaction(self):
        self.policy._compute_customer_values(EVAL_DATE)
        mid = self._value(self.mid).with_user(self.user)
        partner = self.mid.with_user(self.user).with_company(self.company)
        # read through the ORM first: the values are in its cache when the recompute runs
        self.assertEqual((mid.revenue, mid.lifecycle_stage, partner.lifecycle_stage), (3000.0, "decline", "decline"))
        self.assertFalse(self.env["customer.value"].search([("partner_id", "=", self.mid.id), ("revenue", "=", 7000)]))
        newcomer = self.env["res.partner"].create({"name": "海尔 Haier", "is_company": True})
        self._order(self.mid, [(self.press, 4)], datetime(2026, 6, 1))  # 7000 against 6000: +16.7 %
        self._order(newcomer, [(self.mould, 2)], datetime(2026, 6, 2))
        self.policy._compute_customer_values(EVAL_DATE)
        # updated record, moved stage on the customer, new record: all in this transaction
        self.assertEqual(mid.revenue, 7000.0)
        self.assertEqual(mid.order_count, 2)
        self.assertEqual(mid.lifecycle_stage, "development")
        self.assertEqual(partner.lifecycle_stage, "development", "the stage moved on the customer too")
        self.assertEqual(
            self.env["customer.value"].search([("partner_id", "=", self.mid.id), ("revenue", "=", 7000)]), mid
        )
        self.assertEqual(self._value(newcomer).revenue, 200.0)
        self.assertEqual(self._stage(newcomer), "identification")
        self.assertEqual(self._stage(self.big), "development", "an unchanged customer keeps its stage")
        self.assertFalse(
            self.env["customer.tier.history"].search([("partner_id", "in", (self.mid | self.big | newcomer).ids)]),
            "the recompute proposes; only a review or a manager changes tiers (and writes history)",
        )

    def test_rewriting_every_customer_leaves_another_company_untouched(self):
        other = self.other_company
        self._order(self.mid, [(self.press, 2)], datetime(2026, 3, 1), company=other)
        other_policy = self.env["customer.tier.policy"]._get_for_company(other)
        other_policy._compute_customer_values(EVAL_DATE)
        self.policy._compute_customer_values(EVAL_DATE)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE customer_value SET write_date = '2020-01-01 00:00:00' WHERE company_id IN %s",
            [(other.id, self.company.id)],
        )
        # as after a change of the policy: every customer of this company is written again
        self.env.cr.execute("UPDATE customer_value SET fingerprint = NULL WHERE company_id = %s", [self.company.id])
        self.env.invalidate_all()
        other_before = self._value(self.mid, other).read(["revenue", "score", "lifecycle_stage", "breakdown"])
        self.policy.write({"criterion_ids": [Command.update(self.rated.id, {"weight": 4})]})
        self.policy._compute_customer_values(EVAL_DATE)
        mine, theirs = self._value(self.mid), self._value(self.mid, other)
        self.assertGreater(mine.write_date, datetime(2020, 1, 1))
        self.assertEqual(mine.revenue, 3000.0)
        self.assertEqual(theirs.write_date, datetime(2020, 1, 1), "another company's record is not written")
        self.assertEqual(theirs.read(["revenue", "score", "lifecycle_stage", "breakdown"]), other_before)
        self.assertEqual(theirs.revenue, 2000.0)
        self.assertEqual(self._stage(self.mid, other), "identification", "its stage in the other company")
        self.assertEqual(self._stage(self.mid), "decline")

    def test_the_measures_statement_leaves_the_jit_setting_as_it_was(self):
        self.env.cr.execute("SHOW jit")
        before = self.env.cr.fetchone()[0]
        self.policy._compute_customer_values(EVAL_DATE)
        self.env.cr.execute("SHOW jit")
        self.assertEqual(self.env.cr.fetchone()[0], before, "later statements of the transaction keep JIT")
