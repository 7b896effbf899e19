from odoo import fields, models


class CustomerAgreementMember(models.Model):
    _name = "customer.agreement.member"
    _description = "Key-Account Team Member"
    _order = "agreement_id, sequence, id"

    agreement_id = fields.Many2one("customer.agreement", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    user_id = fields.Many2one("res.users", string="Member", required=True, domain="[('share', '=', False)]")
    role = fields.Selection(
        [
            ("sales", "Sales"),
            ("technical", "Technical service"),
            ("production", "Production"),
            ("finance", "Finance"),
            ("quality", "Quality"),
            ("other", "Other"),
        ],
        required=True,
        default="technical",
    )
    note = fields.Char()
