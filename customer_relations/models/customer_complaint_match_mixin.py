from odoo import fields, models

from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER


class CustomerComplaintMatchMixin(models.AbstractModel):
    """An ordered, per-company rule a complaint is matched on (routing rules, SLA policies):
    name, order, company and the tier / class conditions; the models define
    their own ``category_ids`` and ``severity_ids`` (and ``product_category_ids`` where they
    route by product); an empty condition matches anything."""

    _name = "customer.complaint.match.mixin"
    _description = "Complaint Matching Conditions"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    customer_tier = fields.Selection(CUSTOMER_TIER, "Customer tier")
    account_class = fields.Selection(ACCOUNT_CLASS)

    def _conditions(self):
        """The record as the engine's ``match_rule`` reads it: condition name -> allowed values."""
        self.ensure_one()
        conditions = {
            "category": set(self.category_ids.ids),
            "severity": set(self.severity_ids.mapped("code")),
            "tier": {self.customer_tier} if self.customer_tier else set(),
            "account_class": {self.account_class} if self.account_class else set(),
        }
        if "product_category_ids" in self._fields:
            conditions["product_category"] = set(self.product_category_ids.ids)
        return conditions
