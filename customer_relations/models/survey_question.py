from odoo import api, fields, models
from odoo.exceptions import ValidationError

SATISFACTION_ROLE = [
    ("item", "Item of a dimension"),
    ("overall", "Overall satisfaction"),
    ("recommend", "Intent to recommend (0-10)"),
    ("repurchase", "Intent to repurchase"),
]
SCORED_TYPES = ("scale", "simple_choice", "matrix")


class SurveyQuestion(models.Model):
    _inherit = "survey.question"

    satisfaction_role = fields.Selection(
        SATISFACTION_ROLE,
        string="Satisfaction role",
        help="How the answer counts in the satisfaction scoring; leave empty for questions that do not count.",
    )
    satisfaction_dimension_id = fields.Many2one("customer.satisfaction.dimension", string="Dimension")
    satisfaction_item_weight = fields.Float("Item weight", default=1.0)
    satisfaction_reverse = fields.Boolean(
        "Reverse-scored", help="A high answer means low satisfaction (e.g. 'I had to wait too long')."
    )

    @api.constrains("satisfaction_role", "satisfaction_dimension_id", "question_type", "satisfaction_item_weight")
    def _check_satisfaction(self):
        for question in self.filtered("satisfaction_role"):
            if question.question_type not in SCORED_TYPES:
                raise ValidationError(
                    self.env._(
                        "%(question)s: only scale, single-choice and matrix questions can be scored.",
                        question=question.title,
                    )
                )
            if question.satisfaction_role == "item" and not question.satisfaction_dimension_id:
                raise ValidationError(
                    self.env._("%(question)s: choose the dimension the item belongs to.", question=question.title)
                )
            if question.satisfaction_item_weight < 0:
                raise ValidationError(
                    self.env._("%(question)s: the item weight cannot be negative.", question=question.title)
                )
