from odoo import api, fields, models
from odoo.exceptions import ValidationError

SATISFACTION_ROLE = [
    ("item", "Item of a dimension"),
    ("overall", "Overall satisfaction"),
    ("recommend", "Intent to recommend (0-10)"),
    ("repurchase", "Intent to repurchase"),
]
SCORED_TYPES = ("scale", "simple_choice", "matrix")
# Settings that change how answers score: a change re-scores the survey's completed answers.
SCORING_FIELDS = {
    "satisfaction_role",
    "satisfaction_dimension_id",
    "satisfaction_item_weight",
    "satisfaction_reverse",
    "scale_min",
    "scale_max",
    "question_type",
}


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

    @api.constrains(
        "satisfaction_role",
        "satisfaction_dimension_id",
        "question_type",
        "satisfaction_item_weight",
        "scale_min",
        "scale_max",
        "suggested_answer_ids",
    )
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
            if question.satisfaction_role == "recommend":
                question._check_recommend_scale()

    def _check_recommend_scale(self):
        """Intent to recommend is the NPS question: answers on 0-10, nothing else (on a 1-5
        scale everyone answering 5 would count as a detractor)."""
        self.ensure_one()
        if self.question_type == "scale":
            low, high = self.scale_min, self.scale_max
        else:
            values = self.suggested_answer_ids.filtered(lambda c: not c.satisfaction_skip).mapped("satisfaction_value")
            low, high = (min(values), max(values)) if values else (None, None)
        if (low, high) != (0, 10):
            raise ValidationError(
                self.env._(
                    "%(question)s: intent to recommend is asked on a 0-10 scale (0 = not at all likely, "
                    "10 = extremely likely); this question goes from %(low)s to %(high)s. Set the scale (or the "
                    "choices' values) to 0-10, or choose another role.",
                    question=self.title,
                    low=low if low is not None else "-",
                    high=high if high is not None else "-",
                )
            )

    # ------------------------------------------------------------------
    # CRUD: a change of the scoring re-scores the completed answers
    # ------------------------------------------------------------------
    def write(self, vals):
        scored_before = self.filtered("satisfaction_role")
        result = super().write(vals)
        if SCORING_FIELDS & set(vals):
            self.env["survey.user_input"]._rescore_surveys(
                (scored_before | self.filtered("satisfaction_role")).survey_id
            )
        return result

    def unlink(self):
        surveys = self.filtered("satisfaction_role").survey_id
        result = super().unlink()
        self.env["survey.user_input"]._rescore_surveys(surveys)
        return result
