from odoo import fields, models

from ..engine import improvement

FOLLOW_UP_CLASSES = ("strategic", "key")


class SurveyUserInput(models.Model):
    """A dissatisfied or detractor campaign answer from a strategic or key customer alerts the
    customer's account manager at once: a follow-up call activity on the customer, worded in
    the manager's language; marking it done logs the call as an interaction."""

    _inherit = "survey.user_input"

    satisfaction_alerted = fields.Boolean(
        "Account manager alerted", readonly=True, copy=False, help="The follow-up alert of this answer was raised."
    )

    def _mark_done(self):
        result = super()._mark_done()
        self._alert_account_managers()
        return result

    def _alert_account_managers(self):
        """One follow-up call activity per dissatisfied or detractor campaign answer of a
        strategic or key customer (class in the campaign's company), for its account manager,
        once per answer. Runs as the respondent (portal or public): the checks are here."""
        answers = self.sudo().filtered(
            lambda a: a.satisfaction_campaign_id
            and a.satisfaction_scored
            and not a.satisfaction_alerted
            and a.satisfaction_partner_id
            and improvement.needs_follow_up(a.satisfaction_level, a.satisfaction_nps_category)
        )
        if not answers:
            return
        Line = self.env["customer.improvement.plan.line"].sudo()
        activity_type = self.env.ref("customer_relations.mail_activity_type_satisfaction_follow_up")
        today = fields.Date.context_today(self)
        alerted = self.browse()
        for company, company_answers in answers.grouped(lambda a: a.satisfaction_campaign_id.company_id).items():
            customers = company_answers.satisfaction_partner_id.with_company(company)
            managers = Line._account_managers(customers, company)
            for answer in company_answers:
                customer = answer.satisfaction_partner_id.with_company(company)
                manager = managers.get(customer.commercial_partner_id)
                if customer.account_class not in FOLLOW_UP_CLASSES or not manager:
                    continue
                env = answer.with_context(lang=manager.lang or "en_US").env
                levels = dict(answer._fields["satisfaction_level"]._description_selection(env))
                categories = dict(answer._fields["satisfaction_nps_category"]._description_selection(env))
                classes = dict(customer._fields["account_class"]._description_selection(env))
                customer.with_context(mail_activity_quick_update=True).activity_schedule(
                    activity_type_id=activity_type.id,
                    date_deadline=today,
                    user_id=manager.id,
                    summary=env._(
                        "Call %(customer)s: unhappy in %(campaign)s",
                        customer=customer.name,
                        campaign=answer.satisfaction_campaign_id.name,
                    ),
                    note=env._(
                        "%(account_class)s customer, answer of %(contact)s: %(level)s (index %(index)s), %(category)s "
                        "(recommend %(recommend)s). Call the customer and mark this activity done with what "
                        "was said: it is logged as a call.",
                        account_class=classes.get(customer.account_class, ""),
                        contact=answer.partner_id.name or "-",
                        level=levels.get(answer.satisfaction_level, "-"),
                        index=f"{answer.satisfaction_index:.1f}",
                        category=categories.get(answer.satisfaction_nps_category, "-"),
                        recommend=f"{answer.satisfaction_recommend:g}" if answer.satisfaction_nps_category else "-",
                    ),
                )
                alerted |= answer
        alerted.write({"satisfaction_alerted": True})
