from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CustomerRelationsCase


@tagged("post_install", "-at_install")
class TestAgreement(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_own_company("上海洗衣设备 Agreement Test Machines")
        cls.categ_washers = cls.env["product.category"].create({"name": "洗脱机 Washers"})
        Product = cls.env["product.product"]
        cls.washer = Product.create(
            {"name": "Washer 50 kg", "list_price": 1000.0, "categ_id": cls.categ_washers.id, "taxes_id": False}
        )
        cls.seal = Product.create({"name": "Door seal", "list_price": 100.0, "taxes_id": False})
        cls.customer = cls.env["res.partner"].create({"name": "锦江国际酒店 Jinjiang Hotel", "is_company": True})
        cls.contact = cls.env["res.partner"].create({"name": "李娜", "parent_id": cls.customer.id})
        # The company's general price list comes first, so that the agreement's is not a default.
        cls.general_pricelist = cls.env["product.pricelist"].create({"name": "General", "sequence": 1})
        cls.type_strategic = cls.env.ref("customer_relations.customer_agreement_type_strategic")
        cls.type_framework = cls.env.ref("customer_relations.customer_agreement_type_framework")

    def _order(self, partner, lines, when, confirm=True):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": p.id, "product_uom_qty": q}) for p, q in lines],
            }
        )
        if confirm:
            order.action_confirm()
        order.date_order = when
        return order

    def _agreement(self, **values):
        vals = {
            "partner_id": self.customer.id,
            "type_id": self.type_strategic.id,
            "date_start": date(2026, 7, 1),
            "date_end": date(2027, 6, 30),
            "manager_id": self.user.id,
            "target_ids": [
                Command.create({"measure": "revenue", "period": "year", "target_value": 10000.0}),
                Command.create(
                    {"measure": "quantity", "categ_id": self.categ_washers.id, "period": "whole", "target_value": 10}
                ),
                Command.create({"measure": "orders", "period": "quarter", "target_value": 2}),
                Command.create({"measure": "products", "period": "whole", "target_value": 2}),
            ],
            "rebate_step_ids": [
                Command.create({"threshold": 80.0, "rate": 1.0}),
                Command.create({"threshold": 100.0, "rate": 2.0}),
            ],
            "response_hours": 2.0,
            "onsite_hours": 6.0,
            "resolution_hours": 48.0,
        }
        vals.update(values)
        return self.env["customer.agreement"].with_user(self.user).create(vals)

    def _targets(self, agreement):
        return {t.measure: t for t in agreement.target_ids}

    # ------------------------------------------------------------------
    def test_targets_are_measured_from_confirmed_orders_only(self):
        agreement = self._agreement()
        self.assertTrue(agreement.name.startswith("KA/"))
        agreement.action_activate()
        revenue = self._targets(agreement)["revenue"]
        self.assertEqual(revenue.period_ids.mapped("label"), ["2026", "2027"])
        self.assertAlmostEqual(revenue.period_ids[0].target_value, 10000.0 * 184 / 365, places=2)
        self._order(self.contact, [(self.washer, 3), (self.seal, 5)], datetime(2026, 8, 1))  # a contact's order
        self._order(self.customer, [(self.washer, 2)], datetime(2026, 11, 15))
        self._order(self.customer, [(self.washer, 50)], datetime(2026, 9, 1), confirm=False)  # quotation
        cancelled = self._order(self.customer, [(self.washer, 40)], datetime(2026, 9, 2))
        cancelled._action_cancel()
        self._order(self.customer, [(self.washer, 9)], datetime(2026, 6, 30))  # before the agreement
        with freeze_time("2026-12-31"):
            agreement._update_actuals()
        targets = self._targets(agreement)
        first_year = targets["revenue"].period_ids[0]
        self.assertEqual(first_year.actual, 3500.0 + 2000.0)
        self.assertAlmostEqual(first_year.achievement, 5500.0 / first_year.target_value * 100.0)
        self.assertEqual(targets["quantity"].period_ids.actual, 5.0, "washers only, confirmed only")
        self.assertEqual(targets["products"].period_ids.actual, 2.0)
        q3 = targets["orders"].period_ids.filtered(lambda p: p.label == "2026 Q3")
        self.assertEqual(q3.actual, 1.0)
        self.assertEqual(agreement.revenue, 5500.0)

    def test_cancelling_a_confirmed_order_lowers_the_actual(self):
        agreement = self._agreement()
        agreement.action_activate()
        with freeze_time("2026-09-15"):
            order = self._order(self.customer, [(self.washer, 4)], datetime(2026, 9, 10))
            self.assertEqual(order.agreement_id, agreement, "the order shows the agreement that applies")
            agreement._update_actuals()
            self.assertEqual(self._targets(agreement)["quantity"].period_ids.actual, 4.0)
            order._action_cancel()
        self.assertEqual(
            self._targets(agreement)["quantity"].period_ids.actual, 0.0, "cancellation updates achievement"
        )

    def test_forecast_and_rebate_from_actuals(self):
        agreement = self._agreement(date_start=date(2026, 1, 1), date_end=date(2026, 12, 31))
        agreement.action_activate()
        self._order(self.customer, [(self.washer, 9)], datetime(2026, 3, 1))
        with freeze_time("2026-12-31"):
            agreement._update_actuals(date(2026, 12, 31))
            revenue = self._targets(agreement)["revenue"]
            self.assertEqual(revenue.current_actual, 9000.0)
            self.assertEqual(revenue.current_forecast, 9000.0)
        with freeze_time("2026-06-30"):
            agreement._update_actuals(date(2026, 6, 30))
            revenue.invalidate_recordset()
            self.assertAlmostEqual(revenue.current_forecast, 9000.0 / 181 * 365, places=2)
        # Achievements: revenue 90 %, quantity 90 %, orders per quarter (Q2 0 %), products 50 %
        self.assertEqual(agreement.rebate_rate, 0.0)
        agreement.rebate_step_ids[0].threshold = 10.0
        agreement._update_actuals(date(2026, 6, 30))
        self.assertEqual(agreement.rebate_rate, 1.0)
        self.assertAlmostEqual(agreement.rebate_earned, 90.0)

    def test_pricelist_applies_to_new_quotations_while_active(self):
        pricelist = self.env["product.pricelist"].create({"name": "Key account prices", "sequence": 50})
        agreement = self._agreement(pricelist_id=pricelist.id, date_start=date(2026, 1, 1), date_end=date(2026, 12, 31))
        with freeze_time("2026-05-01"):
            before = self.env["sale.order"].create({"partner_id": self.contact.id})
            self.assertNotEqual(before.pricelist_id, pricelist, "a draft agreement grants nothing")
            agreement.action_activate()
            quotation = self.env["sale.order"].create({"partner_id": self.contact.id})
            self.assertEqual(quotation.pricelist_id, pricelist)
            self.assertEqual(quotation.agreement_id, agreement)
        with freeze_time("2027-02-01"):
            later = self.env["sale.order"].create({"partner_id": self.contact.id})
            self.assertNotEqual(later.pricelist_id, pricelist, "not after the end date")

    def test_renewal_links_both_ways(self):
        agreement = self._agreement()
        agreement.action_activate()
        action = agreement.action_renew()
        renewal = self.env["customer.agreement"].browse(action["res_id"])
        self.assertEqual((renewal.date_start, renewal.date_end), (date(2027, 7, 1), date(2028, 6, 30)))
        self.assertEqual(renewal.previous_id, agreement)
        self.assertEqual(agreement.next_id, renewal)
        self.assertEqual(renewal.state, "draft")
        self.assertEqual(len(renewal.target_ids), 4)
        self.assertNotEqual(renewal.name, agreement.name)
        with self.assertRaises(UserError):
            agreement.action_renew()

    def test_expiry_by_the_scheduled_action_and_reminders_once(self):
        agreement = self._agreement(date_start=date(2026, 1, 1), date_end=date(2026, 6, 30))
        agreement.action_activate()
        Activity = self.env["mail.activity"]
        domain = [("res_model", "=", "customer.agreement"), ("res_id", "=", agreement.id)]
        with freeze_time("2026-06-10"):
            self.env["customer.agreement"]._cron_daily()
            self.env["customer.agreement"]._cron_daily()
        self.assertEqual(agreement.state, "active")
        activities = Activity.search(domain)
        self.assertEqual(len(activities), 2, "one end reminder and one half-way alert, not duplicated")
        self.assertEqual(activities.user_id, self.user)
        with freeze_time("2026-07-01"):
            self.env["customer.agreement"]._cron_daily()
        self.assertEqual(agreement.state, "expired")

    def test_bad_input_is_refused_with_a_message(self):
        with self.assertRaises(ValidationError):
            self._agreement(date_start=date(2026, 7, 1), date_end=date(2026, 6, 1))
        with self.assertRaises(ValidationError):
            self._agreement(target_ids=[Command.create({"measure": "revenue", "target_value": -5})])
        with self.assertRaises(ValidationError):
            self._agreement(target_ids=[Command.create({"measure": "quantity", "target_value": 5})])
        foreign = self.env["product.product"].create(
            {"name": "Other company's product", "company_id": self.other_company.id}
        )
        with self.assertRaises(UserError):
            self._agreement(
                target_ids=[Command.create({"measure": "quantity", "product_id": foreign.id, "target_value": 5})]
            )
        first = self._agreement()
        first.action_activate()
        overlapping = self._agreement(date_start=date(2027, 1, 1), date_end=date(2027, 12, 31))
        with self.assertRaises(ValidationError):
            overlapping.action_activate()
        other_type = self._agreement(type_id=self.type_framework.id)
        other_type.action_activate()
        self.assertEqual(other_type.state, "active", "another type may run alongside")
        with self.assertRaises(UserError):
            first.unlink()

    def test_service_commitments_take_the_strictest_promise(self):
        self._agreement(response_hours=4.0, onsite_hours=0.0).action_activate()
        self._agreement(type_id=self.type_framework.id, response_hours=1.0, onsite_hours=8.0).action_activate()
        promised = self.env["customer.agreement"]._get_service_commitments(self.contact, date(2026, 8, 1))
        self.assertEqual((promised["response_hours"], promised["onsite_hours"]), (1.0, 8.0))
        self.assertEqual(len(promised["agreements"]), 2)
        nothing = self.env["customer.agreement"]._get_service_commitments(self.contact, date(2030, 1, 1))
        self.assertFalse(nothing["response_hours"])

    def test_review_snapshot_pdf_and_approval(self):
        agreement = self._agreement()
        agreement.write({"member_ids": [Command.create({"user_id": self.quality.id, "role": "quality"})]})
        agreement.action_activate()
        self._order(self.customer, [(self.washer, 6)], datetime(2026, 10, 1))
        self._order(self.customer, [(self.washer, 2)], datetime(2025, 10, 1))  # previous period
        review = (
            self.env["customer.agreement.review"]
            .with_user(self.user)
            .create(
                {
                    "agreement_id": agreement.id,
                    "date_from": date(2026, 7, 1),
                    "date_to": date(2027, 6, 30),
                    "date": date(2027, 6, 30),
                }
            )
        )
        review.action_snapshot()
        self.assertEqual(len(review.line_ids), 2 + 1 + 4 + 1)
        self.assertEqual(review.revenue, 6000.0)
        self.assertEqual(review.revenue_previous, 2000.0)
        self.assertAlmostEqual(review.revenue_growth, 200.0)
        self.assertEqual(review.response_hours, 2.0)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_relations.report_customer_agreement_review", review.ids)[0]
            .decode()
        )
        self.assertIn("锦江国际酒店", html)
        self.assertIn("Key Account Review", html)
        self.assertIn("6,000.00", html)
        with self.assertRaises(AccessError):
            review.with_user(self.user).action_done()
        with self.assertRaises(UserError):
            review.with_user(self.manager).action_done()  # no decision yet
        review.decision = "renew"
        review.with_user(self.manager).action_done()
        self.assertEqual(review.state, "done")
        with self.assertRaises(UserError):
            review.write({"decision": "terminate"})

    def test_access_and_company_isolation(self):
        agreement = self._agreement()
        self.assertTrue(self.env["customer.agreement"].with_user(self.user).search([("id", "=", agreement.id)]))
        with self.assertRaises(AccessError):
            self.env["customer.agreement"].with_user(self.handler).search([])
        outsider = self.env["res.users"].create(
            {
                "name": "Other company user",
                "login": "cr_other_company",
                "company_id": self.other_company.id,
                "company_ids": [Command.set(self.other_company.ids)],
                "groups_id": [Command.link(self.env.ref("customer_relations.group_customer_relations_manager").id)],
            }
        )
        self.assertFalse(
            self.env["customer.agreement"]
            .with_user(outsider)
            .with_context(allowed_company_ids=self.other_company.ids)
            .search([("id", "=", agreement.id)])
        )
        self.assertEqual(self.customer.agreement_count, 1)
        self.assertEqual(self.customer.action_view_agreements()["domain"], [("partner_id", "=", self.customer.id)])

    def test_active_agreement_makes_an_a_customer_strategic(self):
        policy = self.env["customer.tier.policy"]._get_for_company(self.company)
        policy.write({"tier_method": "rank_share", "share_a": 100.0, "share_b": 0.0})
        self._order(self.customer, [(self.washer, 1)], datetime(2026, 8, 1))
        agreement = self._agreement()
        agreement.action_activate()
        values = policy._compute_customer_values(date(2026, 9, 1))
        value = values.filtered(lambda v: v.partner_id == self.customer)
        self.assertEqual((value.proposed_tier, value.proposed_class), ("a", "strategic"))
