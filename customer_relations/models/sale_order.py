from odoo import api, fields, models
from odoo.tools.sql import column_exists, create_column

from . import tier_measure_changes as tier_sources
from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # Shown to Customer Relations users only, like the customer's own tier and class.
    partner_customer_tier = fields.Selection(
        CUSTOMER_TIER,
        compute="_compute_partner_tier_class",
        compute_sudo=True,
        string="Customer tier",
        groups="customer_relations.group_customer_relations_user",
    )
    partner_account_class = fields.Selection(
        ACCOUNT_CLASS,
        compute="_compute_partner_tier_class",
        compute_sudo=True,
        string="Account class",
        groups="customer_relations.group_customer_relations_user",
    )
    agreement_id = fields.Many2one(
        "customer.agreement",
        string="Key-account agreement",
        compute="_compute_agreement_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        check_company=True,
        domain="[('partner_id', '=', commercial_partner_id), ('state', '=', 'active')]",
        help="The agreement that applies to this order: the customer's active agreement on the order date.",
    )
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")

    def _auto_init(self):
        # No agreement exists when the addon is installed: create the column empty instead of
        # computing it for every existing order (minutes on a large database).
        if not column_exists(self.env.cr, "sale_order", "agreement_id"):
            create_column(self.env.cr, "sale_order", "agreement_id", "int4")
        return super()._auto_init()

    @api.depends("partner_id", "company_id")
    def _compute_partner_tier_class(self):
        for order in self:
            customer = order.partner_id.commercial_partner_id.with_company(order.company_id or self.env.company)
            order.partner_customer_tier = customer.customer_tier
            order.partner_account_class = customer.account_class

    @api.depends("partner_id", "company_id", "date_order")
    def _compute_agreement_id(self):
        Agreement = self.env["customer.agreement"]
        for (company, day), orders in self.grouped(
            lambda o: (o.company_id, fields.Date.to_date(o.date_order or fields.Datetime.now()))
        ).items():
            found = Agreement._find_active(orders.partner_id, company, day) if company else {}
            for order in orders:
                order.agreement_id = found.get(order.partner_id.commercial_partner_id, False)

    def _compute_pricelist_id(self):
        result = super()._compute_pricelist_id()
        for order in self.filtered(lambda o: o.state == "draft" and o.partner_id and o.company_id):
            day = fields.Date.to_date(order.date_order or fields.Datetime.now())
            agreement = (
                self.env["customer.agreement"]
                ._find_active(order.partner_id, order.company_id, day)
                .get(order.partner_id.commercial_partner_id)
            )
            if agreement and agreement.pricelist_id:
                order.pricelist_id = agreement.pricelist_id
        return result

    def action_confirm(self):
        result = super().action_confirm()
        self.agreement_id.sudo()._update_actuals()
        return result

    def _action_cancel(self):
        agreements = self.agreement_id
        result = super()._action_cancel()
        agreements.sudo()._update_actuals()
        return result

    # ------------------------------------------------------------------
    # Changes the kept tiering measures read (``tier_measure_sources``)
    # ------------------------------------------------------------------
    def _tier_customers(self):
        """Commercial customers of these orders that are confirmed in the database."""
        self.env.cr.execute(
            """SELECT DISTINCT rp.commercial_partner_id
                 FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
                WHERE so.id = ANY(%s) AND so.state = 'sale'""",
            [self.ids],
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _create(self, data_list):
        orders = super()._create(data_list)
        tier_sources.changed(self.env, orders._tier_customers())
        return orders

    def _write_multi(self, vals_list):
        if tier_sources.written(vals_list, tier_sources.ORDER_FIELDS):
            # an order counts while it is confirmed: the customer it leaves and the one it
            # joins when confirmed, cancelled, or moved to another customer or company
            self.env.cr.execute(
                """SELECT so.id, so.state, rp.commercial_partner_id
                     FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id WHERE so.id = ANY(%s)""",
                [self.ids],
            )
            stored = {order_id: (state, partner) for order_id, state, partner in self.env.cr.fetchall()}
            partners = []
            for order, vals in zip(self, vals_list, strict=True):
                state, partner = stored.get(order.id, (None, None))
                if state == "sale" or vals.get("state") == "sale":
                    partners += [partner, vals.get("partner_id")]
            tier_sources.changed(self.env, tier_sources.customers(self.env, partners))
        return super()._write_multi(vals_list)

    def unlink(self):
        tier_sources.changed(self.env, self._tier_customers())
        return super().unlink()
