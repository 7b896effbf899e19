"""The demo tells a plausible year of the demo company (runs with demo data only)."""

from odoo.tests import tagged

from .common import CustomerRelationsCase


@tagged("post_install", "-at_install")
class TestDemoStory(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.director = cls.env.ref("customer_relations.user_manager_liu", raise_if_not_found=False)
        cls.demo = cls.env["res.partner"].search(
            [("ref", "in", ["CR013", "CR007", "CR031"]), ("is_company", "=", True)]
        )

    def setUp(self):
        super().setUp()
        if not self.director or len(self.demo) < 3:
            self.skipTest("without demo data")

    def _customer(self, ref):
        return self.demo.filtered(lambda p: p.ref == ref)

    def test_agreements_are_measured_against_targets_set_from_the_customers_history(self):
        agreements = self.env["customer.agreement"].search([("partner_id", "in", self.demo.ids)])
        self.assertEqual(len(agreements), 3)
        periods = self.env["customer.agreement.target.period"].search(
            [("agreement_id", "in", agreements.ids), ("actual", ">", 0)]
        )
        self.assertTrue(periods)
        too_high = periods.filtered(lambda p: p.achievement > 250)
        self.assertFalse(
            [(p.agreement_id.partner_id.ref, p.measure, p.label, round(p.achievement)) for p in too_high],
            "no target reached at 1,000 %: the targets follow what the customer buys",
        )
        self.assertTrue(all(10 <= a.achievement <= 100 for a in agreements), agreements.mapped("achievement"))

    def test_strategic_accounts_decided_by_the_director_on_the_review_day(self):
        for ref in ("CR013", "CR031"):
            customer = self._customer(ref)
            self.assertEqual(customer.account_class, "strategic", f"{ref} has a strategic agreement")
            history = customer.tier_history_ids.filtered(lambda h: h.review_id.review_type == "annual")
            self.assertEqual(history.user_id, self.director, "the director approved the review")
            self.assertEqual(history.date.date(), history.review_id.date)
        self.assertFalse(
            self.env["customer.tier.history"].search_count([("user_id", "=", self.env.ref("base.user_root").id)]),
            "no history written by OdooBot",
        )

    def test_campaign_answers_dated_inside_their_campaign(self):
        campaigns = self.env["customer.satisfaction.campaign"].search([("name", "like", "重点客户满意度")])
        self.assertEqual(len(campaigns), 2)
        for campaign in campaigns:
            done = campaign.user_input_ids.filtered(lambda a: a.state == "done")
            self.assertTrue(done)
            dates = done.mapped("end_datetime")
            self.assertGreaterEqual(min(dates).date(), campaign.date_start, campaign.name)
            self.assertLessEqual(max(dates).date(), campaign.date_end, campaign.name)
            self.assertGreater(len({d.date() for d in dates}), 5, "answers came in over weeks, not at install time")

    def test_wallet_shows_real_shares_and_gaps(self):
        estimates = self.env["customer.wallet.share"].search([("partner_id.ref", "=like", "CR%")])
        supplied = estimates.filtered(lambda e: e.our_revenue > 0)
        self.assertGreater(len(supplied), 10, "estimates on categories the customers buy from us")
        self.assertTrue(any(0 < e.share < 100 for e in supplied), "competitors supply part of the need")
        gaps = estimates.filtered(lambda e: not e.our_revenue)
        self.assertTrue(gaps, "categories the industry uses that the customer does not buy from us yet")
        self.assertEqual(estimates.estimated_by_id, estimates.partner_id.user_id, "estimated by the account managers")

    def test_demo_company_is_a_chinese_manufacturer_keeping_its_books_in_renminbi(self):
        company = self.env.ref("base.main_company")
        renminbi = self.env.ref("base.CNY")
        self.assertEqual(company.name, "苏州恒泰洗涤机械有限公司")
        self.assertEqual(company.country_id.code, "CN")
        self.assertEqual(company.state_id, self.env.ref("base.state_cn_JS"), "Jiangsu")
        self.assertEqual(company.currency_id, renminbi)
        self.assertEqual(company.chart_template, "cn", "the Chinese chart of accounts, in renminbi")
        self.assertEqual(company.account_fiscal_country_id.code, "CN")
        self.assertFalse(
            self.env["account.move.line"].search_count([("company_id", "=", company.id)]),
            "no sample invoices of Odoo's accounting demo in this company's books",
        )
        orders = self.env["sale.order"].search([("partner_id", "in", self.demo.ids), ("state", "=", "sale")])
        self.assertTrue(orders)
        self.assertEqual(orders.currency_id, renminbi, "the orders are in yuan like every figure the addon computes")
        self.assertEqual(company.resource_calendar_id.tz, "Asia/Shanghai")
        self.assertEqual(self.director.lang, "zh_CN")
        self.assertEqual(self.env.ref("base.user_admin").lang, "en_US", "admin stays English")
