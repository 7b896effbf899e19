import uuid

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
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
        CUSTOMER_TIER, compute="_compute_customer_snapshot", store=True, readonly=False, string="Customer tier"
    )
    account_class = fields.Selection(ACCOUNT_CLASS, compute="_compute_customer_snapshot", store=True, readonly=False)
    intake_user_id = fields.Many2one(
        "res.users", "Taken in by", default=lambda self: self.env.user, domain="[('share', '=', False)]"
    )
    state = fields.Selection(
        COMPLAINT_STATE, default="new", required=True, readonly=True, copy=False, index=True, tracking=True
    )
    # Routing
    department_id = fields.Many2one(
        "hr.department", "Responsible department", tracking=True, index=True, check_company=True, copy=False
    )
    department_manager_user_id = fields.Many2one(
        "res.users", compute="_compute_department_manager_user_id", string="Department head"
    )
    user_id = fields.Many2one(
        "res.users", "Handler", tracking=True, domain="[('share', '=', False)]", copy=False, index=True
    )
    routing_rule_id = fields.Many2one("customer.complaint.routing.rule", readonly=True, copy=False)
    routing_note = fields.Char(readonly=True, copy=False)
    department_confirmed_by_id = fields.Many2one("res.users", "Confirmed by", readonly=True, copy=False)
    department_confirmed_at = fields.Datetime("Confirmed at", readonly=True, copy=False)
    emergency_user_ids = fields.Many2many(
        "res.users",
        "customer_complaint_emergency_user_rel",
        "complaint_id",
        "user_id",
        string="Emergency team",
        copy=False,
    )
    # Cause and handling
    root_cause_id = fields.Many2one("customer.complaint.root.cause", tracking=True, index=True)
    is_material_cause = fields.Boolean(related="root_cause_id.is_material")
    cause_analysis = fields.Html("Cause analysis")
    supplier_id = fields.Many2one("res.partner", "Supplier concerned", check_company=True)
    action_ids = fields.One2many("customer.complaint.action", "complaint_id", string="Actions")
    action_count = fields.Integer(compute="_compute_action_count")
    overdue_action_count = fields.Integer(compute="_compute_action_count")
    handling_description = fields.Html("Handling")
    remedy_type = fields.Selection(REMEDY, tracking=True)
    remedy_description = fields.Text("Remedy")
    cost = fields.Monetary("Cost of the complaint", tracking=True)
    # Effectiveness
    effectiveness = fields.Selection(EFFECTIVENESS, readonly=True, copy=False, tracking=True)
    effectiveness_verifier_id = fields.Many2one("res.users", "Verified by", readonly=True, copy=False)
    effectiveness_date = fields.Date("Verified on", readonly=True, copy=False)
    effectiveness_evidence = fields.Text("Evidence", readonly=True, copy=False)
    # Reply and closing
    reply = fields.Html("Reply to the customer", copy=False)
    first_response_at = fields.Datetime("First response at", copy=False, tracking=True)
    onsite_at = fields.Datetime("On site at", copy=False, tracking=True)
    replied_at = fields.Datetime("Replied at", readonly=True, copy=False)
    closed_at = fields.Datetime("Closed at", readonly=True, copy=False)
    rejection_reason = fields.Text(readonly=True, copy=False)
    reopen_count = fields.Integer(readonly=True, copy=False)
    # Clock
    waiting_customer = fields.Boolean("Waiting for the customer", readonly=True, copy=False, tracking=True)
    pause_ids = fields.One2many("customer.complaint.pause", "complaint_id", readonly=True)
    sla_policy_id = fields.Many2one("customer.sla.policy", "SLA policy", readonly=True, copy=False)
    sla_ids = fields.One2many("customer.complaint.sla", "complaint_id", string="SLA milestones", readonly=True)
    sla_warning_level = fields.Selection(
        WARNING_LEVEL,
        "SLA warning",
        readonly=True,
        copy=False,
        index=True,
        help="The worst level of running milestones.",
    )
    sla_deadline = fields.Datetime("Next SLA deadline", readonly=True, copy=False)
    transition_ids = fields.One2many("customer.complaint.transition", "complaint_id", readonly=True)
    hours_to_reply = fields.Float("Hours to reply", readonly=True, copy=False, aggregator="avg")
    hours_to_close = fields.Float("Hours to close", readonly=True, copy=False, aggregator="avg")
    # Callback and repeats
    callback_input_id = fields.Many2one("survey.user_input", "Callback survey", readonly=True, copy=False)
    callback_state = fields.Selection(related="callback_input_id.state", string="Callback")
    callback_score = fields.Float(
        "Callback satisfaction", compute="_compute_callback_score", store=True, aggregator="avg", copy=False
    )
    is_repeat = fields.Boolean("Repeat complaint", readonly=True, copy=False, index=True)
    repeat_count = fields.Integer(
        "Earlier complaints", readonly=True, copy=False, help="Complaints of this customer in the repeat window."
    )
    color = fields.Integer(compute="_compute_color")

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
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "new") != "new":
                raise UserError(self.env._("A complaint starts as new; its state changes through its buttons."))
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("customer.complaint") or "/"
            # The portal token from the start: no later write on the complaint from a notification.
            vals["access_token"] = vals.get("access_token") or str(uuid.uuid4())
        complaints = super().create(vals_list)
        complaints._mark_repeats()
        return complaints

    def write(self, vals):
        if "state" in vals and not self.env.context.get("complaint_transition"):
            raise UserError(
                self.env._("The state of a complaint changes through its buttons, which check what each step needs.")
            )
        result = super().write(vals)
        if "severity" in vals:
            self.filtered(lambda c: c.is_major and c.state in OPEN_STATES and c.state != "new")._apply_emergency_team()
        if "onsite_at" in vals or "first_response_at" in vals:
            self._sla_reach_events()
        return result

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
        self._notify_department_heads()
        return True

    def action_confirm_department(self):
        """The head of the proposed department (or a manager) confirms the responsibility."""
        self._check_state(("routing",), self.env._("Confirming the department"))
        for complaint in self:
            if not complaint.department_id:
                raise UserError(self.env._("Choose the responsible department of %(ref)s first.", ref=complaint.name))
            complaint._check_is_department_head()
        self.write({"department_confirmed_by_id": self.env.uid, "department_confirmed_at": fields.Datetime.now()})
        self._set_state("investigating")
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
        self.sudo()._notify_department_heads()
        return True

    def action_start_handling(self):
        self._check_state(("investigating",), self.env._("Starting the handling"))
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
            complaint.write(values)
        self._set_state("replied")
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
        self.write({"closed_at": fields.Datetime.now()})
        self._set_state("closed")
        self._send_callback_survey()
        return True

    def _action_reject(self, reason):
        self._check_state(("new", "routing", "investigating"), self.env._("Rejecting"))
        self._check_group(USER_GROUP, self.env._("Only sales-service (Customer Relations users) reject complaints."))
        self.write({"rejection_reason": reason})
        self._set_state("rejected", reason=reason)
        self.sla_ids.filtered(lambda s: s.status in ("running", "paused")).write({"status": "cancelled"})
        self._sla_update_summary()
        return True

    def _action_reopen(self, reason):
        self._check_state(("replied", "closed"), self.env._("Reopening"))
        self._check_group(USER_GROUP, self.env._("Only sales-service (Customer Relations users) reopen complaints."))
        for complaint in self:
            complaint.write({"reopen_count": complaint.reopen_count + 1, "closed_at": False, "replied_at": False})
        self._set_state("investigating", reason=reason)
        resolution = self.sla_ids.filtered(lambda s: s.milestone == "resolution")
        resolution.write({"status": "running", "reached_at": False})
        resolution._refresh_levels()
        self._sla_update_summary()
        return True

    def _action_check_effectiveness(self, result, evidence):
        self._check_state(("feedback", "replied"), self.env._("Checking effectiveness"))
        self._check_group(QUALITY_GROUP, self.env._("Only the quality team checks the effectiveness of actions."))
        self.write(
            {
                "effectiveness": result,
                "effectiveness_verifier_id": self.env.uid,
                "effectiveness_date": fields.Date.context_today(self),
                "effectiveness_evidence": evidence,
            }
        )
        if result == "not_effective":
            self.write({"replied_at": False})
            self._set_state("handling", reason=self.env._("Not effective: %(evidence)s", evidence=evidence))
            resolution = self.sla_ids.filtered(lambda s: s.milestone == "resolution" and s.reached_at)
            resolution.write({"status": "running", "reached_at": False})
            resolution._refresh_levels()
            self._sla_update_summary()
        return True

    def action_wait_customer(self):
        self._check_state(("routing", "investigating", "handling"), self.env._("Waiting for the customer"))
        if self.filtered("waiting_customer"):
            raise UserError(self.env._("The clock is already paused."))
        now = fields.Datetime.now()
        self.env["customer.complaint.pause"].create([{"complaint_id": c.id, "date_start": now} for c in self])
        self.write({"waiting_customer": True})
        self.sla_ids.filtered(lambda s: s.status == "running").write({"status": "paused"})
        self._sla_update_summary()
        return True

    def action_resume(self):
        if self.filtered(lambda c: not c.waiting_customer):
            raise UserError(self.env._("The clock is not paused."))
        self.pause_ids.filtered(lambda p: not p.date_end).write({"date_end": fields.Datetime.now()})
        self.write({"waiting_customer": False})
        paused = self.sla_ids.filtered(lambda s: s.status == "paused")
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
            complaint.with_context(complaint_transition=True).write(vals)
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
        todo = self.env.ref("mail.mail_activity_data_todo")
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
                        "activity_type_id": todo.id,
                        "summary": self.env._("Major complaint %(ref)s: emergency team", ref=complaint.name),
                        "date_deadline": fields.Date.context_today(self),
                    }
                )
        if activities:
            self.env["mail.activity"].sudo().create(activities)

    def _notify_department_heads(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        for complaint in self:
            head = complaint.sudo().department_id.manager_id.user_id
            if head:
                complaint.sudo().activity_schedule(
                    act_type_xmlid="mail.mail_activity_data_todo",
                    user_id=head.id,
                    summary=self.env._("Confirm the responsible department of %(ref)s", ref=complaint.name),
                    activity_type_id=todo.id,
                )

    def _notify_intake(self):
        for complaint in self.filtered("intake_user_id"):
            complaint.sudo().activity_schedule(
                act_type_xmlid="mail.mail_activity_data_todo",
                user_id=complaint.intake_user_id.id,
                summary=self.env._("Reply to the customer: %(ref)s is handled", ref=complaint.name),
            )

    def _mark_repeats(self):
        """Flag complaints of a customer that already complained in the repeat window."""
        self.flush_model(["partner_id", "received_at", "company_id"])
        for company in self.company_id:
            days = company.complaint_repeat_days or 365
            complaints = self.filtered(lambda c, company=company: c.company_id == company)
            self.env.cr.execute(
                """
                SELECT c.id, COUNT(o.id)
                  FROM customer_complaint c
                  JOIN customer_complaint o
                    ON o.partner_id = c.partner_id AND o.company_id = c.company_id AND o.id != c.id
                   AND o.received_at <= c.received_at AND o.received_at > c.received_at - %s * INTERVAL '1 day'
                 WHERE c.id IN %s
              GROUP BY c.id
                """,
                [days, tuple(complaints.ids)],
            )
            counts = dict(self.env.cr.fetchall())
            by_count = {}
            for complaint in complaints:
                by_count.setdefault(counts.get(complaint.id, 0), []).append(complaint.id)
            for count, ids in by_count.items():
                self.browse(ids).write({"repeat_count": count, "is_repeat": bool(count)})

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
            url = answer.sudo().get_start_url()
            complaint.message_post(
                body=Markup('<p>%s</p><p><a href="%s">%s</a></p>')
                % (
                    self.env._(
                        "How satisfied are you with the handling of your complaint %(ref)s?", ref=complaint.name
                    ),
                    complaint.get_base_url() + url,
                    survey.sudo().title,
                ),
                partner_ids=contact.ids,
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

    def _sla_start(self):
        """Create the milestones of the matching policy, stricter where the agreement promises."""
        Sla = self.env["customer.complaint.sla"].sudo()
        for complaint in self.filtered(lambda c: not c.sla_ids):
            policy = complaint._match_sla_policy()
            targets = {line.milestone: line.target_hours for line in policy.milestone_ids}
            promises = {}
            if not policy or policy.use_agreement:
                commitments = self.env["customer.agreement"]._get_service_commitments(
                    complaint.partner_id, complaint.received_at.date()
                )
                promises = {
                    "response": commitments["response_hours"],
                    "onsite": commitments["onsite_hours"],
                    "resolution": commitments["resolution_hours"],
                }
            values = []
            for milestone in ("response", "onsite", "resolution"):
                hours = engine.strictest(targets.get(milestone), promises.get(milestone))
                if hours:
                    values.append(
                        {
                            "complaint_id": complaint.id,
                            "milestone": milestone,
                            "target_hours": hours,
                            "from_agreement": bool(promises.get(milestone))
                            and hours == promises[milestone]
                            and hours != targets.get(milestone),
                        }
                    )
            complaint.sudo().sla_policy_id = policy
            slas = Sla.create(values)
            slas._schedule()
        self._sla_reach_events()

    def _sla_reach_events(self):
        """Milestones reached by the complaint's own dates: response, on site, resolution (replied)."""
        for complaint in self:
            reached = {
                "response": complaint.first_response_at,
                "onsite": complaint.onsite_at,
                "resolution": complaint.replied_at,
            }
            for sla in complaint.sla_ids.filtered(lambda s: s.status in ("running", "paused")):
                moment = reached.get(sla.milestone)
                if moment:
                    sla._reach(moment)
        self._sla_update_summary()

    def _sla_update_summary(self):
        """The complaint's worst running level and next deadline from its milestones."""
        for complaint in self:
            running = complaint.sla_ids.filtered(lambda s: s.status == "running")
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

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        if (
            kwargs.get("message_type") == "comment"
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and not self.env.user.share
        ):
            self.filtered(lambda c: not c.first_response_at and c.state != "new").write(
                {"first_response_at": fields.Datetime.now()}
            )
        return message
