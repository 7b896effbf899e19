from odoo import fields, models
from odoo.exceptions import UserError

MODES = [("reassign", "Reassign"), ("reject", "Reject"), ("reopen", "Reopen")]


class CustomerComplaintReasonWizard(models.TransientModel):
    """Reassign, reject or reopen complaints: each needs a reason, which the log keeps."""

    _name = "customer.complaint.reason.wizard"
    _description = "Complaint Reassign / Reject / Reopen"

    complaint_ids = fields.Many2many("customer.complaint", string="Complaints", required=True)
    mode = fields.Selection(MODES, required=True, default="reject")
    department_id = fields.Many2one("hr.department", "New department")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason."))
        if self.mode == "reassign":
            if not self.department_id:
                raise UserError(self.env._("Choose the department that should handle the complaint."))
            self.complaint_ids._action_reassign(self.department_id, reason)
        elif self.mode == "reject":
            self.complaint_ids._action_reject(reason)
        else:
            self.complaint_ids._action_reopen(reason)
        return {"type": "ir.actions.act_window_close"}
