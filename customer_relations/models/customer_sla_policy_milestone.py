from odoo import fields, models

from .complaint_constants import MILESTONE


class CustomerSlaPolicyMilestone(models.Model):
    _name = "customer.sla.policy.milestone"
    _description = "SLA Policy Milestone"
    _order = "policy_id, milestone, id"

    policy_id = fields.Many2one("customer.sla.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    milestone = fields.Selection(MILESTONE, required=True)
    target_hours = fields.Float(required=True)

    _sql_constraints = [
        ("milestone_unique", "unique(policy_id, milestone)", "A policy has one target per milestone."),
        ("target_positive", "CHECK(target_hours > 0)", "A target must be a positive number of hours."),
    ]
