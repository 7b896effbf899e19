from odoo import api, fields, models

from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER, LIFECYCLE_STAGE, QUADRANT

_USER = "customer_relations.group_customer_relations_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    region_id = fields.Many2one(
        "customer.region",
        string="Sales Region",
        index=True,
        tracking=True,
        help="Sales region of the customer; contacts follow their company's region.",
    )
    # Official tier, class and lifecycle, per company: set by approved reviews (tier, class)
    # or by the evaluation (lifecycle).
    customer_tier = fields.Selection(CUSTOMER_TIER, company_dependent=True, tracking=True, copy=False)
    account_class = fields.Selection(ACCOUNT_CLASS, company_dependent=True, tracking=True, copy=False)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGE, company_dependent=True, copy=False)
    customer_value_id = fields.Many2one(
        "customer.value",
        compute="_compute_customer_value_id",
        string="Customer value (this company)",
        groups=_USER,
    )
    # The current company's evaluation, shown on the customer form.
    value_score = fields.Float(compute="_compute_value_fields", string="Value score", groups=_USER)
    value_rating_total = fields.Float(compute="_compute_value_fields", string="Weighted rating total", groups=_USER)
    value_proposed_tier = fields.Selection(
        CUSTOMER_TIER, compute="_compute_value_fields", string="Proposed tier", groups=_USER
    )
    value_proposed_class = fields.Selection(
        ACCOUNT_CLASS, compute="_compute_value_fields", string="Proposed class", groups=_USER
    )
    value_contribution = fields.Float(compute="_compute_value_fields", string="Contribution", groups=_USER)
    value_loyalty = fields.Float(compute="_compute_value_fields", string="Loyalty", groups=_USER)
    value_quadrant = fields.Selection(QUADRANT, compute="_compute_value_fields", string="Quadrant", groups=_USER)
    value_recommendation = fields.Char(compute="_compute_value_fields", string="Recommended handling", groups=_USER)
    value_breakdown_html = fields.Html(
        compute="_compute_value_fields", string="Score breakdown", sanitize=False, groups=_USER
    )
    value_revenue = fields.Monetary(compute="_compute_value_fields", string="Revenue (window)", groups=_USER)
    value_growth = fields.Float(compute="_compute_value_fields", string="Growth %", groups=_USER)
    value_date = fields.Date(compute="_compute_value_fields", string="Figures changed on", groups=_USER)
    tier_rating_ids = fields.One2many("customer.tier.rating", "partner_id", string="Ratings", groups=_USER)
    tier_history_ids = fields.One2many("customer.tier.history", "partner_id", string="Tier history", groups=_USER)
    tier_anomaly_ids = fields.One2many("customer.value.anomaly", "partner_id", string="Anomalies", groups=_USER)
    satisfaction_input_ids = fields.One2many(
        "survey.user_input", "satisfaction_partner_id", string="Satisfaction answers", groups=_USER
    )
    satisfaction_index = fields.Float(compute="_compute_satisfaction", string="Latest satisfaction index", groups=_USER)
    satisfaction_recommend = fields.Float(compute="_compute_satisfaction", string="Intent to recommend", groups=_USER)
    satisfaction_repurchase = fields.Float(compute="_compute_satisfaction", string="Intent to repurchase", groups=_USER)
    agreement_ids = fields.One2many("customer.agreement", "partner_id", string="Key-account agreements", groups=_USER)
    agreement_count = fields.Integer(compute="_compute_agreement_count", string="Agreements", groups=_USER)
    tier_review_count = fields.Integer(compute="_compute_tier_review_count", string="Tier reviews", groups=_USER)
    complaint_count = fields.Integer(compute="_compute_complaint_count", string="Complaints", groups=_USER)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_customer_value_id(self):
        values = self.env["customer.value"].search(
            [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)]
        )
        by_partner = {value.partner_id: value for value in values}
        for partner in self:
            partner.customer_value_id = by_partner.get(partner.commercial_partner_id, False)

    @api.depends_context("company")
    def _compute_value_fields(self):
        mapping = {
            "value_score": "score",
            "value_rating_total": "rating_total",
            "value_proposed_tier": "proposed_tier",
            "value_proposed_class": "proposed_class",
            "value_contribution": "contribution_score",
            "value_loyalty": "loyalty_score",
            "value_quadrant": "quadrant",
            "value_recommendation": "recommendation",
            "value_breakdown_html": "breakdown_html",
            "value_revenue": "revenue",
            "value_growth": "growth",
            "value_date": "date",
        }
        for partner in self:
            value = partner.customer_value_id
            for field_name, source in mapping.items():
                partner[field_name] = value[source] if value else False

    def _compute_satisfaction(self):
        latest = self.env["survey.user_input"]._latest_satisfaction(self.commercial_partner_id)
        for partner in self:
            values = latest.get(partner.commercial_partner_id.id, {})
            partner.satisfaction_index = values.get("index", 0.0)
            partner.satisfaction_recommend = values.get("recommend", 0.0)
            partner.satisfaction_repurchase = values.get("repurchase", 0.0)

    def _compute_agreement_count(self):
        counts = dict(
            self.env["customer.agreement"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        )
        for partner in self:
            partner.agreement_count = counts.get(partner, 0)

    def _compute_complaint_count(self):
        counts = dict(
            self.env["customer.complaint"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        )
        for partner in self:
            partner.complaint_count = counts.get(partner, 0)

    def _compute_tier_review_count(self):
        counts = dict(
            self.env["customer.tier.review.line"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["review_id:count_distinct"]
            )
        )
        for partner in self:
            partner.tier_review_count = counts.get(partner, 0)

    @api.model
    def _commercial_fields(self):
        return [*super()._commercial_fields(), "region_id"]

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _set_tier_class(self, company, tier, account_class):
        """Set the official tier and class of these customers in ``company`` and mirror them on
        their value records (callers check the rights and write the history)."""
        self.with_company(company).sudo().write({"customer_tier": tier, "account_class": account_class})
        self.env["customer.value"].sudo().search(
            [("partner_id", "in", self.ids), ("company_id", "=", company.id)]
        ).write({"customer_tier": tier, "account_class": account_class})

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_tier_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_tier_review_action")
        review_ids = self.env["customer.tier.review.line"].search([("partner_id", "=", self.id)]).review_id.ids
        action["domain"] = [("id", "in", review_ids)]
        return action

    def action_view_agreements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_agreement_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_complaint_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_change_tier(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_tier_change_wizard_action")
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
