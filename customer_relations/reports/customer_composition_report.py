from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.relationship_constants import MARKET_STATUS, REVENUE_BAND
from ..models.tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER


class CustomerCompositionReport(models.Model):
    """Customers and revenue per year against the same period of the previous year (the
    current year up to today against the previous year up to the same day), by region,
    segment, size, tier and class (tier and class as they are now, per company). Customers
    are counted once across years (distinct); a customer's first year has no growth."""

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
    buyer_id = fields.Many2one(
        "res.partner",
        "Customers",
        readonly=True,
        help="The customer when it bought in the year: counted once however many years a total spans.",
    )
    revenue = fields.Float(readonly=True)
    revenue_previous = fields.Float(
        "Revenue previous year (same period)",
        readonly=True,
        help="The previous year's revenue over the same period: for the current year, up to the same day.",
    )
    growth = fields.Float(
        "Growth (amount)",
        readonly=True,
        help="Revenue less the previous year's over the same period; empty for a customer's first year.",
    )
    growth_percent = fields.Float(
        "Growth %",
        readonly=True,
        aggregator=None,
        digits=(16, 1),
        help="Like-for-like growth against the same period of the previous year; empty without revenue then.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                WITH yearly AS (
                    -- revenue_to_date: up to today's day of the year, for like-for-like comparisons
                    SELECT l.partner_id, l.company_id, EXTRACT(YEAR FROM l.date_order)::int AS year,
                           SUM(l.revenue) AS revenue,
                           SUM(l.revenue) FILTER (
                               WHERE (EXTRACT(MONTH FROM l.date_order), EXTRACT(DAY FROM l.date_order))
                                     <= (EXTRACT(MONTH FROM CURRENT_DATE), EXTRACT(DAY FROM CURRENT_DATE))
                           ) AS revenue_to_date
                      FROM %s l
                  GROUP BY 1, 2, 3
                ), years AS (
                    SELECT partner_id, company_id, year FROM yearly
                     UNION
                    SELECT partner_id, company_id, year + 1 FROM yearly
                     WHERE year < EXTRACT(YEAR FROM CURRENT_DATE)::int
                ), compared AS (
                    SELECT y.company_id, y.partner_id, y.year,
                           COALESCE(cur.revenue, 0) AS revenue,
                           CASE WHEN prev.partner_id IS NULL THEN NULL
                                WHEN y.year = EXTRACT(YEAR FROM CURRENT_DATE)::int
                                THEN COALESCE(prev.revenue_to_date, 0)
                                ELSE prev.revenue END AS revenue_previous
                      FROM years y
                 LEFT JOIN yearly cur ON cur.partner_id = y.partner_id AND cur.company_id = y.company_id
                                     AND cur.year = y.year
                 LEFT JOIN yearly prev ON prev.partner_id = y.partner_id AND prev.company_id = y.company_id
                                      AND prev.year = y.year - 1
                )
                SELECT ROW_NUMBER() OVER (ORDER BY c.company_id, c.partner_id, c.year) AS id,
                       c.company_id, c.partner_id, c.year::varchar AS year,
                       p.region_id, p.industry_id, p.market_status, p.revenue_band, p.user_id,
                       p.customer_tier ->> c.company_id::varchar AS customer_tier,
                       p.account_class ->> c.company_id::varchar AS account_class,
                       CASE WHEN c.revenue > 0 THEN c.partner_id END AS buyer_id,
                       c.revenue,
                       COALESCE(c.revenue_previous, 0) AS revenue_previous,
                       c.revenue - c.revenue_previous AS growth,
                       (c.revenue - c.revenue_previous) / NULLIF(ABS(c.revenue_previous), 0) * 100.0
                           AS growth_percent
                  FROM compared c
                  JOIN res_partner p ON p.id = c.partner_id
            )
                """,
                SQL.identifier(self._table),
                self.env["customer.sales.measure"]._sales_lines_sql(),
            )
        )
