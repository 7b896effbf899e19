from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .relationship_constants import INTERACTION_TYPE


class CustomerContactPlanLine(models.Model):
    _name = "customer.contact.plan.line"
    _description = "Contact Plan Line"
    _order = "plan_id, interaction_type, id"

    plan_id = fields.Many2one("customer.contact.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    interaction_type = fields.Selection(INTERACTION_TYPE, required=True)
    count_per_year = fields.Integer("A year", required=True, default=1)

    _sql_constraints = [("type_unique", "unique(plan_id, interaction_type)", "One line per interaction type.")]

    @api.constrains("count_per_year")
    def _check_count_per_year(self):
        bad = self.filtered(lambda line: line.count_per_year < 0)
        if bad:
            labels = dict(self._fields["interaction_type"]._description_selection(self.env))
            raise ValidationError(
                self.env._(
                    "A contact plan counts contacts a year from 0 up: %(lines)s cannot be negative.",
                    lines=", ".join(
                        f"{line.plan_id.display_name} / {labels.get(line.interaction_type, '')}" for line in bad
                    ),
                )
            )
