from odoo import fields, models

from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER


class CustomerTierHistory(models.Model):
    """Who changed a customer's tier or class, when, from what, to what and why."""

    _name = "customer.tier.history"
    _description = "Customer Tier History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="Changed by", required=True, default=lambda self: self.env.user)
    review_id = fields.Many2one("customer.tier.review", ondelete="set null", check_company=True)
    old_tier = fields.Selection(CUSTOMER_TIER, string="From tier")
    new_tier = fields.Selection(CUSTOMER_TIER, string="To tier")
    old_class = fields.Selection(ACCOUNT_CLASS, string="From class")
    new_class = fields.Selection(ACCOUNT_CLASS, string="To class")
    reason = fields.Char(required=True)
