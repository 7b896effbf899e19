from odoo import api, fields, models


class SurveyQuestionAnswer(models.Model):
    _inherit = "survey.question.answer"

    satisfaction_value = fields.Float(
        "Satisfaction value",
        compute="_compute_satisfaction_value",
        store=True,
        readonly=False,
        help="Numeric value of this choice for the satisfaction scoring (e.g. 1 to 5, or 0 to 10 for intent "
        "to recommend); the question's scale runs from its lowest to its highest scored choice. A new choice "
        "takes the next value after its question's choices. 0 is a real value: a choice that must not count "
        "(e.g. 'Not applicable') is marked Not scored.",
    )
    satisfaction_skip = fields.Boolean(
        "Not scored", help="e.g. 'Not applicable': answering it leaves the item out of the means."
    )

    @api.depends("question_id")
    def _compute_satisfaction_value(self):
        """Default a new choice sensibly: its position among the question's choices, from 1
        (from 0 for a 0-10 recommend question), never a silent 0 that would stretch the scale."""
        for choice in self:
            question = choice.question_id
            if not question or choice.satisfaction_value:
                continue
            choices = question.suggested_answer_ids
            position = list(choices).index(choice) if choice in choices else len(choices)
            start = 0 if question.satisfaction_role == "recommend" else 1
            choice.satisfaction_value = start + position

    @api.constrains("satisfaction_value", "satisfaction_skip")
    def _check_recommend_choices(self):
        for question in self.question_id.filtered(lambda q: q.satisfaction_role == "recommend"):
            question._check_recommend_scale()

    @api.model_create_multi
    def create(self, vals_list):
        choices = super().create(vals_list)
        choices._rescore()
        return choices

    def write(self, vals):
        result = super().write(vals)
        if {"satisfaction_value", "satisfaction_skip"} & set(vals):
            self._rescore()
        return result

    def unlink(self):
        surveys = self.question_id.filtered("satisfaction_role").survey_id
        result = super().unlink()
        self.env["survey.user_input"]._rescore_surveys(surveys)
        return result

    def _rescore(self):
        """Choice values set the scale of their question: re-score its completed answers."""
        self.env["survey.user_input"]._rescore_surveys(self.question_id.filtered("satisfaction_role").survey_id)
