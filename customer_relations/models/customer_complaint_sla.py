from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import SQL

from ..engine import complaints as engine
from .assignee_language import AssigneeLanguage
from .complaint_constants import ESCALATION, MILESTONE, SLA_STATUS, WARNING_LEVEL
from .customer_job import run_batch

MANAGER_GROUP = "customer_relations.group_customer_relations_manager"

MILESTONE_RANK = {key: rank for rank, (key, _label) in enumerate(MILESTONE)}

# The milestones whose level calls for an escalation not made yet.
_TO_ESCALATE = SQL("""
    status = 'running'
    AND ((warning_level = 'orange' AND escalated_level = 'none')
      OR (warning_level = 'red' AND escalated_level IN ('none', 'orange')))
""")

# One CASE shared by the set-based update: the same rule as engine.level_at (red strictly after
# the deadline, each mark inclusive); tests compare both on every boundary.
_LEVEL_CASE = """
    CASE WHEN deadline IS NOT NULL AND %(now)s > deadline THEN 'red'
         WHEN orange_at IS NOT NULL AND %(now)s >= orange_at THEN 'orange'
         WHEN yellow_at IS NOT NULL AND %(now)s >= yellow_at THEN 'yellow'
         ELSE 'green' END
"""


class CustomerComplaintSla(models.Model):
    """One service-level milestone of a complaint: its deadline, warning marks and outcome."""

    _name = "customer.complaint.sla"
    _description = "Complaint SLA Milestone"
    _order = "complaint_id, milestone, id"
    _rec_name = "milestone"

    complaint_id = fields.Many2one("customer.complaint", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="complaint_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="complaint_id.partner_id", store=True, string="Customer")
    department_id = fields.Many2one(related="complaint_id.department_id", store=True)
    category_id = fields.Many2one(related="complaint_id.category_id", store=True)
    severity = fields.Selection(related="complaint_id.severity", store=True)
    milestone = fields.Selection(MILESTONE, required=True)
    target_hours = fields.Float(required=True, aggregator="avg")
    from_agreement = fields.Boolean("Promised by agreement")
    start_at = fields.Datetime(related="complaint_id.received_at", string="Clock start")
    deadline = fields.Datetime(index=True)
    yellow_at = fields.Datetime("Yellow from")
    orange_at = fields.Datetime("Orange from")
    reached_at = fields.Datetime("Reached at")
    status = fields.Selection(SLA_STATUS, required=True, default="running", index=True)
    warning_level = fields.Selection(
        WARNING_LEVEL, default="green", index=True, help="Updated by the scheduled action."
    )
    warning_level_now = fields.Selection(WARNING_LEVEL, "Warning", compute="_compute_warning_level_now")
    escalated_level = fields.Selection(ESCALATION, default="none", required=True)
    compliance = fields.Float(
        "Compliance (%)",
        compute="_compute_compliance",
        store=True,
        aggregator="avg",
        help="100 when met, 0 when missed; analyse it on reached milestones.",
    )

    @api.depends("status", "deadline", "yellow_at", "orange_at", "warning_level")
    def _compute_warning_level_now(self):
        now = fields.Datetime.now()
        for sla in self:
            if sla.status == "running":
                sla.warning_level_now = engine.level_at(now, sla._marks())
            else:
                sla.warning_level_now = sla.warning_level

    @api.depends("status")
    def _compute_compliance(self):
        for sla in self:
            sla.compliance = 100.0 if sla.status == "met" else 0.0

    def _marks(self):
        return {"deadline": self.deadline, "yellow_at": self.yellow_at, "orange_at": self.orange_at}

    def _schedule(self):
        """Deadline and warning marks from the policy's calendar and the complaint's pauses."""
        for sla in self:
            complaint = sla.complaint_id
            policy = complaint.sla_policy_id
            calendar = policy._engine_calendar() if policy else None
            pauses = [(p.date_start, p.date_end) for p in complaint.pause_ids]
            yellow = (policy.yellow_share if policy else 50.0) / 100.0
            orange = (policy.orange_share if policy else 80.0) / 100.0
            marks = engine.schedule(complaint.received_at, sla.target_hours, calendar, pauses, yellow, orange)
            sla.write(marks)
        self._refresh_levels()

    def _refresh_levels(self):
        now = fields.Datetime.now()
        for sla in self.filtered(lambda s: s.status == "running"):
            sla.warning_level = engine.level_at(now, sla._marks())

    def _reach(self, moment):
        for sla in self:
            met = not sla.deadline or moment <= sla.deadline
            sla.write(
                {
                    "reached_at": moment,
                    "status": "met" if met else "missed",
                    "warning_level": engine.level_at(moment, sla._marks()),
                }
            )

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------
    @api.model
    def _update_warning_levels(self, now=None):
        """Two statements whatever the number of complaints: the milestones' levels, then each
        complaint's worst level and next deadline.

        :return: number of milestones whose level changed
        """
        now = now or fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(
            f"""
            UPDATE customer_complaint_sla
               SET warning_level = {_LEVEL_CASE}
             WHERE status = 'running' AND warning_level IS DISTINCT FROM {_LEVEL_CASE}
            """,
            {"now": now},
        )
        changed = self.env.cr.rowcount
        self.env.cr.execute(
            """
            UPDATE customer_complaint c
               SET sla_warning_level = agg.level, sla_deadline = agg.deadline
              FROM (SELECT complaint_id,
                           (ARRAY['green', 'yellow', 'orange', 'red'])[
                               MAX(CASE warning_level WHEN 'green' THEN 1 WHEN 'yellow' THEN 2
                                                      WHEN 'orange' THEN 3 WHEN 'red' THEN 4 END)] AS level,
                           MIN(deadline) AS deadline
                      FROM customer_complaint_sla
                     WHERE status = 'running'
                  GROUP BY complaint_id) agg
             WHERE c.id = agg.complaint_id
               AND (c.sla_warning_level IS DISTINCT FROM agg.level OR c.sla_deadline IS DISTINCT FROM agg.deadline)
            """
        )
        self.env.invalidate_all()
        return changed

    @api.model
    def _escalate(self, batch_size=200):
        """Orange: an activity for the responsible department's head. Red: for the managers and
        the key-account manager. Once per milestone and level, whatever how often this runs, and
        also when two runs meet: each batch claims the waiting milestones of up to
        ``batch_size`` complaints (``SKIP LOCKED``), creates the activities and marks the
        milestones escalated in one short transaction (see ``customer_job``). A batch that
        keeps conflicting is left for the next run.

        :return: (milestones escalated, milestones still waiting for their escalation)
        """
        escalated = 0
        while True:
            done, count = run_batch(self.env, lambda: self._escalate_batch(batch_size), "complaint SLA escalation")
            if not done or not count:
                break
            escalated += count
        self.env.cr.execute(SQL("SELECT COUNT(*) FROM customer_complaint_sla WHERE %s", _TO_ESCALATE))
        return escalated, self.env.cr.fetchone()[0]

    @api.model
    def _escalate_batch(self, limit):
        """Escalate the waiting milestones of up to ``limit`` complaints that no other run holds.

        One activity per complaint and assignee: after a long pause (the job not run for days)
        a complaint may have passed several milestones at once; its assignee gets one activity,
        for the highest of them (the worst level, then the latest milestone), that names the
        others, and every one of them is marked escalated at its level (none is escalated again
        later, none is lost). A complaint's waiting milestones are claimed together: a complaint
        of which another run holds any milestone is left whole to a later batch (otherwise two
        runs meeting could split its milestones and each send an activity).

        The activities are created without Odoo's per-activity notification: that mail made the
        portal layer write the complaint's token and the customers' signup fields inside this
        transaction (hundreds of writes on shared rows per run). The assignees see the activity
        in their web client at once (Odoo's bus) and get one mail per batch listing them.

        :return: number of milestones escalated
        """
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH picked AS (
                    SELECT id, complaint_id FROM customer_complaint_sla
                     WHERE %(waiting)s
                       AND complaint_id IN (SELECT complaint_id FROM customer_complaint_sla
                                             WHERE %(waiting)s
                                          GROUP BY complaint_id ORDER BY complaint_id LIMIT %(limit)s)
                ), claimed AS (
                    SELECT id, complaint_id FROM customer_complaint_sla
                     WHERE id IN (SELECT id FROM picked)
                  ORDER BY id
                       FOR NO KEY UPDATE SKIP LOCKED
                )
                SELECT claimed.id FROM claimed
                 WHERE NOT EXISTS (SELECT 1 FROM picked
                                    WHERE picked.complaint_id = claimed.complaint_id
                                      AND picked.id NOT IN (SELECT id FROM claimed))
              ORDER BY claimed.id
                """,
                waiting=_TO_ESCALATE,
                limit=limit,
            )
        )
        slas = self.browse([row[0] for row in self.env.cr.fetchall()]).sudo()
        if not slas:
            return 0
        today = fields.Date.context_today(self)
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("customer.complaint")
        managers = self.env.ref(MANAGER_GROUP).sudo().users.filtered(lambda u: u.active and not u.share)
        lang = AssigneeLanguage(self.env)
        # The key-account manager of each red complaint: one agreement lookup per company.
        account_managers = {}
        reds = slas.filtered(lambda s: s.warning_level == "red")
        for company, company_slas in reds.grouped(lambda s: s.complaint_id.company_id).items():
            customers = company_slas.complaint_id.partner_id
            found = self.env["customer.agreement"]._find_active(customers, company, today)
            for sla in company_slas:
                customer = sla.complaint_id.partner_id
                agreement = found.get(customer.commercial_partner_id) or found.get(customer)
                account_managers[sla] = agreement.manager_id if agreement else customer.user_id
        # Who is told of each milestone, gathered per complaint and assignee.
        assignments = {}
        for sla in slas:
            complaint = sla.complaint_id
            if sla.warning_level == "orange":
                users = complaint.department_id.manager_id.user_id
            else:
                users = managers.filtered(lambda u, c=complaint: c.company_id in u.company_ids) | account_managers[sla]
            for user in users:
                assignments.setdefault((complaint, user), []).append(sla)
        activities = []
        for (complaint, user), passed in assignments.items():
            highest = max(passed, key=self._escalation_rank)
            others = sorted((sla for sla in passed if sla != highest), key=self._escalation_rank)
            activities.append(
                {
                    "res_model_id": model_id,
                    "res_id": complaint.id,
                    "user_id": user.id,
                    "activity_type_id": todo.id,
                    "summary": self._escalation_summary(highest, user, lang, others),
                    "note": self._escalation_note(passed, user, lang) if others else False,
                    "date_deadline": today,
                }
            )
        created = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)
        for level in ("orange", "red"):
            slas.filtered(lambda s, level=level: s.warning_level == level).write({"escalated_level": level})
        self._mail_escalations(created)
        return len(slas)

    @staticmethod
    def _escalation_rank(sla):
        """Which of a complaint's passed milestones its escalation is about: the worst level,
        then the latest milestone."""
        return (engine.LEVEL_RANK.get(sla.warning_level, -1), MILESTONE_RANK.get(sla.milestone, -1), sla.id)

    def _escalation_summary(self, sla, user, lang, others=()):
        """The escalation's to-do in the language (and time zone) of the person it goes to;
        ``others``: the complaint's lower milestones passed at the same time (named in it)."""
        env = lang(user)
        values = {
            "milestone": lang.selection(self._name, "milestone", user)[sla.milestone],
            "ref": sla.complaint_id.name,
            "deadline": lang.datetime(user, sla.deadline),
        }
        if sla.warning_level == "orange":
            summary = env._("SLA warning (orange): %(milestone)s of %(ref)s is due %(deadline)s", **values)
        else:
            summary = env._("SLA breached (red): %(milestone)s of %(ref)s was due %(deadline)s", **values)
        if not others:
            return summary
        milestones = lang.selection(self._name, "milestone", user)
        return env._(
            "%(summary)s; also passed since the last check: %(milestones)s",
            summary=summary,
            milestones=", ".join(milestones[other.milestone] for other in others),
        )

    def _escalation_note(self, passed, user, lang):
        """Every milestone of the complaint passed since the job last ran, with its level and
        deadline (the activity's note, kept in the chatter when it is marked done)."""
        env = lang(user)
        milestones = lang.selection(self._name, "milestone", user)
        levels = lang.selection(self._name, "warning_level", user)
        items = Markup("").join(
            Markup("<li>%s</li>")
            % env._(
                "%(milestone)s: %(level)s, due %(deadline)s",
                milestone=milestones[sla.milestone],
                level=levels[sla.warning_level],
                deadline=lang.datetime(user, sla.deadline),
            )
            for sla in sorted(passed, key=lambda s: MILESTONE_RANK.get(s.milestone, -1))
        )
        return Markup("<p>%s</p><ul>%s</ul>") % (
            env._("These milestones were passed since the SLA job last ran; each of them is escalated:"),
            items,
        )

    def _mail_escalations(self, activities):
        """One mail per assignee listing the escalations of the batch (a new mail.mail row only:
        nothing shared is written)."""
        mails = []
        lang = AssigneeLanguage(self.env)
        for user, user_activities in activities.grouped("user_id").items():
            if not user.email:
                continue
            env = lang(user)
            items = Markup("").join(
                Markup("<li>%s</li>") % activity.summary for activity in user_activities.sorted("id")
            )
            mails.append(
                {
                    "subject": env._("Complaint SLA escalations: %(count)s", count=len(user_activities)),
                    "body_html": Markup("<p>%s</p><ul>%s</ul>") % (env._("These complaint deadlines need you:"), items),
                    "recipient_ids": [Command.link(user.partner_id.id)],
                    "email_from": (self.env.company.email_formatted or user.company_id.email_formatted or False),
                    "auto_delete": True,
                }
            )
        if mails:
            self.env["mail.mail"].sudo().create(mails)
