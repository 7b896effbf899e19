from odoo import api, fields, models


class CustomerSatisfactionScore(models.Model):
    """A dimension score of one survey answer, kept for analysis by dimension and segment."""

    _name = "customer.satisfaction.score"
    _description = "Satisfaction Dimension Score"
    _order = "user_input_id, dimension_id, id"
    _rec_name = "dimension_id"

    user_input_id = fields.Many2one("survey.user_input", required=True, ondelete="cascade", index=True)
    dimension_id = fields.Many2one("customer.satisfaction.dimension", required=True, ondelete="cascade", index=True)
    score = fields.Float(aggregator="avg", readonly=True)
    partner_id = fields.Many2one(related="user_input_id.satisfaction_partner_id", store=True, string="Customer")
    campaign_id = fields.Many2one(related="user_input_id.satisfaction_campaign_id", store=True, index=True)
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        index=True,
        help="The company of the answer's campaign, or of its complaint for a complaint callback.",
    )
    region_id = fields.Many2one(related="partner_id.region_id", store=True, string="Sales Region")
    industry_id = fields.Many2one(related="partner_id.industry_id", store=True)
    user_id = fields.Many2one(related="partner_id.user_id", store=True, string="Salesperson")
    date = fields.Datetime(related="user_input_id.end_datetime", store=True, string="Answered on")

    @api.depends("user_input_id.satisfaction_campaign_id.company_id", "user_input_id.complaint_id.company_id")
    def _compute_company_id(self):
        for score in self:
            answer = score.user_input_id
            score.company_id = answer.satisfaction_campaign_id.company_id or answer.complaint_id.company_id
