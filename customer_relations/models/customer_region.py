from odoo import fields, models


class CustomerRegion(models.Model):
    _name = "customer.region"
    _description = "Sales Region"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Short code used in reports and imports, e.g. EAST.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to share the region between all companies.",
    )
    partner_count = fields.Integer(compute="_compute_partner_count", string="Customers")

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "A region code must be unique per company.",
        ),
    ]

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("region_id", "in", self.ids), ("parent_id", "=", False)],
                ["region_id"],
                ["__count"],
            )
        )
        for region in self:
            region.partner_count = counts.get(region, 0)

    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.res_partner_action_customers")
        action["domain"] = [("region_id", "=", self.id)]
        action["context"] = {"default_region_id": self.id}
        return action
