from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

QUALITY_GROUP = "customer_relations.group_customer_relations_quality"
USER_GROUP = "customer_relations.group_customer_relations_user"


class CustomerRiskAction(models.Model):
    """One action a department takes against a risk warning: owner, deadline, done."""

    _name = "customer.risk.action"
    _description = "Customer Risk Action"
    _order = "done, date_deadline, id"
    _check_company_auto = True

    warning_id = fields.Many2one("customer.risk.warning", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="warning_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="warning_id.partner_id", store=True, string="Customer")
    name = fields.Char("Action", required=True)
    department_id = fields.Many2one("hr.department", check_company=True, index=True)
    user_id = fields.Many2one("res.users", "Owner", domain="[('share', '=', False)]", index=True)
    date_deadline = fields.Date("Deadline")
    done = fields.Boolean(readonly=True, copy=False)
    date_done = fields.Date("Done on", readonly=True, copy=False)
    note = fields.Text("Follow-up")
    overdue = fields.Boolean(compute="_compute_overdue")

    @api.depends("done", "date_deadline")
    def _compute_overdue(self):
        today = fields.Date.context_today(self)
        for action in self:
            action.overdue = not action.done and bool(action.date_deadline) and action.date_deadline < today

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("done") or vals.get("date_done") for vals in vals_list):
            raise UserError(self.env._("An action is marked done with its Done button."))
        actions = super().create(vals_list)
        actions._check_warning_open()
        return actions

    def write(self, vals):
        if not self.env.su and {"done", "date_done"} & set(vals):
            raise UserError(self.env._("An action is marked done with its Done button."))
        self._check_warning_open()
        if not self.env.su and set(vals) - {"note"} and not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("Department handlers record the follow-up of their actions only."))
        return super().write(vals)

    def _check_warning_open(self):
        closed = self.filtered(lambda a: a.warning_id.state == "closed")
        if closed:
            raise UserError(
                self.env._(
                    "%(name)s is accepted and closed: its actions no longer change.",
                    name=closed[0].warning_id.display_name,
                )
            )

    def action_done(self):
        """The owner, a member or the head of the action's department, or sales-service staff."""
        self._check_can_finish()
        self.sudo().write({"done": True, "date_done": fields.Date.context_today(self)})
        for action in self:
            action.warning_id.message_post(
                body=self.env._("Action done by %(user)s: %(action)s", user=self.env.user.name, action=action.name)
            )
        return True

    def _check_can_finish(self):
        user = self.env.user
        if user.has_group(USER_GROUP):
            return
        for action in self:
            department = action.sudo().department_id
            if user not in (action.sudo().user_id | department.member_ids.user_id | department.manager_id.user_id):
                raise AccessError(
                    self.env._("Only its owner or its department marks the action %(action)s done.", action=action.name)
                )
        self._check_warning_open()

    def action_reopen(self):
        if not self.env.user.has_group(QUALITY_GROUP):
            raise AccessError(self.env._("Only the quality team and managers reopen an action."))
        self._check_warning_open()
        self.sudo().write({"done": False, "date_done": False})
        return True
