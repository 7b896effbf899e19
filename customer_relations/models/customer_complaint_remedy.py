from odoo import api, fields, models
from odoo.exceptions import UserError

REMEDY_DOCUMENT = [
    ("credit_note", "Credit note"),
    ("return", "Return"),
    ("replacement", "Replacement delivery"),
    ("quotation", "Repair / replacement quotation"),
]
DOCUMENT_STATUS = [
    ("draft", "Draft"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]
# Odoo's own states of the documents, mapped onto the status shown on the complaint.
_STATUS = {
    "account.move": {"draft": "draft", "posted": "done", "cancel": "cancel"},
    "stock.picking": {"draft": "draft", "done": "done", "cancel": "cancel"},
    "sale.order": {"draft": "draft", "sent": "draft", "sale": "done", "cancel": "cancel"},
}


class CustomerComplaintRemedy(models.Model):
    """A document that carries out the remedy of a complaint: a credit note, a return, a
    replacement delivery or a quotation. Created only by the complaint's checked remedy methods;
    its cost (in company currency) follows the document and adds up into the complaint's cost."""

    _name = "customer.complaint.remedy"
    _description = "Complaint Remedy Document"
    _order = "complaint_id, id"
    _rec_name = "document_name"
    _check_company_auto = True

    complaint_id = fields.Many2one("customer.complaint", required=True, readonly=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    document_type = fields.Selection(REMEDY_DOCUMENT, "Document", required=True, readonly=True)
    move_id = fields.Many2one(
        "account.move", "Credit note", readonly=True, ondelete="restrict", index="btree_not_null", check_company=True
    )
    picking_id = fields.Many2one(
        "stock.picking", "Transfer", readonly=True, ondelete="restrict", index="btree_not_null", check_company=True
    )
    order_id = fields.Many2one(
        "sale.order", "Quotation", readonly=True, ondelete="restrict", index="btree_not_null", check_company=True
    )
    document_name = fields.Char("Reference", compute="_compute_document", store=True)
    document_state = fields.Selection(DOCUMENT_STATUS, "Status", compute="_compute_document", store=True)
    amount = fields.Monetary(
        "Cost",
        compute="_compute_amount",
        store=True,
        help="Credit note: its untaxed amount. Return and replacement: the goods at product cost. "
        "Quotation: its untaxed amount, the agreed repair or replacement cost. Always in the company "
        "currency; a cancelled document costs nothing.",
    )
    user_id = fields.Many2one("res.users", "Prepared by", readonly=True, default=lambda self: self.env.user)
    note = fields.Char(readonly=True)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _document(self):
        self.ensure_one()
        return self.move_id or self.picking_id or self.order_id

    @api.depends(
        "move_id.name", "move_id.state", "picking_id.name", "picking_id.state", "order_id.name", "order_id.state"
    )
    def _compute_document(self):
        for remedy in self:
            document = remedy._document()
            if not document:
                remedy.document_name = False
                remedy.document_state = "cancel"
                continue
            remedy.document_name = document.display_name
            remedy.document_state = _STATUS[document._name].get(document.state, "in_progress")

    @api.depends(
        "document_type",
        "move_id.amount_untaxed_signed",
        "move_id.state",
        "picking_id.state",
        "picking_id.move_ids.state",
        "picking_id.move_ids.quantity",
        "picking_id.move_ids.product_uom_qty",
        "picking_id.move_ids.product_uom",
        "order_id.amount_untaxed",
        "order_id.state",
        "order_id.currency_id",
        "order_id.date_order",
    )
    def _compute_amount(self):
        for remedy in self:
            document = remedy._document()
            if not document or document.state == "cancel":
                remedy.amount = 0.0
            elif remedy.move_id:
                # A credit note is signed negative in the company currency.
                remedy.amount = abs(remedy.move_id.amount_untaxed_signed)
            elif remedy.picking_id:
                remedy.amount = remedy._goods_value(remedy.picking_id)
            else:
                order = remedy.order_id
                remedy.amount = order.currency_id._convert(
                    order.amount_untaxed,
                    remedy.company_id.currency_id,
                    remedy.company_id,
                    order.date_order or fields.Date.context_today(remedy),
                )

    def _goods_value(self, picking):
        """The goods of a transfer at the product cost of the company: done quantities once done,
        the demand before."""
        self.ensure_one()
        value = 0.0
        for move in picking.move_ids.filtered(lambda m: m.state != "cancel"):
            quantity = move.quantity if move.state == "done" else move.product_uom_qty
            quantity = move.product_uom._compute_quantity(quantity, move.product_id.uom_id)
            value += quantity * move.product_id.with_company(self.company_id).standard_price
        return self.company_id.currency_id.round(value)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("The link between a complaint and its remedy document is kept; cancel the document instead.")
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_document(self):
        self.ensure_one()
        document = self._document()
        return {
            "type": "ir.actions.act_window",
            "res_model": document._name,
            "res_id": document.id,
            "view_mode": "form",
        }
