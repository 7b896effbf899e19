from odoo import fields, models

from .complaint_constants import SEVERITY


class CustomerComplaintSeverity(models.Model):
    """The four severities as records, so rules and SLA policies can select several."""

    _name = "customer.complaint.severity"
    _description = "Complaint Severity"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(SEVERITY, required=True)
    sequence = fields.Integer(default=10)

    _sql_constraints = [("code_unique", "unique(code)", "Each severity exists once.")]
