import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import is_html_empty

from ..engine import complaint_mail as mail_engine
from .customer_complaint import INTAKE_ACTIVITY

_logger = logging.getLogger(__name__)

ACK_TEMPLATE = "customer_relations.mail_template_customer_complaint_ack"


class CustomerComplaint(models.Model):
    """E-mail intake: the company's complaint alias opens a complaint per incoming e-mail, for
    the sender's company when the sender is a known contact, else waiting for sales-service to
    choose the customer; the sender gets an acknowledgement; replies thread into the chatter."""

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
