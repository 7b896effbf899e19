from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    agreement_reminder_days = fields.Integer(
        "Agreement end reminder (days)",
        default=30,
        help="Days before an agreement ends when its key-account manager gets a reminder.",
    )
    agreement_halfway_threshold = fields.Float(
        "Half-way achievement alert (%)",
        default=50.0,
        help="At half the agreement's term, below this achievement the key-account manager is alerted.",
    )
