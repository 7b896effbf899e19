from odoo import fields, models

from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER


class CustomerComplaintRoutingRule(models.Model):
    """Ordered rules proposing the responsible department of a complaint: the first rule whose
    conditions all hold wins; an empty condition matches anything."""

    _name = "customer.complaint.routing.rule"
    _description = "Complaint Routing Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    category_ids = fields.Many2many(
        "customer.complaint.category",
        "customer_complaint_rule_category_rel",
        "rule_id",
        "category_id",
        string="Complaint categories",
    )
    product_category_ids = fields.Many2many(
        "product.category",
        "customer_complaint_rule_categ_rel",
        "rule_id",
        "categ_id",
        string="Product categories",
        help="Matches products of these categories and of their sub-categories.",
    )
    severity_ids = fields.Many2many(
        "customer.complaint.severity",
        "customer_complaint_rule_severity_rel",
        "rule_id",
        "severity_id",
        string="Severities",
    )
    customer_tier = fields.Selection(CUSTOMER_TIER, "Customer tier")
    account_class = fields.Selection(ACCOUNT_CLASS)
    department_id = fields.Many2one("hr.department", "Responsible department", required=True, check_company=True)
    user_id = fields.Many2one("res.users", "Handler", domain="[('share', '=', False)]")

    def _conditions(self):
        """The rule as the engine reads it: condition name -> allowed values."""
        self.ensure_one()
        return {
            "category": set(self.category_ids.ids),
            "product_category": set(self.product_category_ids.ids),
            "severity": set(self.severity_ids.mapped("code")),
            "tier": {self.customer_tier} if self.customer_tier else set(),
            "account_class": {self.account_class} if self.account_class else set(),
        }
