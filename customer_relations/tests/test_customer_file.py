from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CustomerRelationsCase


@tagged("post_install", "-at_install")
class TestCustomerFile(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_own_company("无锡特钢 Customer File Test Steel")
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({"name": "宝山钢铁 Baoshan Steel", "is_company": True, "user_id": cls.user.id})
        cls.contact = Partner.create(
            {"name": "张伟 Zhang Wei", "parent_id": cls.customer.id, "purchase_role": "decision_maker"}
        )
        cls.other = Partner.create({"name": "鞍山钢铁 Anshan Steel", "is_company": True, "user_id": cls.user.id})
        cls.categ_parent = cls.env["product.category"].create({"name": "钢板 Plates"})
        cls.categ_child = cls.env["product.category"].create({"name": "Hot rolled", "parent_id": cls.categ_parent.id})
        cls.plate = cls.env["product.product"].create(
            {
                "name": "Plate 10 mm",
                "list_price": 1000.0,
                "standard_price": 700.0,
                "categ_id": cls.categ_child.id,
                "taxes_id": False,
            }
        )
        cls.plan = cls.env["customer.contact.plan"].create(
            {
                "account_class": "strategic",
                "interval_days": 30,
                "line_ids": [
                    Command.create({"interaction_type": "call", "count_per_year": 12}),
                    Command.create({"interaction_type": "visit", "count_per_year": 4}),
                ],
            }
        )
        cls.customer.with_company(cls.company).account_class = "strategic"

    def _order(self, partner, quantity, when):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": self.plate.id, "product_uom_qty": quantity})],
            }
        )
        order.action_confirm()
        order.date_order = when
        return order

    # ------------------------------------------------------------------
    def test_referral_links_both_ways_and_no_loop(self):
        channel = self.env.ref("customer_relations.customer_acquisition_channel_referral")
        self.other.with_user(self.user).write(
            {"acquisition_channel_id": channel.id, "referred_by_id": self.customer.id}
        )
        self.assertEqual(self.customer.referral_ids, self.other)
        self.assertEqual(self.customer.referral_count, 1)
        action = self.customer.action_view_referrals()
        self.assertEqual(self.env["res.partner"].search(action["domain"]), self.other)
        with self.assertRaises(ValidationError):
            self.customer.referred_by_id = self.other

    def test_a_user_edits_the_file_with_history(self):
        customer = self.customer.with_user(self.user).with_context(tracking_disable=False)
        customer.write(
            {
                "market_status": "main",
                "revenue_band": "200m_1b",
                "credit_rating": "aa",
                "strengths": "国内最大 Largest in China",
            }
        )
        self.assertEqual(self.customer.market_status, "main")
        tracked = [name for name, field in self.env["res.partner"]._fields.items() if getattr(field, "tracking", False)]
        for name in ("market_status", "revenue_band", "credit_rating", "acquisition_channel_id", "referred_by_id"):
            self.assertIn(name, tracked, "changes of the customer file are kept in the chatter")
        with self.assertRaises(AccessError):
            self.customer.with_user(self.employee).write({"market_status": "developing"})

    def test_company_isolation_of_interactions_and_wallet(self):
        self.env["customer.interaction"].create(
            {"name": "Visit", "partner_id": self.customer.id, "interaction_type": "visit"}
        )
        self.env["customer.wallet.share"].create(
            {"partner_id": self.customer.id, "categ_id": self.categ_parent.id, "estimated_need": 1000.0}
        )
        outsider = new_test_user(
            self.env,
            login="cr_user_other_company",
            groups="customer_relations.group_customer_relations_user",
            company_id=self.other_company.id,
            company_ids=[Command.set(self.other_company.ids)],
        )
        as_outsider = self.env(
            user=outsider, context=dict(self.env.context, allowed_company_ids=self.other_company.ids)
        )
        self.assertFalse(as_outsider["customer.interaction"].search([]))
        self.assertFalse(as_outsider["customer.wallet.share"].search([]))
        self.assertEqual(len(self.env["customer.interaction"].with_user(self.user).search([])), 1)

    def test_share_of_wallet_from_confirmed_orders(self):
        with freeze_time("2026-10-01"):
            self._order(self.contact, 30, datetime(2026, 6, 1))  # 30,000 in a sub-category, by a contact
            self._order(self.customer, 100, datetime(2025, 1, 1))  # older than 12 months
            line = (
                self.env["customer.wallet.share"]
                .with_user(self.user)
                .create({"partner_id": self.customer.id, "categ_id": self.categ_parent.id, "estimated_need": 120_000.0})
            )
        self.assertAlmostEqual(line.our_revenue, 30_000.0)
        self.assertAlmostEqual(line.share, 25.0)
        self.assertAlmostEqual(line.gap, 90_000.0)
        self.assertTrue(line.buys_elsewhere, "on the cross-sell list")
        cross_sell = self.env["customer.wallet.share"].search([("buys_elsewhere", "=", True)])
        self.assertIn(line, cross_sell)

    def test_overdue_contact_gets_one_activity_and_done_activities_log_interactions(self):
        Interaction = self.env["customer.interaction"]
        Interaction.create(
            {
                "name": "Call",
                "partner_id": self.customer.id,
                "interaction_type": "call",
                "date": date.today() - timedelta(days=45),
            }
        )
        self.other.with_company(self.company).account_class = "strategic"
        Interaction.create({"name": "Visit", "partner_id": self.other.id, "interaction_type": "visit"})
        overdue = self.env["res.partner"].search(
            [("contact_overdue", "=", True), ("id", "in", [self.customer.id, self.other.id])]
        )
        self.assertEqual(overdue, self.customer)
        self.assertTrue(self.customer.contact_overdue)
        self.assertEqual(self.customer.next_contact_date, date.today() - timedelta(days=15))
        Plan = self.env["customer.contact.plan"]
        Plan._cron_contact_plan()
        Plan._cron_contact_plan()
        due_type = self.env.ref("customer_relations.mail_activity_type_contact_due")
        activity = self.customer.activity_ids.filtered(lambda a: a.activity_type_id == due_type)
        self.assertEqual(len(activity), 1, "one reminder, not one per run")
        self.assertEqual(activity.user_id, self.user)
        self.assertFalse(self.other.activity_ids.filtered(lambda a: a.activity_type_id == due_type))
        activity.with_user(self.user).action_feedback(feedback="客户确认追加订单 Will order more")
        logged = Interaction.search([("partner_id", "=", self.customer.id), ("date", "=", date.today())])
        self.assertEqual(logged.interaction_type, "call")
        self.assertIn("Will order more", logged.outcome)
        self.customer.invalidate_recordset(["contact_overdue"])
        self.assertFalse(self.customer.contact_overdue)

    def test_plan_against_done_across_the_year_boundary(self):
        Interaction = self.env["customer.interaction"]
        for day, kind in ((date(2025, 12, 31), "visit"), (date(2026, 1, 2), "visit"), (date(2026, 3, 1), "gift")):
            Interaction.create({"name": "x", "partner_id": self.customer.id, "interaction_type": kind, "date": day})
        Status = self.env["customer.contact.status"]
        Status._rebuild(self.company, 2026)
        Status._rebuild(self.company, 2026)  # idempotent
        rows = {
            s.interaction_type: s for s in Status.search([("partner_id", "=", self.customer.id), ("year", "=", 2026)])
        }
        self.assertEqual((rows["visit"].planned, rows["visit"].done, rows["visit"].missing), (4, 1, 3))
        self.assertEqual((rows["call"].planned, rows["call"].done, rows["call"].missing), (12, 0, 12))
        self.assertEqual((rows["gift"].planned, rows["gift"].done), (0, 1))
        Status._rebuild(self.company, 2025)
        last_year = Status.search(
            [("partner_id", "=", self.customer.id), ("year", "=", 2025), ("interaction_type", "=", "visit")]
        )
        self.assertEqual(last_year.done, 1)

    def test_care_moments_are_created_once(self):
        today = date(2026, 9, 20)
        self.contact.birthday = date(1978, 9, 23)
        self.customer.company_anniversary = date(2001, 12, 1)  # outside the lead time
        # The Mid-Autumn Festival of the data (25 September 2026) is within the lead time.
        general = self.env["res.partner"].create(
            {"name": "General customer", "is_company": True, "user_id": self.user.id}
        )
        general.with_company(self.company).account_class = "general"
        Moment = self.env["customer.care.moment"]
        created = Moment._cron_care_moments(today)
        again = Moment._cron_care_moments(today)
        self.assertFalse(again, "the scheduled action never duplicates")
        mine = created.filtered(lambda m: m.company_id == self.company)
        self.assertEqual(sorted(mine.mapped("occasion")), ["birthday", "holiday"])
        self.assertFalse(mine.filtered(lambda m: m.partner_id == general), "only strategic and key customers")
        birthday = mine.filtered(lambda m: m.occasion == "birthday")
        self.assertEqual(birthday.date, date(2026, 9, 23))
        self.assertEqual(birthday.activity_id.user_id, self.user)
        self.assertIn("张伟", birthday.activity_id.summary)

    def test_ranking_prints_chinese_names(self):
        with freeze_time("2026-11-24"):
            self._order(self.customer, 10, datetime(2026, 5, 1))
            self._order(self.other, 20, datetime(2026, 6, 1))
            self._order(self.customer, 50, datetime(2025, 6, 1))  # previous period: Baoshan was first
            wizard = self.env["customer.ranking.wizard"].with_user(self.user).create({"top_n": 10})
            wizard.action_compute()
        lines = wizard.line_ids.sorted("rank")
        self.assertEqual(lines.partner_id.mapped("name"), ["鞍山钢铁 Anshan Steel", "宝山钢铁 Baoshan Steel"])
        self.assertTrue(lines[0].is_new)
        self.assertEqual(lines[1].movement, -1)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.user)
            ._render_qweb_html("customer_relations.report_customer_ranking", wizard.ids)[0]
            .decode()
        )
        self.assertIn("鞍山钢铁", html)
        self.assertIn("o_cr_report", html)  # the report font (static/src/scss/report.scss), see test_i18n

    def test_forecast_per_customer_and_segment_adjustment(self):
        segment = self.env.ref("customer_relations.res_partner_industry_steel", raise_if_not_found=False)
        segment = segment or self.env["res.partner.industry"].create({"name": "Steel buyer"})
        self.customer.industry_id = segment
        for quarter in range(8):
            self._order(self.customer, 10 + 2 * quarter, datetime(2024, 11, 15) + timedelta(days=91 * quarter))
        self._order(self.customer, 5, datetime(2026, 11, 2))  # sold in the forecast quarter itself
        wizard = (
            self.env["customer.forecast.wizard"]
            .with_user(self.manager)
            .create({"period_type": "quarter", "history_periods": 8, "horizon": 1})
        )
        wizard._forecast(today=date(2026, 11, 24))
        forecast = self.env["customer.revenue.forecast"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(forecast.period_start, date(2026, 10, 1), "the quarter being sold now comes first")
        self.assertEqual(forecast.model, "damped_trend", "the trend beats the seasonal-naive forecast in the backtest")
        self.assertAlmostEqual(forecast.forecast, 26_000.0, delta=1_500.0, msg="10, 12, ... 24 units: next near 26")
        self.assertLess(forecast.backtest_mae, forecast.naive_mae)
        self.assertAlmostEqual(forecast.adjusted_forecast, forecast.forecast)
        self.assertAlmostEqual(forecast.actual, 5_000.0, msg="the actual of the started quarter, for comparison")
        adjustment = (
            self.env["customer.forecast.segment"]
            .with_user(self.manager)
            .create({"industry_id": segment.id, "growth_adjustment": 10.0})
        )
        self.assertAlmostEqual(forecast.adjusted_forecast, forecast.forecast * 1.1, places=2)
        adjustment.growth_adjustment = -20.0
        self.assertAlmostEqual(forecast.adjusted_forecast, forecast.forecast * 0.8, places=2)
        with self.assertRaises(AccessError):
            self.env["customer.forecast.segment"].with_user(self.user).create({"growth_adjustment": 5.0})
