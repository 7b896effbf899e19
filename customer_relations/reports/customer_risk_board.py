from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.risk_constants import RISK_LEVEL, RISK_TREND
from ..models.tiering_constants import ACCOUNT_CLASS


class CustomerRiskBoard(models.Model):
    """The leadership's risk board: one row per customer and company with warnings not closed,
    its class (as it is now), its highest level, its worst trend and its oldest unaccepted red
    warning. Pivot: customers by class x highest level."""

    _name = "customer.risk.board"
    _description = "Customer Risk Board"
    _auto = False
    _order = "level_rank desc, oldest_red, id"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    account_class = fields.Selection(ACCOUNT_CLASS, "Class", readonly=True)
    highest_level = fields.Selection(RISK_LEVEL, "Highest level", readonly=True)
    level_rank = fields.Integer(readonly=True, aggregator="max")
    trend = fields.Selection(RISK_TREND, "Worst trend", readonly=True)
    trend_arrow = fields.Char("Trend arrow", compute="_compute_trend_arrow")
    open_count = fields.Integer("Warnings not closed", readonly=True)
    red_count = fields.Integer("Red warnings", readonly=True)
    recovered_count = fields.Integer("Awaiting acceptance", readonly=True)
    oldest_red = fields.Datetime("Oldest unaccepted red since", readonly=True)

    def _compute_trend_arrow(self):
        arrows = {"better": "↓", "same": "→", "worse": "↑"}
        for row in self:
            row.trend_arrow = arrows.get(row.trend, "")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                SELECT MIN(w.id) AS id, w.company_id, w.partner_id,
                       COALESCE(rp.account_class ->> w.company_id::text, 'general') AS account_class,
                       (ARRAY['yellow', 'orange', 'red'])[MAX(w.level_rank)] AS highest_level,
                       MAX(w.level_rank) AS level_rank,
                       (ARRAY['better', 'same', 'worse'])[
                           MAX(CASE w.trend WHEN 'better' THEN 1 WHEN 'same' THEN 2 WHEN 'worse' THEN 3 ELSE 2 END)]
                           AS trend,
                       COUNT(*) AS open_count,
                       COUNT(*) FILTER (WHERE w.level = 'red') AS red_count,
                       COUNT(*) FILTER (WHERE w.state = 'recovered') AS recovered_count,
                       MIN(w.date_raised) FILTER (WHERE w.level = 'red') AS oldest_red
                  FROM customer_risk_warning w
                  JOIN res_partner rp ON rp.id = w.partner_id
                 WHERE w.state <> 'closed'
              GROUP BY w.company_id, w.partner_id, rp.account_class
            )""",
                SQL.identifier(self._table),
            )
        )
