from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerAgreementRebate(models.Model):
    _name = "customer.agreement.rebate"
    _description = "Key-Account Agreement Rebate Step"
    _order = "agreement_id, threshold, id"

    agreement_id = fields.Many2one("customer.agreement", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)
    threshold = fields.Float("From achievement %", required=True)
    rate = fields.Float("Rebate % of revenue", required=True)

    @api.constrains("threshold", "rate")
    def _check_values(self):
        if any(step.threshold < 0 or step.rate < 0 or step.rate > 100 for step in self):
            raise ValidationError(self.env._("Rebate thresholds must be positive and rates between 0 and 100 %."))
