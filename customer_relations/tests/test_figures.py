from datetime import date, datetime

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CustomerRelationsCase

# "Today" of these tests, and a date in the past that reviews are dated on.
TODAY = "2026-11-30"
PAST = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestFigures(CustomerRelationsCase):
    """Figures leadership signs decisions on: as of a date, recomputed when inputs change, and
    one definition of revenue, margin and quantity everywhere."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_own_company("宝钢用户 Figures Test Steel")
        Category = cls.env["product.category"]
        cls.categ_plate = Category.create({"name": "Plate"})
        cls.categ_coil = Category.create({"name": "Coil"})
        Product = cls.env["product.product"]
        cls.plate = Product.create(
            {
                "name": "Plate 10 mm",
                "list_price": 100.0,
                "standard_price": 60.0,
                "categ_id": cls.categ_plate.id,
                "taxes_id": False,
            }
        )
        # no cost known: left out of every margin
        cls.coil = Product.create(
            {"name": "Coil 2 mm", "list_price": 50.0, "standard_price": 0.0, "categ_id": cls.categ_coil.id}
        )
        cls.coil.taxes_id = False
        cls.dozen = cls.env.ref("uom.product_uom_dozen")
        Partner = cls.env["res.partner"]
        cls.buyer = Partner.create({"name": "一汽 FAW Stamping", "is_company": True, "user_id": cls.user.id})
        cls.other = Partner.create({"name": "海尔 Haier Panels", "is_company": True, "user_id": cls.user.id})
        cls.policy = cls.env["customer.tier.policy"]._get_for_company(cls.company)
        cls.policy.write(
            {
                "tier_method": "pareto",
                "criterion_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "name": "Revenue",
                            "kind": "measured",
                            "measure": "revenue",
                            "weight": 3,
                            "method": "percentile",
                        }
                    ),
                    Command.create(
                        {"name": "Margin", "kind": "measured", "measure": "margin", "weight": 1, "method": "percentile"}
                    ),
                    Command.create({"name": "Financial strength", "kind": "rated", "weight": 1}),
                ],
            }
        )
        # Before PAST: 2 dozen plates (24 units, 2,400) and 10 coils (500, no cost).
        cls._order(cls.buyer, [(cls.plate, 2, cls.dozen), (cls.coil, 10, None)], datetime(2026, 3, 10))
        # After PAST: 30 plates (3,000).
        cls._order(cls.buyer, [(cls.plate, 30, None)], datetime(2026, 9, 15))
        cls._order(cls.other, [(cls.plate, 5, None)], datetime(2026, 4, 2))

    @classmethod
    def _order(cls, partner, lines, when, confirm=True):
        commands = []
        for product, quantity, uom in lines:
            vals = {"product_id": product.id, "product_uom_qty": quantity}
            if uom:
                vals["product_uom"] = uom.id
            commands.append(Command.create(vals))
        order = cls.env["sale.order"].create({"partner_id": partner.id, "order_line": commands})
        if confirm:
            order.action_confirm()
        order.date_order = when
        return order

    def _value(self, partner):
        return self.env["customer.value"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def _agreement(self, **values):
        vals = {
            "partner_id": self.buyer.id,
            "type_id": self.env.ref("customer_relations.customer_agreement_type_strategic").id,
            "date_start": date(2026, 1, 1),
            "date_end": date(2026, 12, 31),
            "manager_id": self.user.id,
            "target_ids": [
                Command.create({"measure": "revenue", "period": "whole", "target_value": 10000.0}),
                Command.create(
                    {"measure": "quantity", "categ_id": self.categ_plate.id, "period": "whole", "target_value": 6}
                ),
            ],
            "rebate_step_ids": [Command.create({"threshold": 50.0, "rate": 1.0})],
        }
        vals.update(values)
        return self.env["customer.agreement"].with_user(self.user).create(vals)

    # ------------------------------------------------------------------
    # As of a date
    # ------------------------------------------------------------------
    def test_a_back_dated_tier_review_reads_up_to_its_date_and_writes_only_its_lines(self):
        with freeze_time(TODAY):
            self.policy._compute_customer_values()
            live = self._value(self.buyer)
            self.assertEqual(live.revenue, 2400.0 + 500.0 + 3000.0)
            live_score = live.score
            anomalies = self.env["customer.value.anomaly"].with_context(active_test=False).search_count([])
            activities = self.env["mail.activity"].search_count([("res_model", "=", "res.partner")])
            review = (
                self.env["customer.tier.review"]
                .with_user(self.manager)
                .create({"review_type": "annual", "date": PAST, "company_id": self.company.id})
            )
            review.action_compute()
        line = review.line_ids.filtered(lambda line: line.partner_id == self.buyer)
        self.assertEqual(line.revenue, 2400.0 + 500.0, "only the orders up to the review date")
        live.invalidate_recordset()
        self.assertEqual(live.revenue, 2400.0 + 500.0 + 3000.0, "the live customer value is left alone")
        self.assertEqual(live.score, live_score)
        self.assertEqual(self.env["customer.value.anomaly"].with_context(active_test=False).search_count([]), anomalies)
        self.assertEqual(self.env["mail.activity"].search_count([("res_model", "=", "res.partner")]), activities)

    def test_a_back_dated_agreement_review_counts_orders_up_to_its_date(self):
        agreement = self._agreement()
        agreement.action_activate()
        with freeze_time(TODAY):
            agreement._update_actuals()
        live = (agreement.achievement, agreement.actuals_date, agreement.revenue)
        review = self.env["customer.agreement.review"].create(
            {"agreement_id": agreement.id, "date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31), "date": PAST}
        )
        review.action_snapshot()
        revenue_line = review.line_ids.filtered(lambda line: line.measure == "revenue")
        quantity_line = review.line_ids.filtered(lambda line: line.measure == "quantity")
        self.assertEqual(revenue_line.actual, 2900.0, "orders after the review date do not count")
        self.assertEqual(quantity_line.actual, 24.0, "two dozen plates are 24 plates")
        self.assertEqual(review.revenue, revenue_line.actual, "the header agrees with its lines")
        self.assertAlmostEqual(review.achievement, (29.0 + 100.0) / 2)
        self.assertAlmostEqual(review.rebate_earned, 29.0, msg="1 % of the 2,900 earned up to the review date")
        agreement.invalidate_recordset()
        self.assertEqual(
            (agreement.achievement, agreement.actuals_date, agreement.revenue), live, "the live agreement is untouched"
        )

    # ------------------------------------------------------------------
    # One definition per measure
    # ------------------------------------------------------------------
    def test_revenue_margin_and_quantity_agree_everywhere(self):
        revenue, margin = 2400.0 + 500.0 + 3000.0, 2400.0 - 24 * 60.0 + 3000.0 - 30 * 60.0
        with freeze_time(TODAY):
            self.policy._compute_customer_values()
            value = self._value(self.buyer)
            self.assertEqual(value.revenue, revenue)
            self.assertEqual(value.margin, margin, "coils without cost are left out, dozens count as 12")
            ranking = self.env["customer.ranking.wizard"].create(
                {"date_from": date(2025, 12, 1), "date_to": date(2026, 11, 30), "top_n": 5}
            )
            ranking.action_compute()
            line = ranking.line_ids.filtered(lambda line: line.partner_id == self.buyer)
            self.assertEqual((line.revenue, line.margin), (revenue, margin))
            agreement = self._agreement()
            agreement.action_activate()
            agreement._update_actuals()
            self.assertEqual(agreement.revenue, revenue)
            quantity = agreement.target_ids.filtered(lambda t: t.measure == "quantity").period_ids
            self.assertEqual(quantity.actual, 24.0 + 30.0)
            wallet = self.env["customer.wallet.share"].create(
                {
                    "partner_id": self.buyer.id,
                    "categ_id": self.categ_plate.id,
                    "estimated_need": 100000.0,
                    "estimate_date": date(2026, 11, 30),
                }
            )
            self.assertEqual(wallet.our_revenue, 2400.0 + 3000.0)
        self.env.flush_all()
        self.env["customer.composition.report"].invalidate_model()
        composition = self.env["customer.composition.report"].search(
            [("partner_id", "=", self.buyer.id), ("year", "=", "2026")]
        )
        self.assertEqual(composition.revenue, revenue)
        acquisition = self.env["customer.acquisition.report"].search([("partner_id", "=", self.buyer.id)])
        self.assertEqual(acquisition.first_year_revenue, revenue)

    # ------------------------------------------------------------------
    # Recomputation when inputs change
    # ------------------------------------------------------------------
    def test_editing_targets_or_dates_rebuilds_measured_periods(self):
        agreement = self._agreement()
        agreement.action_activate()
        revenue = agreement.target_ids.filtered(lambda t: t.measure == "revenue")
        with freeze_time(TODAY):
            revenue.write({"target_value": 20000.0, "period": "half"})
        self.assertEqual(revenue.period_ids.mapped("label"), ["2026 H1", "2026 H2"])
        self.assertEqual(revenue.period_ids.mapped("actual"), [2900.0, 3000.0], "measured at once, not 0")
        with freeze_time(TODAY):
            agreement.date_end = date(2026, 8, 31)
        self.assertEqual(revenue.period_ids[-1].date_end, date(2026, 8, 31), "the periods follow the dates")
        self.assertEqual(revenue.period_ids.mapped("actual"), [2900.0, 0.0])

    def test_anomaly_reasons_follow_the_current_figures(self):
        self.buyer.with_company(self.company).write({"customer_tier": "c"})
        with freeze_time(TODAY):
            self.policy._compute_customer_values()
        anomaly = self.env["customer.value.anomaly"].search(
            [("partner_id", "=", self.buyer.id), ("code", "=", "potential")]
        )
        self.assertEqual(len(anomaly), 1)
        self.assertIn("New customer", anomaly.message, "no comparison revenue: a new customer, not +100 %")
        self._order(self.buyer, [(self.plate, 10, None)], datetime(2025, 10, 1))
        with freeze_time(TODAY):
            self.policy._compute_customer_values()
        anomaly.invalidate_recordset()
        growth = (5900.0 - 1000.0) / 1000.0 * 100.0
        self.assertIn(f"{growth:.0f}%", anomaly.message, "re-worded from this evaluation's figures")
        self.assertIn(f"{growth:.0f}%", anomaly.activity_id.note)
        wording = self.env["customer.value.anomaly"]._message_for("cross_sell", {"breadth": 1, "peer": 4.0})
        self.assertIn("1 product category ", wording)

    def test_settings_show_the_number_of_regions(self):
        settings = Form(self.env["res.config.settings"])
        self.assertEqual(settings.customer_region_count, self.env["customer.region"].search_count([]))
        self.assertGreater(settings.customer_region_count, 0)

    # ------------------------------------------------------------------
    # Agreement achievement and its display
    # ------------------------------------------------------------------
    def test_overall_achievement_is_defined_once(self):
        agreement = self._agreement()
        agreement.action_activate()
        with freeze_time(TODAY):
            agreement._update_actuals()
            review = self.env["customer.agreement.review"].create(
                {"agreement_id": agreement.id, "date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31)}
            )
            review.action_snapshot()
        # revenue 5,900 of 10,000 (59 %); 54 plates of 6 (900 %, counted as 100 %)
        self.assertAlmostEqual(agreement.achievement, (59.0 + 100.0) / 2)
        self.assertAlmostEqual(review.achievement, agreement.achievement)
        self.assertAlmostEqual(agreement.rebate_earned, 59.0, msg="1 % of 5,900: 79.5 % passes the 50 % step")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_relations.action_report_customer_agreement_review", review.ids)[0]
            .decode()
        )
        self.assertIn("79.5 %", html)
        self.assertIn("at most 100 %", agreement._fields["achievement"].help, "the definition is shown")
        form = etree.fromstring(self.env["customer.agreement"].get_view(view_type="form")["arch"])
        for bar in form.xpath("//field[@widget='progressbar']"):
            self.assertIn("overflow_class", bar.get("options", ""), "bars above 100 % stay filled")

    def test_prorated_targets_names_and_date_messages(self):
        agreement = self._agreement(
            date_start=date(2026, 7, 1),
            date_end=date(2027, 6, 30),
            target_ids=[Command.create({"measure": "revenue", "period": "year", "target_value": 1000000.0})],
        )
        agreement.action_activate()
        periods = agreement.target_ids.period_ids
        self.assertEqual(periods.mapped("target_value"), [504109.59, 495890.41])
        self.assertEqual(sum(periods.mapped("target_value")), 1000000.0)
        self.assertEqual(agreement.target_ids.display_name, "Revenue - Each year")
        with self.assertRaises(ValidationError) as caught:
            self._agreement(date_start=date(2026, 7, 1), date_end=date(2026, 6, 1))
        self.assertIn(self.buyer.name, str(caught.exception))
        self.assertNotIn("KA/", str(caught.exception), "no reference that is rolled back with the agreement")
        second = self._agreement()
        with self.assertRaises(ValidationError) as caught:
            second.action_activate()
        self.assertNotIn("agreement agreement", str(caught.exception))

    # ------------------------------------------------------------------
    # Customer composition
    # ------------------------------------------------------------------
    def test_composition_counts_customers_once_and_compares_like_for_like(self):
        # the view compares with today's date (the database's): dates relative to it
        today = date.today()
        year = today.year
        if (today.month, today.day) < (1, 11) or (today.month, today.day) >= (12, 28):
            self.skipTest("needs a date between 11 January and 27 December")
        steady = self.env["res.partner"].create({"name": "鞍钢 Ansteel Trading", "is_company": True})
        self._order(steady, [(self.plate, 10, None)], datetime(year - 2, 6, 1))
        self._order(steady, [(self.plate, 10, None)], datetime(year - 1, 1, 10))  # same period last year
        self._order(steady, [(self.plate, 40, None)], datetime(year - 1, 12, 28))  # later in the year
        self._order(steady, [(self.plate, 12, None)], datetime(year, 1, 5))
        self.env.flush_all()
        Report = self.env["customer.composition.report"]
        row = Report.search([("partner_id", "=", steady.id), ("year", "=", str(year))])
        self.assertEqual(row.revenue, 1200.0)
        self.assertEqual(row.revenue_previous, 1000.0, "the previous year up to the same day only")
        self.assertAlmostEqual(row.growth_percent, 20.0)
        first = Report.search([("partner_id", "=", steady.id), ("year", "=", str(year - 2))])
        self.env.cr.execute("SELECT growth, growth_percent FROM customer_composition_report WHERE id = %s", [first.id])
        self.assertEqual(self.env.cr.fetchone(), (None, None), "a first year has no growth")
        [(customers,)] = Report._read_group([("company_id", "=", self.company.id)], [], ["buyer_id:count_distinct"])
        self.assertEqual(customers, 3, "each customer once, whatever the number of years")

    # ------------------------------------------------------------------
    # The yearly customer review
    # ------------------------------------------------------------------
    def test_customer_review_answers_the_annual_questions(self):
        self.buyer.with_company(self.company).write({"customer_tier": "a"})
        # 7,000 in the comparison window against 5,900 now: -15.7 %, below the -20 % alert
        self._order(self.buyer, [(self.plate, 70, None)], datetime(2025, 6, 1))
        category = self.env["customer.complaint.category"].create({"name": "Flatness"})
        for day in (3, 20):
            self.env["customer.complaint"].create(
                {
                    "title": "Plate not flat",
                    "partner_id": self.other.id,
                    "category_id": category.id,
                    "description": "<p>Waviness above tolerance.</p>",
                    "received_at": datetime(2026, 10, day, 9, 0),
                }
            )
        with freeze_time(TODAY):
            review = (
                self.env["customer.tier.review"]
                .with_user(self.manager)
                .create({"review_type": "annual", "company_id": self.company.id})
            )
            review.action_compute()
        self.assertEqual(review.ordering_less_ids.partner_id, self.buyer, "an A customer ordering 15.7 % less")
        self.assertEqual(review.narrow_mix_ids.partner_id, self.other, "one product category")
        self.assertEqual(review.repeat_complainer_ids.partner_id, self.other)
        self.assertEqual(review.growth_potential_ids.partner_id, self.other)
        line = review.ordering_less_ids
        self.assertEqual(line.final_tier, "a")
        self.assertAlmostEqual(line.next_year_target, 5900.0 * 1.05)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_relations.action_report_customer_review", review.ids)[0]
            .decode()
        )
        for text in ("Customer Review", "一汽 FAW Stamping", "海尔 Haier Panels", "15.7", "6,195"):
            self.assertIn(text, html)

    # ------------------------------------------------------------------
    # Score breakdown
    # ------------------------------------------------------------------
    def test_breakdown_points_add_up_to_the_score(self):
        with freeze_time(TODAY):
            self.policy._compute_customer_values()
        value = self._value(self.buyer)
        table = etree.fromstring(str(value.breakdown_html))
        points = [float(cell.text) for cell in table.xpath("//tbody/tr/td[5]") if cell.text]
        self.assertAlmostEqual(sum(points), value.score, delta=0.02)
        rated = table.xpath("//tbody/tr[td[1]='Financial strength']/td")
        self.assertEqual(rated[1].text, "no data", "no rating: no data, not 0.00")
