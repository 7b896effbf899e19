import io

import numpy as np
import pandas as pd
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import pgcopy
from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER, LIFECYCLE_STAGE, QUADRANT

# Columns written by the set-based upsert, in the order of the load table.
_UPSERT_COLUMNS = [
    "revenue",
    "revenue_previous",
    "growth",
    "margin",
    "order_count",
    "breadth",
    "relationship_years",
    "punctuality_days",
    "complaint_count",
    "satisfaction_index",
    "regularity",
    "score",
    "rating_total",
    "contribution_score",
    "loyalty_score",
    "quadrant",
    "proposed_tier",
    "proposed_class",
    "lifecycle_stage",
    "breakdown",
]
# Selection columns: loaded as the position of their key.
_SELECTIONS = {
    "quadrant": QUADRANT,
    "proposed_tier": CUSTOMER_TIER,
    "proposed_class": ACCOUNT_CLASS,
    "lifecycle_stage": LIFECYCLE_STAGE,
}


class CustomerValue(models.Model):
    """The evaluation of one customer for one company: measures, score and its breakdown,
    proposals, lifecycle and anomalies. Written in bulk by the tier policy; the official tier
    and class are mirrored here from the customer for analysis."""

    _name = "customer.value"
    _description = "Customer Value"
    _order = "score desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    policy_id = fields.Many2one("customer.tier.policy", required=True, ondelete="cascade", check_company=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date("Changed on", required=True, help="Evaluation date that last changed these figures.")
    region_id = fields.Many2one(related="partner_id.region_id", store=True, string="Sales Region")
    industry_id = fields.Many2one(related="partner_id.industry_id", store=True)
    user_id = fields.Many2one(related="partner_id.user_id", store=True, string="Salesperson")
    country_id = fields.Many2one(related="partner_id.country_id", store=True)

    revenue = fields.Monetary(help="Confirmed orders, untaxed, in company currency, in the evaluation window.")
    revenue_previous = fields.Monetary("Revenue (comparison window)")
    growth = fields.Float("Growth %", aggregator="avg")
    margin = fields.Monetary("Gross margin", help="Revenue less product cost, on the lines whose cost is known.")
    order_count = fields.Integer("Orders")
    breadth = fields.Integer("Product categories", aggregator="avg")
    relationship_years = fields.Float(aggregator="avg", digits=(16, 1))
    punctuality_days = fields.Float("Days paid late", aggregator="avg", digits=(16, 1))
    complaint_count = fields.Integer("Complaints")
    satisfaction_index = fields.Float(aggregator="avg")
    regularity = fields.Float("Purchase regularity", aggregator="avg", help="Share of months with an order.")
    score = fields.Float("Value score", aggregator="avg", digits=(16, 1))
    rating_total = fields.Float("Weighted rating total", aggregator="avg")
    contribution_score = fields.Float("Contribution", aggregator="avg", digits=(16, 1))
    loyalty_score = fields.Float("Loyalty", aggregator="avg", digits=(16, 1))
    quadrant = fields.Selection(QUADRANT)
    recommendation = fields.Char(compute="_compute_recommendation")
    proposed_tier = fields.Selection(CUSTOMER_TIER)
    proposed_class = fields.Selection(ACCOUNT_CLASS)
    customer_tier = fields.Selection(CUSTOMER_TIER, string="Tier")
    account_class = fields.Selection(ACCOUNT_CLASS)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGE)
    breakdown = fields.Json()
    breakdown_html = fields.Html(compute="_compute_breakdown_html", sanitize=False, string="Score breakdown")
    anomaly_ids = fields.One2many("customer.value.anomaly", "value_id", string="Anomalies")
    anomaly_count = fields.Integer(compute="_compute_anomaly_count", store=True)
    fingerprint = fields.Float(
        readonly=True, copy=False, help="Technical: tells the recompute whether the figures changed."
    )

    _sql_constraints = [
        ("partner_company_uniq", "unique(partner_id, company_id)", "A customer has one value record per company."),
    ]

    def init(self):
        """Half-empty pages: a recompute that rewrites every customer (after a change of the
        policy) then updates each row inside its own page (PostgreSQL's HOT update, no new entry
        in the four indexes); measured by ``bench/bench_tiering.py``. New pages only: the pages
        written before keep their rows until these are rewritten (``VACUUM FULL customer_value``
        repacks them at once)."""
        result = super().init()
        self.env.cr.execute("SELECT reloptions FROM pg_class WHERE relname = 'customer_value'")
        if "fillfactor=50" not in (self.env.cr.fetchone()[0] or []):
            self.env.cr.execute("ALTER TABLE customer_value SET (fillfactor = 50)")
        return result

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("anomaly_ids.active")
    def _compute_anomaly_count(self):
        counts = dict(
            self.env["customer.value.anomaly"]._read_group([("value_id", "in", self.ids)], ["value_id"], ["__count"])
        )
        for value in self:
            value.anomaly_count = counts.get(value, 0)

    @api.depends("quadrant")
    def _compute_recommendation(self):
        texts = {
            "core": self.env._("Protect and deepen: executive contact, joint planning, a key-account agreement."),
            "at_risk": self.env._("Build loyalty: regular visits, service commitments, lock in with an agreement."),
            "develop": self.env._("Grow the share of wallet: cross-sell, targeted offers, technical support."),
            "marginal": self.env._("Serve efficiently: standard terms, distributor or online channels."),
        }
        for value in self:
            value.recommendation = texts.get(value.quadrant, "")

    def _measure_of(self, measure):
        self.ensure_one()
        mapping = {
            "revenue": self.revenue,
            "margin": self.margin,
            "order_count": self.order_count,
            "relationship_years": self.relationship_years,
            "growth": self.growth,
            "breadth": self.breadth,
            "punctuality": self.punctuality_days,
            "complaints": self.complaint_count,
            "satisfaction": self.satisfaction_index,
        }
        return mapping.get(measure)

    @api.depends("breakdown", "score", "policy_id.criterion_ids")
    def _compute_breakdown_html(self):
        for value in self:
            breakdown = value.breakdown or {}
            criteria = value.policy_id.criterion_ids.filtered(lambda c: c.active and c.weight > 0)
            # The score is the weighted mean over the criteria with data: points are shared out
            # over those weights, so that they add up to the score.
            weight_used = sum(c.weight for c in criteria if breakdown.get(str(c.id)) is not None) or 1.0
            no_data = value.env._("no data")
            rows = []
            for criterion in criteria:
                score = breakdown.get(str(criterion.id))
                if criterion.kind == "measured":
                    raw = value._measure_of(criterion.measure) if score is not None else None
                    if raw is None or raw is False:
                        raw_text = no_data
                    elif isinstance(raw, float):
                        raw_text = f"{raw:,.2f}"
                    else:
                        raw_text = str(raw)
                else:
                    raw_text = f"{score / 25.0 + 1.0:.1f} / 5" if score is not None else no_data
                rows.append(
                    Markup(
                        "<tr><td>{}</td><td class='text-end'>{}</td><td class='text-end'>{:.0f}</td>"
                        "<td class='text-end'>{}</td><td class='text-end'>{}</td></tr>"
                    ).format(
                        criterion.name,
                        raw_text,
                        criterion.weight,
                        f"{score:.1f}" if score is not None else no_data,
                        f"{score * criterion.weight / weight_used:.2f}" if score is not None else "",
                    )
                )
            header = Markup(
                "<table class='table table-sm o_cr_breakdown'><thead><tr><th>{}</th><th class='text-end'>{}</th>"
                "<th class='text-end'>{}</th><th class='text-end'>{}</th><th class='text-end'>{}</th></tr></thead>"
            ).format(
                value.env._("Criterion"),
                value.env._("Value"),
                value.env._("Weight"),
                value.env._("Score (0-100)"),
                value.env._("Points"),
            )
            footer = Markup(
                "<tfoot><tr><th>{}</th><th></th><th></th><th></th><th class='text-end'>{:.2f}</th></tr></tfoot>"
            ).format(value.env._("Value score"), value.score)
            value.breakdown_html = (
                header + Markup("<tbody>") + Markup("").join(rows) + Markup("</tbody>") + footer + Markup("</table>")
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _store_results(self, policy, on_date, measures, result, breakdown):
        """Write one record per evaluated customer, drop the records of customers no longer
        evaluated, and set the customers' lifecycle stage.

        Only what changed is written: each customer's figures get a fingerprint, compared
        with the one stored on its record. The changed rows reach the database as one binary
        COPY of floats into a temporary table (``engine.pgcopy``: no value is turned into
        text in Python); selections travel as their position in the selection, the
        breakdown as one column per criterion that becomes JSON in the database.
        """
        company = policy.company_id
        figures, loaded, criterion_ids = self._result_figures(measures, result, breakdown)
        fingerprints = pgcopy.row_fingerprints(figures, ",".join(map(str, criterion_ids)))
        partner_ids = np.asarray(result.index, dtype=np.int64)
        self.env.flush_all()
        cr = self.env.cr
        # The stored fingerprints (NaN where the record belongs to another policy).
        buffer = io.BytesIO()
        cr.copy_expert(
            cr.mogrify(
                SQL(
                    """COPY (SELECT partner_id, COALESCE(CASE WHEN policy_id = %s THEN fingerprint END, 'NaN')
                               FROM customer_value WHERE company_id = %s) TO STDOUT WITH (FORMAT binary)""",
                    policy.id,
                    company.id,
                )
            ).decode(),
            buffer,
        )
        stored_ids, stored = pgcopy.read_float_table(buffer.getvalue(), 1)
        stored = pd.Series(stored[:, 0], index=stored_ids)
        changed = stored.reindex(partner_ids).to_numpy() != fingerprints  # NaN (new) differs too
        # Which changed customers have no record yet, and whose stage on the customer moves:
        # the statements that would find nothing to do are not run (each one joins every
        # loaded row, about 0.15 s at 100,000 customers).
        is_new = ~np.isin(partner_ids, stored_ids)
        # (measures kept from an earlier recompute carry the stages from before its write-back)
        kept = measures.attrs.get("kept")
        official = measures["official_lifecycle"] if "official_lifecycle" in measures.columns and not kept else None
        restage = (
            np.ones(len(partner_ids), dtype=bool)
            if official is None
            else (official.reindex(result.index).to_numpy() != result["lifecycle"].to_numpy())
        )
        gone = np.setdiff1d(stored_ids, partner_ids)
        if gone.size:
            cr.execute(
                "DELETE FROM customer_value WHERE company_id = %s AND partner_id = ANY(%s)",
                [company.id, gone.tolist()],
            )
        if changed.any():
            self._write_changed(
                policy,
                on_date,
                partner_ids[changed],
                np.column_stack([figures[changed], fingerprints[changed]]),
                loaded,
                criterion_ids,
                insert=bool(is_new[changed].any()),
                update=bool((~is_new[changed]).any()),
                restage=bool(restage[changed].any()),
            )
        self.env.invalidate_all()
        return self.search([("company_id", "=", company.id)], order="id")

    @api.model
    def _result_figures(self, measures, result, breakdown):
        """The figures of every evaluated customer as one float matrix (row per customer in
        the order of ``result``): the loaded columns, then one per criterion of the breakdown.
        :return: (matrix, loaded column names, criterion ids)"""
        frame = measures.reindex(result.index)
        sources = {
            "revenue": frame["revenue"],
            "revenue_previous": frame["revenue_previous"],
            "growth": result["growth"],
            "margin": frame["margin"],
            "order_count": frame["order_count"],
            "breadth": frame["breadth"],
            "relationship_years": frame["relationship_years"],
            "punctuality_days": frame["punctuality"],
            "complaint_count": frame["complaints"],
            "satisfaction_index": frame["satisfaction"],
            "regularity": frame["regularity"],
            "score": result["score"],
            "rating_total": result["rating_total"],
            "contribution_score": result["contribution"],
            "loyalty_score": result["loyalty"],
            "quadrant": result["quadrant"],
            "proposed_tier": result["tier"],
            "proposed_class": result["account_class"],
            "lifecycle_stage": result["lifecycle"],
        }
        criterion_ids = [int(key) for key in breakdown.columns]
        loaded = [name for name in _UPSERT_COLUMNS if name != "breakdown"]
        figures = np.empty((len(result.index), len(loaded) + len(criterion_ids)), dtype=np.float64)
        for position, name in enumerate(loaded):
            if name in _SELECTIONS:
                keys = [key for key, _label in _SELECTIONS[name]]
                codes = pd.Categorical(sources[name], categories=keys).codes.astype(np.float64)
                figures[:, position] = np.where(codes < 0, np.nan, codes)
            else:
                figures[:, position] = pd.to_numeric(sources[name], errors="coerce").to_numpy(dtype=np.float64)
        figures[:, len(loaded) :] = breakdown.reindex(result.index).to_numpy(dtype=np.float64)
        return figures, loaded, criterion_ids

    @api.model
    def _write_changed(
        self, policy, on_date, partner_ids, figures, loaded, criterion_ids, insert=True, update=True, restage=True
    ):
        """Load the changed rows (figures + fingerprint as the last column) and update or
        insert their records, then set those customers' lifecycle stage.

        ``insert`` / ``update`` / ``restage``: False when the caller knows that no loaded row
        is new / that none has a record yet / that no customer's stage moves; the statement
        is then left out (each would still check every loaded row)."""
        company = policy.company_id
        key = str(company.id)
        cr = self.env.cr
        columns = loaded + [f"c{cid}" for cid in criterion_ids] + ["fingerprint"]
        cr.execute("DROP TABLE IF EXISTS pg_temp.customer_value_load")
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE customer_value_load (partner_id int4, %s) ON COMMIT DROP",
                SQL(", ").join(SQL("%s float8", SQL.identifier(name)) for name in columns),
            )
        )
        cr.copy_expert(
            "COPY customer_value_load (partner_id, {}) FROM STDIN WITH (FORMAT binary)".format(", ".join(columns)),
            io.BytesIO(pgcopy.float_table_payload(partner_ids, figures)),
        )

        def loaded_value(name):
            """The loaded float as the column's value: NaN -> NULL, a position -> the key."""
            value = SQL("NULLIF(v.%s, 'NaN')", SQL.identifier(name))
            if name in _SELECTIONS:
                keys = SQL(", ").join(key for key, _label in _SELECTIONS[name])
                return SQL("(ARRAY[%s]::varchar[])[%s::int4 + 1]", keys, value)
            return value

        # The breakdown {criterion id: score} written as JSON text and parsed once: building it
        # with jsonb_build_object converts every float on its own and cost twice as much (0.6 s
        # against 0.3 s for 100,000 customers). A missing score (NULL) drops its key: ``||``
        # with NULL is NULL, and concat_ws skips NULLs. The float's text is PostgreSQL's
        # shortest exact form, the number jsonb keeps either way. In chunks: a function takes
        # at most 100 arguments.
        chunks = [criterion_ids[i : i + 50] for i in range(0, len(criterion_ids), 50)]
        breakdown_sql = SQL(
            "('{' || concat_ws(',', %s) || '}')::jsonb",
            SQL(", ").join(
                SQL(
                    "NULLIF(concat_ws(',', %s), '')",
                    SQL(", ").join(SQL("%s || %s", f'"{cid}":', loaded_value(f"c{cid}")) for cid in chunk),
                )
                for chunk in chunks
            )
            if chunks
            else SQL("NULL::text"),
        )
        names = list(_UPSERT_COLUMNS)
        values = [breakdown_sql if name == "breakdown" else loaded_value(name) for name in names]
        common = {"company": company.id, "policy": policy.id, "date": on_date, "key": key, "uid": self.env.uid}
        # Integer and numeric columns take the float figures by assignment cast (rounded).
        if update:
            cr.execute(
                SQL(
                    """
                    UPDATE customer_value c
                       SET policy_id = %(policy)s, date = %(date)s, write_uid = %(uid)s,
                           write_date = now() at time zone 'UTC', fingerprint = v.fingerprint, %(updates)s
                      FROM customer_value_load v
                     WHERE c.company_id = %(company)s AND c.partner_id = v.partner_id
                    """,
                    updates=SQL(", ").join(
                        SQL("%s = %s", SQL.identifier(name), value) for name, value in zip(names, values, strict=True)
                    ),
                    **common,
                )
            )
        if insert:
            cr.execute(
                SQL(
                    """
                INSERT INTO customer_value (partner_id, company_id, policy_id, date, region_id, industry_id, user_id,
                                            country_id, customer_tier, account_class, anomaly_count,
                                            create_uid, create_date, write_uid, write_date, fingerprint, %(columns)s)
                SELECT v.partner_id, %(company)s, %(policy)s, %(date)s, p.region_id, p.industry_id, p.user_id,
                       p.country_id, p.customer_tier ->> %(key)s, p.account_class ->> %(key)s, 0,
                       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC', v.fingerprint, %(values)s
                  FROM customer_value_load v
                  JOIN res_partner p ON p.id = v.partner_id
                 WHERE NOT EXISTS (SELECT 1 FROM customer_value c
                                    WHERE c.company_id = %(company)s AND c.partner_id = v.partner_id)
                    ON CONFLICT (partner_id, company_id) DO NOTHING
                    """,
                    columns=SQL(", ").join(SQL.identifier(name) for name in names),
                    values=SQL(", ").join(values),
                    **common,
                )
            )
        # The customer's stage follows its evaluation record: set where that record changed.
        if restage:
            cr.execute(
                SQL(
                    """
                    UPDATE res_partner p
                       SET lifecycle_stage = COALESCE(p.lifecycle_stage, '{}'::jsonb)
                                             || jsonb_build_object(%(key)s::text, l.stage)
                      FROM (SELECT v.partner_id, %(stage)s AS stage FROM customer_value_load v) l
                     WHERE p.id = l.partner_id AND (p.lifecycle_stage ->> %(key)s) IS DISTINCT FROM l.stage
                    """,
                    key=key,
                    stage=loaded_value("lifecycle_stage"),
                )
            )
        cr.execute("DROP TABLE pg_temp.customer_value_load")

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }
