"""Writes to the rows the tiering measures are read from, recorded for the kept measures
(``customer.tier.measure.store``, issue #16).

Each model records at the ORM's lowest level (``_create``, ``_write_multi`` and ``unlink``):
stored computed fields are written there too, when they are flushed. Only what the measures
statement reads counts: a confirmed order (state ``sale``) and its lines, named by commercial
customer; a customer's place in the population, its company and its official tier,
class and stage; ratings; and, for every customer, a product's cost, unit and category, the
categories and the units' factors. A quotation, a delivery or a partner's e-mail leave the
kept measures valid. Odoo's partner merge moves orders with SQL of its own: a merge counts
for every customer. One small INSERT per call that counts, no update of a shared row:
concurrent writers never wait for each other. Sale orders and partners record theirs in
``sale_order.py`` and ``res_partner.py`` (one class per inherited model).
"""

from odoo import api, models

from .tier_measure_changes import (
    LINE_FIELDS,
    PRODUCT_FIELDS,
    TEMPLATE_FIELDS,
    UOM_FIELDS,
    changed,
    customers,
    written,
)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _tier_customers(self, order_ids=()):
        """Commercial customers of the confirmed orders of these lines (and of ``order_ids``),
        as they are in the database."""
        self.env.cr.execute(
            """SELECT DISTINCT rp.commercial_partner_id
                 FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
                WHERE so.state = 'sale'
                  AND (so.id = ANY(%s) OR so.id IN (SELECT order_id FROM sale_order_line WHERE id = ANY(%s)))""",
            [list(order_ids), self.ids],
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _create(self, data_list):
        lines = super()._create(data_list)
        changed(self.env, lines._tier_customers())
        return lines

    def _write_multi(self, vals_list):
        if written(vals_list, LINE_FIELDS):
            moved_to = [vals["order_id"] for vals in vals_list if vals.get("order_id")]
            changed(self.env, self._tier_customers(moved_to))
        return super()._write_multi(vals_list)

    def unlink(self):
        changed(self.env, self._tier_customers())
        return super().unlink()


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        # the merge moves orders to the kept contact with SQL of its own: read them all again
        changed(self.env)
        return super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _write_multi(self, vals_list):
        if written(vals_list, PRODUCT_FIELDS):
            changed(self.env)
        return super()._write_multi(vals_list)


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def _write_multi(self, vals_list):
        if written(vals_list, TEMPLATE_FIELDS):
            changed(self.env)
        return super()._write_multi(vals_list)


class ProductCategory(models.Model):
    _inherit = "product.category"

    @api.model
    def _create(self, data_list):
        categories = super()._create(data_list)
        changed(self.env)  # a category's bit is its position among all categories
        return categories

    def unlink(self):
        changed(self.env)
        return super().unlink()


class UomUom(models.Model):
    _inherit = "uom.uom"

    def _write_multi(self, vals_list):
        if written(vals_list, UOM_FIELDS):
            changed(self.env)
        return super()._write_multi(vals_list)


class CustomerTierRating(models.Model):
    _inherit = "customer.tier.rating"

    def _tier_customers(self):
        self.env.cr.execute("SELECT partner_id FROM customer_tier_rating WHERE id = ANY(%s)", [self.ids])
        return customers(self.env, [row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _create(self, data_list):
        ratings = super()._create(data_list)
        changed(self.env, ratings._tier_customers())
        return ratings

    def _write_multi(self, vals_list):
        if written(vals_list, {"partner_id", "company_id"}):
            moved_to = [vals["partner_id"] for vals in vals_list if vals.get("partner_id")]
            changed(self.env, self._tier_customers() + customers(self.env, moved_to))
        return super()._write_multi(vals_list)

    def unlink(self):
        changed(self.env, self._tier_customers())
        return super().unlink()
