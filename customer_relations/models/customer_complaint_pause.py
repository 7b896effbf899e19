from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerComplaintPause(models.Model):
    """A time the complaint waited for the customer: the SLA clock does not run.

    Read-only for every role: only *Wait for Customer* and *Resume Clock* create and end pauses."""

    _name = "customer.complaint.pause"
    _description = "Complaint Clock Pause"
    _order = "date_start, id"
    _rec_name = "date_start"

    complaint_id = fields.Many2one("customer.complaint", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="complaint_id.company_id", store=True)
    date_start = fields.Datetime("From", required=True)
    date_end = fields.Datetime("To")

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for pause in self:
            if pause.date_end and pause.date_end < pause.date_start:
                raise ValidationError(self.env._("A clock pause cannot end before it starts."))
