from datetime import timedelta

import pandas as pd
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..engine import risk as engine
from .customer_job import notify_progress, run_batch
from .protected_fields import without_defaults
from .risk_constants import LEVEL_RANK, RISK_KIND, RISK_LEVEL, RISK_SIGNAL, RISK_STATE, RISK_TREND, TREND_ARROW
from .tiering_constants import ACCOUNT_CLASS

USER_GROUP = "customer_relations.group_customer_relations_user"
QUALITY_GROUP = "customer_relations.group_customer_relations_quality"
MANAGER_GROUP = "customer_relations.group_customer_relations_manager"

# Written by the signal job only (with sudo()): what the figures say.
SIGNAL_FIELDS = frozenset(
    {
        "partner_id",
        "company_id",
        "kind",
        "level",
        "account_class",
        "trend",
        "figures",
        "figures_text",
        "previous_figures_text",
        "pressure",
        "date_raised",
        "date_escalated",
        "date_evaluated",
        "date_recovered",
    }
)
# Written by the acceptance (and the job's propose-closing / reopen) only.
WORKFLOW_FIELDS = frozenset({"state", "accepted_by_id", "accepted_on"})
# Classes whose red warnings alert the key-account manager and team at once.
ALERT_CLASSES = ("strategic", "key")
BATCH_SIZE = 500
DEFAULT_WINDOW_DAYS = 90
WINDOW_PARAMETER = "customer_relations.risk_window_days"


