import uuid

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import is_html_empty

from ..engine import complaints as engine
from .complaint_constants import (
    CHANNEL,
    COMPLAINT_STATE,
    EFFECTIVENESS,
    MAJOR_SEVERITIES,
    OPEN_STATES,
    REMEDY,
    SEVERITY,
    WARNING_LEVEL,
)
from .customer_job import notify_progress, run_batch
from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER

USER_GROUP = "customer_relations.group_customer_relations_user"
QUALITY_GROUP = "customer_relations.group_customer_relations_quality"
MANAGER_GROUP = "customer_relations.group_customer_relations_manager"
# Internal fields: portal customers read their complaints without them (cause, supplier, evidence,
# routing, department, tier and class, cost, SLA milestones, pauses and log).
INTERNAL_GROUP = "base.group_user"

# Written only by the workflow actions, through sudo() once they have checked who and when: a
# client (whatever context it sends over RPC) never writes them directly.
WORKFLOW_FIELDS = frozenset(
    {
        "state",
        "department_id",
        "department_confirmed_by_id",
        "department_confirmed_at",
        "routing_rule_id",
        "routing_note",
        "effectiveness",
        "effectiveness_verifier_id",
        "effectiveness_date",
        "effectiveness_evidence",
        "replied_at",
        "closed_at",
        "rejection_reason",
        "reopen_count",
        "waiting_customer",
        "pause_ids",
        "sla_policy_id",
        "sla_ids",
        "sla_warning_level",
        "sla_deadline",
        "transition_ids",
        "hours_to_reply",
        "hours_to_close",
        "callback_input_id",
        "is_repeat",
        "repeat_count",
        # The customer's tier and class when the complaint came in: they choose the routing
        # rule and the SLA policy, so nobody edits them afterwards.
        "customer_tier",
        "account_class",
    }
)
# Set at intake; once submitted the clocks run from them, so they no longer change.
INTAKE_FIELDS = frozenset({"received_at", "company_id"})
# The responsible department's own work: its members, its head, the assigned handler, the
# emergency team, Quality and Managers record it, not sales-service on its behalf.
DEPARTMENT_FIELDS = frozenset(
    {"root_cause_id", "cause_analysis", "supplier_id", "handling_description", "remedy_type", "remedy_description"}
)
# Moments measured against the SLA: recorded once, then changed by a Manager only.
MEASURED_FIELDS = frozenset({"first_response_at", "onsite_at"})
LOCKED_STATES = ("closed", "rejected")
# Workflow activities, marked done by the step that settles them.
INTAKE_ACTIVITY = "customer_relations.mail_activity_type_complaint_intake"
CONFIRM_ACTIVITY = "customer_relations.mail_activity_type_complaint_confirm"
REPLY_ACTIVITY = "customer_relations.mail_activity_type_complaint_reply"
EMERGENCY_ACTIVITY = "customer_relations.mail_activity_type_complaint_emergency"


