from odoo import fields, models


class CustomerSatisfactionDimension(models.Model):
    _name = "customer.satisfaction.dimension"
    _description = "Satisfaction Dimension"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    weight = fields.Float(default=1.0, required=True, help="Weight of the dimension in the satisfaction index.")
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    question_ids = fields.One2many("survey.question", "satisfaction_dimension_id", string="Questions")

    _sql_constraints = [("weight_positive", "CHECK(weight >= 0)", "A dimension weight cannot be negative.")]

    def write(self, vals):
        result = super().write(vals)
        if {"weight", "active"} & set(vals):
            # The index is the weighted mean of the dimensions: re-score every survey using them.
            surveys = (
                self.env["survey.question"]
                .with_context(active_test=False)
                .sudo()
                .search([("satisfaction_dimension_id", "in", self.ids)])
                .survey_id
            )
            self.env["survey.user_input"]._rescore_surveys(surveys)
        return result
