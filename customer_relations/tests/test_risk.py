from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import CustomerRelationsCase


class RiskCase(CustomerRelationsCase):
    """Customers, a product and helpers for hand-built orders, deliveries, returns and
    complaints; the evaluation runs for the test's customers only (demo data stays out)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = fields.Datetime.now()
        cls.product = cls.env["product.product"].create(
            {"name": "Cold-rolled coil", "type": "consu", "list_price": 100.0}
        )
        cls.Warning = cls.env["customer.risk.warning"]
        cls.quality_category = cls.env.ref("customer_relations.customer_complaint_category_quality")
        cls.service_category = cls.env.ref("customer_relations.customer_complaint_category_service")
        cls.customers = cls.env["res.partner"]
        cls._received = 0

    @classmethod
    def _customer(cls, name, account_class="general", salesperson=None):
        partner = cls.env["res.partner"].create(
            {"name": name, "is_company": True, "user_id": salesperson.id if salesperson else False}
        )
        partner.sudo().with_company(cls.company).account_class = account_class
        cls.customers |= partner
        return partner

    @classmethod
    def _order(cls, partner, quantity=10.0, commitment=None):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "commitment_date": commitment,
                "order_line": [
                    Command.create({"product_id": cls.product.id, "product_uom_qty": quantity, "price_unit": 100.0})
                ],
            }
        )
        order.action_confirm()
        # Ordered an hour before the evaluation (confirming stamps the confirmation time).
        order.date_order = cls.now - timedelta(hours=1)
        return order

    @classmethod
    def _deliver(cls, order, quantity=None, done_at=None):
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        for move in picking.move_ids:
            move.quantity = quantity if quantity is not None else move.product_uom_qty
            move.picked = True
        picking._action_done()
        if done_at:
            picking.move_ids.filtered(lambda m: m.state == "done").write({"date": done_at})
            picking.date_done = done_at
        return picking

    @classmethod
    def _return(cls, picking, quantity):
        wizard = (
            cls.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_ids=picking.ids, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = quantity
        returned = cls.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        for move in returned.move_ids:
            move.quantity = quantity
            move.picked = True
        returned._action_done()
        return returned

    @classmethod
    def _complaints(cls, partner, count, category=None, severity="normal"):
        """``count`` complaints a minute apart: each after the first is a repeat."""
        complaints = cls.env["customer.complaint"]
        for _index in range(count):
            cls._received += 1
            complaints |= complaints.create(
                {
                    "title": f"Complaint {cls._received}",
                    "partner_id": partner.id,
                    "category_id": (category or cls.service_category).id,
                    "severity": severity,
                    "description": "<p>Coil edges cracked</p>",
                    "received_at": cls.now - timedelta(days=2) + timedelta(minutes=cls._received),
                }
            )
        return complaints

    def _evaluate(self, partners=None, now=None):
        partners = partners or self.customers
        return self.Warning.sudo()._evaluate_company(self.company, partners.ids, now or self.now)

    def _figures(self, partner):
        frame = self.Warning._signal_figures(self.company, self.now, [partner.id])
        return dict(zip(frame["signal"], frame["value"], strict=True))

    def _warnings(self, partner, kind=None):
        domain = [("partner_id", "=", partner.id)]
        if kind:
            domain.append(("kind", "=", kind))
        return self.Warning.sudo().search(domain)


@tagged("post_install", "-at_install")
class TestRiskSignals(RiskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = cls.now
        cls.late = cls._customer("Late by a day Steel Trading")
        cls._deliver(cls._order(cls.late, commitment=now - timedelta(days=1)))
        cls.on_time = cls._customer("On time Machinery")
        cls._deliver(cls._order(cls.on_time, commitment=now - timedelta(days=1)), done_at=now - timedelta(days=2))
        cls.partial = cls._customer("Partly delivered Auto Parts")
        cls._deliver(cls._order(cls.partial, commitment=now - timedelta(days=2)), quantity=4.0)
        cls.cancelled = cls._customer("Cancelled Shipyard")
        cls._order(cls.cancelled, commitment=now - timedelta(days=5))._action_cancel()
        cls.returning = cls._customer("Returning Pipe Works")
        picking = cls._deliver(
            cls._order(cls.returning, commitment=now + timedelta(days=3)), done_at=now - timedelta(hours=1)
        )
        cls._return(picking, 2.0)
        cls._complaints(cls.returning, 1, category=cls.quality_category)

    def test_a_line_delivered_a_day_late_counts_late_by_one_day(self):
        figures = self._figures(self.late)
        self.assertEqual(figures["late_line_share"], 100.0)
        self.assertEqual(figures["days_late"], 1.0)
        self.assertEqual(figures["late_delivery_share"], 100.0, "done after its scheduled date")

    def test_a_line_delivered_before_its_promise_is_not_late(self):
        figures = self._figures(self.on_time)
        self.assertEqual(figures["late_line_share"], 0.0)
        self.assertEqual(figures["days_late"], 0.0)
        self.assertEqual(figures["late_delivery_share"], 0.0)
        self._evaluate(self.on_time)
        self.assertFalse(self._warnings(self.on_time))

    def test_a_partly_delivered_line_past_its_promise_is_late(self):
        figures = self._figures(self.partial)
        self.assertEqual(figures["late_line_share"], 100.0)
        self.assertEqual(figures["days_late"], 2.0)

    def test_a_cancelled_order_is_not_measured(self):
        self.assertEqual(self._figures(self.cancelled), {})
        self._evaluate(self.cancelled)
        self.assertFalse(self._warnings(self.cancelled))

    def test_returns_and_quality_complaints_against_the_volume_sold(self):
        figures = self._figures(self.returning)
        self.assertAlmostEqual(figures["return_share"], 20.0, msg="2 returned of 10 sold")
        self.assertEqual(figures["quality_complaints"], 1.0)
        self.assertNotIn("late_line_share", figures, "promised in three days: not due yet")

    def test_the_return_share_is_the_product_sent_back_most(self):
        """Returns are held against what the customer bought of the same product: 2 of 10 coils
        back is 20 %, however many plates the same customer bought without complaint."""
        plate = self.env["product.product"].create({"name": "Hot-rolled plate", "type": "consu", "list_price": 80.0})
        customer = self._customer("Mixed Orders Fabrication")
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "commitment_date": self.now + timedelta(days=3),
                "order_line": [
                    Command.create({"product_id": self.product.id, "product_uom_qty": 10.0, "price_unit": 100.0}),
                    Command.create({"product_id": plate.id, "product_uom_qty": 90.0, "price_unit": 80.0}),
                ],
            }
        )
        order.action_confirm()
        order.date_order = self.now - timedelta(hours=1)
        picking = self._deliver(order, done_at=self.now - timedelta(hours=1))
        self._return(picking, 2.0)  # 2 coils and 2 plates back
        figures = self._figures(customer)
        self.assertAlmostEqual(figures["return_share"], 20.0, msg="coils: 2 of 10 (plates: 2 of 90; all: 4 of 100)")

    def test_the_evaluation_raises_one_warning_per_kind_with_its_figures(self):
        self._evaluate()
        fulfilment = self._warnings(self.late, "fulfilment")
        self.assertEqual(len(fulfilment), 1)
        self.assertEqual((fulfilment.level, fulfilment.state, fulfilment.trend), ("red", "open", "worse"))
        self.assertIn("100.0", fulfilment.figures_text)
        self.assertEqual(fulfilment.figures["days_late"], 1.0)
        quality = self._warnings(self.returning, "quality")
        self.assertEqual(quality.level, "red", "20 % returned is above the general red mark of 10 %")
        self.assertTrue(self._warnings(self.late, "logistics"))


@tagged("post_install", "-at_install")
class TestRiskWarningLifecycle(RiskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.strategic = cls._customer("Strategic Shipbuilding", "strategic", salesperson=cls.user)
        cls.general = cls._customer("General Hardware", "general", salesperson=cls.user)

    def test_a_strategic_customer_turns_orange_sooner_than_a_general_one(self):
        self._complaints(self.strategic, 3)
        self._complaints(self.general, 3)
        self._evaluate()
        self.assertEqual(self._warnings(self.strategic, "complaint").level, "orange")
        self.assertEqual(self._warnings(self.general, "complaint").level, "yellow")

    def test_thresholds_of_a_company_replace_the_shared_ones(self):
        self.env["customer.risk.threshold"].create(
            {
                "signal": "complaint_count",
                "account_class": "general",
                "company_id": self.company.id,
                "yellow": 1.0,
                "orange": 2.0,
                "red": 3.0,
            }
        )
        self._complaints(self.general, 3)
        self._evaluate(self.general)
        self.assertEqual(self._warnings(self.general, "complaint").level, "red")

    def test_repeated_runs_do_not_duplicate(self):
        # Thresholds whose ratios have no short decimal form (4 / 3): stored figures compare exactly.
        for signal, yellow in (("complaint_count", 3.0), ("repeat_complaints", 9.0)):
            self.env["customer.risk.threshold"].create(
                {"signal": signal, "account_class": "general", "company_id": self.company.id, "yellow": yellow}
            )
        self._complaints(self.general, 4)
        self._evaluate()
        warnings = self._warnings(self.general)
        messages = len(warnings.message_ids)
        self.assertEqual(self._evaluate(), {})
        self.assertEqual(self._evaluate(), {})
        self.assertEqual(self._warnings(self.general), warnings)
        self.assertEqual(len(warnings.message_ids), messages, "nothing changed, nothing logged")

    def test_worse_figures_escalate_the_same_warning_with_before_and_after(self):
        self._complaints(self.general, 3)
        self._evaluate()
        warning = self._warnings(self.general, "complaint")
        self.assertEqual(warning.level, "yellow")
        self._complaints(self.general, 2)
        self.assertEqual(self._evaluate(), {"escalate": 1})
        self.assertEqual(self._warnings(self.general, "complaint"), warning)
        self.assertEqual((warning.level, warning.trend), ("orange", "worse"))
        self.assertIn("3.0", warning.previous_figures_text)
        self.assertIn("5.0", warning.figures_text)
        self.assertIn("Escalated", warning.message_ids[0].body)

    def test_recovered_figures_propose_closing_and_only_acceptance_closes(self):
        self._complaints(self.general, 3)
        self._evaluate()
        warning = self._warnings(self.general, "complaint")
        later = self.now + timedelta(days=200)
        self.assertEqual(self._evaluate(now=later), {"propose_closing": 1})
        self.assertEqual(warning.state, "recovered", "proposes closing, still not closed")
        self.assertEqual(self._evaluate(now=later), {}, "and stays so")
        # Not by editing, not by a User, not without evidence, not with an open action.
        with self.assertRaises(UserError):
            warning.with_user(self.manager).write({"state": "closed"})
        with self.assertRaises(AccessError):
            warning.with_user(self.user).action_accept()
        with self.assertRaises(UserError):
            warning.with_user(self.quality).action_accept()
        action = (
            self.env["customer.risk.action"]
            .with_user(self.user)
            .create({"warning_id": warning.id, "name": "Visit the customer", "user_id": self.handler.id})
        )
        with Form(warning.with_user(self.quality)) as form:
            form.acceptance_evidence = "Complaint rate checked over 90 days: none."
        with self.assertRaises(UserError):
            warning.with_user(self.quality).action_accept()
        action.with_user(self.handler).action_done()
        warning.with_user(self.quality).action_accept()
        self.assertEqual((warning.state, warning.accepted_by_id), ("closed", self.quality))
        self.assertTrue(warning.accepted_on)
        with self.assertRaises(UserError):
            warning.with_user(self.manager).solution = "<p>changed afterwards</p>"
        # A new risk later is a new warning; the accepted one stays the record of the check.
        self._complaints(self.general, 3)
        self._evaluate()
        fresh = self._warnings(self.general, "complaint") - warning
        self.assertEqual((len(fresh), fresh.state), (1, "open"))

    def test_the_scheduled_job_raises_the_warnings(self):
        self._complaints(self.general, 3)
        self.env["customer.risk.warning"]._cron_evaluate()
        self.assertEqual(self._warnings(self.general, "complaint").level, "yellow")

    def test_open_figures_cannot_be_accepted(self):
        self._complaints(self.general, 3)
        self._evaluate()
        warning = self._warnings(self.general, "complaint")
        warning.with_user(self.quality).acceptance_evidence = "Looks fine"
        with self.assertRaises(UserError):
            warning.with_user(self.manager).action_accept()
        self.assertEqual(warning.state, "open")

    def test_a_recovered_warning_measured_again_reopens(self):
        self._complaints(self.general, 3)
        self._evaluate()
        warning = self._warnings(self.general, "complaint")
        self._evaluate(now=self.now + timedelta(days=200))
        self.assertEqual(self._evaluate(), {"reopen": 1})
        self.assertEqual((warning.state, warning.level), ("open", "yellow"))

    def test_red_on_a_strategic_customer_alerts_the_key_account_manager_at_once(self):
        self._complaints(self.strategic, 5)
        self._complaints(self.general, 8)
        self._evaluate()
        strategic = self._warnings(self.strategic, "complaint")
        general = self._warnings(self.general, "complaint")
        self.assertEqual((strategic.level, general.level), ("red", "red"))
        self.assertEqual(strategic.activity_ids.user_id, self.user)
        self.assertIn("Red risk warning", strategic.activity_ids.summary)
        self.assertFalse(general.activity_ids, "a general customer's red warning is not an alert")
        # Only a manager accepts a red warning of a strategic customer.
        self._evaluate(now=self.now + timedelta(days=200))
        strategic.with_user(self.quality).acceptance_evidence = "Checked"
        with self.assertRaises(AccessError):
            strategic.with_user(self.quality).action_accept()
        strategic.with_user(self.manager).action_accept()
        self.assertEqual(strategic.state, "closed")

    def test_warnings_are_not_typed_in_nor_deleted(self):
        with self.assertRaises(UserError):
            self.Warning.with_user(self.manager).create(
                {"partner_id": self.general.id, "kind": "quality", "level": "red", "company_id": self.company.id}
            )
        self._complaints(self.general, 3)
        self._evaluate()
        warning = self._warnings(self.general, "complaint")
        for values in ({"level": "red"}, {"figures_text": "nothing"}, {"accepted_by_id": self.manager.id}):
            with self.assertRaises(UserError):
                warning.with_user(self.manager).write(values)
        with self.assertRaises(AccessError):
            warning.with_user(self.manager).unlink()
        with self.assertRaises(UserError):
            warning.unlink()


@tagged("post_install", "-at_install")
class TestRiskSecurity(RiskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.department = cls.env["hr.department"].create({"name": "Rolling mill"})
        cls.other_department = cls.env["hr.department"].create({"name": "Logistics"})
        cls.env["hr.employee"].create(
            {"name": "Handler", "user_id": cls.handler.id, "department_id": cls.department.id}
        )
        cls.mine = cls._customer("Department's customer")
        cls.theirs = cls._customer("Other department's customer")
        cls._complaints(cls.mine, 3)
        cls._complaints(cls.theirs, 3)
        cls.env["customer.risk.warning"].sudo()._evaluate_company(cls.company, cls.customers.ids, cls.now)
        search = cls.env["customer.risk.warning"].sudo().search
        cls.warning_mine = search([("partner_id", "=", cls.mine.id)])
        cls.warning_theirs = search([("partner_id", "=", cls.theirs.id)])
        cls.warning_mine.department_ids = cls.department
        cls.warning_theirs.department_ids = cls.other_department
        cls.portal = new_test_user(cls.env, login="cr_risk_portal", groups="base.group_portal")
        cls.other_user = new_test_user(
            cls.env,
            login="cr_risk_other",
            groups="customer_relations.group_customer_relations_manager",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )

    def test_handlers_see_the_warnings_of_their_department_only(self):
        visible = self.Warning.with_user(self.handler).search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(visible, self.warning_mine)
        with self.assertRaises(AccessError):
            self.warning_theirs.with_user(self.handler).read(["level"])
        with self.assertRaises(AccessError):
            self.warning_mine.with_user(self.handler).write({"solution": "<p>ours</p>"})

    def test_a_handler_follows_up_and_finishes_the_department_action(self):
        action = (
            self.env["customer.risk.action"]
            .with_user(self.user)
            .create(
                {
                    "warning_id": self.warning_theirs.id,
                    "name": "Re-inspect the coils",
                    "department_id": self.department.id,
                }
            )
        )
        # The action of the handler's department opens the warning to the handler.
        self.assertIn(
            self.warning_theirs, self.Warning.with_user(self.handler).search([("partner_id", "in", self.customers.ids)])
        )
        action.with_user(self.handler).note = "Inspected on site"
        self.warning_theirs.with_user(self.handler).message_post(body="Follow-up: samples taken")
        action.with_user(self.handler).action_done()
        self.assertTrue(action.done)
        with self.assertRaises(AccessError):
            action.with_user(self.handler).date_deadline = self.now.date()

    def test_users_see_all_of_their_company_and_portal_sees_none(self):
        self.assertEqual(
            self.Warning.with_user(self.user).search([("partner_id", "in", self.customers.ids)]),
            self.warning_mine | self.warning_theirs,
        )
        with self.assertRaises(AccessError):
            self.Warning.with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.env["customer.risk.board"].with_user(self.portal).search([])

    def test_another_company_sees_none(self):
        self.assertFalse(self.Warning.with_user(self.other_user).search([("partner_id", "in", self.customers.ids)]))
        with self.assertRaises(AccessError):
            self.warning_mine.with_user(self.other_user).read(["level"])

    def test_the_board_counts_customers_by_class_and_highest_level(self):
        self.env.flush_all()
        rows = (
            self.env["customer.risk.board"].with_user(self.manager).search([("partner_id", "in", self.customers.ids)])
        )
        self.assertEqual(len(rows), 2)
        self.assertEqual(set(rows.mapped("highest_level")), {"yellow"})
        self.assertEqual(set(rows.mapped("account_class")), {"general"})

    def test_the_customer_form_shows_the_history(self):
        partner = self.mine.with_user(self.user)
        self.assertEqual(partner.risk_warning_ids, self.warning_mine)
        self.assertEqual(partner.risk_open_count, 1)
        with self.assertRaises(AccessError):
            self.mine.with_user(self.handler).action_evaluate_risks()
