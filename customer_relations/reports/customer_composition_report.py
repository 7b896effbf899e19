from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.relationship_constants import MARKET_STATUS, REVENUE_BAND
from ..models.tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER


class CustomerCompositionReport(models.Model):
    """Customers and revenue per year with the previous year's revenue, by region, segment,
    size, tier and class (tier and class as they are now, per company)."""

    _name = "customer.composition.report"
    _description = "Customer Composition"
    _auto = False
    _order = "year desc, revenue desc"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    year = fields.Char(readonly=True)
    region_id = fields.Many2one("customer.region", "Sales region", readonly=True)
    industry_id = fields.Many2one("res.partner.industry", "Segment", readonly=True)
    market_status = fields.Selection(MARKET_STATUS, readonly=True)
    revenue_band = fields.Selection(REVENUE_BAND, "Size (annual revenue)", readonly=True)
    customer_tier = fields.Selection(CUSTOMER_TIER, "Tier", readonly=True)
    account_class = fields.Selection(ACCOUNT_CLASS, "Class", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    customer_count = fields.Integer("Customers", readonly=True)
    revenue = fields.Float(readonly=True)
    revenue_previous = fields.Float("Revenue previous year", readonly=True)
    growth = fields.Float("Growth vs previous year", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                WITH yearly AS (
                    SELECT rp.commercial_partner_id AS partner_id, so.company_id,
                           EXTRACT(YEAR FROM so.date_order)::int AS year,
                           SUM(sol.price_subtotal / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS revenue
                      FROM sale_order so
                      JOIN res_partner rp ON rp.id = so.partner_id
                      JOIN sale_order_line sol ON sol.order_id = so.id AND sol.display_type IS NULL
                     WHERE so.state = 'sale'
                  GROUP BY 1, 2, 3
                ), years AS (
                    SELECT partner_id, company_id, year FROM yearly
                     UNION
                    SELECT partner_id, company_id, year + 1 FROM yearly
                     WHERE year < EXTRACT(YEAR FROM now())::int
                )
                SELECT ROW_NUMBER() OVER (ORDER BY y.company_id, y.partner_id, y.year) AS id,
                       y.company_id, y.partner_id, y.year::varchar AS year,
                       p.region_id, p.industry_id, p.market_status, p.revenue_band, p.user_id,
                       p.customer_tier ->> y.company_id::varchar AS customer_tier,
                       p.account_class ->> y.company_id::varchar AS account_class,
                       CASE WHEN COALESCE(cur.revenue, 0) > 0 THEN 1 ELSE 0 END AS customer_count,
                       COALESCE(cur.revenue, 0) AS revenue,
                       COALESCE(prev.revenue, 0) AS revenue_previous,
                       COALESCE(cur.revenue, 0) - COALESCE(prev.revenue, 0) AS growth
                  FROM years y
                  JOIN res_partner p ON p.id = y.partner_id
             LEFT JOIN yearly cur ON cur.partner_id = y.partner_id AND cur.company_id = y.company_id
                                 AND cur.year = y.year
             LEFT JOIN yearly prev ON prev.partner_id = y.partner_id AND prev.company_id = y.company_id
                                  AND prev.year = y.year - 1
            )
                """,
                SQL.identifier(self._table),
            )
        )
