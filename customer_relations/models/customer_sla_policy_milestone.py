from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .complaint_constants import MILESTONE

# A target beyond a year is a typing error: the clocks look three years ahead at most.
MAX_TARGET_HOURS = 8760


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

    @api.constrains("target_hours")
    def _check_target_hours(self):
        bad = self.filtered(lambda m: not 0 < m.target_hours <= MAX_TARGET_HOURS)
        if bad:
            raise ValidationError(
                self.env._(
                    "An SLA target is a number of hours above 0 and at most %(max)s (a year): %(policies)s",
                    max=MAX_TARGET_HOURS,
                    policies=", ".join(bad.policy_id.mapped("name")),
                )
            )
