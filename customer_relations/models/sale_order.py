from odoo import api, fields, models

from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER


class SaleOrder(models.Model):
    _inherit = "sale.order"

    partner_customer_tier = fields.Selection(
        CUSTOMER_TIER, compute="_compute_partner_tier_class", string="Customer tier"
    )
    partner_account_class = fields.Selection(
        ACCOUNT_CLASS, compute="_compute_partner_tier_class", string="Account class"
    )

    @api.depends("partner_id", "company_id")
    def _compute_partner_tier_class(self):
        for order in self:
            customer = order.partner_id.commercial_partner_id.with_company(order.company_id or self.env.company)
            order.partner_customer_tier = customer.customer_tier
            order.partner_account_class = customer.account_class
