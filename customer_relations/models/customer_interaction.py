from odoo import api, fields, models

from .relationship_constants import INTERACTION_TYPE


class CustomerInteraction(models.Model):
    """A contact with a customer (visit, call, seminar...) and its outcome; created by hand or
    when an activity of a mapped type is marked done on the customer."""

    _name = "customer.interaction"
    _description = "Customer Interaction"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char("Subject", required=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, domain="[('parent_id', '=', False)]"
    )
    contact_id = fields.Many2one("res.partner", domain="[('parent_id', '=', partner_id)]")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    interaction_type = fields.Selection(INTERACTION_TYPE, "Type", required=True, default="visit")
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    user_id = fields.Many2one("res.users", "By", default=lambda self: self.env.user, domain="[('share', '=', False)]")
    outcome = fields.Text()
    next_step = fields.Char("Next step")
    region_id = fields.Many2one(related="partner_id.region_id", store=True)
    industry_id = fields.Many2one(related="partner_id.industry_id", store=True)
    improvement_line_id = fields.Many2one(
        "customer.improvement.plan.line",
        "Improvement plan line",
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        help="The satisfaction follow-up this contact belongs to.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                if partner.parent_id:
                    vals.setdefault("contact_id", partner.id)
                    vals["partner_id"] = partner.commercial_partner_id.id
        return super().create(vals_list)
