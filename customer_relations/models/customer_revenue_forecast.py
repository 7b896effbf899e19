from odoo import api, fields, models

from ..engine.forecasting import MODELS as FORECAST_MODEL
from .customer_job import run_batch
from .relationship_constants import FORECAST_PERIOD


class CustomerRevenueForecast(models.Model):
    """Forecast revenue of a customer for one future period, kept so that later periods can
    be compared with what was forecast."""

    _name = "customer.revenue.forecast"
    _description = "Customer Revenue Forecast"
    _order = "period_start desc, forecast desc, id"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True, ondelete="cascade")
    industry_id = fields.Many2one("res.partner.industry", "Segment", index=True)
    region_id = fields.Many2one("customer.region", "Sales region")
    period_type = fields.Selection(FORECAST_PERIOD, required=True)
    period_start = fields.Date(required=True, index=True)
    period_end = fields.Date(required=True)
    model = fields.Selection(
        [*FORECAST_MODEL, ("none", "No history"), ("legacy", "Earlier trend method (not backtested)")],
        string="Method",
        readonly=True,
        help="Chosen per customer by a hold-out backtest: exponential smoothing (damped trend, with "
        "seasonality where the history allows) only where it beats the seasonal-naive forecast.",
    )
    backtest_mae = fields.Monetary(
        "Backtest MAE",
        readonly=True,
        aggregator="avg",
        help="Mean absolute error of the method on the last periods of history held out (one season at most).",
    )
    backtest_mape = fields.Float(
        "Backtest MAPE %",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Mean absolute percentage error on the held-out periods with revenue.",
    )
    naive_mae = fields.Monetary("Seasonal-naive MAE", readonly=True, aggregator="avg")
    forecast = fields.Monetary("Model forecast", readonly=True)
    segment_id = fields.Many2one(
        "customer.forecast.segment", "Segment adjustment", readonly=True, index="btree_not_null", ondelete="set null"
    )
    growth_adjustment = fields.Float(related="segment_id.growth_adjustment", string="Segment adjustment (%)")
    adjusted_forecast = fields.Monetary(compute="_compute_adjusted_forecast", store=True)
    actual = fields.Monetary(readonly=True, help="Confirmed revenue of the period, filled in once it has started.")
    forecast_date = fields.Date("Forecast on", readonly=True)

    _sql_constraints = [
        (
            "period_unique",
            "unique(company_id, partner_id, period_type, period_start)",
            "One forecast per customer and period.",
        )
    ]

    @api.depends("forecast", "segment_id.growth_adjustment")
    def _compute_adjusted_forecast(self):
        for record in self:
            record.adjusted_forecast = record.forecast * (1.0 + (record.segment_id.growth_adjustment or 0.0) / 100.0)

    @api.model
    def _refresh_actuals(self, company=None):
        """Actual revenue of every stored forecast whose period has started: the agreements'
        grouped revenue query for all of them, then one update."""
        domain = [("period_start", "<=", fields.Date.context_today(self))]
        if company:
            domain.append(("company_id", "=", company.id))
        forecasts = self.sudo().search(domain)
        if not forecasts:
            return
        revenue = self.env["customer.agreement"]._revenue_in_periods(
            (f.id, f.partner_id.id, f.company_id.id, f.period_start, f.period_end) for f in forecasts
        )
        self.env.cr.execute(
            """
            UPDATE customer_revenue_forecast f SET actual = v.amount
              FROM unnest(%s::int4[], %s::numeric[]) AS v(id, amount)
             WHERE f.id = v.id
            """,
            [forecasts.ids, [revenue.get(f.id, 0.0) for f in forecasts]],
        )
        forecasts.invalidate_recordset(["actual"])

    @api.model
    def _cron_refresh_actuals(self):
        """Set-based (one read, one update), in its own transaction retried on a conflict."""
        run_batch(self.env, self._refresh_actuals, "forecast actuals")
