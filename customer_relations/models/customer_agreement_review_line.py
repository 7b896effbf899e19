from odoo import fields, models


class CustomerAgreementReviewLine(models.Model):
    _name = "customer.agreement.review.line"
    _description = "Key-Account Review Target Snapshot"
    _order = "review_id, id"

    review_id = fields.Many2one("customer.agreement.review", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="review_id.company_id", store=True)
    target_id = fields.Many2one("customer.agreement.target", string="Target line", ondelete="set null")
    measure = fields.Selection(related="target_id.measure")
    product_id = fields.Many2one(related="target_id.product_id")
    categ_id = fields.Many2one(related="target_id.categ_id")
    period_label = fields.Char("Period")
    target_value = fields.Float("Target")
    actual = fields.Float()
    achievement = fields.Float("Achievement %")
    forecast = fields.Float()
