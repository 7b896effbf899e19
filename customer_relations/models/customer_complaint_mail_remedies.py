"""customer.complaint, the parts that reach outside the ticket: e-mail intake through the
company's complaint alias, and the remedies carried out as Odoo documents (one class, as
pylint-odoo asks of the extensions of one model)."""

import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_is_zero, is_html_empty
from odoo.tools.sql import column_exists, create_column

from ..engine import complaint_mail as mail_engine
from ..engine import remedies as remedy_engine
from .customer_complaint import INTAKE_ACTIVITY, INTERNAL_GROUP, USER_GROUP

_logger = logging.getLogger(__name__)

ACK_TEMPLATE = "customer_relations.mail_template_customer_complaint_ack"


class CustomerComplaint(models.Model):
    """E-mail intake: the company's complaint alias opens a complaint per incoming e-mail, for
    the sender's company when the sender is a known contact, else waiting for sales-service to
    choose the customer; the sender gets an acknowledgement; replies thread into the chatter.

    Remedies: the remedy chosen in handling, carried out in Odoo: a draft credit note reversing
    the invoice in full or in part, a return of delivered goods, a replacement delivery, a repair
    or replacement quotation. Sales-service prepares them through checked methods; each document
    is linked to the complaint and its cost adds up into the complaint's cost.
    """

    _inherit = "customer.complaint"
    # The sender's address: Odoo's loop protection counts the complaints one address opened.
    _primary_email = "email_from"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    # Empty only while an e-mailed complaint waits for sales-service to choose the customer
    # (_check_customer_chosen); submitting needs it (action_submit).
    partner_id = fields.Many2one(required=False)
    email_from = fields.Char(
        "E-mail of the sender",
        copy=False,
        help="The address the complaint was e-mailed from; the acknowledgement goes back to it.",
    )
    promised_response_hours = fields.Float(
        "Promised first response (hours)",
        compute="_compute_promised_response",
        help="The first-response target of the SLA that applies to the complaint now.",
    )
    promised_response_working_hours = fields.Boolean("Promised in working hours", compute="_compute_promised_response")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("partner_id", "category_id", "severity", "product_id", "received_at", "company_id")
    def _compute_promised_response(self):
        """The milestone's target once the clocks run, before that the policy that matches now."""
        for complaint in self:
            hours, working = 0.0, False
            if complaint.id and complaint.received_at:
                complaint_sudo = complaint.sudo()
                running = complaint_sudo.sla_ids.filtered(lambda s: s.milestone == "response")
                if running:
                    hours = running[0].target_hours
                    working = bool(complaint_sudo.sla_policy_id.calendar_id)
                else:
                    policy = complaint_sudo._match_sla_policy()
                    target = complaint_sudo._sla_targets(policy).get("response")
                    if target:
                        hours = target[0]
                        working = bool(policy.calendar_id)
            complaint.promised_response_hours = hours
            complaint.promised_response_working_hours = working

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("partner_id", "state", "channel")
    def _check_customer_chosen(self):
        missing = self.filtered(lambda c: not c.partner_id and (c.state != "new" or c.channel != "email"))
        if missing:
            raise ValidationError(
                self.env._(
                    "Choose the customer of %(refs)s: only a new complaint that came in by e-mail may wait for it.",
                    refs=", ".join(missing.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_submit(self):
        missing = self.filtered(lambda c: not c.partner_id)
        if missing:
            raise UserError(
                self.env._(
                    "Choose the customer of %(refs)s before submitting it: it was e-mailed from %(email)s, an address "
                    "no contact of a customer has.",
                    refs=", ".join(missing.mapped("name")),
                    email=", ".join(filter(None, missing.mapped("email_from"))) or self.env._("an unknown sender"),
                )
            )
        return super().action_submit()

    # ------------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------------
    @api.model
    def _routing_check_route(self, message, message_dict, route, raise_exception=True):
        """An automatic message (out-of-office, auto-generated, bulk) sent to the complaint alias
        opens no complaint and gets no answer: it is dropped here, without a bounce that could
        start a loop between two robots. Replies to an existing complaint are not routed here."""
        if not route[1] and mail_engine.is_automatic(message):
            _logger.info(
                "Complaint alias: ignored automatic mail from %s with Message-Id %s",
                message_dict.get("email_from"),
                message_dict.get("message_id"),
            )
            return False
        return super()._routing_check_route(message, message_dict, route, raise_exception=raise_exception)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A complaint per e-mail to the alias: for the sender's company when the sender is a
        known contact of a customer of the alias's company, else waiting for the customer.
        Never creates a contact."""
        defaults = dict(custom_values or {})
        company = self.env["res.company"].browse(defaults.get("company_id")).exists() or self.env.company
        author = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        contact = self._mail_known_contact(author, company)
        # The alias's defaults (company, channel, a category an administrator chose) win.
        values = dict(self._prepare_mail_values(msg_dict, contact, company), **defaults)
        complaint = super().message_new(msg_dict, custom_values=values)
        complaint._notify_mail_intake()
        if not author or not author.user_ids.filtered(lambda u: not u.share):
            complaint._send_mail_acknowledgement()
        return complaint

    @api.model
    def _mail_known_contact(self, author, company):
        """The sender as a contact of a customer the alias's company may serve, else nothing:
        staff members (who forward mails) and other companies' customers do not count."""
        if not author or author.user_ids.filtered(lambda u: not u.share):
            return author.browse()
        customer = author.commercial_partner_id
        if customer.company_id and customer.company_id != company:
            return author.browse()
        if author.company_id and author.company_id != company:
            return author.browse()
        return author

    @api.model
    def _prepare_mail_values(self, msg_dict, contact, company):
        subject = (msg_dict.get("subject") or "").strip() or self.env._("Complaint received by e-mail")
        body = msg_dict.get("body") or ""
        if is_html_empty(body):
            body = Markup("<p>%s</p>") % subject
        values = {
            "name": "/",
            "title": subject[:250],
            "description": body,
            "channel": "email",
            "company_id": company.id,
            "partner_id": contact.commercial_partner_id.id,
            "contact_id": contact.id,
            "intake_user_id": self._mail_intake_user(company, contact.commercial_partner_id).id,
        }
        category = self.env["customer.complaint.category"].sudo().search([], limit=1)
        if category:
            values["category_id"] = category.id
        return values

    @api.model
    def _mail_intake_user(self, company, customer):
        """Who takes in e-mailed complaints: the intake user of the settings, else the
        customer's salesperson (as for portal complaints)."""
        user = company.sudo().complaint_portal_intake_user_id or customer.user_id
        return user.filtered(lambda u: u.active and not u.share)

    def _notify_mail_intake(self):
        """The intake user follows the e-mailed complaint and gets a to-do to check and submit it."""
        for complaint in self:
            intake = complaint.sudo().intake_user_id
            if not intake:
                continue
            complaint.sudo().message_subscribe(partner_ids=intake.partner_id.ids)
            if complaint.partner_id:
                summary = self.env._("E-mailed complaint %(ref)s: check it and submit it", ref=complaint.name)
            else:
                summary = self.env._(
                    "E-mailed complaint %(ref)s from an unknown sender: choose the customer and submit it",
                    ref=complaint.name,
                )
            complaint.sudo().activity_schedule(act_type_xmlid=INTAKE_ACTIVITY, user_id=intake.id, summary=summary)

    def _send_mail_acknowledgement(self):
        """The sender gets the reference, the promised response time and the portal link, in
        the contact's language (the company's for an unknown sender). Marked as an automatic
        reply so that the sender's own robots do not answer it."""
        template = self.env.ref(ACK_TEMPLATE, raise_if_not_found=False)
        if not template:
            return
        for complaint in self:
            recipient = complaint.contact_id.email_formatted or complaint.email_from
            if not recipient:
                continue
            headers = complaint._notify_by_email_get_headers()
            headers.update({"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"})
            template.sudo().send_mail(
                complaint.id,
                email_values={"headers": repr(headers), "is_notification": True},
                email_layout_xmlid="mail.mail_notification_light",
            )
            complaint.sudo().message_post(
                body=Markup("<p>%s</p>") % self.env._("Acknowledgement sent to %(email)s.", email=recipient),
                subtype_xmlid="mail.mt_note",
            )

    # ==================================================================
    # Remedies
    # ==================================================================
    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    remedy_ids = fields.One2many(
        "customer.complaint.remedy", "complaint_id", string="Remedy documents", readonly=True, groups=INTERNAL_GROUP
    )
    remedy_exemption = fields.Text(
        "No document because",
        tracking=True,
        groups=INTERNAL_GROUP,
        help="Why the chosen remedy has no document in Odoo (e.g. repaired on site free of charge): without a "
        "document or this reason the complaint does not go back to sales-service.",
    )
    credit_note_count = fields.Integer(compute="_compute_remedy_counts", groups=INTERNAL_GROUP)
    remedy_picking_count = fields.Integer(compute="_compute_remedy_counts", groups=INTERNAL_GROUP)
    quotation_count = fields.Integer(compute="_compute_remedy_counts", groups=INTERNAL_GROUP)
    credit_note_cost = fields.Monetary(
        "Credit notes", compute="_compute_remedy_costs", store=True, groups=INTERNAL_GROUP
    )
    return_cost = fields.Monetary("Returns", compute="_compute_remedy_costs", store=True, groups=INTERNAL_GROUP)
    replacement_cost = fields.Monetary(
        "Replacement deliveries", compute="_compute_remedy_costs", store=True, groups=INTERNAL_GROUP
    )
    quotation_cost = fields.Monetary("Quotations", compute="_compute_remedy_costs", store=True, groups=INTERNAL_GROUP)
    remedy_cost = fields.Monetary("Documents total", compute="_compute_remedy_costs", store=True, groups=INTERNAL_GROUP)
    other_cost = fields.Monetary(
        "Other costs",
        tracking=True,
        groups=INTERNAL_GROUP,
        help="Costs without a document in Odoo (travel, tests, scrap), entered by hand.",
    )
    # The complaint's cost: its remedy documents plus the other costs, in the company currency.
    # Writing it directly (as before the remedy documents) sets the other costs.
    cost = fields.Monetary(compute="_compute_cost", inverse="_inverse_cost", store=True, readonly=False)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("remedy_ids.document_type")
    def _compute_remedy_counts(self):
        for complaint in self:
            types = complaint.remedy_ids.mapped("document_type")
            complaint.credit_note_count = types.count("credit_note")
            complaint.remedy_picking_count = types.count("return") + types.count("replacement")
            complaint.quotation_count = types.count("quotation")

    @api.depends("remedy_ids.amount", "remedy_ids.document_type")
    def _compute_remedy_costs(self):
        for complaint in self:
            totals = defaultdict(float)
            for remedy in complaint.remedy_ids:
                totals[remedy.document_type] += remedy.amount
            complaint.credit_note_cost = totals["credit_note"]
            complaint.return_cost = totals["return"]
            complaint.replacement_cost = totals["replacement"]
            complaint.quotation_cost = totals["quotation"]
            complaint.remedy_cost = sum(totals.values())

    @api.depends("remedy_cost", "other_cost")
    def _compute_cost(self):
        for complaint in self:
            complaint.cost = complaint.remedy_cost + complaint.other_cost

    def _inverse_cost(self):
        for complaint in self:
            complaint.other_cost = complaint.cost - complaint.remedy_cost

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("other_cost")
    def _check_other_cost(self):
        bad = self.filtered(lambda c: c.currency_id.compare_amounts(c.other_cost, 0.0) < 0)
        if bad:
            raise ValidationError(
                self.env._(
                    "The other costs of a complaint cannot be negative (the remedy documents already count): "
                    "%(refs)s",
                    refs=", ".join(bad.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _auto_init(self):
        """Upgrade from before the remedy documents: the cost typed by hand becomes the other costs
        (the total is computed from them from now on), and the document costs start at nothing
        (no complaint had documents), created here so that they are not computed while other
        models' tables are still being created."""
        cr = self.env.cr
        if column_exists(cr, self._table, "cost"):
            for name in ("credit_note_cost", "return_cost", "replacement_cost", "quotation_cost", "remedy_cost"):
                if not column_exists(cr, self._table, name):
                    create_column(cr, self._table, name, "numeric")
            if not column_exists(cr, self._table, "other_cost"):
                create_column(cr, self._table, "other_cost", "numeric")
                cr.execute("UPDATE customer_complaint SET other_cost = cost WHERE cost IS NOT NULL")
        return super()._auto_init()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _open_remedy_wizard(self, model):
        self.ensure_one()
        self._check_remedy_preparer()
        return {
            "type": "ir.actions.act_window",
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_complaint_id": self.id},
        }

    def action_open_remedy_credit_note(self):
        return self._open_remedy_wizard("customer.complaint.credit.note.wizard")

    def action_open_remedy_stock(self):
        return self._open_remedy_wizard("customer.complaint.stock.remedy.wizard")

    def action_open_remedy_quotation(self):
        return self._open_remedy_wizard("customer.complaint.quotation.wizard")

    def _action_view_remedy_documents(self, document_types, model, field, name):
        self.ensure_one()
        documents = self.remedy_ids.filtered(lambda r: r.document_type in document_types).mapped(field)
        action = {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "domain": [("id", "in", documents.ids)],
            "view_mode": "list,form",
            "context": {"create": False},
        }
        if len(documents) == 1:
            action.update({"view_mode": "form", "res_id": documents.id})
        return action

    @api.model
    def _open_prepared_document(self, documents):
        """After a remedy wizard: the document it prepared, when there is one the person may open
        (a credit note under Odoo's "Personal Invoices" rule may not be), else just close."""
        if len(documents) == 1 and documents.has_access("read"):
            return {
                "type": "ir.actions.act_window",
                "res_model": documents._name,
                "res_id": documents.id,
                "view_mode": "form",
            }
        return {"type": "ir.actions.act_window_close"}

    def action_view_remedy_credit_notes(self):
        return self._action_view_remedy_documents(
            ("credit_note",), "account.move", "move_id", self.env._("Credit notes")
        )

    def action_view_remedy_pickings(self):
        return self._action_view_remedy_documents(
            ("return", "replacement"), "stock.picking", "picking_id", self.env._("Returns and deliveries")
        )

    def action_view_remedy_quotations(self):
        return self._action_view_remedy_documents(("quotation",), "sale.order", "order_id", self.env._("Quotations"))

    # ------------------------------------------------------------------
    # Business methods: the feedback gate
    # ------------------------------------------------------------------
    def _set_state(self, new_state, reason=False):
        if new_state == "feedback":
            self._check_remedy_documents()
        return super()._set_state(new_state, reason=reason)

    def _check_remedy_documents(self):
        """The chosen remedy is carried out by a live document, or a reason says why not."""
        labels = dict(self.env["customer.complaint.remedy"]._fields["document_type"]._description_selection(self.env))
        for complaint in self:
            live = complaint.sudo().remedy_ids.filtered(lambda r: r.document_state != "cancel")
            missing = remedy_engine.missing_documents(
                complaint.remedy_type, live.mapped("document_type"), complaint.sudo().remedy_exemption
            )
            if missing:
                raise UserError(
                    self.env._(
                        "The remedy of %(ref)s is not carried out yet: prepare one of these documents from the "
                        "complaint: %(documents)s; or write in “No document because” why there is none.",
                        ref=complaint.name,
                        documents=", ".join(labels[kind] for kind in missing),
                    )
                )

    # ------------------------------------------------------------------
    # Business methods: preparing the documents
    # ------------------------------------------------------------------
    def _check_remedy_preparer(self):
        """Sales-service (Customer Relations users) prepares remedy documents, on a complaint it may
        change, in handling. Nothing here reads the context."""
        self.ensure_one()
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(
                self.env._(
                    "Only sales-service (Customer Relations users) prepares credit notes, returns, deliveries and "
                    "quotations for a complaint."
                )
            )
        self.check_access("write")
        self._check_state(("handling",), self.env._("Preparing a remedy document"))

    def _link_remedy(self, document_type, documents, note=False):
        """Link the created documents to the complaint (only the checked methods below do it)."""
        field = {"account.move": "move_id", "stock.picking": "picking_id", "sale.order": "order_id"}[documents._name]
        self.env["customer.complaint.remedy"].sudo().create(
            [
                {
                    "complaint_id": self.id,
                    "company_id": self.company_id.id,
                    "document_type": document_type,
                    field: document.id,
                    "user_id": self.env.uid,
                    "note": note,
                }
                for document in documents
            ]
        )
        labels = dict(self.env["customer.complaint.remedy"]._fields["document_type"]._description_selection(self.env))
        for document in documents:
            self.message_post(
                body=Markup("<p>%s %s</p>")
                % (
                    self.env._("%(document)s prepared:", document=labels[document_type]),
                    document._get_html_link(),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _check_remedy_invoice(self, invoice):
        """The invoice a credit note reverses: the complaint's own, posted, of its customer and company."""
        self.ensure_one()
        invoice = invoice.sudo()
        if invoice.company_id != self.company_id:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s belongs to another company than complaint %(ref)s.",
                    invoice=invoice.display_name,
                    ref=self.name,
                )
            )
        if invoice.commercial_partner_id != self.partner_id:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s is not an invoice of %(customer)s, the customer of %(ref)s.",
                    invoice=invoice.display_name,
                    customer=self.partner_id.display_name,
                    ref=self.name,
                )
            )
        if invoice != self.sudo().invoice_id:
            raise UserError(
                self.env._(
                    "A credit note of complaint %(ref)s reverses the invoice linked to it: link %(invoice)s to the "
                    "complaint first.",
                    ref=self.name,
                    invoice=invoice.display_name,
                )
            )
        if invoice.move_type != "out_invoice" or invoice.state != "posted":
            raise UserError(
                self.env._(
                    "Only a posted customer invoice can be credited; %(invoice)s is not one.",
                    invoice=invoice.display_name,
                )
            )
        return invoice

    def _remedy_credit_note(self, invoice, mode, quantities=None, amount=0.0, reason=False):
        """Prepare a draft credit note reversing ``invoice`` (the complaint's invoice).

        :param mode: ``full`` (every line), ``lines`` (``quantities``: invoice line -> quantity) or
            ``amount`` (``amount`` untaxed, in the invoice currency, with the invoice's taxes)
        :return: the draft credit note; posting it stays an accounting right (Odoo's own)
        """
        self.ensure_one()
        self._check_remedy_preparer()
        invoice = self._check_remedy_invoice(invoice)
        company = self.company_id
        Move = self.env["account.move"].sudo().with_company(company)
        currency = invoice.currency_id
        earlier = Move.search(
            [("reversed_entry_id", "=", invoice.id), ("move_type", "=", "out_refund"), ("state", "!=", "cancel")]
        )
        product_lines = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        today = fields.Date.context_today(self)
        header = {
            "ref": self.env._("Complaint %(ref)s: %(reason)s", ref=self.name, reason=reason)
            if reason
            else self.env._("Complaint %(ref)s", ref=self.name),
            "date": today,
            "invoice_date": today,
        }
        # A credit note that would go beyond the invoice is undone whole, not left behind as a draft.
        with self.env.cr.savepoint():
            if mode == "full":
                if earlier:
                    raise UserError(
                        self.env._(
                            "%(invoice)s is already partly credited (%(credits)s): credit the rest by lines or by "
                            "amount.",
                            invoice=invoice.display_name,
                            credits=", ".join(earlier.mapped("display_name")),
                        )
                    )
                refund = invoice.with_company(company)._reverse_moves([header])
            elif mode == "lines":
                refund = self._remedy_credit_lines(invoice, product_lines, earlier, quantities or {}, header)
            elif mode == "amount":
                refund = self._remedy_credit_amount(invoice, product_lines, amount, header)
            else:
                raise UserError(self.env._("Choose how to credit the invoice: in full, by lines or by an amount."))
            # Whatever the mode, never more than the invoice: its untaxed amount bounds all its credit notes.
            credited = sum((earlier | refund).mapped("amount_untaxed"))
            if currency.compare_amounts(credited, invoice.amount_untaxed) > 0:
                raise UserError(
                    self.env._(
                        "Credit notes of %(invoice)s would total %(credited)s untaxed, more than the invoice "
                        "(%(invoiced)s).",
                        invoice=invoice.display_name,
                        credited=currency.format(credited),
                        invoiced=currency.format(invoice.amount_untaxed),
                    )
                )
        refund.message_post(
            body=Markup("<p>%s %s</p>") % (self.env._("Prepared for complaint"), self._get_html_link(title=self.name)),
            subtype_xmlid="mail.mt_note",
        )
        self._link_remedy("credit_note", refund, note=reason)
        return refund.with_env(self.env)

    def _remedy_credit_lines(self, invoice, product_lines, earlier, quantities, header):
        """A credit note of chosen invoice lines and quantities, within what is left to credit of
        each product (the invoice's quantity less earlier credit notes of this invoice)."""
        quantities = {
            line.sudo(): qty for line, qty in quantities.items() if not float_is_zero(qty, precision_digits=6)
        }
        foreign = [line for line in quantities if line not in product_lines]
        if foreign:
            raise UserError(
                self.env._("The lines to credit must be product lines of %(invoice)s.", invoice=invoice.display_name)
            )
        if not quantities:
            raise UserError(self.env._("Give the quantity to credit on at least one line."))
        invoiced = defaultdict(float)
        for line in product_lines:
            invoiced[line.product_id.id] += line.quantity
        credited = defaultdict(float)
        for line in earlier.invoice_line_ids.filtered(lambda line: line.display_type == "product" and line.product_id):
            credited[line.product_id.id] += line.quantity
        requested = defaultdict(float)
        for line, qty in quantities.items():
            requested[line.product_id.id] += qty
        refused = remedy_engine.over_limit(invoiced, credited, requested)
        if refused:
            product_id, asked, left = refused[0]
            raise UserError(
                self.env._(
                    "%(product)s: %(asked)s to credit, but only %(left)s is left to credit on %(invoice)s.",
                    product=self.env["product.product"].browse(product_id).display_name,
                    asked=asked,
                    left=left,
                    invoice=invoice.display_name,
                )
            )
        return self._remedy_create_refund(
            invoice,
            header,
            [
                {
                    "product_id": line.product_id.id,
                    "name": line.name,
                    "quantity": qty,
                    "product_uom_id": line.product_uom_id.id,
                    "price_unit": line.price_unit,
                    "discount": line.discount,
                    "tax_ids": [Command.set(line.tax_ids.ids)],
                    "account_id": line.account_id.id,
                    "analytic_distribution": line.analytic_distribution,
                    "sale_line_ids": [Command.set(line.sale_line_ids.ids)],
                }
                for line, qty in quantities.items()
            ],
        )

    def _remedy_credit_amount(self, invoice, product_lines, amount, header):
        """A credit note of one untaxed amount (a compensation), with the invoice's taxes."""
        currency = invoice.currency_id
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("The amount to credit must be positive."))
        taxes = product_lines.mapped("tax_ids")
        if any(line.tax_ids != taxes for line in product_lines):
            raise UserError(
                self.env._(
                    "The lines of %(invoice)s carry different taxes: credit by lines instead of by an amount.",
                    invoice=invoice.display_name,
                )
            )
        return self._remedy_create_refund(
            invoice,
            header,
            [
                {
                    "name": self.env._("Compensation for complaint %(ref)s", ref=self.name),
                    "quantity": 1.0,
                    "price_unit": amount,
                    "tax_ids": [Command.set(taxes.ids)],
                    "account_id": product_lines[:1].account_id.id,
                }
            ],
        )

    def _remedy_create_refund(self, invoice, header, line_values):
        values = {
            **header,
            "move_type": "out_refund",
            "reversed_entry_id": invoice.id,
            "partner_id": invoice.partner_id.id,
            "company_id": invoice.company_id.id,
            "journal_id": invoice.journal_id.id,
            "currency_id": invoice.currency_id.id,
            "fiscal_position_id": invoice.fiscal_position_id.id,
            "invoice_user_id": invoice.invoice_user_id.id,
            "invoice_origin": invoice.invoice_origin or invoice.name,
            "invoice_line_ids": [Command.create(vals) for vals in line_values],
        }
        if "team_id" in invoice._fields:
            values["team_id"] = invoice.team_id.id
        return self.env["account.move"].sudo().with_company(invoice.company_id).create(values)

    def _check_remedy_delivery(self, picking):
        """The delivery goods are returned from or replaced for: done, to this customer, of this company
        (and of the complaint's sale order when it names one)."""
        self.ensure_one()
        picking = picking.sudo()
        if picking.company_id != self.company_id:
            raise UserError(
                self.env._(
                    "Delivery %(picking)s belongs to another company than complaint %(ref)s.",
                    picking=picking.display_name,
                    ref=self.name,
                )
            )
        if picking.partner_id.commercial_partner_id != self.partner_id:
            raise UserError(
                self.env._(
                    "Delivery %(picking)s did not go to %(customer)s, the customer of %(ref)s.",
                    picking=picking.display_name,
                    customer=self.partner_id.display_name,
                    ref=self.name,
                )
            )
        order = self.sudo().sale_order_id
        if order and picking.sale_id != order:
            raise UserError(
                self.env._(
                    "Delivery %(picking)s is not a delivery of %(order)s, the order of complaint %(ref)s.",
                    picking=picking.display_name,
                    order=order.display_name,
                    ref=self.name,
                )
            )
        if picking.picking_type_code != "outgoing" or picking.state != "done":
            raise UserError(
                self.env._(
                    "Goods are returned or replaced from a done delivery to the customer; %(picking)s is not one.",
                    picking=picking.display_name,
                )
            )
        return picking

    def _remedy_stock(self, picking, quantities, kind, reason=False):
        """Prepare a return of delivered goods (``kind`` ``return``) or a replacement delivery
        (``replacement``) for ``quantities`` (stock move of the done delivery -> quantity in the
        move's unit), within what is left (delivered less returned, or less already replaced).

        :return: the new transfer(s)
        """
        self.ensure_one()
        self._check_remedy_preparer()
        picking = self._check_remedy_delivery(picking)
        quantities = {
            move.sudo(): qty for move, qty in quantities.items() if not float_is_zero(qty, precision_digits=6)
        }
        if any(move.picking_id != picking or move.state != "done" for move in quantities):
            raise UserError(self.env._("The goods must be done moves of %(picking)s.", picking=picking.display_name))
        if not quantities:
            raise UserError(self.env._("Give the quantity of at least one product."))
        moves = picking.move_ids.filtered(lambda m: m.state == "done")
        delivered = {move.id: move.quantity for move in moves}
        if kind == "return":
            already = {
                move.id: sum(
                    r.product_uom._compute_quantity(
                        r.quantity if r.state == "done" else r.product_uom_qty, move.product_uom
                    )
                    for r in move.returned_move_ids.filtered(lambda r: r.state != "cancel")
                )
                for move in moves
            }
        elif kind == "replacement":
            replaced = defaultdict(float)
            earlier = self.sudo().remedy_ids.filtered(
                lambda r: r.document_type == "replacement" and r.document_state != "cancel"
            )
            for move in earlier.picking_id.move_ids.filtered(lambda m: m.state != "cancel"):
                replaced[move.product_id] += move.product_uom._compute_quantity(
                    move.product_uom_qty, move.product_id.uom_id
                )
            # Earlier replacements count against the delivered moves of their product, in order.
            already = {}
            for move in moves:
                in_move_uom = move.product_id.uom_id._compute_quantity(replaced[move.product_id], move.product_uom)
                used = min(in_move_uom, move.quantity)
                already[move.id] = used
                replaced[move.product_id] -= move.product_uom._compute_quantity(used, move.product_id.uom_id)
        else:
            raise UserError(self.env._("Choose a return or a replacement delivery."))
        refused = remedy_engine.over_limit(delivered, already, {move.id: qty for move, qty in quantities.items()})
        if refused:
            move_id, asked, left = refused[0]
            move = self.env["stock.move"].sudo().browse(move_id)
            raise UserError(
                self.env._(
                    "%(product)s: %(asked)s asked, but only %(left)s %(uom)s of %(picking)s is left to return or "
                    "replace.",
                    product=move.product_id.display_name,
                    asked=asked,
                    left=left,
                    uom=move.product_uom.name,
                    picking=picking.display_name,
                )
            )
        if kind == "return":
            transfers = self._remedy_create_return(picking, quantities)
        else:
            transfers = self._remedy_create_replacement(picking, quantities)
        self._link_remedy(kind, transfers, note=reason)
        return transfers.with_env(self.env)

    def _remedy_create_return(self, picking, quantities):
        """Odoo's own return of the delivery, for the chosen quantities."""
        wizard = (
            self.env["stock.return.picking"].sudo().with_company(self.company_id).create({"picking_id": picking.id})
        )
        for line in wizard.product_return_moves:
            line.quantity = quantities.get(line.move_id, 0.0)
        transfer = wizard._create_return()
        transfer.origin = self.env._("%(ref)s: %(origin)s", ref=self.name, origin=transfer.origin)
        return transfer

    def _remedy_create_replacement(self, picking, quantities):
        """A new delivery of the same goods through the warehouse's delivery routes, in a
        procurement group of the complaint (not of the sale order: the order's delivered and
        invoiced quantities stay untouched)."""
        Group = self.env["procurement.group"].sudo().with_company(self.company_id)
        group = Group.create({"name": self.name, "partner_id": picking.partner_id.id, "move_type": picking.move_type})
        warehouse = picking.picking_type_id.warehouse_id
        procurements = [
            Group.Procurement(
                move.product_id,
                qty,
                move.product_uom,
                picking.location_dest_id,
                move.product_id.display_name,
                self.name,
                self.company_id,
                {
                    "group_id": group,
                    "warehouse_id": warehouse,
                    "partner_id": picking.partner_id.id,
                    "date_planned": fields.Datetime.now(),
                    "location_final_id": picking.location_dest_id,
                    "company_id": self.company_id,
                },
            )
            for move, qty in quantities.items()
        ]
        Group.run(procurements)
        transfers = self.env["stock.picking"].sudo().search([("group_id", "=", group.id)])
        # A multi-step delivery makes a pick and a ship: the one to the customer is the document.
        delivery = transfers.filtered(lambda p: p.location_dest_id.usage == "customer") or transfers
        delivery.write({"origin": self.name})
        return delivery

    def _remedy_quotation(self, kind, product_quantities, note=False):
        """Prepare a draft quotation for the customer (repair or replacement): the complaint as its
        origin, Odoo's prices of the products, editable afterwards in Sales. Created with the user's
        own Sales rights.

        :param product_quantities: list of (product, quantity)
        """
        self.ensure_one()
        self._check_remedy_preparer()
        lines = [(product, qty) for product, qty in product_quantities if product and qty > 0]
        if not lines:
            raise UserError(self.env._("Give at least one product and its quantity."))
        for product, _qty in lines:
            if not product.sale_ok or product.company_id not in (self.company_id, self.env["res.company"]):
                raise UserError(
                    self.env._(
                        "%(product)s cannot be sold by %(company)s.",
                        product=product.display_name,
                        company=self.company_id.display_name,
                    )
                )
        titles = {
            "repair": self.env._("Repair for complaint %(ref)s", ref=self.name),
            "replacement": self.env._("Replacement for complaint %(ref)s", ref=self.name),
        }
        if kind not in titles:
            raise UserError(self.env._("Choose a repair or a replacement quotation."))
        order_lines = [Command.create({"display_type": "line_section", "name": titles[kind]})]
        order_lines += [Command.create({"product_id": product.id, "product_uom_qty": qty}) for product, qty in lines]
        order = (
            self.env["sale.order"]
            .with_company(self.company_id)
            .create(
                {
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "origin": self.name,
                    "order_line": order_lines,
                }
                | ({} if is_html_empty(note) else {"note": note})
            )
        )
        self._link_remedy("quotation", order, note=titles[kind])
        return order
