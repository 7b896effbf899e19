from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .test_complaint import ComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintRemedy(ComplaintCase):
    """The remedy chosen in handling is carried out in Odoo: credit note, return, replacement
    delivery, quotation; each linked to the complaint and costed; the feedback gate; the rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading("generic_coa", cls.company, install_demo=False)
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.accountant = new_test_user(
            cls.env,
            login="cr_accountant",
            groups="customer_relations.group_customer_relations_user,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "滚筒轴承 Drum bearing",
                "is_storable": True,
                "list_price": 1000.0,
                "standard_price": 300.0,
                "invoice_policy": "delivery",
                "company_id": cls.company.id,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(cls.product, cls.warehouse.lot_stock_id, 100.0)
        cls.order, cls.delivery, cls.invoice = cls._delivered_and_invoiced(cls.customer, 10.0)

    @classmethod
    def _delivered_and_invoiced(cls, customer, quantity):
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": cls.user.id,
                "company_id": cls.company.id,
                "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": quantity})],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        delivery.move_ids.write({"quantity": quantity, "picked": True})
        delivery.button_validate()
        invoice = order._create_invoices()
        invoice.action_post()
        return order, delivery, invoice

    def _in_handling(self, remedy_type, **values):
        complaint = self._submitted(
            sale_order_id=self.order.id, invoice_id=self.invoice.id, product_id=self.product.id, **values
        )
        self._confirm(complaint)
        head = complaint.with_user(complaint.sudo().department_id.manager_id.user_id)
        head.write({"root_cause_id": self.cause_method.id, "cause_analysis": "<p>Bearing seat out of tolerance.</p>"})
        head.action_start_handling()
        head.write({"handling_description": "<p>Seat re-machined.</p>", "remedy_type": remedy_type})
        return complaint

    def _credit_wizard(self, complaint, user=None):
        return Form(
            self.env["customer.complaint.credit.note.wizard"]
            .with_user(user or self.user)
            .with_context(default_complaint_id=complaint.id)
        )

    def _stock_wizard(self, complaint, kind, quantity, user=None):
        with Form(
            self.env["customer.complaint.stock.remedy.wizard"]
            .with_user(user or self.user)
            .with_context(default_complaint_id=complaint.id)
        ) as wizard:
            self.assertEqual(wizard.picking_id, self.delivery, "the order's done delivery is proposed")
            wizard.kind = kind
            wizard.reason = "Housing cracked"
            with wizard.line_ids.edit(0) as line:
                self.assertEqual(line.quantity_delivered, 10.0)
                line.quantity = quantity
        return wizard.record.action_confirm()

    def _head(self, complaint):
        return complaint.sudo().department_id.manager_id.user_id

    # ------------------------------------------------------------------
    # Credit notes
    # ------------------------------------------------------------------
    def test_full_credit_note_is_a_linked_draft_and_costs_the_invoice(self):
        complaint = self._in_handling("credit_note")
        with self._credit_wizard(complaint) as wizard:
            self.assertEqual(wizard.invoice_id, self.invoice, "the complaint's invoice is proposed")
            wizard.mode = "full"
            wizard.reason = "Whole lot scrapped"
        wizard.record.action_confirm()
        refund = complaint.remedy_ids.move_id
        self.assertEqual(len(refund), 1, "the credit note is linked to the complaint")
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.state, "draft", "posting stays with accounting")
        self.assertEqual(refund.reversed_entry_id, self.invoice)
        self.assertEqual(refund.amount_untaxed, self.invoice.amount_untaxed)
        self.assertEqual(complaint.credit_note_count, 1)
        self.assertEqual(complaint.credit_note_cost, 10000.0)
        self.assertEqual(complaint.cost, 10000.0, "the credit note's untaxed amount is the complaint's cost")
        with self.assertRaises(UserError, msg="an invoice is credited in full only once"):
            complaint.with_user(self.user)._remedy_credit_note(self.invoice, "full", reason="Again")

        # Odoo's own accounting right posts it: sales-service without it cannot.
        with self.assertRaises(AccessError):
            refund.with_user(self.user).action_post()
        refund.with_user(self.accountant).action_post()
        self.assertEqual(refund.state, "posted")
        self.assertEqual(complaint.remedy_ids.document_state, "done")
        self.assertEqual(complaint.cost, 10000.0)

    def test_partial_credit_note_by_lines_and_by_amount_within_the_invoice(self):
        complaint = self._in_handling("compensation")
        with self._credit_wizard(complaint) as wizard:
            wizard.mode = "lines"
            wizard.reason = "3 bearings noisy"
            with wizard.line_ids.edit(0) as line:
                self.assertEqual(line.quantity_invoiced, 10.0)
                line.quantity = 3.0
        wizard.record.action_confirm()
        refund = complaint.remedy_ids.move_id
        self.assertEqual(refund.invoice_line_ids.mapped("quantity"), [3.0])
        self.assertEqual(refund.invoice_line_ids.product_id, self.product)
        self.assertEqual(complaint.credit_note_cost, 3000.0)

        invoice_line = self.invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        as_user = complaint.with_user(self.user)
        with self.assertRaises(UserError, msg="only 7 are left to credit"):
            as_user._remedy_credit_note(self.invoice, "lines", quantities={invoice_line: 8.0}, reason="More")
        with self.assertRaises(UserError, msg="a negative quantity is refused"):
            as_user._remedy_credit_note(self.invoice, "lines", quantities={invoice_line: -2.0}, reason="More")
        as_user._remedy_credit_note(self.invoice, "amount", amount=500.0, reason="Downtime")
        self.assertEqual(complaint.credit_note_count, 2)
        self.assertEqual(complaint.credit_note_cost, 3500.0)
        with self.assertRaises(UserError, msg="6,500 untaxed are left on the invoice, not 7,000"):
            as_user._remedy_credit_note(self.invoice, "amount", amount=7000.0, reason="Too much")
        self.assertEqual(complaint.credit_note_count, 2, "the refused credit note was not kept")
        refunds = self.env["account.move"].search([("reversed_entry_id", "=", self.invoice.id)])
        self.assertEqual(len(refunds), 2, "not even as a draft")

    def test_another_customers_invoice_is_refused(self):
        other_order, _delivery, other_invoice = self._delivered_and_invoiced(self.other_customer, 5.0)
        complaint = self._in_handling("credit_note")
        with self.assertRaises(UserError):
            complaint.with_user(self.user)._remedy_credit_note(other_invoice, "full", reason="Wrong invoice")
        # Nor through the wizard, whatever invoice the client sends.
        wizard = (
            self.env["customer.complaint.credit.note.wizard"]
            .with_user(self.user)
            .create({"complaint_id": complaint.id, "invoice_id": other_invoice.id, "mode": "full", "reason": "x"})
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        with self.assertRaises(UserError, msg="nor another customer's delivery"):
            complaint.with_user(self.user)._remedy_stock(
                other_order.picking_ids, {other_order.picking_ids.move_ids: 1.0}, "return", reason="x"
            )
        self.assertFalse(complaint.remedy_ids)
        self.assertFalse(self.env["account.move"].search([("reversed_entry_id", "=", other_invoice.id)]))

    # ------------------------------------------------------------------
    # Returns, replacements, quotations
    # ------------------------------------------------------------------
    def test_return_of_the_done_delivery_with_the_chosen_quantities(self):
        complaint = self._in_handling("return")
        self._stock_wizard(complaint, "return", 4.0)
        transfer = complaint.remedy_ids.picking_id
        self.assertEqual(len(transfer), 1)
        self.assertEqual(transfer.picking_type_code, "incoming")
        self.assertEqual(transfer.return_id, self.delivery, "Odoo's own return of the delivery")
        self.assertEqual(transfer.move_ids.product_uom_qty, 4.0)
        self.assertIn(complaint.name, transfer.origin)
        self.assertEqual(complaint.remedy_picking_count, 1)
        self.assertEqual(complaint.return_cost, 1200.0, "4 bearings at the product cost of 300")
        with self.assertRaises(UserError, msg="6 are left to return"):
            complaint.with_user(self.user)._remedy_stock(
                self.delivery, {self.delivery.move_ids: 7.0}, "return", reason="More"
            )

    def test_replacement_delivery_leaves_the_order_alone(self):
        complaint = self._in_handling("replacement")
        self._stock_wizard(complaint, "replacement", 2.0)
        delivery = complaint.remedy_ids.picking_id
        self.assertEqual(delivery.picking_type_code, "outgoing")
        self.assertEqual(delivery.location_dest_id.usage, "customer")
        self.assertEqual(delivery.partner_id, self.customer)
        self.assertEqual(delivery.move_ids.product_uom_qty, 2.0)
        self.assertEqual(delivery.origin, complaint.name)
        self.assertNotIn(delivery, self.order.picking_ids, "the order's delivered quantities stay as they were")
        self.assertEqual(complaint.replacement_cost, 600.0)
        with self.assertRaises(UserError, msg="8 are left to replace"):
            complaint.with_user(self.user)._remedy_stock(
                self.delivery, {self.delivery.move_ids: 9.0}, "replacement", reason="More"
            )
        delivery.action_cancel()
        self.assertEqual(complaint.replacement_cost, 0.0, "a cancelled delivery costs nothing")

    def test_repair_quotation_for_the_customer(self):
        complaint = self._in_handling("repair")
        with Form(
            self.env["customer.complaint.quotation.wizard"]
            .with_user(self.user)
            .with_context(default_complaint_id=complaint.id)
        ) as wizard:
            wizard.kind = "repair"
            with wizard.line_ids.edit(0) as line:
                self.assertEqual(line.product_id, self.product, "the complaint's product is proposed")
                line.quantity = 2.0
        wizard.record.action_confirm()
        order = complaint.remedy_ids.order_id
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.origin, complaint.name)
        self.assertEqual(order.amount_untaxed, 2000.0)
        self.assertEqual(complaint.quotation_count, 1)
        self.assertEqual(complaint.quotation_cost, 2000.0, "the quotation's amount is the agreed repair cost")
        order.order_line.filtered("product_id").price_unit = 800.0
        self.assertEqual(complaint.quotation_cost, 1600.0, "and follows the quotation")

    def test_cost_adds_documents_and_other_costs(self):
        complaint = self._in_handling("compensation")
        complaint.with_user(self.user).write({"other_cost": 250.0})
        complaint.with_user(self.user)._remedy_credit_note(self.invoice, "amount", amount=400.0, reason="Downtime")
        self.assertEqual(complaint.remedy_cost, 400.0)
        self.assertEqual(complaint.cost, 650.0)
        complaint.with_user(self.user).write({"cost": 1000.0})
        self.assertEqual(complaint.other_cost, 600.0, "a total typed by hand sets the other costs")

    # ------------------------------------------------------------------
    # Feedback gate and rights
    # ------------------------------------------------------------------
    def test_feedback_needs_a_document_or_a_reason(self):
        complaint = self._in_handling("credit_note")
        head = complaint.with_user(self._head(complaint))
        with self.assertRaises(UserError, msg="no credit note and no reason"):
            head.action_send_feedback()
        complaint.with_user(self.user)._remedy_stock(self.delivery, {self.delivery.move_ids: 1.0}, "return", "x")
        with self.assertRaises(UserError, msg="a return does not carry out a credit note"):
            head.action_send_feedback()
        complaint.with_user(self.user)._remedy_credit_note(self.invoice, "amount", amount=100.0, reason="x")
        head.action_send_feedback()
        self.assertEqual(complaint.state, "feedback")

        documented = self._in_handling("repair")
        head = documented.with_user(self._head(documented))
        with self.assertRaises(UserError):
            head.action_send_feedback()
        head.write({"remedy_exemption": "Repaired on site under warranty, nothing to charge."})
        head.action_send_feedback()
        self.assertEqual(documented.state, "feedback")

    def test_cancelled_document_does_not_carry_out_the_remedy(self):
        complaint = self._in_handling("repair")
        order = complaint.with_user(self.user)._remedy_quotation("repair", [(self.product, 1.0)])
        order.with_user(self.user).action_cancel()
        with self.assertRaises(UserError):
            complaint.with_user(self._head(complaint)).action_send_feedback()

    def test_department_handler_creates_no_document(self):
        complaint = self._in_handling("credit_note")
        head = complaint.with_user(self._head(complaint))
        invoice_line = self.invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        for call in (
            lambda: head._remedy_credit_note(self.invoice, "full", reason="x"),
            lambda: head._remedy_credit_note(self.invoice, "lines", quantities={invoice_line: 1.0}, reason="x"),
            lambda: head._remedy_stock(self.delivery, {self.delivery.move_ids: 1.0}, "return", reason="x"),
            lambda: head._remedy_stock(self.delivery, {self.delivery.move_ids: 1.0}, "replacement", reason="x"),
            lambda: head._remedy_quotation("repair", [(self.product, 1.0)]),
            lambda: head.action_open_remedy_credit_note(),
        ):
            with self.subTest(call=call), self.assertRaises(AccessError):
                call()
        self.assertFalse(complaint.remedy_ids)
        self.assertFalse(self.env["account.move"].search([("reversed_entry_id", "=", self.invoice.id)]))

    def test_second_company_user_is_refused(self):
        complaint = self._in_handling("credit_note")
        stranger = new_test_user(
            self.env,
            login="cr_user_other_company",
            groups="customer_relations.group_customer_relations_user,account.group_account_invoice",
            company_id=self.other_company.id,
            company_ids=[Command.set(self.other_company.ids)],
        )
        as_stranger = complaint.with_user(stranger).with_context(allowed_company_ids=self.other_company.ids)
        with self.assertRaises(AccessError):
            as_stranger._remedy_credit_note(self.invoice, "full", reason="x")
        with self.assertRaises(AccessError):
            as_stranger._remedy_quotation("repair", [(self.product, 1.0)])
        self.assertFalse(complaint.remedy_ids)

    def test_documents_only_in_handling(self):
        complaint = self._in_handling("repair")
        complaint.with_user(self._head(complaint)).write({"remedy_exemption": "On site"})
        complaint.with_user(self._head(complaint)).action_send_feedback()
        with self.assertRaises(UserError):
            complaint.with_user(self.user)._remedy_quotation("repair", [(self.product, 1.0)])
