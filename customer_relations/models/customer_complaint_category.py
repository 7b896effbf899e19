from odoo import fields, models


class CustomerComplaintCategory(models.Model):
    _name = "customer.complaint.category"
    _description = "Complaint Category"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_quality = fields.Boolean(
        "Quality complaint",
        help="Quality complaints need a root cause, corrective actions and an effectiveness check before closing.",
    )
    is_logistics = fields.Boolean(
        "Logistics complaint",
        help="Goods damaged, lost or late in transport: counted by the logistics risk warning.",
    )
    description = fields.Text(translate=True)
    complaint_count = fields.Integer(compute="_compute_complaint_count")

    def _compute_complaint_count(self):
        counts = dict(
            self.env["customer.complaint"]._read_group([("category_id", "in", self.ids)], ["category_id"], ["__count"])
        )
        for category in self:
            category.complaint_count = counts.get(category, 0)
