from odoo import fields, models

from .relationship_constants import INTERACTION_TYPE


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    customer_interaction_type = fields.Selection(
        INTERACTION_TYPE,
        "Logs a customer interaction",
        help="Marking such an activity done on a customer logs an interaction of this type with the feedback.",
    )
