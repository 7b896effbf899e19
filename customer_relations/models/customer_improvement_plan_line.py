from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext

from ..engine import improvement
from .improvement_constants import EVALUATION, LINE_KIND, LINE_STATE

# Written only by the checked actions (with sudo()): what the line is about, its state, the
# logged reply and the evaluation.
PROTECTED_LINE_FIELDS = (
    "plan_id",
    "kind",
    "dimension_id",
    "partner_id",
    "state",
    "date_done",
    "reply_date",
    "reply_user_id",
    "evaluation",
    "score_before",
    "score_after",
    "n_before",
    "n_after",
    "p_value",
    "has_test",
)
_QUALITY = "customer_relations.group_customer_relations_quality"
_USER = "customer_relations.group_customer_relations_user"


class CustomerImprovementPlanLine(models.Model):
    """One rectification of an improvement plan: a weak dimension or a dissatisfied or
    detractor customer, with the responsible department, actions, owner, deadline, the reply
    to the customer and its evaluation at the next campaign."""

    _name = "customer.improvement.plan.line"
    _description = "Improvement Plan Line"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "plan_id, kind, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, tracking=True)
    plan_id = fields.Many2one(
        "customer.improvement.plan", "Improvement plan", required=True, ondelete="cascade", index=True
    )
    campaign_id = fields.Many2one(related="plan_id.campaign_id", store=True, string="Campaign", groups=_USER)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    plan_state = fields.Selection(related="plan_id.state", string="Plan state")
    kind = fields.Selection(LINE_KIND, required=True, readonly=True)
    dimension_id = fields.Many2one("customer.satisfaction.dimension", readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True, index=True)
    contact_id = fields.Many2one(
        "res.partner",
        domain="[('commercial_partner_id', '=', partner_id)]",
        help="The person who answered: the reply goes to them, in their language.",
    )
    reason = fields.Char(readonly=True, help="What the campaign found.")
    department_id = fields.Many2one("hr.department", "Responsible department", tracking=True, check_company=True)
    user_id = fields.Many2one(
        "res.users", "Owner", default=lambda self: self.env.user, tracking=True, domain="[('share', '=', False)]"
    )
    date_deadline = fields.Date("Deadline", tracking=True)
    actions = fields.Html("Actions and notes")
    state = fields.Selection(LINE_STATE, default="open", required=True, readonly=True, copy=False, tracking=True)
    date_done = fields.Date("Done on", readonly=True, copy=False)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", string="Overdue")
    reply_body = fields.Html("Reply to the customer")
    reply_date = fields.Datetime("Reply sent on", readonly=True, copy=False)
    reply_user_id = fields.Many2one("res.users", "Reply sent by", readonly=True, copy=False)
    interaction_ids = fields.One2many(
        "customer.interaction", "improvement_line_id", string="Follow-up contacts", groups=_USER
    )
    interaction_count = fields.Integer(compute="_compute_interaction_count", string="Follow-ups", groups=_USER)
    evaluation = fields.Selection(EVALUATION, readonly=True, copy=False, tracking=True, index=True)
    score_before = fields.Float(readonly=True, copy=False, aggregator="avg", help="Mean score in the plan's campaign.")
    score_after = fields.Float(readonly=True, copy=False, aggregator="avg", help="Mean score in the next campaign.")
    n_before = fields.Integer(readonly=True, copy=False)
    n_after = fields.Integer(readonly=True, copy=False)
    p_value = fields.Float(
        "p",
        readonly=True,
        copy=False,
        help="Welch's t-test of the dimension's scores after against before.",
    )
    has_test = fields.Boolean(readonly=True, copy=False)

    _sql_constraints = [
        (
            "subject",
            "CHECK((kind = 'dimension' AND dimension_id IS NOT NULL) "
            "OR (kind = 'customer' AND partner_id IS NOT NULL))",
            "A plan line is about a dimension or a customer.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("state", "date_deadline")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for line in self:
            line.is_overdue = line.state == "open" and bool(line.date_deadline) and line.date_deadline < today

    def _compute_interaction_count(self):
        counts = dict(
            self.env["customer.interaction"]._read_group(
                [("improvement_line_id", "in", self.ids)], ["improvement_line_id"], ["__count"]
            )
        )
        for line in self:
            line.interaction_count = counts.get(line, 0)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _check_protected_fields(self, field_names):
        touched = set(field_names).intersection(PROTECTED_LINE_FIELDS)
        if touched and not self.env.su:
            raise AccessError(
                self.env._(
                    "What a plan line is about, its state, the logged reply and the evaluation change only "
                    "through the plan's and the line's buttons."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        """Lines are made with their plan (from the campaign) by Quality and Managers."""
        if not self.env.su and not self.env.user.has_group(_QUALITY):
            raise AccessError(self.env._("Only Quality and Managers add lines to an improvement plan."))
        subject = {"plan_id", "kind", "dimension_id", "partner_id"}
        self._check_protected_fields({name for vals in vals_list for name in vals} - subject)
        return super().create(vals_list)

    def write(self, vals):
        self._check_protected_fields(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_done(self):
        self.check_access("write")
        if self.filtered(lambda line: line.state != "open"):
            raise UserError(self.env._("Only open plan lines can be marked done."))
        self.sudo().write({"state": "done", "date_done": fields.Date.context_today(self)})
        self.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def action_cancel(self):
        self.check_access("write")
        if self.filtered(lambda line: line.state != "open"):
            raise UserError(self.env._("Only open plan lines can be cancelled."))
        self.sudo().write({"state": "cancelled"})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    def action_reopen(self):
        self.check_access("write")
        if self.filtered(lambda line: line.state == "open"):
            raise UserError(self.env._("This plan line is open already."))
        self.sudo().write({"state": "open", "date_done": False})
        return True

    def action_send_reply(self):
        """Send the reply to the customer's contact through the chatter, in the contact's
        language, and log who sent it when."""
        self.check_access("write")
        for line in self:
            if line.kind != "customer":
                raise UserError(
                    self.env._("A reply goes to a customer: %(line)s is about a dimension.", line=line.name)
                )
            if not line.contact_id:
                raise UserError(self.env._("Choose the contact of %(line)s to reply to.", line=line.name))
            if not html2plaintext(line.reply_body or "").strip():
                raise UserError(self.env._("Write the reply to %(customer)s first.", customer=line.partner_id.name))
        return self._action_send_reply()

    def _action_send_reply(self):
        template = self.env.ref("customer_relations.mail_template_improvement_reply")
        for line in self:
            line.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=line.contact_id.ids,
            )
        self.sudo().write({"reply_date": fields.Datetime.now(), "reply_user_id": self.env.user.id})
        return True

    def action_log_call(self):
        """The follow-up call to the customer, logged as an interaction of this line."""
        self.ensure_one()
        self._check_user()
        self.check_access("write")
        if self.kind != "customer":
            raise UserError(self.env._("A follow-up call is logged for a customer line."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log follow-up call"),
            "res_model": "customer.interaction",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_contact_id": self.contact_id.id,
                "default_interaction_type": "call",
                "default_name": self.env._("Satisfaction follow-up: %(campaign)s", campaign=self.campaign_id.name),
                "default_improvement_line_id": self.id,
                "default_company_id": self.company_id.id,
            },
        }

    def action_view_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_interaction_action")
        action["domain"] = [("improvement_line_id", "=", self.id)]
        action["context"] = {"default_improvement_line_id": self.id, "default_partner_id": self.partner_id.id}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_user(self):
        if not self.env.su and not self.env.user.has_group(_USER):
            raise AccessError(
                self.env._("Replies and calls to customers are made by sales service and account managers.")
            )

    def _schedule_owner_activity(self):
        for line in self.filtered("user_id"):
            line.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=line.date_deadline or line.plan_id.date_deadline or fields.Date.context_today(self),
                user_id=line.user_id.id,
                summary=line.with_context(lang=line.user_id.lang).env._("Improvement plan: %(line)s", line=line.name),
            )

    @api.model
    def _account_managers(self, partners, company):
        """{commercial partner: user} who looks after each customer in ``company``: the
        key-account manager of its active agreement, else its salesperson."""
        today = fields.Date.context_today(self)
        found = self.env["customer.agreement"]._find_active(partners, company, today)
        result = {}
        for partner in partners.commercial_partner_id:
            agreement = found.get(partner)
            result[partner] = agreement.manager_id if agreement else partner.user_id
        return result

    @api.model
    def _prepare_dimension_line(self, dimension):
        return {
            "kind": "dimension",
            "name": dimension.name,
            "dimension_id": dimension.id,
            "reason": self.env._("Important and under-performing (importance-performance: concentrate here)"),
        }

    @api.model
    def _prepare_customer_lines(self, campaign):
        """One line per customer with a dissatisfied or detractor answer in ``campaign``: the
        contact who answered, the customer's account manager as owner."""
        answers = (
            self.env["survey.user_input"]
            .sudo()
            .search(
                [
                    ("satisfaction_campaign_id", "=", campaign.id),
                    ("state", "=", "done"),
                    ("satisfaction_scored", "=", True),
                    "|",
                    ("satisfaction_level", "=", "dissatisfied"),
                    ("satisfaction_nps_category", "=", "detractor"),
                ],
                order="satisfaction_partner_id, id",
            )
        )
        managers = self._account_managers(answers.satisfaction_partner_id, campaign.company_id)
        levels = dict(answers._fields["satisfaction_level"]._description_selection(self.env))
        categories = dict(answers._fields["satisfaction_nps_category"]._description_selection(self.env))
        lines = []
        for partner, partner_answers in answers.grouped("satisfaction_partner_id").items():
            first = partner_answers[0]
            findings = [
                self.env._(
                    "%(level)s (index %(index)s), %(category)s (recommend %(recommend)s)",
                    level=levels.get(a.satisfaction_level, "-"),
                    index=format(a.satisfaction_index, ".1f"),
                    category=categories.get(a.satisfaction_nps_category, "-"),
                    recommend=format(a.satisfaction_recommend, "g") if a.satisfaction_nps_category else "-",
                )
                for a in partner_answers
            ]
            lines.append(
                {
                    "kind": "customer",
                    "name": partner.name,
                    "partner_id": partner.id,
                    "contact_id": first.partner_id.id,
                    "user_id": managers.get(partner, self.env["res.users"]).id or False,
                    "reason": "; ".join(findings),
                }
            )
        return lines

    @api.model
    def _campaign_answers(self, campaign):
        """The completed, scored answers of ``campaign`` in one query: per customer the list of
        {index, level, nps_category}, per dimension id the list of scores."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT satisfaction_partner_id, satisfaction_index, satisfaction_level, satisfaction_nps_category,
                   satisfaction_dimension_scores
              FROM survey_user_input
             WHERE satisfaction_campaign_id = %s AND state = 'done' AND satisfaction_scored
            """,
            [campaign.id],
        )
        by_partner, by_dimension = {}, {}
        for partner_id, index, level, category, scores in self.env.cr.fetchall():
            by_partner.setdefault(partner_id, []).append({"index": index, "level": level, "nps_category": category})
            for dimension_id, score in (scores or {}).items():
                by_dimension.setdefault(int(dimension_id), []).append(score)
        return {"by_partner": by_partner, "by_dimension": by_dimension}

    def _evaluate_against(self, before, after):
        """Write each line's evaluation from the answers ``before`` (the plan's campaign) and
        ``after`` (the next one), as read by ``_campaign_answers``."""
        for line in self:
            if line.kind == "dimension":
                result = improvement.evaluate_dimension(
                    before["by_dimension"].get(line.dimension_id.id, []),
                    after["by_dimension"].get(line.dimension_id.id, []),
                )
                values = {
                    "score_before": result["mean_before"] or 0.0,
                    "score_after": result["mean_after"] or 0.0,
                    "n_before": result["n_before"],
                    "n_after": result["n_after"],
                    "p_value": result["p"] or 0.0,
                    "has_test": result["p"] is not None,
                }
            else:
                result = improvement.evaluate_customer(
                    before["by_partner"].get(line.partner_id.id, []),
                    after["by_partner"].get(line.partner_id.id, []),
                )
                values = {
                    "score_before": result["index_before"] or 0.0,
                    "score_after": result["index_after"] or 0.0,
                    "n_before": len(before["by_partner"].get(line.partner_id.id, [])),
                    "n_after": result["n_after"],
                    "p_value": 0.0,
                    "has_test": False,
                }
            line.sudo().write({**values, "evaluation": result["status"]})
