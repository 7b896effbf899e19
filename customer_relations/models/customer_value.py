import csv
import io
import json

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER, LIFECYCLE_STAGE, QUADRANT

# Columns written by the set-based upsert (COPY into a temporary table), with their SQL types.
_UPSERT_COLUMNS = [
    ("revenue", "numeric"),
    ("revenue_previous", "numeric"),
    ("growth", "float8"),
    ("margin", "numeric"),
    ("order_count", "int4"),
    ("breadth", "int4"),
    ("relationship_years", "float8"),
    ("punctuality_days", "float8"),
    ("complaint_count", "int4"),
    ("satisfaction_index", "float8"),
    ("regularity", "float8"),
    ("score", "float8"),
    ("rating_total", "float8"),
    ("contribution_score", "float8"),
    ("loyalty_score", "float8"),
    ("quadrant", "varchar"),
    ("proposed_tier", "varchar"),
    ("proposed_class", "varchar"),
    ("lifecycle_stage", "varchar"),
    ("breakdown", "jsonb"),
]


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

    _sql_constraints = [
        ("partner_company_uniq", "unique(partner_id, company_id)", "A customer has one value record per company."),
    ]

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

    @api.depends("breakdown", "policy_id.criterion_ids")
    def _compute_breakdown_html(self):
        for value in self:
            breakdown = value.breakdown or {}
            criteria = value.policy_id.criterion_ids.filtered(lambda c: c.active and c.weight > 0)
            total_weight = sum(criteria.mapped("weight")) or 1.0
            rows = []
            for criterion in criteria:
                score = breakdown.get(str(criterion.id))
                if criterion.kind == "measured":
                    raw = value._measure_of(criterion.measure)
                    raw_text = f"{raw:,.2f}" if isinstance(raw, float) else str(raw if raw is not None else "")
                else:
                    raw_text = f"{score / 25.0 + 1.0:.1f} / 5" if score is not None else ""
                rows.append(
                    Markup(
                        "<tr><td>{}</td><td class='text-end'>{}</td><td class='text-end'>{:.0f}</td>"
                        "<td class='text-end'>{}</td><td class='text-end'>{}</td></tr>"
                    ).format(
                        criterion.name,
                        raw_text,
                        criterion.weight,
                        f"{score:.1f}" if score is not None else value.env._("missing"),
                        f"{score * criterion.weight / total_weight:.1f}" if score is not None else "",
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
            value.breakdown_html = header + Markup("<tbody>") + Markup("").join(rows) + Markup("</tbody></table>")

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _store_results(self, policy, on_date, measures, result, breakdown):
        """Upsert one record per evaluated customer in one statement, drop the records of
        customers no longer evaluated, and set the customers' lifecycle stage."""
        company = policy.company_id
        ids = [int(i) for i in result.index]
        frame = measures.reindex(result.index)

        def column(series, kind):
            values = series.tolist()
            if kind in ("int4",):
                return [None if v is None or v != v else int(round(v)) for v in values]
            if kind in ("float8", "numeric"):
                return [None if v is None or v != v else float(v) for v in values]
            return [None if v is None or v != v else str(v) for v in values]

        data = {
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
        columns = [column(data[name], kind) for name, kind in _UPSERT_COLUMNS if name != "breakdown"]
        columns.append([json.dumps({str(k): v for k, v in breakdown.get(i, {}).items()}) for i in result.index])
        names = [name for name, _kind in _UPSERT_COLUMNS]
        key = str(company.id)
        self.env.flush_all()
        cr = self.env.cr
        # COPY the results into a temporary table: far cheaper than array parameters, which
        # psycopg2 sends as SQL text of every value.
        cr.execute("DROP TABLE IF EXISTS pg_temp.customer_value_load")
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE customer_value_load (partner_id int4 PRIMARY KEY, %s) ON COMMIT DROP",
                SQL(", ").join(SQL("%s %s", SQL.identifier(name), SQL(kind)) for name, kind in _UPSERT_COLUMNS),
            )
        )
        # CSV through the C writer: None becomes an empty unquoted field, which COPY reads as NULL.
        buffer = io.StringIO()
        csv.writer(buffer).writerows(zip(ids, *columns, strict=True))
        buffer.seek(0)
        cr.copy_expert(
            f"COPY customer_value_load (partner_id, {', '.join(names)}) FROM STDIN WITH (FORMAT csv)", buffer
        )
        cr.execute(
            f"""
            INSERT INTO customer_value (partner_id, company_id, policy_id, date, region_id, industry_id, user_id,
                                        country_id, customer_tier, account_class, anomaly_count,
                                        create_uid, create_date, write_uid, write_date, {", ".join(names)})
            SELECT v.partner_id, %s, %s, %s, p.region_id, p.industry_id, p.user_id, p.country_id,
                   p.customer_tier ->> %s, p.account_class ->> %s, 0,
                   %s, now() at time zone 'UTC', %s, now() at time zone 'UTC', {", ".join("v." + n for n in names)}
              FROM customer_value_load v
              JOIN res_partner p ON p.id = v.partner_id
            ON CONFLICT (partner_id, company_id) DO UPDATE
               SET policy_id = EXCLUDED.policy_id, date = EXCLUDED.date,
                   write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date,
                   {", ".join(f"{n} = EXCLUDED.{n}" for n in names)}
             WHERE ({", ".join(f"customer_value.{n}" for n in names)}, customer_value.policy_id)
                   IS DISTINCT FROM ({", ".join(f"EXCLUDED.{n}" for n in names)}, EXCLUDED.policy_id)
            """,  # column names come from the module constant, values are parameters
            [company.id, policy.id, on_date, key, key, self.env.uid, self.env.uid],
        )
        cr.execute(
            """
            DELETE FROM customer_value c
             WHERE c.company_id = %s
               AND NOT EXISTS (SELECT 1 FROM customer_value_load v WHERE v.partner_id = c.partner_id)
            """,
            [company.id],
        )
        cr.execute(
            """
            UPDATE res_partner p
               SET lifecycle_stage = COALESCE(p.lifecycle_stage, '{}'::jsonb)
                                     || jsonb_build_object(%s, v.lifecycle_stage)
              FROM customer_value_load v
             WHERE p.id = v.partner_id AND (p.lifecycle_stage ->> %s) IS DISTINCT FROM v.lifecycle_stage
            """,
            [key, key],
        )
        cr.execute("DROP TABLE pg_temp.customer_value_load")
        self.env.invalidate_all()
        return self.search([("company_id", "=", company.id)])

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }
