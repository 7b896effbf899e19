from odoo import fields, models


class CustomerAcquisitionChannel(models.Model):
    _name = "customer.acquisition.channel"
    _description = "Customer Acquisition Channel"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_referral = fields.Boolean(help="Customers of this channel name the customer that referred them.")
