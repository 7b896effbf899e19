from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerComplaintRoutingRule(models.Model):
    """Ordered rules proposing the responsible department of a complaint: the first rule whose
    conditions all hold wins; an empty condition matches anything."""

    _name = "customer.complaint.routing.rule"
    _description = "Complaint Routing Rule"
    _order = "sequence, id"
    _inherit = ["customer.complaint.match.mixin"]
    _check_company_auto = True

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
    department_id = fields.Many2one("hr.department", "Responsible department", required=True, check_company=True)
    user_id = fields.Many2one("res.users", "Handler", domain="[('share', '=', False)]")

    @api.constrains("user_id")
    def _check_user_internal(self):
        bad = self.filtered(lambda r: r.user_id.share)
        if bad:
            raise ValidationError(
                self.env._(
                    "The handler of a routing rule must be an internal user, not a portal user: %(rules)s",
                    rules=", ".join(bad.mapped("name")),
                )
            )
