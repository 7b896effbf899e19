from datetime import timedelta

from odoo import api, fields, models

from ..engine import relationship as engine
from .assignee_language import AssigneeLanguage
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
    def _cron_care_moments(self, today=None):
        """Activities ahead of the care dates of strategic and key customers, once each."""
        today = today or fields.Date.context_today(self)
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("res.partner")
        created = self.browse()
        for company in self.env["res.company"].search([]):
            lead = company.care_lead_days
            candidates = self._care_candidates(company, today, lead)
            if not candidates:
                continue
            existing = set(
                self.search([("company_id", "=", company.id), ("key", "in", list(candidates))]).mapped("key")
            )
            fresh = [values for key, values in candidates.items() if key not in existing]
            if not fresh:
                continue
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
            created |= self.create(fresh)
        return created

    @api.model
    def _care_candidates(self, company, today, lead):
        """{key: values} of the care moments due within ``lead`` days for ``company``."""
        self.env.flush_all()
        key = str(company.id)
        self.env.cr.execute(
            """
            SELECT id FROM res_partner
             WHERE parent_id IS NULL AND active AND user_id IS NOT NULL
               AND account_class ->> %s IN %s
            """,
            [key, CARE_CLASSES],
        )
        customers = self.env["res.partner"].browse([row[0] for row in self.env.cr.fetchall()])
        if not customers:
            return {}
        candidates = {}
        lang = AssigneeLanguage(self.env)

        def add(customer, occasion, day, summary, contact=None, holiday=None):
            moment_key = f"{occasion}:{customer.id}:{contact.id if contact else 0}:{holiday.id if holiday else 0}:{day}"
            candidates[moment_key] = {
                "key": moment_key,
                "partner_id": customer.id,
                "contact_id": contact.id if contact else False,
                "company_id": company.id,
                "occasion": occasion,
                "holiday_id": holiday.id if holiday else False,
                "date": day,
                "user_id": customer.user_id.id,
                "summary": summary,
            }

        contacts = self.env["res.partner"].search([("parent_id", "in", customers.ids), ("birthday", "!=", False)])
        for contact in contacts:
            day = engine.due_within(contact.birthday, today, lead)
            if day:
                add(
                    contact.parent_id,
                    "birthday",
                    day,
                    lang(contact.parent_id.user_id)._(
                        "Birthday of %(name)s on %(date)s",
                        name=contact.name,
                        date=lang.date(contact.parent_id.user_id, day),
                    ),
                    contact=contact,
                )
        for customer in customers.filtered("company_anniversary"):
            day = engine.due_within(customer.company_anniversary, today, lead)
            if day:
                add(
                    customer,
                    "anniversary",
                    day,
                    lang(customer.user_id)._(
                        "Company anniversary of %(name)s on %(date)s",
                        name=customer.name,
                        date=lang.date(customer.user_id, day),
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
                    lang(customer.user_id)._(
                        "%(holiday)s greeting for %(name)s",
                        holiday=holiday.with_env(lang(customer.user_id)).name,
                        name=customer.name,
                    ),
                    holiday=holiday,
                )
        return candidates
