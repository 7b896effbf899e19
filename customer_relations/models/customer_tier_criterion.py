from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .tiering_constants import MEASURE


class CustomerTierCriterion(models.Model):
    _name = "customer.tier.criterion"
    _description = "Customer Tier Criterion"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one("customer.tier.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    kind = fields.Selection(
        [("measured", "Measured from ERP data"), ("rated", "Rated by people (1-5)")],
        default="measured",
        required=True,
    )
    measure = fields.Selection(MEASURE)
    weight = fields.Float(default=1.0, required=True)
    method = fields.Selection(
        [("percentile", "Percentile rank among the company's customers"), ("minmax", "Between bounds")],
        string="Normalisation",
        default="percentile",
    )
    low = fields.Float("Lower bound", help="Value that scores 0 (100 when lower is better).")
    high = fields.Float("Upper bound", default=100.0, help="Value that scores 100 (0 when lower is better).")
    lower_is_better = fields.Boolean(help="Fewer days late or fewer complaints score higher.")
    description = fields.Text(translate=True, help="What reviewers should consider when rating.")
    weight_share = fields.Float(compute="_compute_weight_share", string="Share %")

    @api.depends("weight", "policy_id.criterion_ids.weight", "policy_id.criterion_ids.active")
    def _compute_weight_share(self):
        for criterion in self:
            total = sum(c.weight for c in criterion.policy_id.criterion_ids if c.active and c.weight > 0)
            criterion.weight_share = criterion.weight / total * 100.0 if total and criterion.weight > 0 else 0.0

    @api.constrains("kind", "measure", "weight", "method", "low", "high")
    def _check_definition(self):
        for criterion in self:
            if criterion.weight < 0:
                raise ValidationError(self.env._("The weight of %(name)s cannot be negative.", name=criterion.name))
            if criterion.kind == "measured" and not criterion.measure:
                raise ValidationError(
                    self.env._("Choose what %(name)s measures from the ERP data.", name=criterion.name)
                )
            if criterion.kind == "measured" and criterion.method == "minmax" and criterion.high <= criterion.low:
                raise ValidationError(
                    self.env._("%(name)s: the upper bound must be greater than the lower bound.", name=criterion.name)
                )

    @api.constrains("weight", "active", "policy_id")
    def _check_policy_keeps_a_weight(self):
        self.policy_id._check_criteria()
