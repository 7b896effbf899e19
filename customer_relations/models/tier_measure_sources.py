"""Writes to the rows the tiering measures are read from, recorded for the kept measures
(``customer.tier.measure.store``, issue #16).

Each model records at the ORM's lowest level (``_create``, ``_write_multi`` and ``unlink``):
stored computed fields are written there too, when they are flushed. Only what the measures
statement reads counts: a confirmed order (state ``sale``) and its lines, named by company and
commercial customer; a customer's place in the population, its company and its official tier,
class and stage; ratings; and, for every customer, a product's cost, unit and category, the
categories and the units' factors. A quotation, a delivery or a partner's e-mail leave the
kept measures valid. Odoo's partner merge moves orders with SQL of its own: a merge counts
for every customer. One small INSERT per call that counts, no update of a shared row:
concurrent writers never wait for each other.
"""

from odoo import api, models

ORDER_FIELDS = {"partner_id", "date_order", "state", "company_id", "currency_rate"}
LINE_FIELDS = {"order_id", "product_id", "product_uom_qty", "product_uom", "price_subtotal", "display_type"}
PARTNER_FIELDS = {
    "parent_id",
    "commercial_partner_id",
    "is_company",
    "active",
    "company_id",
    "customer_rank",
    "industry_id",
    "customer_tier",
    "account_class",
    "lifecycle_stage",
}
PRODUCT_FIELDS = {"standard_price", "product_tmpl_id"}
TEMPLATE_FIELDS = {"uom_id", "categ_id"}
UOM_FIELDS = {"factor"}


def _written(vals_list, watched):
    return any(not watched.isdisjoint(vals) for vals in vals_list)


def _changed(env, rows=None):
    env["customer.tier.measure.store"]._sources_changed(rows)


def _every_company_of(env, rows):
    """The customers of (company, customer) rows for every company: a prospect shared by the
    companies stays in their population until it has a confirmed order in any of them."""
    return _every_company(env, [partner for _company, partner in rows])


