"""What counts as a change of the rows the kept tiering measures are read from, and how it is
recorded (``customer.tier.measure.store``); used by the models' low-level writes
(``tier_measure_sources``, ``sale_order``, ``res_partner``). No model here."""

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


def written(vals_list, watched):
    return any(not watched.isdisjoint(vals) for vals in vals_list)


def changed(env, rows=None):
    env["customer.tier.measure.store"]._sources_changed(rows)


def every_company_of(env, rows):
    """The customers of (company, customer) rows for every company: a prospect shared by the
    companies stays in their population until it has a confirmed order in any of them."""
    return every_company(env, [partner for _company, partner in rows])


def every_company(env, partner_ids):
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
