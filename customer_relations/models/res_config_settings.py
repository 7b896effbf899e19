from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    agreement_reminder_days = fields.Integer(related="company_id.agreement_reminder_days", readonly=False)
    agreement_halfway_threshold = fields.Float(related="company_id.agreement_halfway_threshold", readonly=False)
    complaint_default_department_id = fields.Many2one(
        related="company_id.complaint_default_department_id", readonly=False
    )
    complaint_emergency_department_ids = fields.Many2many(
        related="company_id.complaint_emergency_department_ids", readonly=False
    )
    complaint_emergency_user_ids = fields.Many2many(related="company_id.complaint_emergency_user_ids", readonly=False)
    complaint_callback_survey_id = fields.Many2one(related="company_id.complaint_callback_survey_id", readonly=False)
    complaint_repeat_days = fields.Integer(related="company_id.complaint_repeat_days", readonly=False)
    complaint_portal_intake_user_id = fields.Many2one(
        related="company_id.complaint_portal_intake_user_id", readonly=False
    )
    complaint_alias_name = fields.Char(
        "Complaint e-mail alias",
        compute="_compute_complaint_alias_name",
        inverse="_inverse_complaint_alias_name",
        readonly=False,
    )
    complaint_alias_domain_name = fields.Char(
        "Alias domain", related="company_id.alias_domain_name", help="The alias domain of the company's mail set-up."
    )
    care_lead_days = fields.Integer(related="company_id.care_lead_days", readonly=False)
    customer_region_count = fields.Integer(
        compute="_compute_customer_region_count",
        string="Sales Regions",
    )

    @api.depends("company_id")
    def _compute_customer_region_count(self):
        count = self.env["customer.region"].search_count([])
        for settings in self:
            settings.customer_region_count = count

    @api.depends("company_id.complaint_alias_id.alias_name")
    def _compute_complaint_alias_name(self):
        for settings in self:
            settings.complaint_alias_name = settings.company_id.sudo().complaint_alias_id.alias_name

    def _inverse_complaint_alias_name(self):
        for settings in self:
            settings.company_id._complaint_alias_set_name(settings.complaint_alias_name)
