from odoo import fields, models


class SurveyQuestionAnswer(models.Model):
    _inherit = "survey.question.answer"

    satisfaction_value = fields.Float(
        "Satisfaction value",
        help="Numeric value of this choice (e.g. 1 to 5, or 0 to 10 for intent to recommend) for the "
        "satisfaction scoring; choices without a value are not scored.",
    )
    satisfaction_skip = fields.Boolean(
        "Not scored", help="e.g. 'Not applicable': answering it leaves the item out of the means."
    )
