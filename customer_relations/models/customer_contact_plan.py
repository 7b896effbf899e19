from odoo import api, fields, models

from ..engine import relationship as engine
from .assignee_language import AssigneeLanguage
from .customer_job import exclusive, run_batch
from .tiering_constants import ACCOUNT_CLASS


class CustomerContactPlan(models.Model):
    """How often the customers of an account class are to be contacted, and how many
    interactions of each type a year."""

    _name = "customer.contact.plan"
    _description = "Contact Plan"
    _order = "company_id, account_class, id"
    _rec_name = "account_class"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    account_class = fields.Selection(ACCOUNT_CLASS, required=True)
    interval_days = fields.Integer(
        "Contact at least every (days)", default=90, help="0: no automatic reminder, contacts as planned."
    )
    line_ids = fields.One2many("customer.contact.plan.line", "plan_id", string="Interactions a year", copy=True)
    note = fields.Char()

    _sql_constraints = [
        ("class_unique", "unique(company_id, account_class)", "One contact plan per account class and company."),
        ("interval_positive", "CHECK(interval_days >= 0)", "The contact interval cannot be negative."),
    ]

    # ------------------------------------------------------------------
    # Due contacts (set-based)
    # ------------------------------------------------------------------
    @api.model
    def _last_contacts(self, company, partner_ids=None):
        """{partner id: (last interaction date, plan interval)} for the customers with a plan."""
        self.env.flush_all()
        key = str(company.id)
        self.env.cr.execute(
            """
            SELECT p.id, MAX(i.date), pl.interval_days
              FROM res_partner p
              JOIN customer_contact_plan pl
                ON pl.company_id = %(company)s AND pl.account_class = p.account_class ->> %(key)s
         LEFT JOIN customer_interaction i ON i.partner_id = p.id AND i.company_id = %(company)s
             WHERE p.parent_id IS NULL AND p.active AND pl.interval_days > 0
               AND (%(all)s OR p.id IN (SELECT unnest(%(ids)s::int4[])))
          GROUP BY p.id, pl.interval_days
            """,
            {"company": company.id, "key": key, "all": partner_ids is None, "ids": list(partner_ids or [])},
        )
        return {partner: (last, interval) for partner, last, interval in self.env.cr.fetchall()}

    @api.model
    def _contact_due(self, company, partners):
        today = fields.Date.context_today(self)
        result = {}
        for partner, (last, interval) in self._last_contacts(company, partners.ids).items():
            due, overdue = engine.contact_due(last, interval, today)
            result[partner] = (last or False, due or False, overdue)
        return result

    @api.model
    def _overdue_partner_ids(self, company):
        today = fields.Date.context_today(self)
        return [
            partner
            for partner, (last, interval) in self._last_contacts(company).items()
            if engine.contact_due(last, interval, today)[1]
        ]

    @api.model
    def _cron_contact_plan(self, batch_size=500):
        """Daily: an activity for the salesperson of each customer overdue for contact (one open
        at a time), and the plan-against-done figures of the year; under the job's lock, in
        committed batches (``customer_job``), each batch skipping the customers that got their
        reminder meanwhile."""
        with exclusive(self.env, "customer_relations: contact plan") as mine:
            if not mine:
                return
            today = fields.Date.context_today(self)
            for company in self.env["res.company"].search([]):
                overdue = self.with_company(company)._overdue_partner_ids(company)
                for start in range(0, len(overdue), batch_size):
                    chunk = overdue[start : start + batch_size]
                    run_batch(
                        self.env,
                        lambda chunk=chunk: self._remind_overdue(chunk, today),
                        "contact plan reminders",
                    )
                run_batch(
                    self.env,
                    lambda company=company: self.env["customer.contact.status"]._rebuild(company, today.year),
                    "contact plan figures",
                )

    @api.model
    def _remind_overdue(self, partner_ids, today):
        """A contact reminder for each of these customers that has a salesperson and no open one."""
        activity_type = self.env.ref("customer_relations.mail_activity_type_contact_due")
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT p.id, p.name, p.user_id FROM res_partner p
             WHERE p.id = ANY(%s) AND p.user_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM mail_activity a
                                WHERE a.res_model = 'res.partner' AND a.res_id = p.id
                                  AND a.activity_type_id = %s AND a.active)
          ORDER BY p.id
            """,
            [list(partner_ids), activity_type.id],
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return 0
        lang = AssigneeLanguage(self.env)
        users = self.env["res.users"]
        model_id = self.env["ir.model"]._get_id("res.partner")
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": partner_id,
                    "user_id": user_id,
                    "activity_type_id": activity_type.id,
                    "summary": lang(users.browse(user_id))._(
                        "Contact %(name)s: the contact plan is overdue", name=name
                    ),
                    "date_deadline": today,
                }
                for partner_id, name, user_id in rows
            ]
        )
        return len(rows)
