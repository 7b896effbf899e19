from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    region_id = fields.Many2one(
        "customer.region",
        string="Sales Region",
        index=True,
        tracking=True,
        help="Sales region of the customer; contacts follow their company's region.",
    )

    @api.model
    def _commercial_fields(self):
        return [*super()._commercial_fields(), "region_id"]
