from odoo import fields, models


class CustomerAgreementTargetPeriod(models.Model):
    """One calendar slice of a target: its prorated target and the measured actual."""

    _name = "customer.agreement.target.period"
    _description = "Key-Account Target Period"
    _order = "target_id, date_start, id"
    _rec_name = "label"

    target_id = fields.Many2one(
        "customer.agreement.target", string="Target line", required=True, ondelete="cascade", index=True
    )
    agreement_id = fields.Many2one(related="target_id.agreement_id", store=True, index=True)
    company_id = fields.Many2one(related="target_id.company_id", store=True)
    measure = fields.Selection(related="target_id.measure")
    label = fields.Char("Period", required=True)
    date_start = fields.Date(required=True)
    date_end = fields.Date(required=True)
    target_value = fields.Float("Target")
    actual = fields.Float(readonly=True)
    achievement = fields.Float("Achievement %", readonly=True, aggregator="avg")
    forecast = fields.Float(readonly=True)
