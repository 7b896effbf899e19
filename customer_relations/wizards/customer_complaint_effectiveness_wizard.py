from odoo import fields, models
from odoo.exceptions import UserError

from ..models.complaint_constants import EFFECTIVENESS


class CustomerComplaintEffectivenessWizard(models.TransientModel):
    """The quality team's check that the corrective action worked."""

    _name = "customer.complaint.effectiveness.wizard"
    _description = "Complaint Effectiveness Check"

    complaint_ids = fields.Many2many("customer.complaint", string="Complaints", required=True)
    result = fields.Selection(EFFECTIVENESS, required=True)
    evidence = fields.Text(required=True, help="What shows the result: inspections, the customer's confirmation...")

    def action_confirm(self):
        self.ensure_one()
        if not (self.evidence or "").strip():
            raise UserError(self.env._("Record the evidence of the check."))
        self.complaint_ids._action_check_effectiveness(self.result, self.evidence.strip())
        return {"type": "ir.actions.act_window_close"}