class CustomerComplaint(models.Model):
    """A customer complaint from intake by sales-service to the reply and filing, through the
    responsible department confirmed by its head, root cause, actions and effectiveness check."""

    _name = "customer.complaint"
    _description = "Customer Complaint"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "received_at desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/", index="trigram")
    title = fields.Char("Subject", required=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('parent_id', '=', False)]",
    )
    contact_id = fields.Many2one(
        "res.partner",
        check_company=True,
        domain="['|', ('id', '=', partner_id), ('parent_id', '=', partner_id)]",
        help="The person who complained; the reply and the callback survey go to this contact.",
    )
    channel = fields.Selection(CHANNEL, required=True, default="phone")
    category_id = fields.Many2one("customer.complaint.category", required=True, tracking=True, index=True)
    is_quality = fields.Boolean(related="category_id.is_quality")
    severity = fields.Selection(SEVERITY, required=True, default="normal", tracking=True, index=True)
    is_major = fields.Boolean("Major complaint", compute="_compute_is_major", store=True)
    sale_order_id = fields.Many2one(
        "sale.order",
        check_company=True,
        domain="[('partner_id', 'child_of', partner_id)]",
    )
    product_id = fields.Many2one("product.product", check_company=True)
    product_categ_id = fields.Many2one(related="product_id.categ_id", store=True, string="Product category")
    lot_name = fields.Char("Lot / serial number")
    invoice_id = fields.Many2one(
        "account.move",
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund')), ('partner_id', 'child_of', partner_id)]",
    )
    description = fields.Html(required=True)
    received_at = fields.Datetime(
        "Received at", required=True, default=fields.Datetime.now, tracking=True, help="When the customer complained."
    )
    customer_tier = fields.Selection(
        CUSTOMER_TIER,
        compute="_compute_customer_snapshot",
        store=True,
        string="Customer tier",
        groups=INTERNAL_GROUP,
    )
    account_class = fields.Selection(
        ACCOUNT_CLASS, compute="_compute_customer_snapshot", store=True, groups=INTERNAL_GROUP
    )
    intake_user_id = fields.Many2one(
        "res.users",
        "Taken in by",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        groups=INTERNAL_GROUP,
    )
    state = fields.Selection(
        COMPLAINT_STATE,
        default="new",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        group_expand="_expand_states",
    )
    # Routing
    department_id = fields.Many2one(
        "hr.department",
        "Responsible department",
        tracking=True,
        index=True,
        check_company=True,
        copy=False,
        groups=INTERNAL_GROUP,
    )
    department_manager_user_id = fields.Many2one(
        "res.users", compute="_compute_department_manager_user_id", string="Department head", groups=INTERNAL_GROUP
    )
    user_id = fields.Many2one(
        "res.users",
        "Handler",
        tracking=True,
        domain="[('share', '=', False)]",
        copy=False,
        index=True,
        groups=INTERNAL_GROUP,
    )
    routing_rule_id = fields.Many2one(
        "customer.complaint.routing.rule", readonly=True, copy=False, groups=INTERNAL_GROUP
    )
    routing_note = fields.Char(readonly=True, copy=False, groups=INTERNAL_GROUP)
    department_confirmed_by_id = fields.Many2one(
        "res.users", "Confirmed by", readonly=True, copy=False, groups=INTERNAL_GROUP
    )
    department_confirmed_at = fields.Datetime("Confirmed at", readonly=True, copy=False, groups=INTERNAL_GROUP)
    emergency_user_ids = fields.Many2many(
        "res.users",
        "customer_complaint_emergency_user_rel",
        "complaint_id",
        "user_id",
        string="Emergency team",
        copy=False,
        groups=INTERNAL_GROUP,
    )
    # Cause and handling
    root_cause_id = fields.Many2one("customer.complaint.root.cause", tracking=True, index=True, groups=INTERNAL_GROUP)
    is_material_cause = fields.Boolean(related="root_cause_id.is_material", groups=INTERNAL_GROUP)
    cause_analysis = fields.Html("Cause analysis", groups=INTERNAL_GROUP)
    supplier_id = fields.Many2one("res.partner", "Supplier concerned", check_company=True, groups=INTERNAL_GROUP)
    action_ids = fields.One2many("customer.complaint.action", "complaint_id", string="Actions", groups=INTERNAL_GROUP)
    action_count = fields.Integer(compute="_compute_action_count", groups=INTERNAL_GROUP)
    overdue_action_count = fields.Integer(compute="_compute_action_count", groups=INTERNAL_GROUP)
    handling_description = fields.Html("Handling", groups=INTERNAL_GROUP)
    remedy_type = fields.Selection(REMEDY, tracking=True, groups=INTERNAL_GROUP)
    remedy_description = fields.Text("Remedy", groups=INTERNAL_GROUP)
    cost = fields.Monetary("Cost of the complaint", tracking=True, groups=INTERNAL_GROUP)
    # Effectiveness
    effectiveness = fields.Selection(EFFECTIVENESS, readonly=True, copy=False, tracking=True, groups=INTERNAL_GROUP)
    effectiveness_verifier_id = fields.Many2one(
        "res.users", "Verified by", readonly=True, copy=False, groups=INTERNAL_GROUP
    )
    effectiveness_date = fields.Date("Verified on", readonly=True, copy=False, groups=INTERNAL_GROUP)
    effectiveness_evidence = fields.Text("Evidence", readonly=True, copy=False, groups=INTERNAL_GROUP)
    # Reply and closing
    reply = fields.Html("Reply to the customer", copy=False)
    first_response_at = fields.Datetime("First response at", copy=False, tracking=True)
    onsite_at = fields.Datetime("On site at", copy=False, tracking=True)
    replied_at = fields.Datetime("Replied at", readonly=True, copy=False)
    closed_at = fields.Datetime("Closed at", readonly=True, copy=False)
    rejection_reason = fields.Text(readonly=True, copy=False, groups=INTERNAL_GROUP)
    reopen_count = fields.Integer(readonly=True, copy=False, groups=INTERNAL_GROUP)
    # Clock
    waiting_customer = fields.Boolean("Waiting for the customer", readonly=True, copy=False, tracking=True)
    pause_ids = fields.One2many("customer.complaint.pause", "complaint_id", readonly=True, groups=INTERNAL_GROUP)
    sla_policy_id = fields.Many2one(
        "customer.sla.policy", "SLA policy", readonly=True, copy=False, groups=INTERNAL_GROUP
    )
    sla_ids = fields.One2many(
        "customer.complaint.sla", "complaint_id", string="SLA milestones", readonly=True, groups=INTERNAL_GROUP
    )
    sla_warning_level = fields.Selection(
        WARNING_LEVEL,
        "SLA warning",
        readonly=True,
        copy=False,
        index=True,
        help="The worst level of running milestones.",
    )
    sla_deadline = fields.Datetime("Next SLA deadline", readonly=True, copy=False, groups=INTERNAL_GROUP)
    transition_ids = fields.One2many(
        "customer.complaint.transition", "complaint_id", readonly=True, groups=INTERNAL_GROUP
    )
    hours_to_reply = fields.Float("Hours to reply", readonly=True, copy=False, aggregator="avg", groups=INTERNAL_GROUP)
    hours_to_close = fields.Float("Hours to close", readonly=True, copy=False, aggregator="avg", groups=INTERNAL_GROUP)
    # Callback and repeats
    callback_input_id = fields.Many2one("survey.user_input", "Callback survey", readonly=True, copy=False)
    callback_state = fields.Selection(related="callback_input_id.state", string="Callback")
    callback_score = fields.Float(
        "Callback satisfaction",
        compute="_compute_callback_score",
        store=True,
        aggregator="avg",
        copy=False,
    )
    is_repeat = fields.Boolean("Repeat complaint", readonly=True, copy=False, index=True, groups=INTERNAL_GROUP)
    repeat_count = fields.Integer(
        "Earlier complaints",
        readonly=True,
        copy=False,
        help="Complaints of this customer in the repeat window.",
        groups=INTERNAL_GROUP,
    )
    color = fields.Integer(compute="_compute_color")

    def _expand_states(self, states, domain):
        """Kanban columns: every step of the workflow, and the end states only where the search
        finds complaints in them (an empty "Closed" column is noise on the board)."""
        ended = {"closed", "rejected"}
        return [key for key, _label in COMPLAINT_STATE if key not in ended or key in states]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("severity")
    def _compute_is_major(self):
        for complaint in self:
            complaint.is_major = complaint.severity in MAJOR_SEVERITIES

    @api.depends("partner_id")
    def _compute_customer_snapshot(self):
        for complaint in self:
            partner = complaint.partner_id.commercial_partner_id.with_company(complaint.company_id)
            complaint.customer_tier = partner.customer_tier
            complaint.account_class = partner.account_class

    @api.depends("department_id.manager_id.user_id")
    def _compute_department_manager_user_id(self):
        for complaint in self:
            complaint.department_manager_user_id = complaint.sudo().department_id.manager_id.user_id

    @api.depends("action_ids.state", "action_ids.date_deadline")
    def _compute_action_count(self):
        today = fields.Date.context_today(self)
        for complaint in self:
            complaint.action_count = len(complaint.action_ids)
            complaint.overdue_action_count = len(
                complaint.action_ids.filtered(
                    lambda a: a.state == "open" and a.date_deadline and a.date_deadline < today
                )
            )

    @api.depends(
        "callback_input_id.state", "callback_input_id.satisfaction_index", "callback_input_id.scoring_percentage"
    )
    def _compute_callback_score(self):
        for complaint in self:
            answer = complaint.callback_input_id
            if not answer or answer.state != "done":
                complaint.callback_score = 0.0
            elif answer.satisfaction_scored:
                complaint.callback_score = answer.satisfaction_overall or answer.satisfaction_index
            else:
                complaint.callback_score = answer.scoring_percentage

    @api.depends("sla_warning_level", "is_major")
    def _compute_color(self):
        colors = {"yellow": 3, "orange": 2, "red": 1}
        for complaint in self:
            complaint.color = colors.get(complaint.sla_warning_level, 9 if complaint.is_major else 0)

    def _compute_access_url(self):
        for complaint in self:
            complaint.access_url = f"/my/complaints/{complaint.id}"

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    _sql_constraints = [
        ("name_unique", "unique(name)", "This complaint reference is already used."),
        ("cost_not_negative", "CHECK(cost IS NULL OR cost >= 0)", "The cost of a complaint cannot be negative."),
    ]

    @api.constrains("partner_id", "contact_id", "sale_order_id", "invoice_id")
    def _check_parties(self):
        for complaint in self:
            customer = complaint.partner_id
            if customer != customer.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The customer of complaint %(ref)s must be the company, not its contact person %(contact)s: "
                        "choose %(company)s and name the person as the contact.",
                        ref=complaint.name,
                        contact=customer.display_name,
                        company=customer.commercial_partner_id.display_name,
                    )
                )
            for record, label in (
                (complaint.contact_id, self.env._("The contact")),
                (complaint.sale_order_id.partner_id, self.env._("The sale order")),
                (complaint.invoice_id.partner_id, self.env._("The invoice")),
            ):
                if record and record.commercial_partner_id != customer:
                    raise ValidationError(
                        self.env._(
                            "%(what)s of complaint %(ref)s belongs to %(other)s, not to the customer %(customer)s.",
                            what=label,
                            ref=complaint.name,
                            other=record.commercial_partner_id.display_name,
                            customer=customer.display_name,
                        )
                    )

    @api.constrains("name")
    def _check_name_unique(self):
        for complaint in self:
            if complaint.name == "/":
                continue
            duplicate = self.sudo().search_count(
                [
                    ("name", "=", complaint.name),
                    ("id", "!=", complaint.id),
                ],
                limit=1,
            )
            if duplicate:
                raise ValidationError(
                    self.env._("The complaint reference %(ref)s is already used.", ref=complaint.name)
                )

    @api.constrains("cost")
    def _check_cost(self):
        bad = self.filtered(lambda c: c.cost < 0)
        if bad:
            raise ValidationError(
                self.env._("The cost of a complaint cannot be negative: %(refs)s", refs=", ".join(bad.mapped("name")))
            )

    @api.constrains("received_at", "first_response_at")
    def _check_first_response_at(self):
        self._check_measured_time("first_response_at")

    @api.constrains("received_at", "onsite_at")
    def _check_onsite_at(self):
        self._check_measured_time("onsite_at")

    def _check_measured_time(self, name):
        """A measured moment lies between the receipt and now (checked when it is written)."""
        now = fields.Datetime.now()
        for complaint in self:
            moment = complaint[name]
            if moment and (moment < complaint.received_at or moment > now):
                raise ValidationError(
                    self.env._(
                        "%(field)s of %(ref)s must lie between the receipt (%(received)s) and now.",
                        field=self._fields[name]._description_string(self.env),
                        ref=complaint.name,
                        received=fields.Datetime.to_string(complaint.received_at),
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        names = [vals["name"] for vals in vals_list if vals.get("name", "/") != "/"]
        if names:
            taken = self.sudo().search([("name", "in", names)])
            if taken:
                raise ValidationError(
                    self.env._(
                        "The complaint reference %(refs)s is already used.", refs=", ".join(taken.mapped("name"))
                    )
                )
        for vals in vals_list:
            if vals.get("state", "new") != "new":
                raise UserError(self.env._("A complaint starts as new; its state changes through its buttons."))
            if not self.env.su:
                self._check_protected_values(vals, creating=True)
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("customer.complaint") or "/"
            # The portal token from the start: no later write on the complaint from a notification.
            vals["access_token"] = vals.get("access_token") or str(uuid.uuid4())
        complaints = super().create(vals_list)
        complaints._mark_repeats()
        return complaints

    def write(self, vals):
        if not self.env.su:
            self._check_protected_values(vals)
        repeat_keys = set()
        if {"partner_id", "received_at", "company_id"} & set(vals):
            repeat_keys = {(c.partner_id.id, c.company_id.id) for c in self}
        result = super().write(vals)
        if repeat_keys:
            self._mark_repeats(repeat_keys)
        if "severity" in vals or "category_id" in vals:
            submitted = self.filtered(lambda c: c.state in OPEN_STATES and c.state != "new")
            submitted._sla_apply_policy()
            submitted.filtered("is_major")._apply_emergency_team()
        if "onsite_at" in vals or "first_response_at" in vals:
            self._sla_reach_events()
        return result

    def _check_protected_values(self, vals, creating=False):
        """Refuse what only the checked workflow actions may change (they write through sudo()).

        Nothing here reads the context: a client can send any context over RPC."""
        # At creation, empty values and the starting state are the defaults the form sends.
        changed = {name for name, value in vals.items() if not creating or (value and name != "state")}
        workflow = changed & WORKFLOW_FIELDS
        if workflow:
            labels = ", ".join(sorted(self._fields[name]._description_string(self.env) for name in workflow))
            raise UserError(
                self.env._(
                    "%(fields)s of a complaint change only through its buttons, which check who may take each "
                    "step and when.",
                    fields=labels,
                )
            )
        if "emergency_user_ids" in changed and not self.env.user.has_group(QUALITY_GROUP):
            raise AccessError(
                self.env._("Only the quality team and Customer Relations managers choose the emergency team.")
            )
        if creating:
            if changed & DEPARTMENT_FIELDS and not self.env.user.has_group(QUALITY_GROUP):
                raise AccessError(self.env._("The cause and the handling are recorded by the responsible department."))
            return
        locked = self.filtered(lambda c: c.state in LOCKED_STATES)
        if locked:
            raise UserError(
                self.env._(
                    "%(refs)s is closed or rejected and can no longer be changed: reopen it first.",
                    refs=", ".join(locked.mapped("name")),
                )
            )
        submitted = self.filtered(lambda c: c.state != "new")
        if submitted and changed & INTAKE_FIELDS:
            raise UserError(
                self.env._(
                    "The receipt time and the company of %(refs)s are fixed once it is submitted: the SLA clocks "
                    "run from them.",
                    refs=", ".join(submitted.mapped("name")),
                )
            )
        if changed & DEPARTMENT_FIELDS:
            self._check_department_work()
        if changed & MEASURED_FIELDS and not self.env.user.has_group(MANAGER_GROUP):
            for complaint in self:
                for name in changed & MEASURED_FIELDS:
                    if complaint[name] and fields.Datetime.to_datetime(vals[name]) != complaint[name]:
                        raise UserError(
                            self.env._(
                                "%(field)s of %(ref)s is already recorded; only a Customer Relations manager "
                                "corrects it.",
                                field=self._fields[name]._description_string(self.env),
                                ref=complaint.name,
                            )
                        )

    def _check_department_work(self):
        """Cause, handling and feedback belong to the responsible department (its members, its head,
        the assigned handler), the emergency team, Quality and Managers."""
        if self.env.su or self.env.user.has_group(QUALITY_GROUP):
            return
        user = self.env.user
        for complaint in self:
            department = complaint.sudo().department_id
            allowed = (
                user in department.member_ids.user_id
                or user == department.manager_id.user_id
                or user == complaint.sudo().user_id
                or user in complaint.sudo().emergency_user_ids
            )
            if not allowed:
                raise AccessError(
                    self.env._(
                        "Only %(department)s (its members and head), the emergency team or the quality team record "
                        "the cause, handling and feedback of %(ref)s.",
                        department=department.display_name or self.env._("the responsible department"),
                        ref=complaint.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_new(self):
        if any(complaint.state != "new" for complaint in self):
            raise UserError(
                self.env._(
                    "A complaint that has been submitted is a business record: reject it instead of deleting it."
                )
            )

    # ------------------------------------------------------------------
    # Workflow actions
    # ------------------------------------------------------------------
    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda c: c.state not in allowed)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(action)s is not possible for %(refs)s in state %(state)s.",
                    action=action,
                    refs=", ".join(wrong.mapped("name")),
                    state=labels[wrong[0].state],
                )
            )

    def _check_group(self, group, message):
        if not self.env.user.has_group(group):
            raise AccessError(message)

    def action_submit(self):
        """Sales-service submits the complaint: routing proposal, SLA clocks, emergency team."""
        self._check_state(("new",), self.env._("Submitting"))
        self._check_group(USER_GROUP, self.env._("Only sales-service (Customer Relations users) submit complaints."))
        for complaint in self:
            if is_html_empty(complaint.description):
                raise UserError(self.env._("Describe the complaint %(ref)s before submitting it.", ref=complaint.name))
        self._action_route()
        self._set_state("routing")
        self._sla_start()
        self.filtered("is_major")._apply_emergency_team()
        self._close_workflow_activities(INTAKE_ACTIVITY)
        self._notify_department_heads()
        return True

    def action_confirm_department(self):
        """The head of the proposed department (or a manager) confirms the responsibility."""
        self._check_state(("routing",), self.env._("Confirming the department"))
        for complaint in self:
            if not complaint.department_id:
                raise UserError(self.env._("Choose the responsible department of %(ref)s first.", ref=complaint.name))
            complaint._check_is_department_head()
        self.sudo().write(
            {"department_confirmed_by_id": self.env.uid, "department_confirmed_at": fields.Datetime.now()}
        )
        self._set_state("investigating")
        self._close_workflow_activities(CONFIRM_ACTIVITY)
        return True

    def _check_is_department_head(self):
        self.ensure_one()
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        if self.sudo().department_id.manager_id.user_id != self.env.user:
            raise AccessError(
                self.env._(
                    "Only the head of %(department)s or a Customer Relations manager can confirm or reassign "
                    "complaint %(ref)s.",
                    department=self.sudo().department_id.display_name,
                    ref=self.name,
                )
            )

    def _action_reassign(self, department, reason):
        """Back to routing for another department's head, with the reason in the log."""
        self._check_state(("routing", "investigating"), self.env._("Reassigning"))
        for complaint in self:
            complaint._check_is_department_head()
            if department == complaint.department_id:
                raise UserError(self.env._("%(ref)s is already with this department.", ref=complaint.name))
        old = {complaint: complaint.department_id.display_name for complaint in self}
        self.sudo().write(
            {
                "department_id": department.id,
                "user_id": False,
                "department_confirmed_by_id": False,
                "department_confirmed_at": False,
                "routing_note": self.env._("Reassigned: %(reason)s", reason=reason),
            }
        )
        for complaint in self:
            # The head who hands it over loses access to it: log the move with elevated rights.
            complaint.sudo()._set_state(
                "routing",
                reason=self.env._(
                    "Reassigned from %(old)s to %(new)s: %(reason)s",
                    old=old[complaint],
                    new=department.display_name,
                    reason=reason,
                ),
            )
        # The old head's request to confirm is settled by the move.
        self.sudo()._close_workflow_activities(CONFIRM_ACTIVITY)
        self.sudo()._notify_department_heads()
        return True

    def action_start_handling(self):
        self._check_state(("investigating",), self.env._("Starting the handling"))
        self._check_department_work()
        for complaint in self:
            if not complaint.root_cause_id or is_html_empty(complaint.cause_analysis):
                raise UserError(
                    self.env._(
                        "Record the root cause and its analysis of %(ref)s before handling it.", ref=complaint.name
                    )
                )
            if complaint.root_cause_id.is_material and not complaint.supplier_id:
                raise UserError(
                    self.env._("The cause of %(ref)s is bought material: name the supplier.", ref=complaint.name)
                )
        self._set_state("handling")
        return True

    def action_send_feedback(self):
        """The department returns the result to sales-service."""
        self._check_state(("handling",), self.env._("Returning the result"))
        self._check_department_work()
        for complaint in self:
            if is_html_empty(complaint.handling_description) or not complaint.remedy_type:
                raise UserError(
                    self.env._("Describe the handling and the remedy of %(ref)s first.", ref=complaint.name)
                )
        self._set_state("feedback")
        self._notify_intake()
        return True

    def action_reply(self):
        """Sales-service answers the customer through the chatter with the reply template."""
        self._check_state(("feedback",), self.env._("Replying"))
        self._check_group(USER_GROUP, self.env._("Only sales-service (Customer Relations users) reply to customers."))
        for complaint in self:
            if is_html_empty(complaint.reply):
                raise UserError(self.env._("Write the reply to the customer for %(ref)s first.", ref=complaint.name))
        now = fields.Datetime.now()
        template = self.env.ref("customer_relations.mail_template_customer_complaint_reply")
        for complaint in self:
            complaint.message_post_with_source(template, message_type="comment", subtype_xmlid="mail.mt_comment")
            values = {"replied_at": now}
            if not complaint.first_response_at:
                values["first_response_at"] = now
            complaint.sudo().write(values)
        self._set_state("replied")
        self._close_workflow_activities(REPLY_ACTIVITY)
        self._sla_reach_events()
        return True

    def action_close(self):
        self._check_state(("replied",), self.env._("Closing"))
        self._check_group(USER_GROUP, self.env._("Only sales-service (Customer Relations users) file complaints."))
        for complaint in self:
            if complaint.is_quality and complaint.effectiveness != "effective":
                raise UserError(
                    self.env._(
                        "%(ref)s is a quality complaint: its corrective action must be checked effective before "
                        "closing.",
                        ref=complaint.name,
                    )
                )
        self.sudo().write({"closed_at": fields.Datetime.now()})
        self._set_state("closed")
        self._close_workflow_activities(CONFIRM_ACTIVITY, REPLY_ACTIVITY, EMERGENCY_ACTIVITY)
        self._send_callback_survey()
        return True

    def _action_reject(self, reason):
        self._check_state(("new", "routing", "investigating"), self.env._("Rejecting"))
        self._check_group(USER_GROUP, self.env._("Only sales-service (Customer Relations users) reject complaints."))
        self.sudo().write({"rejection_reason": reason})
        self._set_state("rejected", reason=reason)
        self._close_workflow_activities(INTAKE_ACTIVITY, CONFIRM_ACTIVITY, REPLY_ACTIVITY, EMERGENCY_ACTIVITY)
        self.sudo().sla_ids.filtered(lambda s: s.status in ("running", "paused")).write({"status": "cancelled"})
        self._sla_update_summary()
        return True

    def _action_reopen(self, reason):
        self._check_state(("replied", "closed"), self.env._("Reopening"))
        self._check_group(USER_GROUP, self.env._("Only sales-service (Customer Relations users) reopen complaints."))
        for complaint in self:
            complaint.sudo().write(
                {"reopen_count": complaint.reopen_count + 1, "closed_at": False, "replied_at": False}
            )
        self._set_state("investigating", reason=reason)
        resolution = self.sudo().sla_ids.filtered(lambda s: s.milestone == "resolution")
        resolution.write({"status": "running", "reached_at": False})
        resolution._refresh_levels()
        self._sla_update_summary()
        return True

    def _action_check_effectiveness(self, result, evidence):
        self._check_state(("feedback", "replied"), self.env._("Checking effectiveness"))
        self._check_group(QUALITY_GROUP, self.env._("Only the quality team checks the effectiveness of actions."))
        self.sudo().write(
            {
                "effectiveness": result,
                "effectiveness_verifier_id": self.env.uid,
                "effectiveness_date": fields.Date.context_today(self),
                "effectiveness_evidence": evidence,
            }
        )
        if result == "not_effective":
            self.sudo().write({"replied_at": False})
            self._set_state("handling", reason=self.env._("Not effective: %(evidence)s", evidence=evidence))
            resolution = self.sudo().sla_ids.filtered(lambda s: s.milestone == "resolution" and s.reached_at)
            resolution.write({"status": "running", "reached_at": False})
            resolution._refresh_levels()
            self._sla_update_summary()
        return True

    def action_wait_customer(self):
        self._check_state(("routing", "investigating", "handling"), self.env._("Waiting for the customer"))
        if self.filtered("waiting_customer"):
            raise UserError(self.env._("The clock is already paused."))
        now = fields.Datetime.now()
        self.env["customer.complaint.pause"].sudo().create([{"complaint_id": c.id, "date_start": now} for c in self])
        self.sudo().write({"waiting_customer": True})
        self.sudo().sla_ids.filtered(lambda s: s.status == "running").write({"status": "paused"})
        self._sla_update_summary()
        return True

    def action_resume(self):
        if self.filtered(lambda c: not c.waiting_customer):
            raise UserError(self.env._("The clock is not paused."))
        self.sudo().pause_ids.filtered(lambda p: not p.date_end).write({"date_end": fields.Datetime.now()})
        self.sudo().write({"waiting_customer": False})
        paused = self.sudo().sla_ids.filtered(lambda s: s.status == "paused")
        paused.write({"status": "running"})
        paused._schedule()
        self._sla_update_summary()
        return True

    def action_record_response(self):
        self.filtered(lambda c: not c.first_response_at).write({"first_response_at": fields.Datetime.now()})
        return True

    def action_record_onsite(self):
        self.filtered(lambda c: not c.onsite_at).write({"onsite_at": fields.Datetime.now()})
        return True

    def _open_reason_wizard(self, mode):
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.complaint.reason.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_complaint_ids": self.ids, "default_mode": mode},
        }

    def action_open_reassign(self):
        return self._open_reason_wizard("reassign")

    def action_open_reject(self):
        return self._open_reason_wizard("reject")

    def action_open_reopen(self):
        return self._open_reason_wizard("reopen")

    def action_open_effectiveness(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.complaint.effectiveness.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_complaint_ids": self.ids},
        }

    def action_view_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_complaint_action_action")
        action["domain"] = [("complaint_id", "=", self.id)]
        action["context"] = {"default_complaint_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _set_state(self, new_state, reason=False):
        """Change state and log the transition with who, when and the time spent in the old state."""
        now = fields.Datetime.now()
        last = {}
        if self.ids:
            self.env["customer.complaint.transition"].flush_model()
            self.env.cr.execute(
                """
                SELECT complaint_id, MAX(date) FROM customer_complaint_transition
                 WHERE complaint_id IN %s GROUP BY complaint_id
                """,
                [tuple(self.ids)],
            )
            last = dict(self.env.cr.fetchall())
        values = []
        for complaint in self:
            since = last.get(complaint.id) or complaint.received_at
            values.append(
                {
                    "complaint_id": complaint.id,
                    "company_id": complaint.company_id.id,
                    "from_state": complaint.state,
                    "to_state": new_state,
                    "date": now,
                    "user_id": self.env.uid,
                    "reason": reason,
                    "hours_in_state": max((now - since).total_seconds() / 3600.0, 0.0),
                    "hours_from_receipt": max((now - complaint.received_at).total_seconds() / 3600.0, 0.0),
                }
            )
        self.env["customer.complaint.transition"].sudo().create(values)
        extra = False
        if new_state == "replied":
            extra = "hours_to_reply"
        elif new_state == "closed":
            extra = "hours_to_close"
        for complaint in self:
            vals = {"state": new_state}
            if extra:
                vals[extra] = max((now - complaint.received_at).total_seconds() / 3600.0, 0.0)
            complaint.sudo().write(vals)
        if reason:
            for complaint in self:
                complaint.message_post(
                    body=Markup("<p>%s</p>")
                    % self.env._(
                        "%(state)s: %(reason)s",
                        state=dict(self._fields["state"]._description_selection(self.env))[new_state],
                        reason=reason,
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def _routing_facts(self):
        self.ensure_one()
        categories = set()
        if self.product_id.categ_id:
            categories = {int(part) for part in self.product_id.categ_id.parent_path.split("/") if part}
        return {
            "category": self.category_id.id,
            "product_category": categories,
            "severity": self.severity,
            "tier": self.customer_tier,
            "account_class": self.account_class,
        }

    def _action_route(self):
        """Propose the responsible department from the first matching routing rule."""
        rules_by_company = {}
        for complaint in self:
            company = complaint.company_id
            if company not in rules_by_company:
                rules = self.env["customer.complaint.routing.rule"].sudo().search([("company_id", "=", company.id)])
                rules_by_company[company] = (rules, [rule._conditions() for rule in rules])
            rules, conditions = rules_by_company[company]
            index = engine.match_rule(conditions, complaint._routing_facts())
            if index is not None:
                rule = rules[index]
                values = {
                    "department_id": rule.department_id.id,
                    "user_id": rule.user_id.id or complaint.user_id.id,
                    "routing_rule_id": rule.id,
                    "routing_note": self.env._("Proposed by rule: %(rule)s", rule=rule.name),
                }
            elif company.complaint_default_department_id:
                values = {
                    "department_id": company.complaint_default_department_id.id,
                    "routing_rule_id": False,
                    "routing_note": self.env._("No routing rule matched: sent to the default department."),
                }
            else:
                raise UserError(
                    self.env._(
                        "No routing rule matches %(ref)s and no default department is set in the settings.",
                        ref=complaint.name,
                    )
                )
            complaint.sudo().write(values)

    def _emergency_team(self):
        self.ensure_one()
        company = self.company_id.sudo()
        heads = company.complaint_emergency_department_ids.manager_id.user_id
        return (company.complaint_emergency_user_ids | heads).filtered(lambda u: u.active and not u.share)

    def _apply_emergency_team(self):
        """Major complaints mobilise the emergency team: followers, one activity each, access."""
        activity_type = self.env.ref(EMERGENCY_ACTIVITY)
        activities = []
        for complaint in self:
            team = complaint._emergency_team() - complaint.emergency_user_ids
            if not team:
                continue
            complaint.sudo().write({"emergency_user_ids": [fields.Command.link(user.id) for user in team]})
            complaint.message_subscribe(partner_ids=team.partner_id.ids)
            for user in team:
                activities.append(
                    {
                        "res_model_id": self.env["ir.model"]._get_id(self._name),
                        "res_id": complaint.id,
                        "user_id": user.id,
                        "activity_type_id": activity_type.id,
                        "summary": self.env._("Major complaint %(ref)s: emergency team", ref=complaint.name),
                        "date_deadline": fields.Date.context_today(self),
                    }
                )
        if activities:
            self.env["mail.activity"].sudo().create(activities)

    def _notify_department_heads(self):
        for complaint in self:
            head = complaint.sudo().department_id.manager_id.user_id
            if head:
                complaint.sudo().activity_schedule(
                    act_type_xmlid=CONFIRM_ACTIVITY,
                    user_id=head.id,
                    summary=self.env._("Confirm the responsible department of %(ref)s", ref=complaint.name),
                )

    def _notify_intake(self):
        for complaint in self.filtered("intake_user_id"):
            complaint.sudo().activity_schedule(
                act_type_xmlid=REPLY_ACTIVITY,
                user_id=complaint.intake_user_id.id,
                summary=self.env._("Reply to the customer: %(ref)s is handled", ref=complaint.name),
            )

    def _notify_portal_intake(self):
        """A complaint a customer submitted on the portal: whoever takes in portal complaints
        (Settings; else the customer's salesperson) follows it and gets a to-do to submit it."""
        for complaint in self:
            intake = complaint.company_id.complaint_portal_intake_user_id or complaint.partner_id.user_id
            intake = intake.filtered(lambda u: u.active and not u.share)
            if not intake:
                continue
            complaint.sudo().write({"intake_user_id": intake.id})
            complaint.sudo().message_subscribe(partner_ids=intake.partner_id.ids)
            complaint.sudo().activity_schedule(
                act_type_xmlid=INTAKE_ACTIVITY,
                user_id=intake.id,
                summary=self.env._("Portal complaint %(ref)s: check it and submit it", ref=complaint.name),
            )

    def _close_workflow_activities(self, *activity_types):
        """Mark the workflow activities of these types done: the step they asked for happened."""
        type_ids = [self.env["ir.model.data"]._xmlid_to_res_id(xmlid) for xmlid in activity_types]
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids), ("activity_type_id", "in", type_ids)])
        )
        if activities:
            activities.action_feedback()

    def _mark_repeats(self, keys=None):
        """Flag complaints of a customer that already complained in the repeat window.

        The flag follows the received dates, not the order of entry: a back-dated complaint
        changes its later neighbours, so every complaint of the customers concerned is recounted
        (``keys``: extra (partner id, company id) pairs, e.g. the ones a complaint left)."""
        keys = set(keys or ()) | {(c.partner_id.id, c.company_id.id) for c in self}
        keys = {key for key in keys if all(key)}
        if not keys:
            return
        self.flush_model(["partner_id", "received_at", "company_id"])
        self.env.cr.execute(
            """
            SELECT c.id, c.repeat_count, COUNT(o.id)
              FROM customer_complaint c
              JOIN res_company co ON co.id = c.company_id
         LEFT JOIN customer_complaint o
                ON o.partner_id = c.partner_id AND o.company_id = c.company_id AND o.id != c.id
               AND o.received_at <= c.received_at
               AND o.received_at > c.received_at - COALESCE(NULLIF(co.complaint_repeat_days, 0), 365) * INTERVAL '1 day'
             WHERE (c.partner_id, c.company_id) IN %s
          GROUP BY c.id, c.repeat_count
            """,
            [tuple(sorted(keys))],
        )
        by_count = {}
        for complaint_id, old_count, count in self.env.cr.fetchall():
            if (old_count or 0) != count:
                by_count.setdefault(count, []).append(complaint_id)
        for count, ids in by_count.items():
            self.sudo().browse(ids).write({"repeat_count": count, "is_repeat": bool(count)})

    def _send_callback_survey(self):
        """After closing: the callback survey chosen in the settings, sent to the contact."""
        for complaint in self:
            survey = complaint.company_id.complaint_callback_survey_id
            contact = complaint.contact_id or complaint.partner_id
            if not survey or complaint.callback_input_id:
                continue
            answer = (
                survey.sudo()
                ._create_answer(partner=contact, check_attempts=False, complaint_id=complaint.id)
                .with_env(self.env)
            )
            complaint.sudo().write({"callback_input_id": answer.id})
            # The invitation template renders in the contact's language; the link and the
            # survey title (in that language too) are handed to it for this message only.
            complaint.with_context(
                callback_url=complaint.get_base_url() + answer.sudo().get_start_url(),
                callback_title=survey.sudo().with_context(lang=contact.lang or self.env.lang).title,
            ).message_post_with_source(
                "customer_relations.mail_template_customer_complaint_callback",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    # ------------------------------------------------------------------
    # SLA
    # ------------------------------------------------------------------
    def _match_sla_policy(self):
        self.ensure_one()
        policies = self.env["customer.sla.policy"].sudo().search([("company_id", "=", self.company_id.id)])
        facts = self._routing_facts()
        index = engine.match_rule([policy._conditions() for policy in policies], facts)
        return policies[index] if index is not None else policies.browse()

    def _sla_targets(self, policy):
        """Target hours per milestone: the policy's, stricter where the agreement promises.

        :return: dict milestone -> (hours, promised by the agreement)
        """
        self.ensure_one()
        targets = {line.milestone: line.target_hours for line in policy.milestone_ids}
        promises = {}
        if not policy or policy.use_agreement:
            commitments = self.env["customer.agreement"]._get_service_commitments(
                self.partner_id, self.received_at.date(), company=self.company_id
            )
            promises = {
                "response": commitments["response_hours"],
                "onsite": commitments["onsite_hours"],
                "resolution": commitments["resolution_hours"],
            }
        result = {}
        for milestone in ("response", "onsite", "resolution"):
            hours = engine.strictest(targets.get(milestone), promises.get(milestone))
            if hours:
                result[milestone] = (
                    hours,
                    bool(promises.get(milestone)) and hours == promises[milestone] and hours != targets.get(milestone),
                )
        return result

    def _sla_start(self):
        """Create the milestones of the matching policy, stricter where the agreement promises."""
        self.filtered(lambda c: not c.sudo().sla_ids)._sla_apply_policy()

    def _sla_apply_policy(self):
        """(Re)apply the policy that matches the complaint now (severity and category may have
        changed since submission): milestones still running take the new targets and deadlines,
        missing ones start, reached ones keep their outcome."""
        Sla = self.env["customer.complaint.sla"].sudo()
        for complaint in self:
            policy = complaint._match_sla_policy()
            targets = complaint._sla_targets(policy)
            complaint.sudo().sla_policy_id = policy
            existing = {sla.milestone: sla for sla in complaint.sudo().sla_ids}
            to_schedule = Sla.browse()
            values = []
            for milestone, (hours, from_agreement) in targets.items():
                sla = existing.get(milestone)
                if not sla:
                    values.append(
                        {
                            "complaint_id": complaint.id,
                            "milestone": milestone,
                            "target_hours": hours,
                            "from_agreement": from_agreement,
                            "status": "paused" if complaint.waiting_customer else "running",
                        }
                    )
                elif sla.status in ("running", "paused") and (
                    sla.target_hours != hours or sla.from_agreement != from_agreement
                ):
                    sla.write({"target_hours": hours, "from_agreement": from_agreement})
                    to_schedule |= sla
            for milestone, sla in existing.items():
                if milestone not in targets and sla.status in ("running", "paused"):
                    sla.write({"status": "cancelled"})
            to_schedule |= Sla.create(values)
            to_schedule._schedule()
        self._sla_reach_events()

    def _sla_reach_events(self):
        """Milestones reached by the complaint's own dates: response, on site, resolution (replied)."""
        for complaint in self:
            reached = {
                "response": complaint.first_response_at,
                "onsite": complaint.onsite_at,
                "resolution": complaint.replied_at,
            }
            for sla in complaint.sudo().sla_ids.filtered(lambda s: s.status in ("running", "paused")):
                moment = reached.get(sla.milestone)
                if moment:
                    sla._reach(moment)
        self._sla_update_summary()

    def _sla_update_summary(self):
        """The complaint's worst running level and next deadline from its milestones."""
        for complaint in self:
            running = complaint.sudo().sla_ids.filtered(lambda s: s.status == "running")
            worst = max(
                running.mapped("warning_level") or [False],
                key=lambda level: engine.LEVEL_RANK.get(level, -1),
            )
            deadlines = [d for d in running.mapped("deadline") if d]
            complaint.sudo().write(
                {"sla_warning_level": worst or False, "sla_deadline": min(deadlines) if deadlines else False}
            )

    @api.model
    def _cron_update_sla(self):
        """Scheduled action: warning levels of all running milestones in set-based updates, then
        escalation once per level, in short committed batches (``customer_job``); what a conflict
        left over is reported to the cron worker, which runs the job again."""
        Sla = self.env["customer.complaint.sla"]
        run_batch(self.env, Sla._update_warning_levels, "complaint SLA levels")
        escalated, remaining = Sla._escalate()
        notify_progress(self.env, escalated, remaining)

    # ------------------------------------------------------------------
    # Portal and mail
    # ------------------------------------------------------------------
    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Complaint %(ref)s", ref=self.name)

    @api.model
    def _get_thread_with_access(self, thread_id, mode="read", **kwargs):
        """A logged-in customer contact posts only on their own company's complaints, even with
        another customer's link token (the page refuses it too); an anonymous visitor with the
        token of a shared link keeps the standard behaviour."""
        thread = super()._get_thread_with_access(thread_id, mode=mode, **kwargs)
        user = self.env.user
        if thread and user.share and not user._is_public():
            if thread.sudo().partner_id != user.partner_id.commercial_partner_id:
                return self.browse()
        return thread

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        if (
            kwargs.get("message_type") == "comment"
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and not self.env.user.share
        ):
            # The first public answer of staff is the measured response: written by the system.
            self.filtered(
                lambda c: not c.first_response_at and c.state in OPEN_STATES and c.state != "new"
            ).sudo().write({"first_response_at": fields.Datetime.now()})
        return message
