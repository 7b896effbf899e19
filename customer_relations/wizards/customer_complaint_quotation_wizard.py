from odoo import Command, api, fields, models

QUOTATION_KIND = [
    ("repair", "Repair"),
    ("replacement", "Replacement"),
]


class CustomerComplaintQuotationWizard(models.TransientModel):
    """Sales-service prepares a repair or replacement quotation for the complaint's customer."""

    _name = "customer.complaint.quotation.wizard"
    _description = "Complaint Quotation"

    complaint_id = fields.Many2one("customer.complaint", required=True, readonly=True, ondelete="cascade")
    kind = fields.Selection(QUOTATION_KIND, "Quotation for", required=True, default="repair")
    line_ids = fields.One2many(
        "customer.complaint.quotation.wizard.line",
        "wizard_id",
        string="Products",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    note = fields.Html("Terms")

    @api.depends("complaint_id")
    def _compute_line_ids(self):
        for wizard in self:
            product = wizard.complaint_id.product_id
            wizard.line_ids = [Command.clear()] + (
                [Command.create({"product_id": product.id, "quantity": 1.0})] if product else []
            )

    def action_confirm(self):
        self.ensure_one()
        order = self.complaint_id._remedy_quotation(
            self.kind, [(line.product_id, line.quantity) for line in self.line_ids], note=self.note
        )
        return self.complaint_id._open_prepared_document(order)


class CustomerComplaintQuotationWizardLine(models.TransientModel):
    _name = "customer.complaint.quotation.wizard.line"
    _description = "Complaint Quotation Line"

    wizard_id = fields.Many2one("customer.complaint.quotation.wizard", required=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", required=True, domain="[('sale_ok', '=', True)]")
    quantity = fields.Float(required=True, default=1.0, digits="Product Unit of Measure")
