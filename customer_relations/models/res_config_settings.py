from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customer_region_count = fields.Integer(
        compute="_compute_customer_region_count",
        string="Sales Regions",
    )

    def _compute_customer_region_count(self):
        count = self.env["customer.region"].search_count([])
        for settings in self:
            settings.customer_region_count = count
