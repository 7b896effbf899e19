import numpy as np
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import forecasting
from ..models.relationship_constants import FORECAST_PERIOD

SEASON = {"month": 12, "quarter": 4}
MONTHS = {"month": 1, "quarter": 3}


class CustomerForecastWizard(models.TransientModel):
    """Fit each customer's revenue history and store the forecast of the next periods."""

    _name = "customer.forecast.wizard"
    _description = "Revenue Forecast"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    period_type = fields.Selection(FORECAST_PERIOD, required=True, default="quarter")
    history_periods = fields.Integer("Periods of history", required=True, default=12)
    horizon = fields.Integer("Periods to forecast", required=True, default=1)

    @api.model
    def _period_start(self, day, period_type):
        if period_type == "quarter":
            return day.replace(day=1, month=3 * ((day.month - 1) // 3) + 1)
        return day.replace(day=1)

    def action_forecast(self):
        self.ensure_one()
        if self.history_periods < 1 or self.horizon < 1:
            raise UserError(self.env._("Use at least one period of history and one period to forecast."))
        count = self._forecast()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_revenue_forecast_action")
        action["context"] = {"search_default_future": 1}
        action["help"] = self.env._("%(count)s forecasts stored.", count=count)
        return action

    def _forecast(self, today=None):
        """Forecast every customer with history; return the number of forecasts stored."""
        today = today or fields.Date.context_today(self)
        months = MONTHS[self.period_type]
        current = self._period_start(today, self.period_type)
        start = current - relativedelta(months=months * self.history_periods)
        self.env.flush_all()
        lines = self.env["customer.sales.measure"]._sales_lines_sql([self.company_id.id], start, current)
        self.env.cr.execute(
            SQL(
                """
                SELECT l.partner_id,
                       ((EXTRACT(YEAR FROM l.date_order) - %s) * 12 + EXTRACT(MONTH FROM l.date_order) - %s)::int
                           / %s AS period,
                       SUM(l.revenue)
                  FROM %s l
              GROUP BY 1, 2
                """,
                start.year,
                start.month,
                months,
                lines,
            )
        )
        series = {}
        for partner_id, period, amount in self.env.cr.fetchall():
            series.setdefault(partner_id, np.full(self.history_periods, np.nan))[period] = amount
        # After a customer's first order, a period without orders is a real zero.
        for values in series.values():
            known = np.flatnonzero(~np.isnan(values))
            tail = values[known[0] :]
            tail[np.isnan(tail)] = 0.0
        partners = self.env["res.partner"].browse(list(series))
        # The history ends where the current period starts: it is the first one forecast.
        periods = [current + relativedelta(months=months * step) for step in range(self.horizon)]
        Forecast = self.env["customer.revenue.forecast"]
        # A new run replaces the forecasts of the same periods (past periods stay for comparison).
        Forecast.search(
            [
                ("company_id", "=", self.company_id.id),
                ("period_type", "=", self.period_type),
                ("period_start", "in", periods),
            ]
        ).unlink()
        segments = self.env["customer.forecast.segment"]._by_industry(self.company_id)
        to_create = []
        for partner in partners:
            result = forecasting.forecast(series[partner.id], SEASON[self.period_type], self.horizon)
            for period, amount in zip(periods, result["forecast"], strict=True):
                to_create.append(
                    {
                        "company_id": self.company_id.id,
                        "partner_id": partner.id,
                        "period_type": self.period_type,
                        "period_start": period,
                        "period_end": period + relativedelta(months=months, days=-1),
                        "forecast": amount,
                        "model": result["model"],
                        "backtest_mae": result["mae"] or False,
                        "backtest_mape": result["mape"] or False,
                        "naive_mae": result["naive_mae"] or False,
                        "forecast_date": today,
                        "industry_id": partner.industry_id.id,
                        "region_id": partner.region_id.id,
                        "segment_id": segments[partner.industry_id.id].id
                        if partner.industry_id.id in segments
                        else False,
                    }
                )
        Forecast.create(to_create)
        Forecast._refresh_actuals(self.company_id)
        return len(partners) * self.horizon
