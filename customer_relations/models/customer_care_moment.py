from datetime import timedelta

from psycopg2 import errors

from odoo import api, fields, models

from ..engine import relationship as engine
from .assignee_language import AssigneeLanguage
from .customer_job import exclusive, run_batch
from .relationship_constants import CARE_OCCASION

CARE_CLASSES = ("strategic", "key")


class CustomerCareMoment(models.Model):
    """One care moment (a key contact's birthday, the customer's anniversary, a holiday) for
    which the salesperson got an activity: the record makes the scheduled action idempotent."""

    _name = "customer.care.moment"
    _description = "Customer Care Moment"
    _order = "date desc, id desc"
    _rec_name = "occasion"

    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True, ondelete="cascade")
    contact_id = fields.Many2one("res.partner", ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True)
    occasion = fields.Selection(CARE_OCCASION, required=True)
    holiday_id = fields.Many2one("customer.care.holiday", ondelete="cascade")
    date = fields.Date(required=True)
    user_id = fields.Many2one("res.users", "Salesperson")
    activity_id = fields.Many2one("mail.activity", ondelete="set null")
    key = fields.Char(required=True, index=True)

    _sql_constraints = [("key_unique", "unique(company_id, key)", "This care moment exists already.")]

    @api.model
    def _cron_care_moments(self, today=None, batch_size=500):
        """Activities ahead of the care dates of strategic and key customers, once each: under
        the job's lock, in committed batches (``customer_job``); a moment another run created
        meanwhile is skipped (the batch meeting its unique key is tried again and sees it)."""
        created = self.browse()
        with exclusive(self.env, "customer_relations: care moments") as mine:
            if not mine:
                return created
            for company, fresh in self._fresh_care_moments(today):
                for start in range(0, len(fresh), batch_size):
                    chunk = fresh[start : start + batch_size]
                    finished, moments = run_batch(
                        self.env,
                        lambda company=company, chunk=chunk: self._create_moments(company, chunk),
                        "care moments",
                        retry_on=(errors.UniqueViolation,),
                    )
                    if finished:
                        created |= moments
        return created

    @api.model
    def _create_care_moments(self, today=None):
        """The same in the current transaction (demo data)."""
        created = self.browse()
        for company, fresh in self._fresh_care_moments(today):
            created |= self._create_moments(company, fresh)
        return created

    @api.model
    def _fresh_care_moments(self, today=None):
        """[(company, [values])] of the care moments due that do not exist yet."""
        today = today or fields.Date.context_today(self)
        result = []
        for company in self.env["res.company"].search([]):
            candidates = self._care_candidates(company, today, company.care_lead_days)
            if candidates:
                existing = self._existing_keys(company, list(candidates))
                fresh = [values for key, values in candidates.items() if key not in existing]
                if fresh:
                    result.append((company, fresh))
        return result

    @api.model
    def _existing_keys(self, company, keys):
        self.flush_model(["company_id", "key"])
        self.env.cr.execute(
            "SELECT key FROM customer_care_moment WHERE company_id = %s AND key = ANY(%s)", [company.id, keys]
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _create_moments(self, company, values_list):
        """The activities and moments of ``values_list`` not created yet (read again: a run
        tried again after a conflict skips what the other run made)."""
        existing = self._existing_keys(company, [values["key"] for values in values_list])
        fresh = [dict(values) for values in values_list if values["key"] not in existing]
        if not fresh:
            return self.browse()
        lead = company.care_lead_days
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("res.partner")
        activities = self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": values["contact_id"] or values["partner_id"],
                    "user_id": values["user_id"],
                    "activity_type_id": todo.id,
                    "summary": values.pop("summary"),
                    "date_deadline": values["date"] - timedelta(days=min(lead, 3)),
                }
                for values in fresh
            ]
        )
        for values, activity in zip(fresh, activities, strict=True):
            values["activity_id"] = activity.id
        return self.create(fresh)

    @api.model
    def _care_candidates(self, company, today, lead):
        """{key: values} of the care moments due within ``lead`` days for ``company``: the
        customers and their contacts read in two queries (plain rows, no record per customer)."""
        self.env.flush_all()
        key = str(company.id)
        self.env.cr.execute(
            """
            SELECT id, name, user_id, company_anniversary FROM res_partner
             WHERE parent_id IS NULL AND active AND user_id IS NOT NULL
               AND account_class ->> %s IN %s
          ORDER BY id
            """,
            [key, CARE_CLASSES],
        )
        customers = self.env.cr.fetchall()
        if not customers:
            return {}
        candidates = {}
        lang = AssigneeLanguage(self.env)
        users = self.env["res.users"]

        def add(customer, occasion, day, summary, contact_id=0, holiday_id=0):
            moment_key = f"{occasion}:{customer[0]}:{contact_id}:{holiday_id}:{day}"
            candidates[moment_key] = {
                "key": moment_key,
                "partner_id": customer[0],
                "contact_id": contact_id or False,
                "company_id": company.id,
                "occasion": occasion,
                "holiday_id": holiday_id or False,
                "date": day,
                "user_id": customer[2],
                "summary": summary,
            }

        by_id = {customer[0]: customer for customer in customers}
        self.env.cr.execute(
            """
            SELECT id, parent_id, name, birthday FROM res_partner
             WHERE parent_id = ANY(%s) AND birthday IS NOT NULL AND active
          ORDER BY id
            """,
            [list(by_id)],
        )
        for contact_id, parent_id, name, birthday in self.env.cr.fetchall():
            day = engine.due_within(birthday, today, lead)
            if day:
                add(
                    by_id[parent_id],
                    "birthday",
                    day,
                    lang(users.browse(by_id[parent_id][2]))._(
                        "Birthday of %(name)s on %(date)s",
                        name=name,
                        date=lang.date(users.browse(by_id[parent_id][2]), day),
                    ),
                    contact_id=contact_id,
                )
        for customer in customers:
            day = customer[3] and engine.due_within(customer[3], today, lead)
            if day:
                add(
                    customer,
                    "anniversary",
                    day,
                    lang(users.browse(customer[2]))._(
                        "Company anniversary of %(name)s on %(date)s",
                        name=customer[1],
                        date=lang.date(users.browse(customer[2]), day),
                    ),
                )
        holidays = self.env["customer.care.holiday"].search(
            [
                ("date", ">=", today),
                ("date", "<=", today + timedelta(days=lead)),
                ("company_id", "in", [False, company.id]),
            ]
        )
        for holiday in holidays:
            for customer in customers:
                add(
                    customer,
                    "holiday",
                    holiday.date,
                    lang(users.browse(customer[2]))._(
                        "%(holiday)s greeting for %(name)s",
                        holiday=holiday.with_env(lang(users.browse(customer[2]))).name,
                        name=customer[1],
                    ),
                    holiday_id=holiday.id,
                )
        return candidates
