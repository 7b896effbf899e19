from odoo import api, fields, models
from odoo.exceptions import UserError

from .complaint_constants import COMPLAINT_STATE


class CustomerComplaintTransition(models.Model):
    """Who moved a complaint from one state to another, when, why, and the hours it had spent
    in the state it left (round the clock)."""

    _name = "customer.complaint.transition"
    _description = "Complaint State Transition"
    _order = "date, id"
    _rec_name = "to_state"

    complaint_id = fields.Many2one("customer.complaint", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    category_id = fields.Many2one(related="complaint_id.category_id", store=True)
    department_id = fields.Many2one(related="complaint_id.department_id", store=True)
    severity = fields.Selection(related="complaint_id.severity", store=True)
    from_state = fields.Selection(COMPLAINT_STATE, "From", required=True)
    to_state = fields.Selection(COMPLAINT_STATE, "To", required=True, index=True)
    date = fields.Datetime(required=True, index=True)
    user_id = fields.Many2one("res.users", "By", required=True)
    reason = fields.Text()
    hours_in_state = fields.Float("Hours in previous state", aggregator="avg")
    hours_from_receipt = fields.Float("Hours from receipt", aggregator="avg")

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The log of a complaint's transitions is kept: its rows cannot be deleted."))
