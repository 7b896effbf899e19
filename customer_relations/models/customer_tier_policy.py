import io
from datetime import date as date_type
from datetime import datetime, time, timedelta

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_datetime

from ..engine import pgcopy, tiering
from .customer_job import exclusive, notify_progress, run_batch
from .customer_tier_measure_store import RECALL_LIMIT
from .protected_fields import without_defaults
from .sql_settings import without_jit
from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER, LIFECYCLE_STAGE

# Written by the recompute only.
RUN_FIELDS = {"last_run", "orders_read_at", "last_run_kept"}


class CustomerTierPolicy(models.Model):
    _name = "customer.tier.policy"
    _description = "Customer Tier Policy"
    _inherit = ["mail.thread", "customer.background.job.mixin"]
    _background_cron = "customer_relations.ir_cron_customer_tier_policy_jobs"
    _order = "company_id, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, default="Customer value policy", translate=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    criterion_ids = fields.One2many(
        "customer.tier.criterion",
        "policy_id",
        string="Criteria",
        copy=True,
        default=lambda self: self._default_criteria_commands(),
    )
    evaluation_months = fields.Integer(
        default=12,
        required=True,
        tracking=True,
        help="Months of confirmed orders the evaluation looks at (1 to 60); the comparison window is the "
        "same number of months just before it.",
    )
    tier_method = fields.Selection(
        [
            ("threshold", "Score thresholds"),
            ("rank_share", "Share of customers by rank"),
            ("pareto", "Cumulative share of revenue (Pareto)"),
        ],
        default="threshold",
        required=True,
        tracking=True,
    )
    threshold_a = fields.Float("A from score", default=70.0)
    threshold_b = fields.Float("B from score", default=40.0)
    share_a = fields.Float("A: top % of customers", default=10.0)
    share_b = fields.Float("B: next % of customers", default=20.0)
    pareto_a = fields.Float("A: first % of revenue", default=70.0)
    pareto_b = fields.Float("B: up to % of revenue", default=90.0)
    lost_months = fields.Integer("Lost after months without order", default=12)
    identification_months = fields.Integer("New customer for months", default=12)
    decline_threshold = fields.Float("Decline below growth of -%", default=20.0)
    development_threshold = fields.Float("Development from growth of %", default=10.0)
    anomaly_drop_threshold = fields.Float("Alert when an A customer drops by %", default=20.0)
    complaint_threshold = fields.Integer("Alert from complaints in the window", default=3)
    cross_sell_max_categories = fields.Integer("Cross-sell gap: buys at most categories", default=2)
    cross_sell_peer_categories = fields.Float("Cross-sell gap: peers buy at least categories", default=4.0)
    high_growth_threshold = fields.Float("Potential: growth from %", default=30.0)
    potential_rating_threshold = fields.Float(
        "Potential prospect from rating score",
        default=50.0,
        help="A customer without orders whose ratings average at least this 0-100 score is "
        "proposed as a potential account.",
    )
    quadrant_threshold = fields.Float("Contribution / loyalty split at", default=50.0)
    auto_review = fields.Boolean(
        "Scheduled reviews",
        default=True,
        help="Create the annual and the half-year review automatically on the dates below.",
    )
    annual_review_month = fields.Integer(default=1)
    annual_review_day = fields.Integer(default=15)
    half_year_review_month = fields.Integer("Half-year review month", default=7)
    half_year_review_day = fields.Integer("Half-year review day", default=15)
    target_growth_a = fields.Float(
        "Target growth, tier A (%)",
        default=5.0,
        help="Next year's target of an A customer in the customer review: this year's revenue plus this share.",
    )
    target_growth_b = fields.Float("Target growth, tier B (%)", default=10.0)
    target_growth_c = fields.Float("Target growth, tier C (%)", default=15.0)
    last_run = fields.Datetime("Last computed", readonly=True, copy=False)
    orders_read_at = fields.Datetime(
        "Orders last read in full",
        readonly=True,
        copy=False,
        help="When a recompute last measured every customer from the orders. In between, a recompute "
        "measures again only the customers whose orders, data or ratings changed, and takes the others "
        "as measured before (the same figures reading every order would give).",
    )
    last_run_kept = fields.Integer(
        "Customers taken as measured before",
        readonly=True,
        copy=False,
        help="Customers of the last recompute whose orders had not changed since they were measured.",
    )
    value_count = fields.Integer(compute="_compute_value_count", string="Evaluated customers")
    review_count = fields.Integer(compute="_compute_review_count", string="Reviews")

    _sql_constraints = [
        ("company_uniq", "unique(company_id)", "A company has one tier policy."),
        (
            "evaluation_months_range",
            "CHECK(evaluation_months BETWEEN 1 AND 60)",
            "The evaluation window is from 1 to 60 months.",
        ),
    ]

    def init(self):
        result = super().init()
        self.env["customer.tier.measure.store"]._create_tables()
        return result

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_value_count(self):
        counts = dict(
            self.env["customer.value"]._read_group([("policy_id", "in", self.ids)], ["policy_id"], ["__count"])
        )
        for policy in self:
            policy.value_count = counts.get(policy, 0)

    def _compute_review_count(self):
        counts = dict(
            self.env["customer.tier.review"]._read_group([("policy_id", "in", self.ids)], ["policy_id"], ["__count"])
        )
        for policy in self:
            policy.review_count = counts.get(policy, 0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("threshold_a", "threshold_b", "share_a", "share_b", "pareto_a", "pareto_b")
    def _check_tier_bounds(self):
        bad = self.filtered(
            lambda p: p.threshold_b > p.threshold_a
            or min(p.share_a, p.share_b) < 0
            or p.share_a + p.share_b > 100
            or not 0 <= p.pareto_a <= p.pareto_b <= 100
        )
        if bad:
            raise ValidationError(
                self.env._(
                    "Check the tier limits of %(policies)s: the B score threshold cannot exceed the A "
                    "threshold, shares must lie between 0 and 100 %% and add up to at most 100 %%, and "
                    "the Pareto A share cannot exceed the B share.",
                    policies=", ".join(bad.mapped("display_name")),
                )
            )

    @api.constrains("criterion_ids")
    def _check_criteria(self):
        """At least one active criterion with a positive weight, checked when the policy is saved
        (the evaluation cannot score customers otherwise)."""
        for policy in self:
            criteria = policy.criterion_ids.filtered("active")
            if not criteria:
                raise ValidationError(
                    self.env._(
                        "The tier policy %(policy)s has no criteria: add at least one.", policy=policy.display_name
                    )
                )
            if not any(c.weight > 0 for c in criteria):
                raise ValidationError(
                    self.env._(
                        "All criterion weights of the tier policy %(policy)s are zero: give at least one criterion "
                        "a positive weight.",
                        policy=policy.display_name,
                    )
                )

    @api.constrains("evaluation_months")
    def _check_evaluation_months(self):
        bad = self.filtered(lambda p: not 1 <= p.evaluation_months <= 60)
        if bad:
            raise ValidationError(
                self.env._(
                    "The evaluation window of %(policies)s must be from 1 to 60 months.",
                    policies=", ".join(bad.mapped("display_name")),
                )
            )

    @api.constrains("annual_review_month", "annual_review_day", "half_year_review_month", "half_year_review_day")
    def _check_review_dates(self):
        for policy in self:
            for month, day in (
                (policy.annual_review_month, policy.annual_review_day),
                (policy.half_year_review_month, policy.half_year_review_day),
            ):
                try:
                    date_type(2023, month, day)  # a year that is not a leap year
                except ValueError as error:
                    raise ValidationError(
                        self.env._(
                            "%(policy)s: %(month)s/%(day)s is not a review date every year has.",
                            policy=policy.display_name,
                            month=month,
                            day=day,
                        )
                    ) from error

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _check_run_fields(self, field_names):
        """When and how the last recompute ran is written by the recompute (with sudo())."""
        if set(field_names) & RUN_FIELDS and not self.env.su:
            raise UserError(self.env._("When and how the customer value was last computed is kept by the recompute."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_run_fields({name for vals in vals_list for name, value in vals.items() if value})
        records = self if self.env.su else without_defaults(self, RUN_FIELDS)
        policies = super(CustomerTierPolicy, records).create(vals_list)
        policies._check_criteria()  # also when an empty list of criteria was given
        return policies

    def write(self, vals):
        self._check_run_fields(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_recompute(self):
        """Queue the recompute for the background cron (a large company takes longer than a
        request may last); the person is notified when it is done."""
        self.check_access("write")
        return self._job_enqueue()

    def action_view_values(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_value_action")
        action["domain"] = [("policy_id", "=", self.id)]
        return action

    def action_view_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_tier_review_action")
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {"default_policy_id": self.id, "default_company_id": self.company_id.id}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _get_for_company(self, company):
        """The company's policy, created with the default criteria when it has none."""
        policy = self.sudo().with_context(active_test=False).search([("company_id", "=", company.id)], limit=1)
        if not policy:
            policy = self.sudo().create({"company_id": company.id, "criterion_ids": self._default_criteria_commands()})
        return policy.sudo(False)

    @api.model
    def _ensure_company_policies(self):
        """Give every company without a tier policy the default one."""
        companies = self.env["res.company"].sudo().search([])
        covered = self.sudo().with_context(active_test=False).search([]).company_id
        for company in companies - covered:
            self._get_for_company(company)

    @api.model
    def _default_criteria_commands(self):
        measured = [
            ("Revenue", "revenue", 30, "percentile", False),
            ("Gross margin", "margin", 15, "percentile", False),
            ("Number of orders", "order_count", 10, "percentile", False),
            ("Relationship years", "relationship_years", 10, "percentile", False),
            ("Revenue growth", "growth", 10, "percentile", False),
            ("Breadth of purchase", "breadth", 5, "percentile", False),
            ("Payment punctuality", "punctuality", 5, "minmax", True),
            ("Complaints", "complaints", 5, "percentile", True),
        ]
        rated = [
            "Urgency of need",
            "Purchase volume expected",
            "Financial strength",
            "Ability to pay on time",
            "Reputation for cooperation",
        ]
        commands = [
            fields.Command.create(
                {
                    "sequence": index * 10,
                    "name": name,
                    "kind": "measured",
                    "measure": measure,
                    "weight": weight,
                    "method": method,
                    "lower_is_better": lower,
                    "low": 0.0,
                    "high": 60.0 if measure == "punctuality" else 100.0,
                }
            )
            for index, (name, measure, weight, method, lower) in enumerate(measured, 1)
        ]
        commands += [
            fields.Command.create({"sequence": 100 + index, "name": name, "kind": "rated", "weight": 2})
            for index, name in enumerate(rated, 1)
        ]
        return commands

    def _engine_settings(self):
        self.ensure_one()
        return {key: self[key] for key in tiering.DEFAULT_SETTINGS}

    def _engine_criteria(self):
        """Criterion specs for the engine, checked with messages a person can act on."""
        self.ensure_one()
        criteria = self.criterion_ids.filtered("active")
        if not criteria:
            raise UserError(
                self.env._(
                    "The tier policy of %(company)s has no criteria: add at least one.", company=self.company_id.name
                )
            )
        if not any(c.weight > 0 for c in criteria):
            raise UserError(
                self.env._(
                    "All criterion weights of the tier policy of %(company)s are zero: give at least one "
                    "criterion a positive weight.",
                    company=self.company_id.name,
                )
            )
        return [
            {
                "id": criterion.id,
                "kind": criterion.kind,
                "measure": criterion.measure,
                "weight": criterion.weight,
                "method": criterion.method,
                "low": criterion.low,
                "high": criterion.high,
                "lower_is_better": criterion.lower_is_better,
            }
            for criterion in criteria
        ]

    def _windows(self, on_date):
        """(comparison start, evaluation start, end) as datetimes; ``end`` is exclusive."""
        self.ensure_one()
        end = datetime.combine(on_date + relativedelta(days=1), time.min)
        start = end - relativedelta(months=self.evaluation_months)
        previous = start - relativedelta(months=self.evaluation_months)
        return previous, start, end

    def _gather_measures(self, on_date, remember=False):
        """One row per customer of the company with every measured value (set-based SQL).

        Revenue, margin and quantities are those of ``customer.sales.measure`` (the addon's one
        definition), built into this one tuned statement from its SQL fragments.

        The measures kept by the last recompute of the same date are taken where they are still
        what the statement would give, and only the customers whose orders changed since are
        measured again (``customer.tier.measure.store``); ``remember``: keep the result for the
        next recompute. ``frame.attrs["kept"]`` tells how many customers were taken as kept
        and ``frame.attrs["kept_from"]`` when they were measured."""
        self.ensure_one()
        measure = self.env["customer.sales.measure"]
        self.env.flush_all()
        company_id = self.company_id.id
        previous, start, end = self._windows(on_date)
        cr = self.env.cr
        # One statement, three parts:
        # - orders by commercial partner, all time: first and last order, orders in the
        #   window, and the calendar months of the window with an order;
        # - order lines of both windows: revenue of each window, margin (on the lines whose
        #   product has a cost, quantities in the product's unit) and breadth (product
        #   categories bought) of the evaluation window; the products' cost, unit factor and
        #   category are computed once, as arrays, that each line only looks up;
        # - the population: customers who bought from the company, those rated in it, its
        #   own prospects and shared prospects with no confirmed order in any company yet.
        # Sets (months, categories) are OR-ed 64-bit words, one bit per member, counted at
        # the end: each part is one pass of parallel hash aggregation with fixed-size states,
        # no COUNT DISTINCT. A window of at most 60 months spans at most 61 calendar months.
        # Orders and lines are first aggregated by the partner on the order, then those (few)
        # rows by its commercial partner: looking the commercial partner up for every line
        # cost about a tenth of the statement at 100,000 customers / 2,500,000 lines.
        cr.execute("SELECT COUNT(*) FROM product_category")
        words = max(1, -(-cr.fetchone()[0] // 64))

        def bits(expression):
            return SQL("length(replace(COALESCE(%s, 0)::bit(64)::text, '0', ''))", SQL(expression))

        columns = {
            "industry": SQL("p.industry_id"),
            # selections as their position (1 = first key), NULL when unset
            "official_tier": SQL(
                "array_position(%s::varchar[], p.customer_tier ->> %s)",
                [key for key, _label in CUSTOMER_TIER],
                str(company_id),
            ),
            "official_class": SQL(
                "array_position(%s::varchar[], p.account_class ->> %s)",
                [key for key, _label in ACCOUNT_CLASS],
                str(company_id),
            ),
            # the stage set on the customer by the last recompute (rewritten only where it moves)
            "official_lifecycle": SQL(
                "array_position(%s::varchar[], p.lifecycle_stage ->> %s)",
                [key for key, _label in LIFECYCLE_STAGE],
                str(company_id),
            ),
            "first_order": SQL("h.first_order"),
            "last_order": SQL("h.last_order"),
            "order_count": SQL("h.order_count"),
            "active_months": bits("h.months"),
            "revenue": SQL("l.revenue"),
            "revenue_previous": SQL("l.revenue_previous"),
            "margin": SQL("l.margin"),
            "breadth": SQL(" + ").join(bits(f"l.word_{word}") for word in range(words)),
        }

        def measures_query(partner_ids=None):
            """The statement, for every customer or (``partner_ids``) these ones only."""
            only = partner_ids is not None
            return SQL(
                template,
                only_orders=SQL(
                    "AND so.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s))",
                    partner_ids,
                )
                if only
                else SQL(),
                only_partners=SQL("AND p.id = ANY(%s)", partner_ids) if only else SQL(),
                **arguments,
            )

        template = """
            WITH history AS (
                SELECT rp.commercial_partner_id AS partner_id,
                       date_part('epoch', MIN(o.first_order)) AS first_order,
                       date_part('epoch', MAX(o.last_order)) AS last_order,
                       SUM(o.order_count) AS order_count, bit_or(o.months) AS months
                  FROM (SELECT so.partner_id, MIN(so.date_order) AS first_order, MAX(so.date_order) AS last_order,
                               COUNT(*) FILTER (WHERE so.date_order >= %(start)s) AS order_count,
                               bit_or(1::int8 << ((date_part('year', so.date_order) - %(start_year)s) * 12
                                                  + date_part('month', so.date_order) - %(start_month)s)::int4)
                                   FILTER (WHERE so.date_order >= %(start)s) AS months
                          FROM sale_order so
                         WHERE so.state = 'sale' AND so.company_id = %(company)s AND so.date_order < %(end)s
                               %(only_orders)s
                      GROUP BY so.partner_id) o
                  JOIN res_partner rp ON rp.id = o.partner_id
              GROUP BY rp.commercial_partner_id
            ), category AS (
                SELECT id, (row_number() OVER (ORDER BY id) - 1)::int4 AS position FROM product_category
            ), product AS (
                SELECT pp.id, %(unit_cost)s AS unit_cost, pu.factor AS uom_factor,
                       c.position / 64 AS word, 1::int8 << mod(c.position, 64) AS bit
                  FROM product_product pp
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
             LEFT JOIN uom_uom pu ON pu.id = pt.uom_id
             LEFT JOIN category c ON c.id = pt.categ_id
            ), units AS (
                -- unit factors indexed by unit id: each line looks its unit up, no join
                SELECT array_agg(u.factor::float8 ORDER BY g.id) AS factors
                  FROM generate_series(1, (SELECT COALESCE(MAX(id), 1) FROM uom_uom)) AS g(id)
             LEFT JOIN uom_uom u ON u.id = g.id
            ), lines AS (
                SELECT rp.commercial_partner_id AS partner_id, SUM(o.revenue) AS revenue,
                       SUM(o.revenue_previous) AS revenue_previous, SUM(o.margin) AS margin, %(category_merge)s
                  FROM (SELECT l.partner_id,
                               SUM(l.amount) FILTER (WHERE l.current) AS revenue,
                               SUM(l.amount) FILTER (WHERE NOT l.current) AS revenue_previous,
                               SUM(%(margin)s) FILTER (WHERE l.current AND p.unit_cost IS NOT NULL) AS margin,
                               %(category_words)s
                          FROM (SELECT so.partner_id, sol.product_id, sol.product_uom_qty AS quantity,
                                       sol.product_uom AS uom_id, %(revenue)s AS amount,
                                       sol.price_subtotal > 0 AS sold, so.date_order >= %(start)s AS current
                                  FROM sale_order_line sol
                                  JOIN sale_order so ON so.id = sol.order_id
                                 WHERE %(confirmed)s
                                   AND so.company_id = %(company)s
                                   AND so.date_order >= %(previous)s AND so.date_order < %(end)s
                                   %(only_orders)s) l
                     LEFT JOIN unnest((SELECT array_agg(id ORDER BY id) FROM product),
                                      (SELECT array_agg(unit_cost ORDER BY id) FROM product),
                                      (SELECT array_agg(uom_factor ORDER BY id) FROM product),
                                      (SELECT array_agg(word ORDER BY id) FROM product),
                                      (SELECT array_agg(bit ORDER BY id) FROM product))
                               AS p (id, unit_cost, uom_factor, word, bit) ON p.id = l.product_id
                      GROUP BY l.partner_id) o
                  JOIN res_partner rp ON rp.id = o.partner_id
              GROUP BY rp.commercial_partner_id
            )
            SELECT p.id, %(figures)s
              FROM res_partner p
         LEFT JOIN history h ON h.partner_id = p.id
         LEFT JOIN lines l ON l.partner_id = p.id
             WHERE p.active
               AND p.id = p.commercial_partner_id
               %(only_partners)s
               AND (p.company_id IS NULL OR p.company_id = %(company)s)
               AND (h.partner_id IS NOT NULL
                    OR EXISTS (SELECT 1 FROM customer_tier_rating r
                                WHERE r.partner_id = p.id AND r.company_id = %(company)s)
                    OR (p.customer_rank > 0
                        AND (p.company_id = %(company)s
                             OR NOT EXISTS (SELECT 1
                                              FROM res_partner c
                                              JOIN sale_order so ON so.partner_id = c.id
                                             WHERE c.commercial_partner_id = p.id AND so.state = 'sale'))))
            """
        arguments = dict(  # noqa: C408 (the statement's named arguments)
            figures=SQL(", ").join(SQL("COALESCE((%s)::float8, 'NaN')", expression) for expression in columns.values()),
            company=company_id,
            unit_cost=measure._sales_sql_unit_cost("pp", str(company_id)),
            revenue=measure._sales_sql_revenue(),
            confirmed=measure._sales_sql_confirmed(),
            margin=measure._sales_sql_margin(
                SQL("l.amount"),
                measure._sales_sql_quantity(
                    SQL("l.quantity"), SQL("(SELECT factors FROM units)[l.uom_id]"), SQL("p.uom_factor")
                ),
                SQL("p.unit_cost"),
            ),
            start=start,
            previous=previous,
            end=end,
            start_year=start.year,
            start_month=start.month,
            category_words=SQL(", ").join(
                # with a single word, every category is in it: no test of the word per line
                SQL(
                    "bit_or(p.bit) FILTER (WHERE l.current AND l.sold%s) AS %s",
                    SQL(" AND p.word = %s", word) if words > 1 else SQL(),
                    SQL.identifier(f"word_{word}"),
                )
                for word in range(words)
            ),
            category_merge=SQL(", ").join(
                SQL("bit_or(o.%s) AS %s", SQL.identifier(f"word_{word}"), SQL.identifier(f"word_{word}"))
                for word in range(words)
            ),
        )

        # Read as a binary COPY of floats (NaN for NULL): the rows land in numpy arrays in
        # one step instead of a Python tuple and object per value.
        # Without JIT: compiling this statement costs more than it saves (``sql_settings``).
        def read(query):
            buffer = io.BytesIO()
            with without_jit(cr):
                cr.copy_expert(cr.mogrify(SQL("COPY (%s) TO STDOUT WITH (FORMAT binary)", query)).decode(), buffer)
            return pgcopy.read_float_table(buffer.getvalue(), len(columns))

        store = self.env["customer.tier.measure.store"]
        kept = store._recall(self, on_date)
        if kept is not None and len(kept[2]) > RECALL_LIMIT:
            kept = None
        if kept is None:
            ids, figures = read(measures_query())
            kept_count, kept_from = 0, None
        else:
            payload, kept_from, changed = kept
            ids, figures = pgcopy.read_float_table(payload, len(columns))
            if changed:
                fresh_ids, fresh = read(measures_query(changed))
                keep = ~np.isin(ids, changed)
                ids = np.concatenate([ids[keep], fresh_ids])
                figures = np.vstack([figures[keep], fresh])
                order = np.argsort(ids, kind="stable")
                ids, figures = ids[order], figures[order]
            kept_count = len(ids) - (len(fresh_ids) if changed else 0)
        if remember and (kept is None or kept[2]):
            store._remember(self, on_date, pgcopy.float_table_payload(ids, figures), fields.Datetime.now())
        frame = pd.DataFrame(figures, index=pd.Index(ids, name="partner_id"), columns=list(columns))
        frame.attrs.update(kept=kept_count, kept_from=kept_from)
        for column, selection in (
            ("official_tier", CUSTOMER_TIER),
            ("official_class", ACCOUNT_CLASS),
            ("official_lifecycle", LIFECYCLE_STAGE),
        ):
            # array_position counts from 1; 0 (from NaN) is unset
            keys = np.array([None] + [key for key, _label in selection], dtype=object)
            frame[column] = keys[np.nan_to_num(frame[column].to_numpy(), nan=0.0).astype(int)]
        # Payment punctuality: average days paid late on posted customer invoices.
        cr.execute(
            """
            SELECT rp.commercial_partner_id,
                   AVG(GREATEST(0, COALESCE(LEAST(paid.max_date, %(today)s::date),
                                            CASE WHEN am.payment_state NOT IN ('paid', 'in_payment')
                                                 THEN %(today)s::date END) - am.invoice_date_due))
              FROM account_move am
              JOIN res_partner rp ON rp.id = am.partner_id
         LEFT JOIN LATERAL (
                    SELECT MAX(apr.max_date) AS max_date
                      FROM account_move_line aml
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                     WHERE aml.move_id = am.id AND aml.display_type = 'payment_term'
                   ) paid ON TRUE
             WHERE am.move_type = 'out_invoice' AND am.state = 'posted'
               AND am.company_id = %(company)s
               AND am.invoice_date >= %(start)s AND am.invoice_date < %(end)s
               AND am.invoice_date_due IS NOT NULL
          GROUP BY rp.commercial_partner_id
            """,
            {"company": company_id, "start": start.date(), "end": end.date(), "today": on_date},
        )
        punctuality = pd.DataFrame(cr.fetchall(), columns=["partner_id", "punctuality"]).set_index("partner_id")

        index = frame.index
        # the other figures are floats already (binary read); AVG gives decimals
        frame["punctuality"] = pd.to_numeric(punctuality["punctuality"].reindex(index), errors="coerce").astype(
            "float64"
        )
        for column in ("revenue", "revenue_previous", "order_count", "breadth", "active_months"):
            frame[column] = frame[column].fillna(0.0)
        # Sums of floats added up by parallel workers differ in their last bits from one run
        # to the next: to the cent, the same orders give the same figures (and scores).
        for column in ("revenue", "revenue_previous", "margin"):
            frame[column] = frame[column].round(2)
        # whole days from the first / last order to the end of the window
        reference = (end - datetime(1970, 1, 1)).total_seconds()
        first = pd.to_numeric(frame["first_order"], errors="coerce")
        days_since_first = np.floor((reference - first) / 86400.0)
        days_since_last = np.floor((reference - pd.to_numeric(frame["last_order"], errors="coerce")) / 86400.0)
        frame["months_since_first"] = days_since_first / 30.4375
        frame["months_since_last"] = days_since_last / 30.4375
        frame["relationship_years"] = days_since_first / 365.25
        frame["regularity"] = frame["active_months"] / float(self.evaluation_months)
        frame.loc[first.isna(), "regularity"] = np.nan
        complaints = self._tier_complaint_counts(start, end)
        frame["complaints"] = pd.Series(complaints, dtype="float64").reindex(index).fillna(0.0)
        satisfaction = self._tier_satisfaction_index(on_date)
        frame["satisfaction"] = pd.Series(satisfaction, dtype="float64").reindex(index)
        return frame

    def _gather_ratings(self, on_date):
        """Mean 1-5 rating per customer and rated criterion: the latest rating of each reviewer."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT partner_id, criterion_id, AVG(rating::integer)
              FROM (SELECT DISTINCT ON (partner_id, criterion_id, user_id) partner_id, criterion_id, rating
                      FROM customer_tier_rating
                     WHERE company_id = %(company)s AND date <= %(date)s
                  ORDER BY partner_id, criterion_id, user_id, date DESC, id DESC) latest
          GROUP BY partner_id, criterion_id
            """,
            {"company": self.company_id.id, "date": on_date},
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return pd.DataFrame()
        frame = pd.DataFrame(rows, columns=["partner_id", "criterion_id", "rating"])
        frame["rating"] = frame["rating"].astype("float64")
        return frame.pivot(index="partner_id", columns="criterion_id", values="rating")

    # Hooks for the features that measure complaints, satisfaction and agreements.
    def _tier_complaint_counts(self, date_from, date_to):
        """{commercial partner id: valid complaints received in [date_from, date_to)} (rejected
        ones do not count), one grouped query."""
        self.ensure_one()
        groups = (
            self.env["customer.complaint"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", self.company_id.id),
                    ("state", "!=", "rejected"),
                    ("received_at", ">=", fields.Datetime.to_datetime(date_from)),
                    ("received_at", "<", fields.Datetime.to_datetime(date_to)),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        return {partner.id: count for partner, count in groups}

    def _tier_satisfaction_index(self, on_date):
        """{commercial partner id: latest satisfaction 0-100}: the mean of the index, the intent
        to recommend (x10) and to repurchase where answered, from each customer's latest answer
        given to the policy's company (its campaigns and complaint callbacks)."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (u.satisfaction_partner_id) u.satisfaction_partner_id, u.satisfaction_index,
                   CASE WHEN u.satisfaction_nps_category IS NOT NULL THEN u.satisfaction_recommend * 10 END,
                   NULLIF(u.satisfaction_repurchase, 0)
              FROM survey_user_input u
         LEFT JOIN customer_satisfaction_campaign c ON c.id = u.satisfaction_campaign_id
         LEFT JOIN customer_complaint cc ON cc.id = u.complaint_id
             WHERE u.satisfaction_partner_id IS NOT NULL AND u.state = 'done' AND u.satisfaction_scored
               AND u.end_datetime < %s AND COALESCE(c.company_id, cc.company_id) = %s
          ORDER BY u.satisfaction_partner_id, u.end_datetime DESC, u.id DESC
            """,
            [on_date + timedelta(days=1), self.company_id.id],
        )
        result = {}
        for partner_id, *values in self.env.cr.fetchall():
            present = [float(v) for v in values if v is not None]
            if present:
                result[partner_id] = sum(present) / len(present)
        return result

    def _tier_partners_with_agreement(self, on_date):
        """Ids of customers with an active key-account agreement on the date."""
        agreements = (
            self.env["customer.agreement"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "active"),
                    ("date_start", "<=", on_date),
                    ("date_end", ">=", on_date),
                ]
            )
        )
        return set(agreements.partner_id.ids)

    def _evaluate(self, on_date, remember=False):
        """Evaluate every customer of the policy's company as of ``on_date``: only orders,
        invoices, complaints, ratings and answers up to that date count. Writes nothing.

        :return: (measures, result, breakdown, anomalies) as ``tiering.evaluate`` gives them,
            or None when the company has no customer to evaluate
        """
        self.ensure_one()
        criteria = self._engine_criteria()
        measures = self._gather_measures(on_date, remember=remember)
        if measures.empty:
            return None
        ratings = self._gather_ratings(on_date)
        try:
            result, breakdown, anomalies = tiering.evaluate(
                measures,
                ratings,
                criteria,
                self._engine_settings(),
                has_agreement=self._tier_partners_with_agreement(on_date),
                satisfaction=measures["satisfaction"],
            )
        except tiering.TieringError as error:
            raise UserError(
                self.env._(
                    "The tier policy of %(company)s cannot be evaluated: %(reason)s",
                    company=self.company_id.name,
                    reason=str(error),
                )
            ) from error
        return measures, result, breakdown, anomalies

    def _compute_customer_values(self, on_date=None):
        """The live recompute: evaluate every customer of the policy's company and store the
        results in the customer value records, anomalies and lifecycle stages (the only
        writer of those figures; reviews keep their own snapshot).

        Reads the measures in one statement (plus small grouped queries for ratings,
        punctuality, complaints and satisfaction), runs the engine, and writes the customer
        value records of the customers whose figures changed, and their lifecycle stages, in
        set-based statements.
        """
        self.ensure_one()
        on_date = on_date or fields.Date.context_today(self)
        evaluation = self._evaluate(on_date, remember=True)
        if evaluation is None:
            self.sudo().last_run = fields.Datetime.now()
            return self.env["customer.value"]
        measures, result, breakdown, anomalies = evaluation
        values = self.env["customer.value"].sudo()._store_results(self, on_date, measures, result, breakdown)
        self.env["customer.value.anomaly"].sudo()._sync(self, values, anomalies)
        now = fields.Datetime.now()
        kept = measures.attrs.get("kept", 0)
        self.sudo().write({"last_run": now, "last_run_kept": kept} | ({} if kept else {"orders_read_at": now}))
        return values

    @api.model
    def _cron_recompute(self):
        """Every company's policy, each in its own short transaction (``customer_job``)."""
        self._ensure_company_policies()
        policies = self.search([])
        done = 0
        for policy in policies:
            finished, _values = run_batch(self.env, policy._compute_customer_values, "customer value recompute")
            done += finished
        self.env["customer.tier.measure.store"]._prune(fields.Date.context_today(self))
        notify_progress(self.env, done, 0)

    # ------------------------------------------------------------------
    # Background work (customer.background.job.mixin)
    # ------------------------------------------------------------------
    def _job_title(self):
        self.ensure_one()
        return self.env._("Customer value of %(company)s", company=self.company_id.name)

    def _job_run(self):
        self.ensure_one()
        self._compute_customer_values()
        self.invalidate_recordset(["value_count"])
        if self.last_run_kept:
            return self.env._(
                "Customer value recomputed for %(count)s customers; %(kept)s of them, whose orders, data and "
                "ratings had not changed since they were last measured, were taken as measured then (orders "
                "last read in full: %(since)s).",
                count=self.value_count,
                kept=self.last_run_kept,
                since=format_datetime(self.env, self.orders_read_at),
            )
        return self.env._("Customer value recomputed for %(count)s customers.", count=self.value_count)

    @api.model
    def _cron_create_reviews(self):
        """Create and compute the scheduled annual / half-year reviews due today: the due ones
        found in one query, each created and computed in its own committed batch (a large one
        is queued for the background cron), under the job's lock; run twice, or by two workers,
        it creates each review once.

        :return: number of reviews created
        """
        today = fields.Date.context_today(self)
        created = 0
        with exclusive(self.env, "customer_relations: scheduled tier reviews") as mine:
            if not mine:
                return 0
            for policy_id, review_type in self._due_reviews(today):
                finished, review = run_batch(
                    self.env,
                    lambda policy_id=policy_id, review_type=review_type: self.browse(
                        policy_id
                    )._create_scheduled_review(review_type, today),
                    "scheduled tier review",
                )
                created += bool(finished and review)
        notify_progress(self.env, created, 0)
        return created

    @api.model
    def _due_reviews(self, today):
        """[(policy id, review type)] of the automatic reviews due on ``today`` not created yet."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT p.id, t.review_type
              FROM customer_tier_policy p
             CROSS JOIN LATERAL (VALUES ('annual', p.annual_review_month, p.annual_review_day),
                                        ('half_year', p.half_year_review_month, p.half_year_review_day))
                   AS t(review_type, month, day)
             WHERE p.active AND p.auto_review AND t.month = %(month)s AND t.day = %(day)s
               AND NOT EXISTS (SELECT 1 FROM customer_tier_review r
                                WHERE r.policy_id = p.id AND r.review_type = t.review_type AND r.date = %(today)s)
          ORDER BY p.id, t.review_type
            """,
            {"month": today.month, "day": today.day, "today": today},
        )
        return self.env.cr.fetchall()

    def _create_scheduled_review(self, review_type, today):
        """One scheduled review, unless it exists already (checked again inside the batch)."""
        self.ensure_one()
        Review = self.env["customer.tier.review"]
        domain = [("policy_id", "=", self.id), ("review_type", "=", review_type), ("date", "=", today)]
        if Review.search_count(domain, limit=1):
            return Review
        review = Review.create(
            {"policy_id": self.id, "company_id": self.company_id.id, "review_type": review_type, "date": today}
        )
        review.action_compute()
        return review
