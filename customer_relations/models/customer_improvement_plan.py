from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..engine import improvement
from .improvement_constants import PLAN_STATE

_USER = "customer_relations.group_customer_relations_user"
# Written only by the checked actions (with sudo()): the lifecycle and the evaluation.
PROTECTED_PLAN_FIELDS = ("state", "evaluation_campaign_id", "evaluation_date")


class CustomerImprovementPlan(models.Model):
    """The rectification of a satisfaction campaign's findings: one line per weak dimension
    and per dissatisfied or detractor customer, each evaluated at the next campaign on the
    same survey (survey, rectification, reply to the customer, evaluation of the improvement)."""

    _name = "customer.improvement.plan"
    _description = "Improvement Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    campaign_id = fields.Many2one(
        "customer.satisfaction.campaign",
        required=True,
        readonly=True,
        ondelete="restrict",
        index=True,
        check_company=True,
        groups=_USER,
    )
    survey_id = fields.Many2one(related="campaign_id.survey_id", store=True, groups=_USER)
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, index=True)
    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    date_deadline = fields.Date("Deadline", tracking=True)
    note = fields.Html("Notes")
    state = fields.Selection(
        PLAN_STATE, default="draft", required=True, readonly=True, copy=False, index=True, tracking=True
    )
    line_ids = fields.One2many("customer.improvement.plan.line", "plan_id", string="Lines")
    line_count = fields.Integer(compute="_compute_counts", string="Number of lines")
    open_count = fields.Integer(compute="_compute_counts", string="Open")
    improved_count = fields.Integer(compute="_compute_counts", string="Improved")
    not_improved_count = fields.Integer(compute="_compute_counts", string="Not improved")
    not_measured_count = fields.Integer(compute="_compute_counts", string="Not measured")
    evaluation_campaign_id = fields.Many2one(
        "customer.satisfaction.campaign",
        "Evaluated at",
        readonly=True,
        copy=False,
        groups=_USER,
        help="The next campaign on the same survey, against which every line was evaluated.",
    )
    evaluation_date = fields.Datetime("Evaluated on", readonly=True, copy=False)

    _sql_constraints = [
        ("campaign_unique", "UNIQUE(campaign_id)", "A campaign has one improvement plan."),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("line_ids.state", "line_ids.evaluation")
    def _compute_counts(self):
        Line = self.env["customer.improvement.plan.line"]
        groups = Line._read_group([("plan_id", "in", self.ids)], ["plan_id", "state", "evaluation"], ["__count"])
        counts = {}
        for plan, state, evaluation, count in groups:
            figures = counts.setdefault(
                plan.id, {"total": 0, "open": 0, "improved": 0, "not_improved": 0, "not_measured": 0}
            )
            figures["total"] += count
            if state == "open":
                figures["open"] += count
            if evaluation:
                figures[evaluation] += count
        for plan in self:
            figures = counts.get(plan.id, {})
            plan.line_count = figures.get("total", 0)
            plan.open_count = figures.get("open", 0)
            plan.improved_count = figures.get("improved", 0)
            plan.not_improved_count = figures.get("not_improved", 0)
            plan.not_measured_count = figures.get("not_measured", 0)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _check_protected_fields(self, field_names):
        touched = set(field_names).intersection(PROTECTED_PLAN_FIELDS)
        if touched and not self.env.su:
            raise AccessError(
                self.env._("The state and the evaluation of an improvement plan change only through its buttons.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_protected_fields({name for vals in vals_list for name in vals})
        return super().create(vals_list)

    def write(self, vals):
        self._check_protected_fields(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if self.filtered(lambda p: p.state != "draft"):
            raise UserError(self.env._("A started improvement plan is archived, not deleted."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_start(self):
        self.check_access("write")
        if self.filtered(lambda p: p.state != "draft"):
            raise UserError(self.env._("Only a draft improvement plan can be started."))
        return self._action_start()

    def _action_start(self):
        """In progress; every open line's owner gets a to-do due on the line's deadline."""
        self.sudo().write({"state": "in_progress"})
        self.line_ids.filtered(lambda line: line.state == "open")._schedule_owner_activity()
        return True

    def action_close(self):
        self.check_access("write")
        if self.filtered(lambda p: p.state != "in_progress"):
            raise UserError(self.env._("Only an improvement plan in progress can be closed."))
        self.sudo().write({"state": "done"})
        return True

    def action_reopen(self):
        self.check_access("write")
        if self.filtered(lambda p: p.state != "done"):
            raise UserError(self.env._("Only a closed improvement plan can be reopened."))
        self.sudo().write({"state": "in_progress"})
        return True

    def action_evaluate(self):
        """Evaluate every line against the next campaign on the same survey."""
        self.check_access("write")
        for plan in self:
            after = plan._next_campaign()
            if not after:
                raise UserError(
                    self.env._(
                        "%(plan)s is evaluated at the next campaign on the survey %(survey)s; there is none yet.",
                        plan=plan.name,
                        survey=plan.survey_id.title,
                    )
                )
            plan._evaluate(after)
        return True

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_relations.customer_improvement_plan_line_action"
        )
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {"default_plan_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _next_campaign(self):
        """The first campaign on the same survey after the plan's campaign (same company)."""
        self.ensure_one()
        campaign = self.campaign_id
        return self.env["customer.satisfaction.campaign"].search(
            [
                ("survey_id", "=", campaign.survey_id.id),
                ("company_id", "=", campaign.company_id.id),
                ("date_start", ">", campaign.date_start),
            ],
            order="date_start, id",
            limit=1,
        )

    @api.model
    def _prepare_from_campaign(self, campaign):
        """Values of the plan of ``campaign`` with its lines: one per weak dimension (the
        campaign's importance-performance quadrant "concentrate here") and one per customer
        with a dissatisfied or detractor answer."""
        analysis = campaign.analysis or {}
        if not campaign.analysis_date or campaign.results_outdated or "dimension_ids" not in analysis:
            raise UserError(
                self.env._(
                    "Compute the results of %(name)s first: the plan is made from its current results.",
                    name=campaign.name,
                )
            )
        Line = self.env["customer.improvement.plan.line"]
        dimension_ids = analysis["dimension_ids"]
        lines = [
            Line._prepare_dimension_line(self.env["customer.satisfaction.dimension"].browse(dimension_ids[name]))
            for name in improvement.weak_dimensions(analysis.get("quadrants"))
            if name in dimension_ids
        ]
        lines += Line._prepare_customer_lines(campaign)
        return {
            "name": self.env._("Improvement plan: %(campaign)s", campaign=campaign.name),
            "campaign_id": campaign.id,
            "line_ids": [fields.Command.create(values) for values in lines],
        }

    def _evaluate(self, after):
        """Evaluate the lines against the campaign ``after`` (set-based: one read of each
        campaign's answers) and note the outcome in the chatter."""
        self.ensure_one()
        Line = self.env["customer.improvement.plan.line"]
        before_answers = Line._campaign_answers(self.campaign_id)
        after_answers = Line._campaign_answers(after)
        self.line_ids._evaluate_against(before_answers, after_answers)
        self.sudo().write({"evaluation_campaign_id": after.id, "evaluation_date": fields.Datetime.now()})
        # the campaigns list the lines of the plans evaluated at them (a compute no depends can follow)
        self.env["customer.satisfaction.campaign"].invalidate_model(["improvement_line_report_ids"])
        self.message_post(
            body=self.env._(
                "Evaluated at %(campaign)s: %(improved)s improved, %(not_improved)s not improved, "
                "%(not_measured)s not measured.",
                campaign=after.name,
                improved=self.improved_count,
                not_improved=self.not_improved_count,
                not_measured=self.not_measured_count,
            )
        )
