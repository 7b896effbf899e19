from odoo import api, fields, models
from odoo.exceptions import UserError

from .complaint_constants import ACTION_STATE, ACTION_TYPE


class CustomerComplaintAction(models.Model):
    """Immediate, corrective or preventive action taken for a complaint."""

    _name = "customer.complaint.action"
    _description = "Complaint Action"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_deadline, id"

    name = fields.Char("Action", required=True, tracking=True)
    complaint_id = fields.Many2one("customer.complaint", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="complaint_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="complaint_id.partner_id", store=True, string="Customer")
    department_id = fields.Many2one(related="complaint_id.department_id", store=True)
    action_type = fields.Selection(ACTION_TYPE, "Type", required=True, default="corrective", tracking=True)
    description = fields.Text()
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, tracking=True, domain="[('share', '=', False)]"
    )
    date_deadline = fields.Date("Deadline", tracking=True)
    date_done = fields.Date("Done on", readonly=True, copy=False)
    state = fields.Selection(ACTION_STATE, default="open", required=True, readonly=True, copy=False, tracking=True)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue", string="Overdue")

    @api.depends("state", "date_deadline")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for action in self:
            action.is_overdue = action.state == "open" and bool(action.date_deadline) and action.date_deadline < today

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue actions."))
        today = fields.Date.context_today(self)
        if (operator == "=") == value:
            return [("state", "=", "open"), ("date_deadline", "<", today)]
        return ["|", "|", ("state", "!=", "open"), ("date_deadline", "=", False), ("date_deadline", ">=", today)]

    def action_done(self):
        if self.filtered(lambda a: a.state != "open"):
            raise UserError(self.env._("Only open actions can be marked done."))
        self.write({"state": "done", "date_done": fields.Date.context_today(self)})
        return True

    def action_cancel(self):
        if self.filtered(lambda a: a.state != "open"):
            raise UserError(self.env._("Only open actions can be cancelled."))
        self.write({"state": "cancelled"})
        return True

    def action_reopen(self):
        self.write({"state": "open", "date_done": False})
        return True
