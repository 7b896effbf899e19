from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .assignee_language import AssigneeLanguage
from .protected_fields import sets_workflow_fields, without_defaults

REVIEW_STATE = [
    ("draft", "Draft"),
    ("in_review", "In Review"),
    ("approved", "Approved"),
    ("cancelled", "Cancelled"),
]

MANAGER_GROUP = "customer_relations.group_customer_relations_manager"
# Written by the action methods only (with sudo(), after checking who and when).
WORKFLOW_FIELDS = {"state", "approved_by_id", "approved_date"}
# Chatter bookkeeping, allowed on any review.
MAIL_FIELDS = {"message_main_attachment_id", "activity_ids", "message_follower_ids"}


class CustomerTierReview(models.Model):
    """Annual or half-year review of customer tiers and account classes.

    Computing it snapshots every evaluated customer as a line (current vs proposed tier and
    class); reviewers adjust proposals with a reason; a Manager approves, which applies all
    lines at once and writes a history record per changed customer.
    """

    _name = "customer.tier.review"
    _description = "Customer Tier Review"
    _inherit = ["mail.thread", "mail.activity.mixin", "customer.background.job.mixin"]
    _background_cron = "customer_relations.ir_cron_customer_tier_review_jobs"
    _order = "date desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(compute="_compute_name", store=True, readonly=False, required=True, precompute=True)
    review_type = fields.Selection(
        [("annual", "Annual review"), ("half_year", "Half-year adjustment")],
        required=True,
        default="annual",
        tracking=True,
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    policy_id = fields.Many2one(
        "customer.tier.policy",
        compute="_compute_policy_id",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
        check_company=True,
    )
    state = fields.Selection(
        REVIEW_STATE, default="draft", required=True, readonly=True, copy=False, index=True, tracking=True
    )
    line_ids = fields.One2many("customer.tier.review.line", "review_id", string="Customers", copy=False)
    # The annual review's questions, read from the lines' flags.
    ordering_less_ids = fields.One2many(
        "customer.tier.review.line", "review_id", domain=[("ordering_less", "=", True)], readonly=True
    )
    repeat_complainer_ids = fields.One2many(
        "customer.tier.review.line", "review_id", domain=[("repeat_complainer", "=", True)], readonly=True
    )
    narrow_mix_ids = fields.One2many(
        "customer.tier.review.line", "review_id", domain=[("narrow_mix", "=", True)], readonly=True
    )
    growth_potential_ids = fields.One2many(
        "customer.tier.review.line", "review_id", domain=[("growth_potential", "=", True)], readonly=True
    )
    line_count = fields.Integer(compute="_compute_counts")
    change_count = fields.Integer(compute="_compute_counts", string="Changes")
    override_count = fields.Integer(compute="_compute_counts", string="Overrides")
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)
    note = fields.Html()

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("review_type", "date")
    def _compute_name(self):
        labels = dict(self._fields["review_type"]._description_selection(self.env))
        for review in self:
            if review.date and review.review_type:
                review.name = f"{review.date.year} {labels[review.review_type]} ({review.date})"
            else:
                review.name = review.name or "/"

    @api.depends("company_id")
    def _compute_policy_id(self):
        for review in self:
            if review.company_id and review.policy_id.company_id != review.company_id:
                review.policy_id = self.env["customer.tier.policy"]._get_for_company(review.company_id)

    def _compute_counts(self):
        Line = self.env["customer.tier.review.line"]
        totals = dict(Line._read_group([("review_id", "in", self.ids)], ["review_id"], ["__count"]))
        changes = dict(
            Line._read_group([("review_id", "in", self.ids), ("changed", "=", True)], ["review_id"], ["__count"])
        )
        overrides = dict(
            Line._read_group([("review_id", "in", self.ids), ("overridden", "=", True)], ["review_id"], ["__count"])
        )
        for review in self:
            review.line_count = totals.get(review, 0)
            review.change_count = changes.get(review, 0)
            review.override_count = overrides.get(review, 0)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            if sets_workflow_fields(vals_list, WORKFLOW_FIELDS):
                raise UserError(self.env._("A tier review starts as a draft: its status is set by its buttons only."))
        records = without_defaults(self, WORKFLOW_FIELDS)
        return super(CustomerTierReview, records).create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_writable(vals)
        return super().write(vals)

    def _check_writable(self, vals):
        """What a person may change, whatever their role: the status and the approval only
        through the buttons; after submission only the name, the notes and the reviewers'
        decisions on the lines (checked by the lines); nothing once approved or cancelled."""
        changed = set(vals) - MAIL_FIELDS
        if changed & WORKFLOW_FIELDS:
            raise UserError(
                self.env._(
                    "The status of a tier review changes only through its buttons (Submit, Approve, Cancel, "
                    "Reset to Draft), which check who may do it."
                )
            )
        locked = self.filtered(lambda r: r.state in ("approved", "cancelled"))
        if locked and changed:
            raise UserError(
                self.env._(
                    "%(reviews)s can no longer be changed: it is approved or cancelled.",
                    reviews=", ".join(locked.mapped("name")),
                )
            )
        submitted = self.filtered(lambda r: r.state == "in_review")
        if submitted and changed - {"name", "note", "line_ids"}:
            raise UserError(
                self.env._(
                    "%(reviews)s is submitted: only the reviewers' decisions and the notes can still change.",
                    reviews=", ".join(submitted.mapped("name")),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_approved(self):
        if any(review.state == "approved" for review in self):
            raise UserError(self.env._("An approved review is a record of the decisions: it cannot be deleted."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_compute(self):
        """(Re)build the lines from a fresh evaluation; only in draft or in review. Recomputing a
        submitted review discards the reviewers' decisions: a Manager's call. For a large
        company the evaluation runs in the background (customer.background.job.mixin)."""
        for review in self:
            if review.state not in ("draft", "in_review"):
                raise UserError(self.env._("Only a draft or running review can be recomputed."))
            if review.state == "in_review" and not self.env.user.has_group(MANAGER_GROUP):
                raise AccessError(
                    self.env._(
                        "%(review)s is submitted: only a Customer Relations manager can recompute it, "
                        "which discards the reviewers' decisions.",
                        review=review.name,
                    )
                )
        if self._job_is_large():
            self.check_access("write")
            return self._job_enqueue()
        for review in self:
            review._action_compute()
        return True

    def _job_run(self):
        self.ensure_one()
        if self.state not in ("draft", "in_review"):
            raise UserError(self.env._("Only a draft or running review can be recomputed."))
        self._action_compute()
        return self.env._("%(count)s customers evaluated.", count=len(self.line_ids))

    def _action_compute(self):
        """Snapshot every customer as of the review date into the review's lines only: the
        live customer values, anomalies and their to-dos change only through the policy's
        live recompute."""
        self.ensure_one()
        Line = self.env["customer.tier.review.line"].sudo()
        evaluation = self.policy_id.sudo()._evaluate(self.date)
        if evaluation is None:
            Line.search([("review_id", "=", self.id)]).unlink()
            return
        measures, result, _breakdown, anomalies = evaluation
        Line._create_from_evaluation(self, measures, result, anomalies)

    def action_submit(self):
        for review in self:
            if review.state != "draft":
                raise UserError(self.env._("Only a draft review can be submitted."))
            if not review.line_ids:
                raise UserError(self.env._("Compute the review before submitting it: it has no customers yet."))
        # The caller's write access is checked first; the status itself is written by this action.
        self.check_access("write")
        self.sudo().write({"state": "in_review"})
        self._notify_managers()
        return True

    def action_approve(self):
        self._check_manager(self.env._("Only a Customer Relations manager can approve a tier review."))
        for review in self:
            if review.state != "in_review":
                raise UserError(self.env._("Only a review in progress can be approved."))
            review._action_approve()
        return True

    def _action_approve(self):
        self.ensure_one()
        changed = self.line_ids.filtered("changed")
        changed._apply()
        self.sudo().write({"state": "approved", "approved_by_id": self.env.uid, "approved_date": fields.Datetime.now()})
        self.activity_ids.action_feedback(feedback=self.env._("Approved"))
        self.message_post(
            body=self.env._("Approved: %(count)s customers changed tier or class.", count=len(changed)),
            subtype_xmlid="mail.mt_note",
        )

    def action_cancel(self):
        self._check_manager(self.env._("Only a Customer Relations manager can cancel a tier review."))
        for review in self:
            if review.state not in ("draft", "in_review"):
                raise UserError(
                    self.env._("Only a draft or running review can be cancelled; run a new review instead.")
                )
        self.sudo().write({"state": "cancelled"})
        return True

    def action_reset_to_draft(self):
        self._check_manager(self.env._("Only a Customer Relations manager can reset a tier review to draft."))
        for review in self:
            if review.state != "cancelled":
                raise UserError(self.env._("Only a cancelled review can go back to draft."))
        self.sudo().write({"state": "draft"})
        return True

    def _check_manager(self, message):
        self.check_access("write")
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(message)

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_tier_review_line_action")
        action["domain"] = [("review_id", "=", self.id)]
        action["context"] = {"search_default_changed": 1} if self.change_count else {}
        return action

    def _notify_managers(self):
        group = self.env.ref(MANAGER_GROUP)
        managers = group.users.filtered(lambda u: self.company_id in u.company_ids and not u.share)
        lang = AssigneeLanguage(self.env)
        for review in self:
            for manager in managers[:5]:
                review.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=lang(manager)._("Approve the tier review"),
                    user_id=manager.id,
                )
