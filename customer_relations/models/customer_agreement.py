from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..engine import agreements as engine
from .assignee_language import AssigneeLanguage
from .customer_job import notify_progress, run_batch
from .protected_fields import without_defaults
from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER

AGREEMENT_STATE = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("expired", "Expired"),
    ("terminated", "Terminated"),
]


# Written by the action methods only (with sudo(), after their checks).
AGREEMENT_WORKFLOW_FIELDS = {"state", "termination_reason"}
# Measured by _update_actuals (in SQL) and the daily job, never typed in.
AGREEMENT_MEASURED_FIELDS = {
    "achievement",
    "revenue",
    "rebate_rate",
    "rebate_earned",
    "actuals_date",
    "customer_tier",
    "account_class",
    "end_reminder_done",
    "halfway_reminder_done",
}


class CustomerAgreement(models.Model):
    """A strategic cooperation (or framework) agreement with a key customer: targets measured
    from confirmed sale orders, commercial terms, service commitments and a key-account team."""

    _name = "customer.agreement"
    _description = "Key-Account Agreement"
    _inherit = ["mail.thread", "mail.activity.mixin", "customer.background.job.mixin"]
    _background_cron = "customer_relations.ir_cron_customer_agreement_jobs"
    _order = "date_end desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/", index="trigram")
    title = fields.Char(tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        tracking=True,
        index=True,
        check_company=True,
        domain="[('parent_id', '=', False)]",
    )
    type_id = fields.Many2one("customer.agreement.type", required=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_start = fields.Date("Start", required=True, tracking=True)
    date_end = fields.Date("End", required=True, tracking=True)
    date_signed = fields.Date("Signed on")
    state = fields.Selection(
        AGREEMENT_STATE, default="draft", required=True, readonly=True, copy=False, index=True, tracking=True
    )
    termination_reason = fields.Char(readonly=True, copy=False)
    manager_id = fields.Many2one(
        "res.users",
        string="Key-account manager",
        required=True,
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    member_ids = fields.One2many("customer.agreement.member", "agreement_id", string="Key-account team", copy=True)
    target_ids = fields.One2many("customer.agreement.target", "agreement_id", string="Targets", copy=True)
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Applied to the customer's new quotations while the agreement is active.",
    )
    rebate_step_ids = fields.One2many("customer.agreement.rebate", "agreement_id", string="Rebate steps", copy=True)
    response_hours = fields.Float("Response within (h)", help="Promised first answer to a complaint, in hours.")
    onsite_hours = fields.Float("On site within (h)")
    resolution_hours = fields.Float("Resolved within (h)")
    engagement_target = fields.Integer(
        "Engagements a year", help="Seminars or visits promised each year, counted from activities done."
    )
    engagement_activity_type_ids = fields.Many2many(
        "mail.activity.type",
        string="Counted activity types",
        help="Done activities of these types on the customer or the agreement count as engagements.",
    )
    engagement_done = fields.Integer("Engagements this year", compute="_compute_engagement_done")
    previous_id = fields.Many2one("customer.agreement", string="Renews", readonly=True, copy=False, check_company=True)
    next_id = fields.Many2one("customer.agreement", string="Renewed by", readonly=True, copy=False, check_company=True)
    order_ids = fields.One2many("sale.order", "agreement_id", string="Sale orders")
    order_count = fields.Integer(compute="_compute_order_count")
    review_ids = fields.One2many("customer.agreement.review", "agreement_id", string="Reviews")
    review_count = fields.Integer(compute="_compute_review_count")
    # Measured figures, refreshed by _update_actuals (on order confirmation/cancellation, nightly).
    achievement = fields.Float(
        "Achievement %",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Overall achievement: the mean of the targets' achievement in their current period, each "
        "target counting at most 100 %; 100 % means every target is met. Rebate steps read this figure.",
    )
    revenue = fields.Monetary("Revenue to date", readonly=True, copy=False)
    rebate_rate = fields.Float("Rebate rate %", readonly=True, copy=False)
    rebate_earned = fields.Monetary(readonly=True, copy=False)
    actuals_date = fields.Date("Measured on", readonly=True, copy=False)
    customer_tier = fields.Selection(CUSTOMER_TIER, readonly=True, copy=False)
    account_class = fields.Selection(ACCOUNT_CLASS, readonly=True, copy=False)
    region_id = fields.Many2one(related="partner_id.region_id", store=True, string="Sales Region")
    industry_id = fields.Many2one(related="partner_id.industry_id", store=True)
    expiring_soon = fields.Boolean(compute="_compute_expiring_soon", search="_search_expiring_soon")
    under_achieving = fields.Boolean(compute="_compute_under_achieving", search="_search_under_achieving")
    end_reminder_done = fields.Boolean(readonly=True, copy=False)
    halfway_reminder_done = fields.Boolean(readonly=True, copy=False)
    terms = fields.Html("Other terms")
    color = fields.Integer()

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_order_count(self):
        counts = dict(
            self.env["sale.order"]._read_group([("agreement_id", "in", self.ids)], ["agreement_id"], ["__count"])
        )
        for agreement in self:
            agreement.order_count = counts.get(agreement, 0)

    def _compute_review_count(self):
        counts = dict(
            self.env["customer.agreement.review"]._read_group(
                [("agreement_id", "in", self.ids)], ["agreement_id"], ["__count"]
            )
        )
        for agreement in self:
            agreement.review_count = counts.get(agreement, 0)

    def _engagement_window(self, on_date):
        self.ensure_one()
        window = engine.current_slice(engine.slice_periods(self.date_start, self.date_end, "year"), on_date)
        return window["start"], window["end"]

    def _count_engagements(self, date_from, date_to):
        """Done activities of the counted types on the customer or the agreement."""
        self.ensure_one()
        types = self.engagement_activity_type_ids or self.env.ref(
            "mail.mail_activity_data_meeting", raise_if_not_found=False
        )
        if not types:
            return 0
        return (
            self.env["mail.message"]
            .sudo()
            .search_count(
                [
                    ("mail_activity_type_id", "in", types.ids),
                    ("date", ">=", fields.Datetime.to_datetime(date_from)),
                    ("date", "<", fields.Datetime.to_datetime(date_to + timedelta(days=1))),
                    "|",
                    "&",
                    ("model", "=", "res.partner"),
                    ("res_id", "in", self.partner_id.child_ids.ids + self.partner_id.ids),
                    "&",
                    ("model", "=", "customer.agreement"),
                    ("res_id", "=", self.id),
                ]
            )
        )

    def _compute_engagement_done(self):
        today = fields.Date.context_today(self)
        for agreement in self:
            if not (
                agreement.id
                and agreement.date_start
                and agreement.date_end
                and agreement.date_end >= agreement.date_start
            ):
                agreement.engagement_done = 0
                continue
            agreement.engagement_done = agreement._count_engagements(*agreement._engagement_window(today))

    def _reminder_days(self):
        return self.env.company.agreement_reminder_days or 30

    @api.depends("date_end", "state")
    def _compute_expiring_soon(self):
        limit = fields.Date.context_today(self) + timedelta(days=self._reminder_days())
        for agreement in self:
            agreement.expiring_soon = agreement.state == "active" and agreement.date_end and agreement.date_end <= limit

    def _search_expiring_soon(self, operator, value):
        limit = fields.Date.context_today(self) + timedelta(days=self._reminder_days())
        domain = [("state", "=", "active"), ("date_end", "<=", limit)]
        return domain if (operator == "=") == bool(value) else ["!", *domain]

    @api.depends("achievement", "state")
    def _compute_under_achieving(self):
        threshold = self.env.company.agreement_halfway_threshold or 50.0
        for agreement in self:
            agreement.under_achieving = agreement.state == "active" and agreement.achievement < threshold

    def _search_under_achieving(self, operator, value):
        threshold = self.env.company.agreement_halfway_threshold or 50.0
        domain = [("state", "=", "active"), ("achievement", "<", threshold)]
        return domain if (operator == "=") == bool(value) else ["!", *domain]

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        bad = self.filtered(lambda a: a.date_start and a.date_end and a.date_end < a.date_start)
        if bad:
            # cite the customer and dates: a new agreement's reference is rolled back with it
            raise ValidationError(
                self.env._(
                    "The agreement with %(customer)s ends on %(end)s, before it starts on %(start)s: "
                    "correct the dates.",
                    customer=bad[0].partner_id.display_name,
                    end=bad[0].date_end,
                    start=bad[0].date_start,
                )
            )

    @api.constrains("partner_id")
    def _check_partner_is_customer_company(self):
        contacts = self.filtered(lambda a: a.partner_id != a.partner_id.commercial_partner_id)
        if contacts:
            raise ValidationError(
                self.env._(
                    "An agreement is made with the customer company, not with one of its contacts: choose "
                    "%(companies)s instead of %(contacts)s.",
                    companies=", ".join(contacts.partner_id.commercial_partner_id.mapped("display_name")),
                    contacts=", ".join(contacts.partner_id.mapped("display_name")),
                )
            )

    @api.constrains("state", "date_start", "date_end", "partner_id", "type_id")
    def _check_single_active(self):
        for agreement in self.filtered(lambda a: a.state == "active"):
            clash = self.search(
                [
                    ("id", "!=", agreement.id),
                    ("state", "=", "active"),
                    ("partner_id", "=", agreement.partner_id.id),
                    ("type_id", "=", agreement.type_id.id),
                    ("company_id", "=", agreement.company_id.id),
                    ("date_start", "<=", agreement.date_end),
                    ("date_end", ">=", agreement.date_start),
                ],
                limit=1,
            )
            if clash:
                raise ValidationError(
                    self.env._(
                        "%(customer)s already has an active agreement of type %(type)s (%(other)s) "
                        "overlapping these dates.",
                        customer=agreement.partner_id.display_name,
                        type=agreement.type_id.name,
                        other=clash.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _check_workflow_fields(self, field_names):
        """The status and the termination reason change through the buttons only (Activate,
        Terminate, the daily expiry), which check the state; nothing a client sends opens this."""
        if self.env.su:
            return
        if set(field_names) & AGREEMENT_WORKFLOW_FIELDS:
            raise UserError(
                self.env._("The status of an agreement changes only through its buttons (Activate, Terminate).")
            )
        if set(field_names) & AGREEMENT_MEASURED_FIELDS:
            raise UserError(
                self.env._(
                    "Revenue, achievement, rebate and the other measured figures of an agreement come from the "
                    "confirmed orders (Refresh): they cannot be typed in."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # A new agreement is a draft (a kanban column's default status is ignored).
            self._check_workflow_fields(
                {name for vals in vals_list for name, value in vals.items() if (name, value) != ("state", "draft")}
            )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code("customer.agreement") or "/"
        agreements = super(CustomerAgreement, without_defaults(self, AGREEMENT_WORKFLOW_FIELDS)).create(vals_list)
        agreements._subscribe_team()
        return agreements

    def write(self, vals):
        self._check_workflow_fields(vals)
        result = super().write(vals)
        if "manager_id" in vals or "member_ids" in vals:
            self._subscribe_team()
        if {"date_start", "date_end"} & set(vals):
            # the periods follow the dates, measured at once
            self.target_ids._rebuild_measured()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(agreement.state != "draft" for agreement in self):
            raise UserError(self.env._("Only draft agreements can be deleted; terminate an active one instead."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_activate(self):
        for agreement in self:
            if agreement.state != "draft":
                raise UserError(self.env._("Only a draft agreement can be activated."))
            if not agreement.target_ids:
                raise UserError(
                    self.env._("Give %(name)s at least one target before activating it.", name=agreement.name)
                )
        self._action_activate()
        return True

    def _action_activate(self):
        today = fields.Date.context_today(self)
        self.check_access("write")
        for agreement in self:
            agreement.sudo().write({"state": "active", "date_signed": agreement.date_signed or today})
        self.target_ids._rebuild_periods()
        self._link_orders()
        self._update_actuals()

    def action_terminate(self):
        self._check_can_terminate()
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.agreement.terminate.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_agreement_id": self.id},
        }

    def _check_can_terminate(self):
        not_active = self.filtered(lambda a: a.state != "active")
        if not_active:
            raise UserError(
                self.env._(
                    "Only an active agreement can be terminated; %(agreements)s is a draft, expired or already "
                    "terminated.",
                    agreements=", ".join(not_active.mapped("name")),
                )
            )

    def _action_terminate(self, reason):
        self._check_can_terminate()
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the agreement is terminated."))
        self.check_access("write")
        self.sudo().write({"state": "terminated", "termination_reason": reason})
        self.message_post(body=self.env._("Terminated: %(reason)s", reason=reason))

    def action_renew(self):
        self.ensure_one()
        if self.state not in ("active", "expired"):
            raise UserError(self.env._("Only an active or expired agreement can be renewed."))
        if self.next_id:
            raise UserError(
                self.env._("%(name)s was already renewed by %(next)s.", name=self.name, next=self.next_id.name)
            )
        renewal = self._prepare_renewal()
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.agreement",
            "res_id": renewal.id,
            "view_mode": "form",
        }

    def _prepare_renewal(self):
        """The next agreement: same terms, team and targets, starting the day after this one."""
        self.ensure_one()
        length = relativedelta(self.date_end + timedelta(days=1), self.date_start)
        start = self.date_end + timedelta(days=1)
        renewal = self.copy(
            {
                "date_start": start,
                "date_end": start + length - timedelta(days=1),
                "date_signed": False,
                "previous_id": self.id,
            }
        )
        self.next_id = renewal
        self.message_post(body=self.env._("Renewed by %(name)s.", name=renewal.name))
        return renewal

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("agreement_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_view_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_agreement_review_action")
        action["domain"] = [("agreement_id", "=", self.id)]
        action["context"] = {"default_agreement_id": self.id}
        return action

    def action_refresh(self):
        """Queue the measurement for the background cron; the person is notified when done."""
        self.check_access("write")
        return self._job_enqueue()

    def _job_title(self):
        self.ensure_one()
        return self.env._("Actuals of agreement %(ref)s", ref=self.name)

    def _job_run(self):
        self.ensure_one()
        self._update_actuals()
        return self.env._(
            "Actuals of %(ref)s measured: %(achievement)s%% of the targets reached.",
            ref=self.name,
            achievement=round(self.achievement),
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _subscribe_team(self):
        for agreement in self:
            partners = (agreement.manager_id | agreement.member_ids.user_id).partner_id
            agreement.message_subscribe(partner_ids=partners.ids)

    def _link_orders(self):
        """Set this agreement on the customer's confirmed orders of its period that have none."""
        for agreement in self:
            orders = self.env["sale.order"].search(
                [
                    ("partner_id", "child_of", agreement.partner_id.id),
                    ("company_id", "=", agreement.company_id.id),
                    ("agreement_id", "=", False),
                    ("date_order", ">=", fields.Datetime.to_datetime(agreement.date_start)),
                    ("date_order", "<", fields.Datetime.to_datetime(agreement.date_end + timedelta(days=1))),
                ]
            )
            orders.write({"agreement_id": agreement.id})

    def _update_actuals(self, as_of=None):
        """The live recompute: measure every target period of these agreements as of
        ``as_of`` (today by default) and store actuals, achievement, forecast and rebate in
        set-based updates. Only this method writes the live figures; reviews measure into
        their own snapshot (``_measure_periods`` / ``_summary_as_of``)."""
        as_of = as_of or fields.Date.context_today(self)
        periods = self.target_ids.period_ids
        cr = self.env.cr
        if periods:
            measured = self._measure_periods(periods, as_of)
            cr.execute(
                """
                UPDATE customer_agreement_target_period p
                   SET actual = u.actual, achievement = u.achievement, forecast = u.forecast
                  FROM unnest(%s::int4[], %s::float8[], %s::float8[], %s::float8[])
                       AS u(id, actual, achievement, forecast)
                 WHERE p.id = u.id
                """,
                [
                    list(column)
                    for column in zip(
                        *[(pid, fig["actual"], fig["achievement"], fig["forecast"]) for pid, fig in measured.items()],
                        strict=True,
                    )
                ],
            )
            self.env.invalidate_all()
        agreement_updates = []
        for agreement, summary in self._summary_as_of(as_of).items():
            partner = agreement.partner_id.with_company(agreement.company_id)
            agreement_updates.append(
                (
                    agreement.id,
                    summary["achievement"],
                    summary["revenue"],
                    summary["rebate_rate"],
                    summary["rebate"],
                    partner.customer_tier or None,
                    partner.account_class or None,
                )
            )
        if agreement_updates:
            cr.execute(
                """
                UPDATE customer_agreement a
                   SET achievement = u.achievement, revenue = u.revenue, rebate_rate = u.rate,
                       rebate_earned = u.rebate, customer_tier = u.tier, account_class = u.class, actuals_date = %s
                  FROM unnest(%s::int4[], %s::float8[], %s::numeric[], %s::float8[], %s::numeric[], %s::varchar[],
                              %s::varchar[]) AS u(id, achievement, revenue, rate, rebate, tier, class)
                 WHERE a.id = u.id
                """,
                [as_of, *[list(column) for column in zip(*agreement_updates, strict=True)]],
            )
            self.env.invalidate_all()

    @api.model
    def _measure_periods(self, periods, as_of):
        """{period id: {actual, achievement, forecast}} of target periods as of ``as_of``:
        the confirmed sales (``customer.sales.measure``) of the agreement's customer from the
        period's start up to the end of the period or of ``as_of``, whichever comes first, in
        one grouped query. Writes nothing."""
        if not periods:
            return {}
        rows = [
            (
                period.id,
                period.target_id.agreement_id.partner_id.id,
                period.target_id.agreement_id.company_id.id,
                period.date_start,
                min(period.date_end, as_of) + timedelta(days=1),
                period.target_id.product_id.id or None,
                period.target_id.categ_id.parent_path or None,
            )
            for period in periods
        ]
        self.env.flush_all()
        lines = self.env["customer.sales.measure"]._sales_lines_sql(
            list({row[2] for row in rows}), min(row[3] for row in rows), max(row[4] for row in rows)
        )
        self.env.cr.execute(
            SQL(
                """
                WITH slices AS (
                    SELECT * FROM unnest(%s::int4[], %s::int4[], %s::int4[], %s::date[], %s::date[], %s::int4[],
                                         %s::varchar[])
                        AS s(period_id, partner_id, company_id, date_from, date_to, product_id, categ_path)
                )
                SELECT s.period_id, SUM(l.revenue), SUM(l.quantity), COUNT(DISTINCT l.order_id),
                       COUNT(DISTINCT l.product_id) FILTER (WHERE l.quantity > 0)
                  FROM slices s
                  JOIN %s l ON l.partner_id = s.partner_id AND l.company_id = s.company_id
                           AND l.date_order >= s.date_from AND l.date_order < s.date_to
                 WHERE s.date_from < s.date_to
                   AND (s.product_id IS NULL OR l.product_id = s.product_id)
                   AND (s.categ_path IS NULL OR starts_with(l.categ_path, s.categ_path))
              GROUP BY s.period_id
                """,
                *[list(column) for column in zip(*rows, strict=True)],
                lines,
            )
        )
        measured = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        result = {}
        for period in periods:
            revenue, quantity, orders, products = measured.get(period.id, (0, 0, 0, 0))
            actual = {"revenue": revenue, "quantity": quantity, "orders": orders, "products": products}[
                period.target_id.measure
            ]
            actual = float(actual or 0.0)
            result[period.id] = {
                "actual": actual,
                "achievement": engine.achievement(actual, period.target_value),
                "forecast": engine.forecast(actual, period.date_start, period.date_end, as_of),
            }
        return result

    def _measure_revenue(self, as_of=None):
        """{agreement id: revenue of the customer's confirmed orders from the agreement's
        start up to its end or ``as_of``, whichever comes first}."""
        return self._revenue_in_periods(
            [
                (a.id, a.partner_id.id, a.company_id.id, a.date_start, min(a.date_end, as_of) if as_of else a.date_end)
                for a in self
            ]
        )

    @api.model
    def _revenue_in_periods(self, periods):
        """Revenue (``customer.sales.measure``) of confirmed orders of commercial customers
        in date ranges, in one grouped query.

        :param periods: iterable of (key, commercial partner id, company id, first day, last day)
        :return: {key: revenue}
        """
        rows = [
            (key, partner, company, start, end + timedelta(days=1))
            for key, partner, company, start, end in periods
            if end >= start
        ]
        if not rows:
            return {}
        self.env.flush_all()
        lines = self.env["customer.sales.measure"]._sales_lines_sql(
            list({row[2] for row in rows}), min(row[3] for row in rows), max(row[4] for row in rows)
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT a.id, SUM(l.revenue)
                  FROM unnest(%s::int4[], %s::int4[], %s::int4[], %s::date[], %s::date[])
                       AS a(id, partner_id, company_id, date_from, date_to)
                  JOIN %s l ON l.partner_id = a.partner_id AND l.company_id = a.company_id
                           AND l.date_order >= a.date_from AND l.date_order < a.date_to
              GROUP BY a.id
                """,
                *[list(column) for column in zip(*rows, strict=True)],
                lines,
            )
        )
        return {key: float(amount or 0.0) for key, amount in self.env.cr.fetchall()}

    def _summary_as_of(self, as_of, figures=None):
        """{agreement: {achievement, revenue, rebate, rebate_rate}} as of ``as_of``: the
        overall achievement of the targets' periods containing the date (``figures``: the
        measured periods, {period id: {achievement, ...}}; the stored ones when None) and the
        rebate earned on the agreement's revenue up to the date. Writes nothing."""
        revenue_by_agreement = self._measure_revenue(as_of) if self else {}
        result = {}
        for agreement in self:
            items = []
            for target in agreement.target_ids:
                current = target._current_period(as_of)
                if not current:
                    continue
                achieved = figures[current.id]["achievement"] if figures is not None else current.achievement
                items.append((achieved, current.target_value))
            overall = engine.overall_achievement(items)
            revenue = revenue_by_agreement.get(agreement.id, 0.0)
            amount, rate = engine.rebate(revenue, overall, [(s.threshold, s.rate) for s in agreement.rebate_step_ids])
            result[agreement] = {
                "achievement": overall or 0.0,
                "revenue": revenue,
                "rebate": amount,
                "rebate_rate": rate,
            }
        return result

    @api.model
    def _get_service_commitments(self, partner, on_date=None, company=None):
        """Service hours promised to ``partner`` on ``on_date`` by its active agreements in
        ``company`` (default: the current company); another company's promises do not apply.

        :return: dict with ``response_hours``, ``onsite_hours``, ``resolution_hours`` (the
            strictest promise of each, or False) and ``agreements`` (the agreements promising)
        """
        on_date = on_date or fields.Date.context_today(self)
        agreements = self.sudo().search(
            [
                ("partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", (company or self.env.company).id),
                ("state", "=", "active"),
                ("date_start", "<=", on_date),
                ("date_end", ">=", on_date),
            ]
        )
        result = {"agreements": agreements}
        for key in ("response_hours", "onsite_hours", "resolution_hours"):
            promised = [hours for hours in agreements.mapped(key) if hours > 0]
            result[key] = min(promised) if promised else False
        return result

    @api.model
    def _find_active(self, partners, company, on_date):
        """{commercial partner: agreement} active on ``on_date`` (the latest started wins)."""
        agreements = self.sudo().search(
            [
                ("partner_id", "in", partners.commercial_partner_id.ids),
                ("company_id", "=", company.id),
                ("state", "=", "active"),
                ("date_start", "<=", on_date),
                ("date_end", ">=", on_date),
            ],
            order="date_start desc, id desc",
        )
        found = {}
        for agreement in agreements:
            found.setdefault(agreement.partner_id, agreement)
        return found

    # ------------------------------------------------------------------
    # Scheduled actions
    # ------------------------------------------------------------------
    @api.model
    def _cron_daily(self, batch_size=20):
        """Expiry, actuals and reminders in short committed batches (``customer_job``), so that
        the job does not hold locks on agreements and their target periods that order
        confirmations need, and a conflict costs one batch, tried again, instead of the run.

        Idempotent: a batch takes the active agreements not measured today (an order confirmed
        today has measured its agreement already) and marks them measured in the same
        transaction; the reminders keep their once-only flags, read after locking the row. What
        is left (a batch that kept conflicting) is reported to the cron worker, which runs the
        job again.
        """
        today = fields.Date.context_today(self)
        run_batch(self.env, lambda: self._expire_ended(today), "agreements: expiry")
        done = remaining = 0
        for step in (self._daily_actuals_batch, self._daily_reminders_batch):
            seen = set()
            while True:
                finished, count = run_batch(
                    self.env, lambda step=step, seen=seen: step(today, batch_size, seen), "agreements: daily"
                )
                if not finished:
                    remaining += 1
                    break
                done += count
                if count < batch_size:
                    break
        self.env.cr.execute(
            "SELECT COUNT(*) FROM customer_agreement WHERE state = 'active' AND actuals_date IS DISTINCT FROM %s",
            [today],
        )
        remaining += self.env.cr.fetchone()[0]
        notify_progress(self.env, done, remaining)

    @api.model
    def _expire_ended(self, today):
        expired = self.search([("state", "=", "active"), ("date_end", "<", today)])
        if expired:
            expired.write({"state": "expired"})

    @api.model
    def _daily_actuals_batch(self, today, limit, seen):
        """Measure up to ``limit`` active agreements not measured today that no one else holds."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT id FROM customer_agreement
                WHERE state = 'active' AND actuals_date IS DISTINCT FROM %s
             ORDER BY id LIMIT %s FOR NO KEY UPDATE SKIP LOCKED""",
            [today, limit],
        )
        agreements = self.browse([row[0] for row in self.env.cr.fetchall()])
        agreements._update_actuals(today)
        return len(agreements)

    @api.model
    def _daily_reminders_batch(self, today, limit, seen):
        """Reminders of the next ``limit`` active agreements (``seen`` holds the ones done)."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT id FROM customer_agreement
                WHERE state = 'active' AND NOT id = ANY(%s)
                  AND (NOT COALESCE(end_reminder_done, FALSE) OR NOT COALESCE(halfway_reminder_done, FALSE))
             ORDER BY id LIMIT %s FOR NO KEY UPDATE""",
            [list(seen), limit],
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.browse(ids)._send_reminders(today)
        seen.update(ids)
        return len(ids)

    def _send_reminders(self, today):
        """Activities for the key-account manager before the end and at half-way when under
        target; each once per agreement, worded in the key-account manager's language."""
        lang = AssigneeLanguage(self.env)
        for agreement in self:
            manager = agreement.manager_id
            env = lang(manager)
            company = agreement.company_id
            days = company.agreement_reminder_days or 30
            if not agreement.end_reminder_done and agreement.date_end - timedelta(days=days) <= today:
                agreement.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=agreement.date_end - timedelta(days=min(days, 7)),
                    summary=env._(
                        "Agreement ends on %(date)s: prepare the renewal review",
                        date=lang.date(manager, agreement.date_end),
                    ),
                    user_id=agreement.manager_id.id,
                )
                agreement.sudo().end_reminder_done = True
            halfway = agreement.date_start + (agreement.date_end - agreement.date_start) / 2
            threshold = company.agreement_halfway_threshold or 50.0
            if not agreement.halfway_reminder_done and today >= halfway and agreement.achievement < threshold:
                agreement.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=env._(
                        "Half-way and only %(achievement).0f%% of the targets reached",
                        achievement=agreement.achievement,
                    ),
                    user_id=agreement.manager_id.id,
                )
                agreement.sudo().halfway_reminder_done = True
