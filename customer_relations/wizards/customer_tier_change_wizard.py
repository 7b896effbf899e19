from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER


class CustomerTierChangeWizard(models.TransientModel):
    """A manager sets a customer's tier or class outside a review, with a reason."""

    _name = "customer.tier.change.wizard"
    _description = "Change Customer Tier"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    current_tier = fields.Selection(CUSTOMER_TIER, compute="_compute_current")
    current_class = fields.Selection(ACCOUNT_CLASS, compute="_compute_current")
    new_tier = fields.Selection(CUSTOMER_TIER, required=True)
    new_class = fields.Selection(ACCOUNT_CLASS, required=True)
    reason = fields.Char(required=True)

    @api.depends("partner_id", "company_id")
    def _compute_current(self):
        for wizard in self:
            partner = wizard.partner_id.with_company(wizard.company_id)
            wizard.current_tier = partner.customer_tier
            wizard.current_class = partner.account_class

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id"))
        if partner:
            values.setdefault("new_tier", partner.customer_tier)
            values.setdefault("new_class", partner.account_class)
        return values

    def action_apply(self):
        self.ensure_one()
        if not self.env.user.has_group("customer_relations.group_customer_relations_manager"):
            raise AccessError(self.env._("Only a Customer Relations manager can change a tier outside a review."))
        if self.company_id not in self.env.companies:
            raise AccessError(
                self.env._("You can change tiers only in the companies you work in: choose one of those.")
            )
        if (self.new_tier, self.new_class) == (self.current_tier, self.current_class):
            raise UserError(self.env._("The tier and class are unchanged."))
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        self.env["customer.tier.history"].sudo().create(
            {
                "partner_id": partner.id,
                "company_id": self.company_id.id,
                "old_tier": self.current_tier,
                "new_tier": self.new_tier,
                "old_class": self.current_class,
                "new_class": self.new_class,
                "reason": self.reason,
            }
        )
        partner._set_tier_class(self.company_id, self.new_tier, self.new_class)
        return {"type": "ir.actions.act_window_close"}