def _every_company(env, partner_ids):
    """(company, commercial customer) rows for customers read by every company's measures."""
    partner_ids = sorted({partner_id for partner_id in partner_ids if partner_id})
    if not partner_ids:
        return []
    env.cr.execute(
        """SELECT c.id, p.commercial_partner_id FROM res_company c, res_partner p WHERE p.id = ANY(%(ids)s)
           UNION SELECT c.id, p.id FROM res_company c, res_partner p WHERE p.id = ANY(%(ids)s)""",
        {"ids": partner_ids},
    )
    return env.cr.fetchall()


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _tier_changed_rows(self):
        """(company, commercial customer) of these orders that are confirmed in the database."""
        self.env.cr.execute(
            """SELECT DISTINCT so.company_id, rp.commercial_partner_id
                 FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
                WHERE so.id = ANY(%s) AND so.state = 'sale'""",
            [self.ids],
        )
        return self.env.cr.fetchall()

    @api.model
    def _create(self, data_list):
        orders = super()._create(data_list)
        _changed(self.env, _every_company_of(self.env, orders._tier_changed_rows()))
        return orders

    def _write_multi(self, vals_list):
        if _written(vals_list, ORDER_FIELDS):
            # an order counts while it is confirmed: the customer it leaves and the one it
            # joins when confirmed, cancelled, or moved to another customer or company
            self.env.cr.execute(
                """SELECT so.id, so.state, so.company_id, rp.commercial_partner_id
                     FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id WHERE so.id = ANY(%s)""",
                [self.ids],
            )
            stored = {row[0]: row[1:] for row in self.env.cr.fetchall()}
            rows, joined = [], []
            for order, vals in zip(self, vals_list, strict=True):
                state, company, partner = stored.get(order.id, (None, None, None))
                if state != "sale" and vals.get("state") != "sale":
                    continue
                rows.append((vals.get("company_id") or company, partner))
                rows.append((company, partner))
                if vals.get("partner_id"):
                    joined.append((vals.get("company_id") or company, vals["partner_id"]))
            if joined:
                self.env.cr.execute(
                    "SELECT id, commercial_partner_id FROM res_partner WHERE id = ANY(%s)",
                    [[partner for _company, partner in joined]],
                )
                commercial = dict(self.env.cr.fetchall())
                rows += [(company, commercial.get(partner)) for company, partner in joined]
            _changed(self.env, _every_company_of(self.env, rows))
        return super()._write_multi(vals_list)

    def unlink(self):
        _changed(self.env, _every_company_of(self.env, self._tier_changed_rows()))
        return super().unlink()


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _tier_changed_rows(self, order_ids=()):
        """(company, commercial customer) of the confirmed orders of these lines (and of
        ``order_ids``), as they are in the database."""
        self.env.cr.execute(
            """SELECT DISTINCT so.company_id, rp.commercial_partner_id
                 FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
                WHERE so.state = 'sale'
                  AND (so.id = ANY(%s) OR so.id IN (SELECT order_id FROM sale_order_line WHERE id = ANY(%s)))""",
            [list(order_ids), self.ids],
        )
        return self.env.cr.fetchall()

    @api.model
    def _create(self, data_list):
        lines = super()._create(data_list)
        _changed(self.env, _every_company_of(self.env, lines._tier_changed_rows()))
        return lines

    def _write_multi(self, vals_list):
        if _written(vals_list, LINE_FIELDS):
            moved_to = [vals["order_id"] for vals in vals_list if vals.get("order_id")]
            _changed(self.env, _every_company_of(self.env, self._tier_changed_rows(moved_to)))
        return super()._write_multi(vals_list)

    def unlink(self):
        _changed(self.env, _every_company_of(self.env, self._tier_changed_rows()))
        return super().unlink()


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _create(self, data_list):
        partners = super()._create(data_list)
        # a new contact or prospect without orders joins the population only as a customer
        if any(data["stored"].get("customer_rank") for data in data_list):
            _changed(self.env, _every_company(self.env, partners.ids))
        return partners

    def _write_multi(self, vals_list):
        if _written(vals_list, PARTNER_FIELDS):
            # the customers themselves and the commercial entities they leave or join
            joined = [vals.get("commercial_partner_id") or vals.get("parent_id") for vals in vals_list]
            _changed(self.env, _every_company(self.env, self.ids + joined))
        return super()._write_multi(vals_list)

    def unlink(self):
        _changed(self.env, _every_company(self.env, self.ids))
        return super().unlink()

    def _increase_rank(self, field, n=1):
        # the accounting counts invoices with SQL of its own: a first one makes a customer
        if field == "customer_rank" and self.ids:
            self.env.cr.execute("SELECT id FROM res_partner WHERE id = ANY(%s) AND customer_rank = 0", [self.ids])
            _changed(self.env, _every_company(self.env, [row[0] for row in self.env.cr.fetchall()]))
        return super()._increase_rank(field, n=n)


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        # the merge moves orders to the kept contact with SQL of its own: read them all again
        _changed(self.env)
        return super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _write_multi(self, vals_list):
        if _written(vals_list, PRODUCT_FIELDS):
            _changed(self.env)
        return super()._write_multi(vals_list)


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def _write_multi(self, vals_list):
        if _written(vals_list, TEMPLATE_FIELDS):
            _changed(self.env)
        return super()._write_multi(vals_list)


class ProductCategory(models.Model):
    _inherit = "product.category"

    @api.model
    def _create(self, data_list):
        categories = super()._create(data_list)
        _changed(self.env)  # a category's bit is its position among all categories
        return categories

    def unlink(self):
        _changed(self.env)
        return super().unlink()


class UomUom(models.Model):
    _inherit = "uom.uom"

    def _write_multi(self, vals_list):
        if _written(vals_list, UOM_FIELDS):
            _changed(self.env)
        return super()._write_multi(vals_list)


class CustomerTierRating(models.Model):
    _inherit = "customer.tier.rating"

    def _tier_changed_rows(self):
        self.env.cr.execute(
            """SELECT DISTINCT r.company_id, p.commercial_partner_id
                 FROM customer_tier_rating r JOIN res_partner p ON p.id = r.partner_id
                WHERE r.id = ANY(%s)
                UNION SELECT DISTINCT company_id, partner_id FROM customer_tier_rating WHERE id = ANY(%s)""",
            [self.ids, self.ids],
        )
        return self.env.cr.fetchall()

    @api.model
    def _create(self, data_list):
        ratings = super()._create(data_list)
        _changed(self.env, ratings._tier_changed_rows())
        return ratings

    def _write_multi(self, vals_list):
        if _written(vals_list, {"partner_id", "company_id"}):
            rows = self._tier_changed_rows()
            super_result = super()._write_multi(vals_list)
            _changed(self.env, rows + self._tier_changed_rows())
            return super_result
        return super()._write_multi(vals_list)

    def unlink(self):
        _changed(self.env, self._tier_changed_rows())
        return super().unlink()
