from odoo import fields, models


class CustomerComplaintRootCause(models.Model):
    """Root-cause categories: the 5M1E of quality practice (man, machine, material, method,
    measurement, environment), extensible."""

    _name = "customer.complaint.root.cause"
    _description = "Complaint Root Cause Category"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_material = fields.Boolean(
        "Bought material",
        help="The cause lies in bought material: the complaint names the supplier concerned.",
    )
    description = fields.Text(translate=True)
