from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CustomerRelationsCase

EVAL_DATE = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestTiering(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_own_company("洗衣机械 Tiering Test Laundry Machines")
        Category = cls.env["product.category"]
        cls.categ_machines = Category.create({"name": "Washer-extractors"})
        cls.categ_parts = Category.create({"name": "Spare parts"})
        Product = cls.env["product.product"]
        cls.washer = Product.create(
            {
                "name": "Washer 50 kg",
                "list_price": 1000.0,
                "standard_price": 600.0,
                "categ_id": cls.categ_machines.id,
                "taxes_id": False,
            }
        )
        cls.seal = Product.create(
            {
                "name": "Door seal",
                "list_price": 100.0,
                "standard_price": 0.0,
                "categ_id": cls.categ_parts.id,
                "taxes_id": False,
            }
        )
        Partner = cls.env["res.partner"]
        cls.big = Partner.create({"name": "锦江酒店 Jinjiang Hotel", "is_company": True, "user_id": cls.user.id})
        cls.mid = Partner.create({"name": "协和医院 PUMC Hospital", "is_company": True, "user_id": cls.user.id})
        cls.small = Partner.create({"name": "西宁洗涤 Xining Laundry", "is_company": True, "user_id": cls.user.id})
        cls.prospect = Partner.create({"name": "Prospect Co", "is_company": True, "customer_rank": 1})
        cls.big_contact = Partner.create({"name": "王伟", "parent_id": cls.big.id})
        cls.policy = cls.env["customer.tier.policy"]._get_for_company(cls.company)
        cls.policy.write(
            {
                "tier_method": "pareto",
                "pareto_a": 60.0,
                "pareto_b": 90.0,
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
                    Command.create({"name": "Financial strength", "kind": "rated", "weight": 1}),
                ],
            }
        )
        # big: 6000 now vs 5000 before; mid: 3000 now vs 6000 before (decline); small: 1000 now only.
        cls._order(cls.big_contact, [(cls.washer, 5)], datetime(2026, 2, 10))  # via a contact
        cls._order(cls.big, [(cls.washer, 1)], datetime(2026, 5, 3))
        cls._order(cls.big, [(cls.washer, 5)], datetime(2025, 3, 1))
        cls._order(cls.mid, [(cls.washer, 3)], datetime(2025, 12, 1))
        cls._order(cls.mid, [(cls.washer, 6)], datetime(2024, 12, 1))
        cls._order(cls.small, [(cls.seal, 10)], datetime(2026, 4, 1))
        # Neither a quotation nor a cancelled order counts.
        cls._order(cls.small, [(cls.washer, 50)], datetime(2026, 4, 2), confirm=False)
        cancelled = cls._order(cls.small, [(cls.washer, 50)], datetime(2026, 4, 3))
        cancelled._action_cancel()

    @classmethod
    def _order(cls, partner, lines, when, confirm=True, company=None, currency_pricelist=None):
        vals = {
            "partner_id": partner.id,
            "order_line": [Command.create({"product_id": p.id, "product_uom_qty": q}) for p, q in lines],
        }
        if company:
            vals["company_id"] = company.id
        if currency_pricelist:
            vals["pricelist_id"] = currency_pricelist.id
        order = cls.env["sale.order"].with_company(company or cls.env.company).create(vals)
        if confirm:
            order.action_confirm()
        order.date_order = when
        return order

    def _compute(self, on_date=EVAL_DATE):
        return self.policy._compute_customer_values(on_date)

    def _value(self, partner):
        return self.env["customer.value"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    # ------------------------------------------------------------------
    def test_measures_come_from_confirmed_orders_of_the_commercial_entity(self):
        self._compute()
        big, mid, small = self._value(self.big), self._value(self.mid), self._value(self.small)
        self.assertEqual(big.revenue, 6000.0, "the contact's order counts for its company")
        self.assertEqual(big.revenue_previous, 5000.0)
        self.assertEqual(big.order_count, 2)
        self.assertAlmostEqual(big.growth, 20.0)
        self.assertEqual(big.margin, 6000.0 - 6 * 600.0)
        self.assertEqual(small.revenue, 1000.0, "quotations and cancelled orders are left out")
        self.assertFalse(small.margin, "no known cost, no margin")
        self.assertEqual(mid.revenue, 3000.0)
        self.assertAlmostEqual(mid.growth, -50.0)
        self.assertFalse(self._value(self.big_contact), "contacts are evaluated through their company")

    def test_a_recompute_writes_only_the_customers_whose_figures_changed(self):
        self._compute()
        revenue_criterion = self.policy.criterion_ids.filtered(lambda c: c.measure == "revenue")
        self.assertEqual(self._value(self.big).breakdown[str(revenue_criterion.id)], 100)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE customer_value SET write_date = '2020-01-01 00:00:00' WHERE company_id = %s", [self.company.id]
        )
        self.env.invalidate_all()
        # in a month it already bought in: no other customer's rank moves
        self._order(self.small, [(self.seal, 5)], datetime(2026, 4, 20))
        self._compute()
        small, big = self._value(self.small), self._value(self.big)
        self.assertEqual(small.revenue, 1500.0, "the new order is counted")
        self.assertEqual(small.order_count, 2)
        self.assertGreater(small.write_date, datetime(2020, 1, 1), "the changed customer is written")
        self.assertEqual(big.write_date, datetime(2020, 1, 1), "an unchanged customer is left alone")
        self.assertEqual(big.revenue, 6000.0)
        # A customer that leaves the evaluation loses its record; the others keep theirs.
        self.small.active = False
        self._compute()
        self.assertFalse(self._value(self.small))
        self.assertEqual(self._value(self.big), big)

    def test_tiers_lifecycle_and_classes_end_to_end(self):
        self._compute()
        big, mid, small, prospect = (self._value(p) for p in (self.big, self.mid, self.small, self.prospect))
        # Pareto over 10000: big 0 % ahead -> A, mid 60 % ahead -> B, small 90 % ahead -> C.
        self.assertEqual((big.proposed_tier, mid.proposed_tier, small.proposed_tier), ("a", "b", "c"))
        self.assertEqual(prospect.proposed_tier, "c")
        self.assertEqual((big.proposed_class, mid.proposed_class, small.proposed_class), ("key", "key", "general"))
        self.assertEqual(big.lifecycle_stage, "development")
        self.assertEqual(mid.lifecycle_stage, "decline")
        self.assertEqual(small.lifecycle_stage, "identification")
        self.assertEqual(prospect.lifecycle_stage, "prospect")
        self.assertEqual(
            self.mid.with_company(self.company).lifecycle_stage, "decline", "lifecycle is set on the customer"
        )
        self.assertGreater(big.score, mid.score)
        self.assertIn("Revenue", big.breakdown_html)
        self.assertTrue(big.quadrant and big.recommendation)
        # Lost after a year without orders.
        self._compute(date(2027, 6, 1))
        self.assertEqual(self._value(self.mid).lifecycle_stage, "lost")

    def test_weighted_rating_total_matches_hand_arithmetic(self):
        criteria = self.env["customer.tier.criterion"].create(
            [
                {"policy_id": self.policy.id, "name": name, "kind": "rated", "weight": weight}
                for name, weight in [("Urgency", 5), ("Volume", 4), ("Finance", 3), ("Payment", 2), ("Reputation", 1)]
            ]
        )
        (self.policy.criterion_ids - criteria).active = False
        Rating = self.env["customer.tier.rating"].with_user(self.user)
        for criterion, rating in zip(criteria, ["5", "4", "5", "3", "4"], strict=True):
            Rating.create(
                {"partner_id": self.big.id, "criterion_id": criterion.id, "rating": rating, "date": date(2026, 6, 1)}
            )
        self._compute()
        value = self._value(self.big)
        self.assertEqual(value.rating_total, 66.0)
        self.assertAlmostEqual(value.score, (5 * 100 + 4 * 75 + 3 * 100 + 2 * 50 + 1 * 75) / 15, places=1)
        self.assertEqual(self._value(self.mid).score, 0.0, "no rating: nothing to average, not a traceback")

    def test_latest_rating_of_each_reviewer_is_averaged(self):
        rated = self.policy.criterion_ids.filtered(lambda c: c.kind == "rated")
        Rating = self.env["customer.tier.rating"]
        Rating.with_user(self.user).create(
            {"partner_id": self.mid.id, "criterion_id": rated.id, "rating": "1", "date": date(2026, 1, 1)}
        )
        Rating.with_user(self.user).create(
            {"partner_id": self.mid.id, "criterion_id": rated.id, "rating": "5", "date": date(2026, 3, 1)}
        )
        Rating.with_user(self.manager).create(
            {"partner_id": self.mid.id, "criterion_id": rated.id, "rating": "3", "date": date(2026, 3, 1)}
        )
        self._compute()
        self.assertEqual(self._value(self.mid).rating_total, 4.0)  # mean of 5 and 3, weight 1

    def test_a_user_cannot_change_someone_elses_rating(self):
        rated = self.policy.criterion_ids.filtered(lambda c: c.kind == "rated")
        rating = (
            self.env["customer.tier.rating"]
            .with_user(self.manager)
            .create({"partner_id": self.mid.id, "criterion_id": rated.id, "rating": "2"})
        )
        with self.assertRaises(AccessError):
            rating.with_user(self.user).write({"rating": "5"})
        self.assertTrue(rating.with_user(self.user).read(["rating"]), "but can read it")

    def test_bad_policies_give_clear_messages(self):
        # Refused when saved, not only when the evaluation runs.
        with self.assertRaisesRegex(ValidationError, "zero"):
            self.policy.criterion_ids.write({"weight": 0.0})
        with self.assertRaisesRegex(ValidationError, "no criteria"):
            self.policy.write({"criterion_ids": [Command.clear()]})
        with self.assertRaises(ValidationError):
            self.policy.write({"threshold_a": 30.0, "threshold_b": 60.0})
        with self.assertRaisesRegex(ValidationError, "1 to 60 months"):
            # checked on a draft record: the database refuses it too (CHECK constraint)
            self.env["customer.tier.policy"].new({"evaluation_months": 61})._check_evaluation_months()
        with self.assertRaises(ValidationError):
            self.env["customer.tier.criterion"].create(
                {
                    "policy_id": self.policy.id,
                    "name": "Bad",
                    "kind": "measured",
                    "measure": "revenue",
                    "method": "minmax",
                    "low": 5,
                    "high": 5,
                }
            )

    def test_company_without_orders_gets_prospects_only(self):
        policy = self.env["customer.tier.policy"]._get_for_company(self.other_company)
        partner = self.env["res.partner"].create(
            {"name": "Lonely", "is_company": True, "company_id": self.other_company.id, "customer_rank": 1}
        )
        values = policy._compute_customer_values(EVAL_DATE)
        mine = values.filtered(lambda v: v.partner_id == partner)
        self.assertEqual(mine.lifecycle_stage, "prospect")
        self.assertEqual(mine.revenue, 0.0)
        self.assertFalse(
            values.filtered(lambda v: v.partner_id == self.big).revenue, "orders of another company do not count"
        )

    def test_foreign_currency_orders_count_in_company_currency(self):
        currency = self.env.ref("base.EUR")
        currency.active = True
        if currency == self.company.currency_id:
            currency = self.env.ref("base.CNY")
            currency.active = True
        self.env["res.currency.rate"].search([("currency_id", "=", currency.id)]).unlink()
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "name": "2020-01-01", "rate": 2.0, "company_id": self.company.id}
        )
        pricelist = self.env["product.pricelist"].create({"name": "Foreign", "currency_id": currency.id})
        order = self._order(self.small, [(self.seal, 10)], datetime(2026, 5, 1), currency_pricelist=pricelist)
        self.assertEqual(order.currency_id, currency)
        self.assertAlmostEqual(order.amount_untaxed, 2000.0, msg="100 a seal at 2 units per company unit")
        self._compute()
        self.assertAlmostEqual(self._value(self.small).revenue, 1000.0 + 1000.0, places=2)

    def test_refunds_larger_than_sales_are_kept_but_score_as_zero(self):
        self._order(self.small, [(self.seal, -30)], datetime(2026, 5, 20))  # returned goods: -3000
        self._compute()
        small = self._value(self.small)
        self.assertEqual(small.revenue, -2000.0, "the raw figure is kept")
        self.assertEqual(small.proposed_tier, "c")
        self.assertEqual(self._value(self.big).proposed_tier, "a", "a negative customer does not distort Pareto")
        self.assertGreaterEqual(small.score, 0.0)

    def test_anomalies_are_worded_create_one_activity_and_are_not_duplicated(self):
        self.mid.with_company(self.company).write({"customer_tier": "a", "account_class": "key"})
        self._compute()
        anomaly = self.env["customer.value.anomaly"].search(
            [("partner_id", "=", self.mid.id), ("code", "=", "tier_drop")]
        )
        self.assertEqual(len(anomaly), 1)
        self.assertIn("50%", anomaly.message)
        self.assertEqual(anomaly.activity_id.user_id, self.user, "the salesperson gets an activity")
        self._compute()
        again = self.env["customer.value.anomaly"].search(
            [("partner_id", "=", self.mid.id), ("code", "=", "tier_drop")]
        )
        self.assertEqual(again, anomaly, "a recompute does not duplicate the anomaly")
        self.assertEqual(
            self.env["mail.activity"].search_count([("res_model", "=", "res.partner"), ("res_id", "=", self.mid.id)]), 1
        )
        # The drop is gone once the customer is no longer A: the anomaly is archived.
        self.mid.with_company(self.company).write({"customer_tier": "b", "account_class": "key"})
        self._compute()
        self.assertFalse(anomaly.active)
        self.assertFalse(anomaly.activity_id)

    def test_review_flow_override_approval_and_history(self):
        review = (
            self.env["customer.tier.review"]
            .with_user(self.manager)
            .create({"review_type": "annual", "date": EVAL_DATE, "company_id": self.company.id})
        )
        self.assertEqual(review.policy_id, self.policy)
        self._compute()  # the live recompute; the review only snapshots
        review.action_compute()
        ours = self.big | self.mid | self.small | self.prospect
        self.assertEqual(review.line_ids.partner_id & ours, ours, "a line per customer of the company")
        self.assertNotIn(self.big_contact, review.line_ids.partner_id)
        self.assertEqual(
            review.line_count, self.env["customer.value"].search_count([("company_id", "=", self.company.id)])
        )
        line_mid = review.line_ids.filtered(lambda line: line.partner_id == self.mid)
        self.assertEqual((line_mid.current_tier, line_mid.proposed_tier, line_mid.final_tier), (False, "b", "b"))
        review.action_submit()
        self.assertEqual(review.state, "in_review")
        line_user = line_mid.with_user(self.user)
        with self.assertRaises(ValidationError):
            line_user.write({"final_tier": "a"})
        line_user.write({"final_tier": "a", "reason": "Framework agreement signed in June"})
        self.assertTrue(line_mid.overridden)
        with self.assertRaises(AccessError):
            review.with_user(self.user).action_approve()
        review.with_user(self.manager).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(self.mid.with_company(self.company).customer_tier, "a")
        self.assertEqual(self.big.with_company(self.company).customer_tier, "a")
        self.assertEqual(self._value(self.mid).customer_tier, "a", "the analysis mirrors the official tier")
        history = self.env["customer.tier.history"].search([("partner_id", "=", self.mid.id)])
        self.assertEqual(len(history), 1)
        self.assertEqual(
            (history.old_tier, history.new_tier, history.reason), (False, "a", "Framework agreement signed in June")
        )
        self.assertEqual(history.user_id, self.manager)
        self.assertEqual(self.mid.tier_review_count, 1)
        with self.assertRaises(UserError):
            line_mid.with_user(self.manager).write({"final_tier": "c", "reason": "late change"})
        with self.assertRaises(UserError):
            review.with_user(self.manager).write({"date": date(2026, 7, 1)})
        with self.assertRaises(UserError):
            review.with_user(self.manager).unlink()
        # A second review starts from the approved tiers: nothing changes for big.
        second = self.env["customer.tier.review"].create(
            {"review_type": "half_year", "date": EVAL_DATE, "company_id": self.company.id}
        )
        second.action_compute()
        line_big = second.line_ids.filtered(lambda line: line.partner_id == self.big)
        self.assertEqual(line_big.current_tier, "a")
        self.assertFalse(line_big.changed)

    def test_users_do_not_create_or_approve_reviews(self):
        with self.assertRaises(AccessError):
            self.env["customer.tier.review"].with_user(self.user).create({"review_type": "annual"})
        with self.assertRaises(AccessError):
            self.env["customer.tier.review"].with_user(self.handler).search([])

    def test_manager_changes_a_tier_with_a_reason(self):
        wizard_action = self.big.action_change_tier()
        with self.assertRaises(AccessError):
            self.env["customer.tier.change.wizard"].with_user(self.user).create(
                {"partner_id": self.big.id, "new_tier": "a", "new_class": "strategic", "reason": "x"}
            )
        form = Form(
            self.env["customer.tier.change.wizard"].with_user(self.manager).with_context(**wizard_action["context"])
        )
        form.new_tier = "a"
        form.new_class = "strategic"
        form.reason = "Board decision"
        form.save().action_apply()
        self.assertEqual(self.big.with_company(self.company).account_class, "strategic")
        history = self.big.tier_history_ids
        self.assertEqual(
            (history.new_class, history.reason, history.user_id), ("strategic", "Board decision", self.manager)
        )

    def test_sale_order_shows_the_customer_tier(self):
        self.big.with_company(self.company).write({"customer_tier": "a", "account_class": "key"})
        order = self.env["sale.order"].create({"partner_id": self.big_contact.id})
        self.assertEqual((order.partner_customer_tier, order.partner_account_class), ("a", "key"))

    def test_tiers_are_per_company_and_isolated(self):
        self._compute()
        other_policy = self.env["customer.tier.policy"]._get_for_company(self.other_company)
        other_policy._compute_customer_values(EVAL_DATE)
        self.big.with_company(self.other_company).customer_tier = "c"
        self.big.with_company(self.company).customer_tier = "a"
        self.assertEqual(self.big.with_company(self.company).customer_tier, "a")
        self.assertEqual(self.big.with_company(self.other_company).customer_tier, "c")
        other_values = self.env["customer.value"].search([("company_id", "=", self.other_company.id)])
        self.assertTrue(other_values)
        self.assertFalse(
            self.env["customer.value"].with_user(self.user).search([("company_id", "=", self.other_company.id)]),
            "a user of one company does not see another company's evaluations",
        )
        self.assertFalse(self.env["customer.tier.policy"].with_user(self.user).search([("id", "=", other_policy.id)]))

    def test_search_and_group_customers_by_tier(self):
        self.big.with_company(self.company).write({"customer_tier": "a"})
        self.mid.with_company(self.company).write({"customer_tier": "b"})
        found = self.env["res.partner"].search([("customer_tier", "=", "a"), ("id", "in", (self.big | self.mid).ids)])
        self.assertEqual(found, self.big)
        groups = dict(
            self.env["res.partner"]._read_group(
                [("id", "in", (self.big | self.mid).ids)], ["customer_tier"], ["__count"]
            )
        )
        self.assertEqual(groups, {"a": 1, "b": 1})

    def test_scheduled_review_is_created_once_on_its_date(self):
        self.policy.write({"auto_review": True, "annual_review_month": 1, "annual_review_day": 15})
        Review = self.env["customer.tier.review"]
        with freeze_time("2027-01-14"):
            self.policy._cron_create_reviews()
        self.assertFalse(Review.search([("policy_id", "=", self.policy.id)]))
        with freeze_time("2027-01-15"):
            self.policy._cron_create_reviews()
            self.policy._cron_create_reviews()
        review = Review.search([("policy_id", "=", self.policy.id)])
        self.assertEqual(len(review), 1)
        self.assertEqual(review.review_type, "annual")
        self.assertTrue(review.line_ids, "the scheduled review is computed")
