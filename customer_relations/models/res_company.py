from odoo import api, fields, models
from odoo.exceptions import ValidationError


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
