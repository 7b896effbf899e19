import base64

from odoo import fields, models
from odoo.exceptions import UserError

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

    def _answers(self):
        domain = [
            ("state", "=", "done"),
            ("satisfaction_scored", "=", True),
            ("end_datetime", ">=", fields.Datetime.to_datetime(self.date_from)),
            ("end_datetime", "<=", fields.Datetime.to_datetime(self.date_to).replace(hour=23, minute=59, second=59)),
        ]
        if self.campaign_ids:
            domain.append(("satisfaction_campaign_id", "in", self.campaign_ids.ids))
        if self.region_id:
            domain.append(("satisfaction_partner_id.region_id", "=", self.region_id.id))
        answers = self.env["survey.user_input"].search(domain)
        if self.customer_tier:
            answers = answers.filtered(lambda a: a.satisfaction_partner_id.customer_tier == self.customer_tier)
        if self.account_class:
            answers = answers.filtered(lambda a: a.satisfaction_partner_id.account_class == self.account_class)
        return answers

    def action_export(self):
        self.ensure_one()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The period ends before it starts."))
        answers = self._answers()
        if not answers:
            raise UserError(self.env._("No completed, scored answer matches these filters."))
        Campaign = self.env["customer.satisfaction.campaign"]
        analysis = Campaign._analyse(answers)
        analysis["response"] = {"invited": len(answers), "answered": len(answers)}
        content = Campaign._export_workbook(answers, analysis)
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
