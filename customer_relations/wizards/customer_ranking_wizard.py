import pandas as pd
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..engine import relationship as engine


class CustomerRankingWizard(models.TransientModel):
    """Customers ranked by revenue, orders and margin in a period, with the combined rank and
    the movement against the period before; printable top N for leadership."""

    _name = "customer.ranking.wizard"
    _description = "Customer Ranking"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain="[('id', 'in', allowed_company_ids)]",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(
        "From", required=True, default=lambda self: fields.Date.context_today(self) - relativedelta(years=1, days=-1)
    )
    date_to = fields.Date("To", required=True, default=fields.Date.context_today)
    top_n = fields.Integer("Top", required=True, default=20)
    line_ids = fields.One2many("customer.ranking.line", "wizard_id", readonly=True)
    previous_from = fields.Date(compute="_compute_previous")
    previous_to = fields.Date(compute="_compute_previous")

    @api.depends("date_from", "date_to")
    def _compute_previous(self):
        for wizard in self:
            if wizard.date_from and wizard.date_to:
                length = wizard.date_to - wizard.date_from
                wizard.previous_to = wizard.date_from - relativedelta(days=1)
                wizard.previous_from = wizard.previous_to - length
            else:
                wizard.previous_from = wizard.previous_to = False

    @api.constrains("company_id")
    def _check_company_allowed(self):
        self._check_company_is_mine()

    def _check_company_is_mine(self):
        """The company comes from the client: rank only a company the user works in."""
        foreign = self.company_id - self.env.companies
        if foreign and not self.env.su:
            raise ValidationError(
                self.env._("You can rank the customers of the companies you work in only: choose one of those.")
            )

    def _figures(self, date_from, date_to):
        """Revenue, orders and margin per customer from ``customer.sales.measure`` (a customer
        whose products have no known cost has no margin: 0 in the ranking)."""
        figures = self.env["customer.sales.measure"]._sales_figures(
            self.company_id.id, date_from, date_to + relativedelta(days=1)
        )
        rows = [
            (partner_id, fig["revenue"], fig["orders"], fig["margin"] or 0.0) for partner_id, fig in figures.items()
        ]
        return pd.DataFrame(rows, columns=["partner_id", "revenue", "orders", "margin"]).set_index("partner_id")

    def action_compute(self):
        self.ensure_one()
        self._check_company_is_mine()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The end of the period is before its start."))
        if self.top_n <= 0:
            raise UserError(self.env._("Rank at least one customer."))
        current = self._figures(self.date_from, self.date_to)
        if current.empty:
            raise UserError(self.env._("No confirmed order in this period: nothing to rank."))
        previous = self._figures(self.previous_from, self.previous_to)
        ranked = engine.rank_customers(current, previous).head(self.top_n)
        self.line_ids.unlink()
        self.env["customer.ranking.line"].create(
            [
                {
                    "wizard_id": self.id,
                    "partner_id": int(partner_id),
                    "rank": int(row["rank"]),
                    "previous_rank": int(row["previous_rank"]) if row["previous_rank"] == row["previous_rank"] else 0,
                    "movement": int(row["movement"]) if row["movement"] == row["movement"] else 0,
                    "is_new": row["previous_rank"] != row["previous_rank"],
                    "revenue": float(row["revenue"]),
                    "orders": int(row["orders"]),
                    "margin": float(row["margin"]),
                    "rank_revenue": int(row["rank_revenue"]),
                    "rank_orders": int(row["rank_orders"]),
                    "rank_margin": int(row["rank_margin"]),
                }
                for partner_id, row in ranked.iterrows()
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_print(self):
        self.ensure_one()
        if not self.line_ids:
            self.action_compute()
        return self.env.ref("customer_relations.action_report_customer_ranking").report_action(self)
