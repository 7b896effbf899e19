from odoo import fields, models, tools
from odoo.tools.sql import TableKind, column_exists, table_kind


class CustomerSatisfactionScore(models.Model):
    """A dimension score of one survey answer, for analysis by dimension and segment.

    A read-only SQL view: the scoring stores each answer's dimension scores (full precision)
    in one JSON column of the answer, written by the same set-based statement that writes its
    index, so scoring 10,000 answers inserts no rows (and checks no foreign keys); this view
    spreads them out with the answer's customer, campaign, company, region, industry,
    salesperson and date, always current. The company is the campaign's, or the complaint's
    for a complaint callback; an answer with neither belongs to no company."""

    _name = "customer.satisfaction.score"
    _description = "Satisfaction Dimension Score"
    _order = "user_input_id, dimension_id, id"
    _rec_name = "dimension_id"
    _auto = False

    user_input_id = fields.Many2one("survey.user_input", readonly=True)
    dimension_id = fields.Many2one("customer.satisfaction.dimension", readonly=True)
    score = fields.Float(aggregator="avg", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    campaign_id = fields.Many2one("customer.satisfaction.campaign", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    region_id = fields.Many2one("customer.region", string="Sales Region", readonly=True)
    industry_id = fields.Many2one("res.partner.industry", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    date = fields.Datetime(string="Answered on", readonly=True)

    def init(self):
        self._create_view()

    def _create_view(self):
        """(Re)create the view; survey.user_input's init calls it too, once the answers'
        JSON column exists (the models initialise in the order they are declared)."""
        if not column_exists(self.env.cr, "survey_user_input", "satisfaction_dimension_scores"):
            return
        if table_kind(self.env.cr, self._table) == TableKind.Regular:
            # Up to 2026 the scores were rows of a table: the answers carry them now.
            self.env.cr.execute(f"DROP TABLE {self._table} CASCADE")
            self.env["survey.user_input"]._rescore_all()
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
                SELECT u.id::bigint * 1000000 + d.key::bigint AS id,
                       u.id AS user_input_id,
                       d.key::int AS dimension_id,
                       d.value::float8 AS score,
                       u.satisfaction_partner_id AS partner_id,
                       u.satisfaction_campaign_id AS campaign_id,
                       COALESCE(c.company_id, cc.company_id) AS company_id,
                       p.region_id AS region_id,
                       p.industry_id AS industry_id,
                       p.user_id AS user_id,
                       u.end_datetime AS date
                  FROM survey_user_input u
                 CROSS JOIN LATERAL jsonb_each_text(u.satisfaction_dimension_scores) d
             LEFT JOIN customer_satisfaction_campaign c ON c.id = u.satisfaction_campaign_id
             LEFT JOIN customer_complaint cc ON cc.id = u.complaint_id
             LEFT JOIN res_partner p ON p.id = u.satisfaction_partner_id
                 WHERE u.satisfaction_dimension_scores IS NOT NULL
            )
            """
        )
