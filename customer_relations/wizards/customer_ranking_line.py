from odoo import fields, models


class CustomerRankingLine(models.TransientModel):
    _name = "customer.ranking.line"
    _description = "Customer Ranking Line"
    _order = "rank, revenue desc, id"

    wizard_id = fields.Many2one("customer.ranking.wizard", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    partner_id = fields.Many2one("res.partner", "Customer", required=True)
    rank = fields.Integer(required=True)
    previous_rank = fields.Integer(help="0: not ranked in the previous period.")
    movement = fields.Integer(help="Places climbed since the previous period (negative: fell).")
    is_new = fields.Boolean("New in the ranking")
    revenue = fields.Monetary()
    orders = fields.Integer()
    margin = fields.Monetary()
    rank_revenue = fields.Integer("Rank by revenue")
    rank_orders = fields.Integer("Rank by orders")
    rank_margin = fields.Integer("Rank by margin")
