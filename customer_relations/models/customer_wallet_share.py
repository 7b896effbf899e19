from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import relationship as engine
from .customer_job import run_batch


class CustomerWalletShare(models.Model):
    """Per product category: the customer's estimated yearly need and the share we supply
    (our confirmed revenue over the 12 months before the estimate)."""

    _name = "customer.wallet.share"
    _description = "Customer Share of Wallet"
    _order = "partner_id, gap desc, id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade", domain="[('parent_id', '=', False)]"
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    categ_id = fields.Many2one("product.category", "Product category", required=True)
    estimated_need = fields.Monetary("Estimated yearly need", required=True)
    our_revenue = fields.Monetary("Our revenue (12 months)", readonly=True)
    share = fields.Float("Our share (%)", readonly=True, aggregator="avg", digits=(16, 1))
    gap = fields.Monetary(readonly=True, help="Need we do not supply: the cross-sell potential.")
    buys_elsewhere = fields.Boolean(readonly=True, help="Part of the need is supplied by others.")
    estimate_date = fields.Date("Estimated on", required=True, default=fields.Date.context_today)
    estimated_by_id = fields.Many2one("res.users", "Estimated by", default=lambda self: self.env.user)
    note = fields.Char()

    _sql_constraints = [
        ("need_positive", "CHECK(estimated_need > 0)", "The estimated need must be positive."),
        (
            "category_unique",
            "unique(partner_id, company_id, categ_id)",
            "One estimate per customer and product category: update it instead.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._refresh_revenue()
        return records

    def write(self, vals):
        result = super().write(vals)
        if {"estimated_need", "categ_id", "estimate_date", "partner_id"} & set(vals):
            self._refresh_revenue()
        return result

    def _refresh_revenue(self):
        """Our revenue per line in one grouped query (sub-categories count for their parent)."""
        if not self:
            return
        self.env.flush_all()
        rows = [
            (
                line.id,
                line.partner_id.id,
                line.company_id.id,
                line.categ_id.id,
                line.estimate_date - relativedelta(months=12),
                line.estimate_date,
            )
            for line in self
        ]
        lines = self.env["customer.sales.measure"]._sales_lines_sql(
            list({row[2] for row in rows}), min(row[4] for row in rows), max(row[5] for row in rows) + timedelta(days=1)
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT a.id, SUM(l.revenue)
                  FROM unnest(%s::int4[], %s::int4[], %s::int4[], %s::int4[], %s::date[], %s::date[])
                       AS a(id, partner_id, company_id, categ_id, date_from, date_to)
                  JOIN product_category root ON root.id = a.categ_id
                  JOIN %s l ON l.partner_id = a.partner_id AND l.company_id = a.company_id
                           AND l.date_order >= a.date_from AND l.date_order < a.date_to + 1
                           AND starts_with(l.categ_path, root.parent_path)
              GROUP BY a.id
                """,
                *[list(column) for column in zip(*rows, strict=True)],
                lines,
            )
        )
        revenue = dict(self.env.cr.fetchall())
        figures = []
        for line in self:
            ours = float(revenue.get(line.id) or 0.0)
            share, gap = engine.wallet_share(line.estimated_need, ours)
            figures.append((line.id, ours, share or 0.0, gap, gap > 0))
        self.env.cr.execute(
            """
            UPDATE customer_wallet_share w
               SET our_revenue = v.ours, share = v.share, gap = v.gap, buys_elsewhere = v.elsewhere
              FROM unnest(%s::int4[], %s::numeric[], %s::float8[], %s::numeric[], %s::bool[])
                   AS v(id, ours, share, gap, elsewhere)
             WHERE w.id = v.id
            """,
            [list(column) for column in zip(*figures, strict=True)],
        )
        self.invalidate_recordset(["our_revenue", "share", "gap", "buys_elsewhere"])

    @api.model
    def _cron_refresh(self):
        """Set-based (one read, one update), in its own transaction retried on a conflict."""
        run_batch(self.env, lambda: self.search([])._refresh_revenue(), "share of wallet")
