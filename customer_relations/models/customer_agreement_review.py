from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .complaint_constants import OPEN_STATES
from .protected_fields import sets_workflow_fields, without_defaults

MANAGER_GROUP = "customer_relations.group_customer_relations_manager"
# Written by action_done only (with sudo(), after its checks).
REVIEW_WORKFLOW_FIELDS = {"state", "approved_by_id", "approved_date"}
# The snapshot's figures, written by _action_snapshot only.
REVIEW_FIGURE_FIELDS = {
    "revenue",
    "revenue_previous",
    "revenue_growth",
    "achievement",
    "rebate_earned",
    "engagement_target",
    "engagement_done",
    "response_hours",
    "onsite_hours",
    "resolution_hours",
    "complaint_count",
    "complaint_open",
    "complaint_overdue",
    "satisfaction_index",
}


class CustomerAgreementReview(models.Model):
    """The yearly execution review of a key-account agreement: a snapshot of every target's
    actual and achievement, revenue against the previous period, service and engagement
    record, complaints and satisfaction, feedback, decisions and follow-up actions."""

    _name = "customer.agreement.review"
    _description = "Key-Account Agreement Review"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, precompute=True, readonly=False, required=True)
    agreement_id = fields.Many2one(
        "customer.agreement", required=True, ondelete="restrict", index=True, check_company=True
    )
    company_id = fields.Many2one(related="agreement_id.company_id", store=True, precompute=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    partner_id = fields.Many2one(related="agreement_id.partner_id", store=True, string="Customer")
    manager_id = fields.Many2one(related="agreement_id.manager_id", store=True, string="Key-account manager")
    date = fields.Date("Review date", required=True, default=fields.Date.context_today)
    date_from = fields.Date("Period from", required=True)
    date_to = fields.Date("Period to", required=True)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done")], default="draft", required=True, readonly=True, copy=False, tracking=True
    )
    line_ids = fields.One2many("customer.agreement.review.line", "review_id", string="Targets", copy=False)
    revenue = fields.Monetary("Revenue in the period", readonly=True)
    revenue_previous = fields.Monetary("Revenue in the previous period", readonly=True)
    revenue_growth = fields.Float("Growth %", readonly=True)
    achievement = fields.Float(
        "Overall achievement %",
        readonly=True,
        help="As on the agreement: the mean of the targets' achievement in the period containing the review "
        "date, each target counting at most 100 %.",
    )
    rebate_earned = fields.Monetary(readonly=True)
    engagement_target = fields.Integer("Engagements promised", readonly=True)
    engagement_done = fields.Integer("Engagements done", readonly=True)
    response_hours = fields.Float("Response promised (h)", readonly=True)
    onsite_hours = fields.Float("On site promised (h)", readonly=True)
    resolution_hours = fields.Float("Resolution promised (h)", readonly=True)
    complaint_count = fields.Integer("Complaints", readonly=True)
    complaint_open = fields.Integer("Open complaints", readonly=True)
    complaint_overdue = fields.Integer("Overdue complaints", readonly=True)
    satisfaction_index = fields.Float(readonly=True)
    customer_feedback = fields.Html()
    decision = fields.Selection(
        [
            ("renew", "Renew"),
            ("adjust", "Adjust targets"),
            ("downgrade", "Downgrade"),
            ("terminate", "Terminate"),
        ],
        tracking=True,
    )
    followup_actions = fields.Html("Follow-up actions")
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)

    @api.depends("agreement_id", "date_from", "date_to")
    def _compute_name(self):
        for review in self:
            if review.agreement_id and review.date_from and review.date_to:
                review.name = self.env._(
                    "%(agreement)s review %(start)s - %(end)s",
                    agreement=review.agreement_id.name,
                    start=review.date_from,
                    end=review.date_to,
                )
            else:
                review.name = review.name or "/"

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        if any(review.date_to < review.date_from for review in self):
            raise ValidationError(self.env._("The review period ends before it starts."))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            if sets_workflow_fields(vals_list, REVIEW_WORKFLOW_FIELDS):
                raise UserError(self.env._("An agreement review starts as a draft: a Manager marks it done."))
            if any(vals.get(name) for vals in vals_list for name in REVIEW_FIGURE_FIELDS):
                raise UserError(
                    self.env._(
                        "The figures of a review come from its snapshot (Take Snapshot): they cannot be typed in."
                    )
                )
        records = without_defaults(self, REVIEW_WORKFLOW_FIELDS | REVIEW_FIGURE_FIELDS)
        return super(CustomerAgreementReview, records).create(vals_list)

    def write(self, vals):
        if set(vals) & REVIEW_WORKFLOW_FIELDS and not self.env.su:
            raise UserError(
                self.env._("An agreement review is marked done by a Manager's Approve button only, not by editing it.")
            )
        if set(vals) & REVIEW_FIGURE_FIELDS and not self.env.su:
            raise UserError(
                self.env._("The figures of a review come from its snapshot (Take Snapshot): they cannot be typed in.")
            )
        if self.filtered(lambda r: r.state == "done") and set(vals) - {"message_main_attachment_id"}:
            raise UserError(self.env._("A done review is the signed record of the year: it can no longer be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(review.state == "done" for review in self):
            raise UserError(self.env._("A done review cannot be deleted."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_snapshot(self):
        for review in self:
            if review.state != "draft":
                raise UserError(self.env._("Only a draft review takes a new snapshot."))
            review._action_snapshot()
        return True

    def _action_snapshot(self):
        """Snapshot the targets as of the review date: only orders up to that date count, and
        only the review's own lines and header are written (the live agreement is left as it
        is; only its live recompute changes it)."""
        self.ensure_one()
        agreement = self.agreement_id
        as_of = self.date
        periods = agreement.target_ids.period_ids.filtered(
            lambda p: p.date_start <= self.date_to and p.date_end >= self.date_from
        )
        figures = agreement._measure_periods(agreement.target_ids.period_ids, as_of)
        # The snapshot lines are computed records: written with elevated rights, read by users.
        self.sudo().line_ids.unlink()
        self.env["customer.agreement.review.line"].sudo().create(
            [
                {
                    "review_id": self.id,
                    "target_id": period.target_id.id,
                    "period_label": period.label,
                    "target_value": period.target_value,
                    "actual": figures[period.id]["actual"],
                    "achievement": figures[period.id]["achievement"] or 0.0,
                    "forecast": figures[period.id]["forecast"],
                }
                for period in periods
            ]
        )
        summary = agreement._summary_as_of(as_of, figures)[agreement]
        length = self.date_to - self.date_from
        previous_end = self.date_from - timedelta(days=1)
        customer, company = self.partner_id.id, self.company_id.id
        revenues = agreement._revenue_in_periods(
            [
                (1, customer, company, self.date_from, min(self.date_to, as_of)),
                (0, customer, company, previous_end - length, previous_end),
            ]
        )
        revenue, previous = revenues.get(1, 0.0), revenues.get(0, 0.0)
        commitments = agreement
        complaints = self._complaint_figures()
        self.sudo().write(
            {
                "revenue": revenue,
                "revenue_previous": previous,
                "revenue_growth": (revenue - previous) / abs(previous) * 100.0 if previous else 0.0,
                "achievement": summary["achievement"],
                "rebate_earned": summary["rebate"],
                "engagement_target": agreement.engagement_target,
                "engagement_done": agreement._count_engagements(self.date_from, min(self.date_to, as_of)),
                "response_hours": commitments.response_hours,
                "onsite_hours": commitments.onsite_hours,
                "resolution_hours": commitments.resolution_hours,
                "complaint_count": complaints["count"],
                "complaint_open": complaints["open"],
                "complaint_overdue": complaints["overdue"],
                "satisfaction_index": self._satisfaction_index(),
            }
        )

    def action_done(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Customer Relations manager can approve an agreement review."))
        for review in self:
            if review.state != "draft":
                raise UserError(self.env._("The review is already done."))
            if not review.line_ids:
                raise UserError(self.env._("Take the snapshot of the targets before approving the review."))
            if not review.decision:
                raise UserError(self.env._("Record the decision (renew, adjust, downgrade or terminate) first."))
        self.check_access("write")
        self.sudo().write({"state": "done", "approved_by_id": self.env.uid, "approved_date": fields.Datetime.now()})
        return True

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    def _complaint_figures(self):
        """Complaints of the customer received in the period: all valid ones, those still open,
        and those whose SLA is breached (red) now."""
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("partner_id", "=", self.partner_id.id),
            ("state", "!=", "rejected"),
            ("received_at", ">=", fields.Datetime.to_datetime(self.date_from)),
            ("received_at", "<", fields.Datetime.to_datetime(min(self.date_to, self.date) + timedelta(days=1))),
        ]
        groups = self.env["customer.complaint"].sudo()._read_group(domain, ["state", "sla_warning_level"], ["__count"])
        figures = {"count": 0, "open": 0, "overdue": 0}
        for state, level, count in groups:
            figures["count"] += count
            if state in OPEN_STATES:
                figures["open"] += count
                if level == "red":
                    figures["overdue"] += count
        return figures

    def _satisfaction_index(self):
        """Latest satisfaction index of the customer at the review date."""
        self.ensure_one()
        latest = (
            self.env["survey.user_input"]
            .sudo()
            ._latest_satisfaction(
                self.partner_id,
                fields.Datetime.to_datetime(min(self.date_to, self.date) + timedelta(days=1)),
                company=self.company_id,
            )
        )
        return latest.get(self.partner_id.id, {}).get("index", 0.0)
