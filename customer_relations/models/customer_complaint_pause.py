from odoo import fields, models


class CustomerComplaintPause(models.Model):
    """A time the complaint waited for the customer: the SLA clock does not run."""

    _name = "customer.complaint.pause"
    _description = "Complaint Clock Pause"
    _order = "date_start, id"
    _rec_name = "date_start"

    complaint_id = fields.Many2one("customer.complaint", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="complaint_id.company_id", store=True)
    date_start = fields.Datetime("From", required=True)
    date_end = fields.Datetime("To")
