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


def changed(env, partner_ids=None):
    """Record that these customers' measures may have changed, in every company (a prospect
    shared by the companies stays in their population until it has a confirmed order in any of
    them); ``None``: every customer's."""
    env["customer.tier.measure.store"]._sources_changed(partner_ids)


def customers(env, partner_ids):
    """These partners and their commercial entities."""
    partner_ids = sorted({partner_id for partner_id in partner_ids if partner_id})
    if not partner_ids:
        return []
    env.cr.execute("SELECT commercial_partner_id FROM res_partner WHERE id = ANY(%s)", [partner_ids])
    return partner_ids + [row[0] for row in env.cr.fetchall()]
