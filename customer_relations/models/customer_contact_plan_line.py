from odoo import fields, models

from .relationship_constants import INTERACTION_TYPE


class CustomerContactPlanLine(models.Model):
    _name = "customer.contact.plan.line"
    _description = "Contact Plan Line"
    _order = "plan_id, interaction_type, id"

    plan_id = fields.Many2one("customer.contact.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    interaction_type = fields.Selection(INTERACTION_TYPE, required=True)
    count_per_year = fields.Integer("A year", required=True, default=1)

    _sql_constraints = [("type_unique", "unique(plan_id, interaction_type)", "One line per interaction type.")]
