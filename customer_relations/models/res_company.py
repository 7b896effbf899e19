from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..engine import complaint_mail as mail_engine

COMPLAINT_MANAGER_GROUP = "customer_relations.group_customer_relations_manager"


class ResCompany(models.Model):
    _inherit = "res.company"

    agreement_reminder_days = fields.Integer(
        "Agreement end reminder (days)",
        default=30,
        help="Days before an agreement ends when its key-account manager gets a reminder.",
    )
    agreement_halfway_threshold = fields.Float(
        "Half-way achievement alert (%)",
        default=50.0,
        help="At half the agreement's term, below this achievement the key-account manager is alerted.",
    )
    complaint_default_department_id = fields.Many2one(
        "hr.department",
        "Default complaint department",
        help="Complaints that no routing rule matches go to this department.",
    )
    complaint_emergency_department_ids = fields.Many2many(
        "hr.department",
        "res_company_complaint_emergency_dept_rel",
        "company_id",
        "department_id",
        string="Emergency team departments",
        help="The heads of these departments join every major or critical complaint.",
    )
    complaint_emergency_user_ids = fields.Many2many(
        "res.users",
        "res_company_complaint_emergency_user_rel",
        "company_id",
        "user_id",
        string="Emergency team members",
    )
    complaint_callback_survey_id = fields.Many2one(
        "survey.survey",
        "Complaint callback survey",
        help="Sent to the complaining contact when a complaint is closed.",
    )
    complaint_repeat_days = fields.Integer(
        "Repeat complaint window (days)",
        default=365,
        help="A complaint of a customer that already complained within this many days counts as a repeat.",
    )
    complaint_portal_intake_user_id = fields.Many2one(
        "res.users",
        "Portal complaints taken in by",
        domain="[('share', '=', False)]",
        help="Follows every complaint customers submit on the portal and gets a to-do to check and submit it. "
        "Empty: the customer's salesperson.",
    )
    complaint_alias_id = fields.Many2one(
        "mail.alias",
        "Complaint e-mail alias",
        copy=False,
        readonly=True,
        help="E-mails to this address open complaints of the company (Settings > Customer Relations).",
    )
    care_lead_days = fields.Integer(
        "Care moments lead time (days)",
        default=7,
        help="Days ahead of a key contact's birthday, an anniversary or a holiday when the salesperson is reminded.",
    )

    @api.constrains("complaint_repeat_days")
    def _check_complaint_repeat_days(self):
        bad = self.filtered(lambda c: not 1 <= c.complaint_repeat_days <= 3650)
        if bad:
            raise ValidationError(
                self.env._(
                    "The repeat complaint window is a number of days from 1 to 3650: %(companies)s",
                    companies=", ".join(bad.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._complaint_alias_ensure()
        return companies

    # ------------------------------------------------------------------
    # Complaint e-mail alias
    # ------------------------------------------------------------------
    @api.model
    def _complaint_alias_ensure_all(self):
        """Install and upgrade: every company gets its complaint alias (kept when it exists)."""
        self.sudo().search([])._complaint_alias_ensure()

    def _complaint_alias_ensure(self):
        """A complaint alias for each company that has none: ``complaints`` on its alias domain,
        ``complaints-<company id>`` where another company already uses that name."""
        Alias = self.env["mail.alias"].sudo()
        for company in self.sudo().filtered(lambda c: not c.complaint_alias_id):
            taken = Alias.search(
                [
                    ("alias_name", "=like", f"{mail_engine.ALIAS_BASE}%"),
                    ("alias_domain_id", "=", company.alias_domain_id.id),
                ]
            ).mapped("alias_name")
            name = mail_engine.alias_name_candidates(company.id, taken)
            company.complaint_alias_id = Alias.create(company._complaint_alias_values(name))

    def _complaint_alias_values(self, name):
        self.ensure_one()
        return {
            "alias_name": name,
            "alias_model_id": self.env["ir.model"]._get_id("customer.complaint"),
            "alias_contact": "everyone",
            "alias_defaults": repr({"company_id": self.id, "channel": "email"}),
            "alias_domain_id": self.alias_domain_id.id,
        }

    def _complaint_alias_set_name(self, name):
        """Settings: a Customer Relations manager names the company's complaint alias (empty:
        the alias takes no mail). The alias follows the company's alias domain."""
        self.ensure_one()
        alias = self.sudo().complaint_alias_id
        clean = self.env["mail.alias"]._sanitize_alias_name(name) if name else False
        if (alias.alias_name or False) == clean:
            # Unchanged (every save of the settings sends it): the alias only follows the
            # company's alias domain.
            if alias and alias.alias_domain_id != self.alias_domain_id:
                alias.alias_domain_id = self.alias_domain_id
            return
        if not self.env.su and not self.env.user.has_group(COMPLAINT_MANAGER_GROUP):
            raise AccessError(self.env._("Only Customer Relations managers set the complaint e-mail alias."))
        if alias:
            alias.write({"alias_name": clean, "alias_domain_id": self.alias_domain_id.id})
        else:
            self.sudo().complaint_alias_id = self.env["mail.alias"].sudo().create(self._complaint_alias_values(clean))
