from odoo import Command, api, fields, models

CREDIT_MODE = [
    ("full", "Whole invoice"),
    ("lines", "Chosen lines and quantities"),
    ("amount", "An amount"),
]


class CustomerComplaintCreditNoteWizard(models.TransientModel):
    """Sales-service prepares a draft credit note reversing the complaint's invoice, in full, by
    lines and quantities or by an amount. Everything it sends is checked again by the complaint."""

    _name = "customer.complaint.credit.note.wizard"
    _description = "Complaint Credit Note"

    complaint_id = fields.Many2one("customer.complaint", required=True, readonly=True, ondelete="cascade")
    invoice_id = fields.Many2one("account.move", compute="_compute_invoice_id", store=True, readonly=False)
    currency_id = fields.Many2one("res.currency", compute="_compute_invoice_id", store=True)
    mode = fields.Selection(CREDIT_MODE, "Credit", required=True, default="full")
    line_ids = fields.One2many(
        "customer.complaint.credit.note.wizard.line",
        "wizard_id",
        string="Lines",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    amount = fields.Monetary("Untaxed amount", currency_field="currency_id")
    reason = fields.Char(required=True)

    @api.depends("complaint_id")
    def _compute_invoice_id(self):
        for wizard in self:
            invoice = wizard.complaint_id.sudo().invoice_id
            wizard.invoice_id = invoice
            wizard.currency_id = invoice.currency_id or wizard.complaint_id.currency_id

    @api.depends("invoice_id")
    def _compute_line_ids(self):
        for wizard in self:
            lines = wizard.invoice_id.sudo().invoice_line_ids.filtered(lambda line: line.display_type == "product")
            wizard.line_ids = [Command.clear()] + [
                Command.create(
                    {
                        "invoice_line_id": line.id,
                        "product_id": line.product_id.id,
                        "name": line.name,
                        "quantity_invoiced": line.quantity,
                        "price_unit": line.price_unit,
                        "quantity": 0.0,
                    }
                )
                for line in lines
            ]

    def action_confirm(self):
        self.ensure_one()
        quantities = {}
        for line in self.line_ids:
            quantities[line.invoice_line_id] = quantities.get(line.invoice_line_id, 0.0) + line.quantity
        refund = self.complaint_id._remedy_credit_note(
            self.invoice_id, self.mode, quantities=quantities, amount=self.amount, reason=self.reason
        )
        return self.complaint_id._open_prepared_document(refund)


class CustomerComplaintCreditNoteWizardLine(models.TransientModel):
    _name = "customer.complaint.credit.note.wizard.line"
    _description = "Complaint Credit Note Line"

    wizard_id = fields.Many2one("customer.complaint.credit.note.wizard", required=True, ondelete="cascade")
    invoice_line_id = fields.Many2one("account.move.line", required=True)
    product_id = fields.Many2one("product.product", readonly=True)
    name = fields.Char("Description", readonly=True)
    quantity_invoiced = fields.Float("Invoiced", digits="Product Unit of Measure", readonly=True)
    price_unit = fields.Float("Unit price", digits="Product Price", readonly=True)
    quantity = fields.Float("To credit", digits="Product Unit of Measure")
