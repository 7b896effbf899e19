from odoo import fields, models


class CustomerAgreementType(models.Model):
    _name = "customer.agreement.type"
    _description = "Key-Account Agreement Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
