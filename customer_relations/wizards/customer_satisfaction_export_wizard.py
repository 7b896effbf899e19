import base64

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..models.tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER


class CustomerSatisfactionExportWizard(models.TransientModel):
    """Leadership Excel summary over the completed answers of a period, filtered by tier,
    class and region."""

    _name = "customer.satisfaction.export.wizard"
    _description = "Export Satisfaction Summary"

    date_from = fields.Date(required=True, default=lambda self: fields.Date.context_today(self).replace(month=1, day=1))
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    campaign_ids = fields.Many2many(
        "customer.satisfaction.campaign", "customer_satisfaction_export_campaign_rel", string="Campaigns"
    )
    customer_tier = fields.Selection(CUSTOMER_TIER, string="Tier")
    account_class = fields.Selection(ACCOUNT_CLASS, string="Account class")
    region_id = fields.Many2one("customer.region", string="Sales Region")
    export_file = fields.Binary(readonly=True, attachment=False)
    export_filename = fields.Char(readonly=True)

    def _audience_domain(self):
        """Answers of the campaigns the user can read (their companies), by customer filters."""
        campaigns = self.campaign_ids or self.env["customer.satisfaction.campaign"].search([])
        domain = [("satisfaction_campaign_id", "in", campaigns.ids)]
        if self.region_id:
            domain.append(("satisfaction_partner_id.region_id", "=", self.region_id.id))
        if self.customer_tier:
            domain.append(("satisfaction_partner_id.customer_tier", "=", self.customer_tier))
        if self.account_class:
            domain.append(("satisfaction_partner_id.account_class", "=", self.account_class))
        return domain

    def _period_domain(self):
        return [
            ("end_datetime", ">=", fields.Datetime.to_datetime(self.date_from)),
            ("end_datetime", "<=", fields.Datetime.to_datetime(self.date_to).replace(hour=23, minute=59, second=59)),
        ]

    def _answers(self):
        domain = [*self._audience_domain(), ("state", "=", "done"), ("satisfaction_scored", "=", True)]
        return self.env["survey.user_input"].search([*domain, *self._period_domain()])

    def _invited_count(self, answers):
        """Invitations behind the answers: every invitation of the same campaigns and customer
        filters that is still open, plus the answers completed in the period."""
        Input = self.env["survey.user_input"]
        domain = [*self._audience_domain(), ("satisfaction_campaign_id", "in", answers.satisfaction_campaign_id.ids)]
        return Input.search_count([*domain, ("state", "!=", "done")]) + len(answers)

    def action_export(self):
        self.ensure_one()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The period ends before it starts."))
        answers = self._answers()
        if not answers:
            raise UserError(self.env._("No completed, scored answer matches these filters."))
        Campaign = self.env["customer.satisfaction.campaign"]
        analysis = Campaign._analyse(answers)
        analysis["response"]["invited"] = self._invited_count(answers)
        reader = self.with_context(lang=self.env.user.lang or self.env.lang).env  # the workbook's language
        content = Campaign._export_workbook(
            answers,
            analysis,
            subtitle=reader._(
                "Answers from %(start)s to %(end)s",
                start=format_date(reader, self.date_from),
                end=format_date(reader, self.date_to),
            ),
        )
        self.write(
            {
                "export_file": base64.b64encode(content),
                "export_filename": f"satisfaction-{self.date_from}-{self.date_to}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/customer.satisfaction.export.wizard/{self.id}/export_file/{self.export_filename}"
            "?download=true",
            "target": "self",
        }
