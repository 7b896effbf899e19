from odoo import Command, api, fields, models

STOCK_REMEDY = [
    ("return", "Return of the goods"),
    ("replacement", "Replacement delivery"),
]


class CustomerComplaintStockRemedyWizard(models.TransientModel):
    """Sales-service prepares a return of delivered goods or a replacement delivery from a done
    delivery of the complaint's customer. Everything it sends is checked again by the complaint."""

    _name = "customer.complaint.stock.remedy.wizard"
    _description = "Complaint Return or Replacement"

    complaint_id = fields.Many2one("customer.complaint", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(related="complaint_id.partner_id")
    sale_order_id = fields.Many2one(related="complaint_id.sale_order_id")
    kind = fields.Selection(STOCK_REMEDY, "Remedy", required=True, default="return")
    picking_id = fields.Many2one(
        "stock.picking",
        "Delivery",
        compute="_compute_picking_id",
        store=True,
        readonly=False,
        domain="[('picking_type_code', '=', 'outgoing'), ('state', '=', 'done'), "
        "('partner_id', 'child_of', partner_id)]",
    )
    line_ids = fields.One2many(
        "customer.complaint.stock.remedy.wizard.line",
        "wizard_id",
        string="Goods",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    reason = fields.Char(required=True)

    @api.depends("complaint_id")
    def _compute_picking_id(self):
        for wizard in self:
            complaint = wizard.complaint_id.sudo()
            domain = [
                ("picking_type_code", "=", "outgoing"),
                ("state", "=", "done"),
                ("company_id", "=", complaint.company_id.id),
                ("partner_id", "child_of", complaint.partner_id.id),
            ]
            if complaint.sale_order_id:
                domain.append(("sale_id", "=", complaint.sale_order_id.id))
            wizard.picking_id = (
                self.env["stock.picking"].sudo().search(domain, order="date_done desc, id desc", limit=1)
            )

    @api.depends("picking_id")
    def _compute_line_ids(self):
        for wizard in self:
            moves = wizard.picking_id.sudo().move_ids.filtered(lambda m: m.state == "done")
            wizard.line_ids = [Command.clear()] + [
                Command.create(
                    {
                        "move_id": move.id,
                        "product_id": move.product_id.id,
                        "quantity_delivered": move.quantity,
                        "uom_id": move.product_uom.id,
                        "quantity": 0.0,
                    }
                )
                for move in moves
            ]

    def action_confirm(self):
        self.ensure_one()
        quantities = {}
        for line in self.line_ids:
            quantities[line.move_id] = quantities.get(line.move_id, 0.0) + line.quantity
        transfers = self.complaint_id._remedy_stock(self.picking_id, quantities, self.kind, reason=self.reason)
        return self.complaint_id._open_prepared_document(transfers)


class CustomerComplaintStockRemedyWizardLine(models.TransientModel):
    _name = "customer.complaint.stock.remedy.wizard.line"
    _description = "Complaint Return or Replacement Line"

    wizard_id = fields.Many2one("customer.complaint.stock.remedy.wizard", required=True, ondelete="cascade")
    move_id = fields.Many2one("stock.move", required=True)
    product_id = fields.Many2one("product.product", readonly=True)
    quantity_delivered = fields.Float("Delivered", digits="Product Unit of Measure", readonly=True)
    uom_id = fields.Many2one("uom.uom", "Unit", readonly=True)
    quantity = fields.Float(digits="Product Unit of Measure")
