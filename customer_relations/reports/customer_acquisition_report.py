from odoo import fields, models, tools
from odoo.tools import SQL


class CustomerAcquisitionReport(models.Model):
    """New customers by the month of their first confirmed order and their acquisition
    channel: first-year revenue and whether they still bought in their second and third year."""

    _name = "customer.acquisition.report"
    _description = "Customer Development"
    _auto = False
    _order = "first_order_date desc"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    first_order_date = fields.Date("First order", readonly=True)
    acquisition_channel_id = fields.Many2one("customer.acquisition.channel", "Channel", readonly=True)
    referred_by_id = fields.Many2one("res.partner", "Referred by", readonly=True)
    region_id = fields.Many2one("customer.region", "Sales region", readonly=True)
    industry_id = fields.Many2one("res.partner.industry", "Segment", readonly=True)
    customer_count = fields.Integer("New customers", readonly=True)
    first_year_revenue = fields.Float("First-year revenue", readonly=True)
    eligible_1y = fields.Integer("Known after 1 year", readonly=True)
    eligible_2y = fields.Integer("Known after 2 years", readonly=True)
    retained_1y = fields.Float("Retained after 1 year (%)", readonly=True, aggregator="avg")
    retained_2y = fields.Float("Retained after 2 years (%)", readonly=True, aggregator="avg")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                WITH orders AS (
                    SELECT l.partner_id, l.company_id, l.date_order::date AS day, l.revenue AS amount
                      FROM %s l
                ), firsts AS (
                    SELECT partner_id, company_id, MIN(day) AS first_day FROM orders GROUP BY 1, 2
                )
                SELECT ROW_NUMBER() OVER (ORDER BY f.company_id, f.partner_id) AS id,
                       f.company_id, f.partner_id, f.first_day AS first_order_date,
                       p.acquisition_channel_id, p.referred_by_id, p.region_id, p.industry_id,
                       1 AS customer_count,
                       COALESCE(SUM(o.amount) FILTER (WHERE o.day < f.first_day + 365), 0) AS first_year_revenue,
                       CASE WHEN f.first_day + 730 <= now()::date THEN 1 ELSE 0 END AS eligible_1y,
                       CASE WHEN f.first_day + 1095 <= now()::date THEN 1 ELSE 0 END AS eligible_2y,
                       CASE WHEN f.first_day + 730 > now()::date THEN NULL
                            WHEN COUNT(o.*) FILTER (WHERE o.day >= f.first_day + 365 AND o.day < f.first_day + 730) > 0
                            THEN 100.0 ELSE 0.0 END AS retained_1y,
                       CASE WHEN f.first_day + 1095 > now()::date THEN NULL
                            WHEN COUNT(o.*) FILTER (WHERE o.day >= f.first_day + 730 AND o.day < f.first_day + 1095) > 0
                            THEN 100.0 ELSE 0.0 END AS retained_2y
                  FROM firsts f
                  JOIN res_partner p ON p.id = f.partner_id
             LEFT JOIN orders o ON o.partner_id = f.partner_id AND o.company_id = f.company_id
              GROUP BY f.company_id, f.partner_id, f.first_day, p.acquisition_channel_id, p.referred_by_id,
                       p.region_id, p.industry_id
            )
                """,
                SQL.identifier(self._table),
                self.env["customer.sales.measure"]._sales_lines_sql(),
            )
        )
