from odoo import api, fields, models


class CustomerForecastSegment(models.Model):
    """A manager's growth adjustment of a segment's forecast (industry segment; empty: the
    customers without a segment)."""

    _name = "customer.forecast.segment"
    _description = "Forecast Segment Adjustment"
    _order = "company_id, industry_id, id"
    _rec_name = "industry_id"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    industry_id = fields.Many2one("res.partner.industry", "Segment")
    growth_adjustment = fields.Float(
        "Growth adjustment (%)", help="Applied on top of the model's forecast of every customer of the segment."
    )
    note = fields.Char()

    _sql_constraints = [
        ("segment_unique", "unique(company_id, industry_id)", "One adjustment per segment and company."),
        ("adjustment_floor", "CHECK(growth_adjustment > -100)", "An adjustment cannot remove all revenue."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        segments = super().create(vals_list)
        segments._attach_forecasts()
        return segments

    def write(self, vals):
        result = super().write(vals)
        if "industry_id" in vals or "company_id" in vals:
            self._attach_forecasts()
        return result

    def _attach_forecasts(self):
        """The forecasts of each segment pick its adjustment up (and their adjusted amount)."""
        Forecast = self.env["customer.revenue.forecast"].sudo()
        for segment in self:
            Forecast.search(
                [("company_id", "=", segment.company_id.id), ("industry_id", "=", segment.industry_id.id)]
            ).write({"segment_id": segment.id})

    @api.model
    def _by_industry(self, company):
        """{industry id (False: no segment): segment adjustment} of a company."""
        segments = self.search([("company_id", "=", company.id)])
        return {segment.industry_id.id: segment for segment in segments}