class CustomerRiskWarning(models.Model):
    """A graded warning (yellow / orange / red) about one risk of one customer: raised, escalated
    and proposed for closing by the signal job from Odoo's own records, worked on by the
    responsible departments through actions, and closed only by an accepted check."""

    _name = "customer.risk.warning"
    _description = "Customer Risk Warning"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "level_rank desc, date_raised, id"
    _check_company_auto = True
    # Departments working on the actions follow up in the chatter with read access.
    _mail_post_access = "read"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    kind = fields.Selection(RISK_KIND, required=True, readonly=True, index=True)
    level = fields.Selection(RISK_LEVEL, required=True, readonly=True, index=True, tracking=True)
    level_rank = fields.Integer(compute="_compute_level_rank", store=True, aggregator="max")
    state = fields.Selection(
        RISK_STATE, default="open", required=True, readonly=True, copy=False, index=True, tracking=True
    )
    account_class = fields.Selection(ACCOUNT_CLASS, readonly=True, help="The customer's class when last evaluated.")
    trend = fields.Selection(RISK_TREND, readonly=True, help="Since the previous evaluation.")
    trend_arrow = fields.Char("Trend arrow", compute="_compute_trend_arrow")
    figures = fields.Json("Figures (data)", readonly=True, copy=False)
    figures_text = fields.Text("Figures", readonly=True, copy=False)
    previous_figures_text = fields.Text("Previous figures", readonly=True, copy=False)
    # Full precision (no digits): the next evaluation compares it to tell whether anything changed.
    pressure = fields.Float(
        readonly=True,
        copy=False,
        help="Worst figure over its first threshold: the trend within a level.",
    )
    date_raised = fields.Datetime("Raised on", readonly=True, copy=False, index=True)
    date_escalated = fields.Datetime("Escalated on", readonly=True, copy=False)
    date_evaluated = fields.Datetime("Last evaluated", readonly=True, copy=False)
    date_recovered = fields.Datetime("Recovered on", readonly=True, copy=False)
    user_id = fields.Many2one(
        "res.users", "Key-account manager", domain="[('share', '=', False)]", tracking=True, index=True
    )
    description = fields.Html("Risk description")
    cause = fields.Html("Real cause")
    solution = fields.Html()
    department_ids = fields.Many2many(
        "hr.department",
        "customer_risk_warning_department_rel",
        "warning_id",
        "department_id",
        string="Responsible departments",
        check_company=True,
    )
    action_ids = fields.One2many("customer.risk.action", "warning_id", string="Actions")
    action_open_count = fields.Integer("Open actions", compute="_compute_action_open_count")
    accepted_by_id = fields.Many2one("res.users", "Accepted by", readonly=True, copy=False)
    accepted_on = fields.Datetime("Accepted on", readonly=True, copy=False)
    acceptance_evidence = fields.Text(
        "Acceptance evidence", copy=False, help="What was checked to show the risk is gone."
    )
    acceptance_attachment_ids = fields.Many2many(
        "ir.attachment",
        "customer_risk_warning_attachment_rel",
        "warning_id",
        "attachment_id",
        string="Evidence files",
        copy=False,
    )
    color = fields.Integer(compute="_compute_color")

    _sql_constraints = [
        (
            "figures_pressure_not_negative",
            "CHECK(pressure IS NULL OR pressure >= 0)",
            "The pressure of a warning cannot be negative.",
        ),
    ]

    def init(self):
        # One warning not closed per customer, company and kind, whatever how often the job runs.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS customer_risk_warning_one_open
                   ON customer_risk_warning (partner_id, company_id, kind) WHERE state <> 'closed'"""
        )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("partner_id", "kind")
    def _compute_name(self):
        labels = dict(RISK_KIND)
        for warning in self:
            warning.name = f"{labels.get(warning.kind, '')} - {warning.partner_id.name or ''}"

    @api.depends("level")
    def _compute_level_rank(self):
        for warning in self:
            warning.level_rank = LEVEL_RANK.get(warning.level, 0)

    @api.depends("trend")
    def _compute_trend_arrow(self):
        for warning in self:
            warning.trend_arrow = TREND_ARROW.get(warning.trend, "")

    @api.depends("action_ids.done")
    def _compute_action_open_count(self):
        for warning in self:
            warning.action_open_count = len(warning.action_ids.filtered(lambda a: not a.done))

    @api.depends("level")
    def _compute_color(self):
        colors = {"yellow": 3, "orange": 2, "red": 1}
        for warning in self:
            warning.color = colors.get(warning.level, 0)

    @api.depends("kind", "partner_id", "level")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        levels = dict(self._fields["level"]._description_selection(self.env))
        for warning in self:
            warning.display_name = self.env._(
                "%(level)s %(kind)s warning: %(customer)s",
                level=levels.get(warning.level, ""),
                kind=kinds.get(warning.kind, ""),
                customer=warning.partner_id.display_name or "",
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "Risk warnings are raised by the signal evaluation from the customer's figures, not typed in."
                )
            )
        return super(CustomerRiskWarning, without_defaults(self, SIGNAL_FIELDS | WORKFLOW_FIELDS)).create(vals_list)

    def write(self, vals):
        if not self.env.su:
            protected = set(vals) & (SIGNAL_FIELDS | WORKFLOW_FIELDS)
            if protected:
                labels = ", ".join(sorted(self._fields[name]._description_string(self.env) for name in protected))
                raise UserError(
                    self.env._(
                        "%(fields)s of a risk warning come from the signal evaluation and its acceptance, "
                        "never from editing it.",
                        fields=labels,
                    )
                )
            closed = self.filtered(lambda w: w.state == "closed")
            if closed and set(vals) - {"message_main_attachment_id"}:
                raise UserError(
                    self.env._(
                        "%(names)s is accepted and closed: it is the record of the check and no longer changes.",
                        names=", ".join(closed.mapped("display_name")),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("A risk warning is a record of the customer's history: it is closed by acceptance, not deleted.")
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_accept(self):
        """The check and acceptance: the only step that closes a warning."""
        self._check_can_accept()
        self._action_accept()
        return True

    def _check_can_accept(self):
        user = self.env.user
        if not user.has_group(QUALITY_GROUP):
            raise AccessError(
                self.env._("Only the quality team and Customer Relations managers check and accept a risk warning.")
            )
        for warning in self:
            if warning.state != "recovered":
                raise UserError(
                    self.env._(
                        "%(name)s cannot be accepted yet: its figures have not recovered (the evaluation proposes "
                        "closing once they have).",
                        name=warning.display_name,
                    )
                )
            if warning.level == "red" and warning.account_class in ALERT_CLASSES and not user.has_group(MANAGER_GROUP):
                raise AccessError(
                    self.env._(
                        "A red warning on a strategic or key customer is accepted by a Customer Relations manager: "
                        "%(name)s.",
                        name=warning.display_name,
                    )
                )
            if warning.action_ids.filtered(lambda a: not a.done):
                raise UserError(
                    self.env._(
                        "%(name)s still has open actions: mark them done before accepting.", name=warning.display_name
                    )
                )
            if not (warning.acceptance_evidence or "").strip() and not warning.acceptance_attachment_ids:
                raise UserError(
                    self.env._(
                        "Record the acceptance evidence of %(name)s (what was checked, or a file) before accepting.",
                        name=warning.display_name,
                    )
                )

    def _action_accept(self):
        now = fields.Datetime.now()
        self.sudo().write({"state": "closed", "accepted_by_id": self.env.user.id, "accepted_on": now})
        for warning in self:
            warning.message_post(
                body=self.env._("Checked and accepted by %(user)s: the risk is gone.", user=self.env.user.name)
            )

    @api.model
    def action_evaluate_now(self):
        """On demand: evaluate the signals of the current company now (same as the scheduled job)."""
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("Only Customer Relations users evaluate the risk signals."))
        counts = self.sudo()._evaluate_company(self.env.company)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": self.env._("Risk signals evaluated"),
                "message": self.env._(
                    "%(raised)s raised, %(escalated)s escalated, %(recovered)s proposed for closing.",
                    raised=counts.get("raise", 0),
                    escalated=counts.get("escalate", 0),
                    recovered=counts.get("propose_closing", 0),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # The signal job
    # ------------------------------------------------------------------
    @api.model
    def _cron_evaluate(self):
        """Scheduled action: every company's signals, set-based; decisions applied in short
        committed batches (``customer_job``), what a conflict left over runs again."""
        left = 0
        done = 0
        for company in self.env["res.company"].sudo().search([]):
            counts = self.sudo()._evaluate_company(company)
            left += counts.get("left", 0)
            done += sum(value for key, value in counts.items() if key != "left")
        notify_progress(self.env, done, left)

    @api.model
    def _demo_evaluate(self):
        """Demo data: the warnings of the demo story, inside the install's transaction."""
        for company in self.env["res.company"].sudo().search([]):
            self.sudo()._evaluate_company(company, commit=False)

    @api.model
    def _window_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(WINDOW_PARAMETER, DEFAULT_WINDOW_DAYS)
        try:
            return max(int(value), 1)
        except (TypeError, ValueError):
            return DEFAULT_WINDOW_DAYS

    @api.model
    def _evaluate_company(self, company, partner_ids=None, now=None, commit=True):
        """Measure, grade and decide for ``company`` (all customers, or ``partner_ids``, the
        commercial partners), then apply the decisions.

        :param commit: apply in committed batches (``customer_job``); False: in the current
            transaction (module data loading, where nothing may be committed)
        :return: {decision: count} (``keep`` left out) and ``left`` (decisions a batch could
            not apply because of concurrency; the next run takes them up)
        """
        now = now or fields.Datetime.now()
        figures = self._signal_figures(company, now, partner_ids)
        thresholds = self.env["customer.risk.threshold"]._engine_thresholds(company)
        current = engine.evaluate(figures, thresholds)
        decisions = engine.decide(current, self._open_warnings_frame(company, partner_ids))
        decisions = decisions[decisions["decision"] != "keep"]
        counts = decisions["decision"].value_counts().to_dict()
        # Plain Python values for the ORM and the database driver (no numpy scalars).
        records = [
            {
                **record,
                "partner_id": int(record["partner_id"]),
                "warning_id": int(record["warning_id"]) if record["decision"] != "raise" else None,
                "pressure": float(record["pressure"]),
                "account_class": record["account_class"] if isinstance(record["account_class"], str) else None,
            }
            for record in decisions.to_dict("records")
        ]
        for start in range(0, len(records), BATCH_SIZE):
            chunk = records[start : start + BATCH_SIZE]
            if not commit:
                self._apply_decisions(company, chunk, now)
                continue
            applied, _result = run_batch(
                self.env, lambda chunk=chunk: self._apply_decisions(company, chunk, now), "risk warnings"
            )
            if not applied:
                counts["left"] = counts.get("left", 0) + len(chunk)
        return {key: int(value) for key, value in counts.items()}

    @api.model
    def _open_warnings_frame(self, company, partner_ids=None):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT id, partner_id, kind, level, state, pressure, figures
                     FROM customer_risk_warning
                    WHERE company_id = %s AND state <> 'closed' AND (%s OR partner_id = ANY(%s))""",
                company.id,
                partner_ids is None,
                list(partner_ids or []),
            )
        )
        return pd.DataFrame(
            self.env.cr.fetchall(),
            columns=["warning_id", "partner_id", "kind", "level", "state", "pressure", "figures"],
        )

    @api.model
    def _signal_figures(self, company, now, partner_ids=None):
        """One row per customer and signal measured: ``partner_id`` (commercial entity),
        ``account_class`` (in ``company``), ``signal``, ``value``. One statement."""
        self.env.flush_all()
        date_from = now - timedelta(days=self._window_days())
        today = now.date()
        lines = self.env["customer.sales.measure"]._sales_lines_sql([company.id], date_from, now)
        key = str(company.id)
        query = SQL(
            """
            WITH due AS (
                SELECT rp.commercial_partner_id AS partner_id, sol.product_uom_qty AS ordered,
                       sol.qty_delivered AS delivered,
                       COALESCE(so.commitment_date, so.date_order + sol.customer_lead * INTERVAL '1 day')::date
                           AS promised,
                       (SELECT MAX(sm.date)::date
                          FROM stock_move sm JOIN stock_location dl ON dl.id = sm.location_dest_id
                         WHERE sm.sale_line_id = sol.id AND sm.state = 'done' AND dl.usage = 'customer')
                           AS delivered_on
                  FROM sale_order_line sol
                  JOIN sale_order so ON so.id = sol.order_id
                  JOIN res_partner rp ON rp.id = so.partner_id
                  JOIN product_product pp ON pp.id = sol.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE so.state = 'sale' AND so.company_id = %(company)s AND sol.display_type IS NULL
                   AND pt.type = 'consu' AND sol.product_uom_qty > 0
                   -- delivered through Inventory (a line without any delivery move is not followed)
                   AND EXISTS (SELECT 1 FROM stock_move m WHERE m.sale_line_id = sol.id AND m.state <> 'cancel')
                   AND COALESCE(so.commitment_date, so.date_order + sol.customer_lead * INTERVAL '1 day')::date
                       <= %(today)s
                   AND (COALESCE(so.commitment_date, so.date_order + sol.customer_lead * INTERVAL '1 day')
                        >= %(date_from)s OR sol.qty_delivered < sol.product_uom_qty)
            ), fulfilment AS (
                SELECT partner_id,
                       CASE WHEN delivered < ordered THEN
                                CASE WHEN promised < %(today)s THEN %(today)s - promised ELSE 0 END
                            ELSE GREATEST(COALESCE(delivered_on, promised) - promised, 0) END AS days_late
                  FROM due
            ), complaints AS (
                SELECT cc.partner_id, cat.is_quality, cat.is_logistics, cc.severity, cc.is_repeat
                  FROM customer_complaint cc
                  JOIN customer_complaint_category cat ON cat.id = cc.category_id
                 WHERE cc.company_id = %(company)s AND cc.state <> 'rejected' AND cc.received_at >= %(date_from)s
            ), returned AS (
                SELECT rp.commercial_partner_id AS partner_id, sm.product_id, SUM(sm.product_qty) AS quantity
                  FROM stock_move sm
                  JOIN stock_location sl ON sl.id = sm.location_id
                  JOIN stock_location dl ON dl.id = sm.location_dest_id
                  JOIN stock_picking sp ON sp.id = sm.picking_id
                  JOIN res_partner rp ON rp.id = sp.partner_id
                 WHERE sm.state = 'done' AND sm.company_id = %(company)s AND sl.usage = 'customer'
                   AND dl.usage <> 'customer' AND sm.date >= %(date_from)s
              GROUP BY rp.commercial_partner_id, sm.product_id
            ), sold AS (
                SELECT l.partner_id, l.product_id, SUM(l.quantity) AS quantity
                  FROM %(lines)s l GROUP BY l.partner_id, l.product_id
            ), answers AS (
                SELECT u.satisfaction_partner_id AS partner_id, u.satisfaction_index, u.satisfaction_nps_category,
                       u.end_datetime,
                       ROW_NUMBER() OVER (PARTITION BY u.satisfaction_partner_id
                                          ORDER BY u.end_datetime DESC, u.id DESC) AS recent
                  FROM survey_user_input u
             LEFT JOIN customer_satisfaction_campaign c ON c.id = u.satisfaction_campaign_id
             LEFT JOIN customer_complaint cc ON cc.id = u.complaint_id
                 WHERE u.state = 'done' AND u.satisfaction_scored AND u.satisfaction_partner_id IS NOT NULL
                   AND COALESCE(c.company_id, cc.company_id) = %(company)s AND u.end_datetime <= %(now)s
            ), measured AS (
                SELECT partner_id, 'late_line_share' AS signal,
                       100.0 * COUNT(*) FILTER (WHERE days_late > 0) / COUNT(*) AS value
                  FROM fulfilment GROUP BY partner_id
                UNION ALL
                SELECT partner_id, 'days_late', MAX(days_late) FROM fulfilment GROUP BY partner_id
                UNION ALL
                SELECT partner_id, 'quality_complaints', COUNT(*) FROM complaints WHERE is_quality
              GROUP BY partner_id
                UNION ALL
                -- per customer and product: the product the customer sends back most, against
                -- what it bought of that product in the window
                SELECT r.partner_id, 'return_share',
                       MAX(CASE WHEN COALESCE(s.quantity, 0) > 0 THEN 100.0 * r.quantity / s.quantity
                                ELSE 100.0 END)
                  FROM returned r
             LEFT JOIN sold s ON s.partner_id = r.partner_id AND s.product_id = r.product_id
              GROUP BY r.partner_id
                UNION ALL
                SELECT rp.commercial_partner_id, 'late_delivery_share',
                       -- the deadline the delivery carries (the promised date), else its scheduled
                       -- date (which Odoo moves to the validation time once the moves are done)
                       100.0 * COUNT(*) FILTER (
                           WHERE sp.date_done::date > COALESCE(sp.date_deadline, sp.scheduled_date)::date
                       ) / COUNT(*)
                  FROM stock_picking sp
                  JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
                  JOIN res_partner rp ON rp.id = sp.partner_id
                 WHERE sp.state = 'done' AND spt.code = 'outgoing' AND sp.company_id = %(company)s
                   AND sp.date_done >= %(date_from)s
              GROUP BY rp.commercial_partner_id
                UNION ALL
                SELECT partner_id, 'logistics_complaints', COUNT(*) FROM complaints WHERE is_logistics
              GROUP BY partner_id
                UNION ALL
                SELECT partner_id, 'complaint_count', COUNT(*) FROM complaints GROUP BY partner_id
                UNION ALL
                SELECT partner_id, 'major_complaints', COUNT(*) FILTER (WHERE severity IN ('major', 'critical'))
                  FROM complaints GROUP BY partner_id
                UNION ALL
                SELECT partner_id, 'repeat_complaints', COUNT(*) FILTER (WHERE is_repeat)
                  FROM complaints GROUP BY partner_id
                UNION ALL
                SELECT cc.partner_id, 'sla_misses', COUNT(*)
                  FROM customer_complaint_sla s
                  JOIN customer_complaint cc ON cc.id = s.complaint_id
                 WHERE cc.company_id = %(company)s AND cc.state <> 'rejected' AND s.deadline >= %(date_from)s
                   AND (s.status = 'missed' OR (s.status = 'running' AND s.deadline < %(now)s))
              GROUP BY cc.partner_id
                UNION ALL
                SELECT cv.partner_id, 'revenue_drop', GREATEST(-cv.growth, 0)
                  FROM customer_value cv
                  JOIN res_partner rp ON rp.id = cv.partner_id
                 WHERE cv.company_id = %(company)s AND cv.revenue_previous > 0
                   AND (rp.customer_tier ->> %(key)s = 'a' OR rp.account_class ->> %(key)s = 'strategic')
                UNION ALL
                SELECT a.partner_id, 'agreement_shortfall',
                       MAX(GREATEST(COALESCE(NULLIF(co.agreement_halfway_threshold, 0), 50.0)
                                    - COALESCE(a.achievement, 0), 0))
                  FROM customer_agreement a
                  JOIN res_company co ON co.id = a.company_id
                 WHERE a.company_id = %(company)s AND a.state = 'active' AND a.date_start <= %(today)s
                   AND a.date_end >= %(today)s AND a.date_end > a.date_start
                   AND (%(today)s - a.date_start) * 2 >= (a.date_end - a.date_start)
              GROUP BY a.partner_id
                UNION ALL
                SELECT latest.partner_id, 'satisfaction_drop',
                       GREATEST(previous.satisfaction_index - latest.satisfaction_index, 0)
                  FROM answers latest
                  JOIN answers previous ON previous.partner_id = latest.partner_id AND previous.recent = 2
                 WHERE latest.recent = 1 AND latest.end_datetime >= %(date_from)s
                UNION ALL
                SELECT partner_id, 'detractors', COUNT(*) FROM answers
                 WHERE satisfaction_nps_category = 'detractor' AND end_datetime >= %(date_from)s
              GROUP BY partner_id
            )
            SELECT m.partner_id, rp.account_class ->> %(key)s, m.signal, m.value::float8
              FROM measured m
              JOIN res_partner rp ON rp.id = m.partner_id
             WHERE %(all)s OR m.partner_id = ANY(%(partners)s)
            """,
            company=company.id,
            key=key,
            today=today,
            now=now,
            date_from=date_from,
            lines=lines,
            all=partner_ids is None,
            partners=list(partner_ids or []),
        )
        self.env.cr.execute(query)
        return pd.DataFrame(self.env.cr.fetchall(), columns=["partner_id", "account_class", "signal", "value"])

    @api.model
    def _apply_decisions(self, company, rows, now):
        """Write one batch of engine decisions: create the raised warnings, update the others,
        log what changed in their chatter and alert on red strategic / key warnings."""
        raised = [row for row in rows if row["decision"] == "raise"]
        others = [row for row in rows if row["decision"] != "raise"]
        alerts = self.browse()
        if raised:
            managers = self._account_managers(company, [row["partner_id"] for row in raised], now)
            vals_list = [
                {
                    "partner_id": row["partner_id"],
                    "company_id": company.id,
                    "kind": row["kind"],
                    "level": row["level"],
                    "account_class": row["account_class"] or False,
                    "trend": row["trend"],
                    "figures": row["figures"],
                    "figures_text": self._figures_text(row["figures"]),
                    "pressure": row["pressure"],
                    "date_raised": now,
                    "date_evaluated": now,
                    "user_id": managers.get(row["partner_id"], (self.env["res.users"], None))[0].id,
                }
                for row in raised
            ]
            created = (
                self.sudo()
                .with_context(mail_create_nolog=True, tracking_disable=True, mail_notrack=True)
                .create(vals_list)
            )
            created._message_log_batch(
                bodies={
                    warning.id: Markup("<p>%s</p><pre>%s</pre>")
                    % (self.env._("Raised from the figures:"), warning.figures_text)
                    for warning in created
                }
            )
            alerts |= created.filtered(lambda w: w.level == "red" and w.account_class in ALERT_CLASSES)
        warnings = self.sudo().browse([row["warning_id"] for row in others])
        bodies = {}
        for row, warning in zip(others, warnings, strict=True):
            vals = {
                "trend": row["trend"],
                "figures": row["figures"],
                "figures_text": self._figures_text(row["figures"]),
                "previous_figures_text": warning.figures_text,
                "pressure": row["pressure"],
                "date_evaluated": now,
                "account_class": row["account_class"] or warning.account_class,
            }
            decision = row["decision"]
            if decision == "escalate":
                vals.update({"level": row["level"], "date_escalated": now, "state": "open", "date_recovered": False})
                levels = dict(self._fields["level"]._description_selection(self.env))
                bodies[warning.id] = self._change_body(
                    self.env._(
                        "Escalated from %(before)s to %(after)s.",
                        before=levels.get(row["previous_level"], row["previous_level"]),
                        after=levels.get(row["level"], row["level"]),
                    ),
                    warning.figures_text,
                    vals["figures_text"],
                )
            elif decision == "propose_closing":
                vals.update({"state": "recovered", "date_recovered": now})
                bodies[warning.id] = self._change_body(
                    self.env._("The figures have recovered: closing proposed, pending the check and acceptance."),
                    warning.figures_text,
                    vals["figures_text"],
                )
            elif decision == "reopen":
                vals.update({"state": "open", "date_recovered": False})
                bodies[warning.id] = self._change_body(
                    self.env._("The figures are at a warning level again: reopened."),
                    warning.figures_text,
                    vals["figures_text"],
                )
            warning.with_context(tracking_disable=True).write(vals)
            if decision == "escalate" and row["level"] == "red" and warning.account_class in ALERT_CLASSES:
                alerts |= warning
        if bodies:
            warnings.browse(list(bodies))._message_log_batch(bodies=bodies)
        if alerts:
            alerts._alert_account_team(now)
        return len(rows)

    def _change_body(self, headline, before, after):
        return Markup("<p>%s</p><p>%s</p><pre>%s</pre><p>%s</p><pre>%s</pre>") % (
            headline,
            self.env._("Before:"),
            before or "-",
            self.env._("After:"),
            after or "-",
        )

    @api.model
    def _figures_text(self, figures):
        labels = dict(self.env["customer.risk.threshold"]._fields["signal"]._description_selection(self.env))
        order = [key for key, _label in RISK_SIGNAL]
        return "\n".join(
            f"{labels.get(signal, signal)}: {figures[signal]:.1f}"
            for signal in sorted(figures or {}, key=lambda s: order.index(s) if s in order else len(order))
        )

    @api.model
    def _account_managers(self, company, partner_ids, now):
        """{commercial partner id: (key-account manager, team users)}: the manager and members of
        the customer's active agreement, else the customer's salesperson."""
        partners = self.env["res.partner"].sudo().browse(partner_ids)
        found = self.env["customer.agreement"]._find_active(partners, company, now.date())
        result = {}
        for partner in partners:
            agreement = found.get(partner)
            if agreement:
                result[partner.id] = (agreement.manager_id, agreement.member_ids.user_id)
            else:
                result[partner.id] = (partner.user_id, self.env["res.users"])
        return result

    def _alert_account_team(self, now):
        """A red warning on a strategic or key customer: an activity and a message for the
        key-account manager and team at once, each in their own language."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        managers = self._account_managers(self.company_id[:1], self.partner_id.ids, now) if self else {}
        activities = []
        for warning in self.sudo():
            manager, team = managers.get(warning.partner_id.id, (self.env["res.users"], self.env["res.users"]))
            users = (manager | team | warning.user_id).filtered(lambda u: u.active and not u.share)
            for user in users:
                local = warning.with_context(lang=user.lang or "en_US")
                kinds = dict(local._fields["kind"]._description_selection(local.env))
                summary = local.env._(
                    "Red risk warning (%(kind)s) on %(customer)s",
                    kind=kinds.get(warning.kind, warning.kind),
                    customer=warning.partner_id.display_name,
                )
                activities.append(
                    {
                        "res_model_id": model_id,
                        "res_id": warning.id,
                        "user_id": user.id,
                        "activity_type_id": todo.id,
                        "summary": summary,
                        "note": Markup("<pre>%s</pre>") % (warning.figures_text or ""),
                        "date_deadline": today,
                    }
                )
                local.message_notify(
                    partner_ids=user.partner_id.ids,
                    subject=summary,
                    body=Markup("<p>%s</p><pre>%s</pre>")
                    % (
                        local.env._("A red risk warning needs you now: the figures that raised it."),
                        warning.figures_text or "",
                    ),
                )
        if activities:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)
