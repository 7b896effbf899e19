from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from . import tier_measure_changes as tier_sources
from .protected_fields import without_defaults
from .relationship_constants import (
    CONTACT_CHANNEL,
    CONTACT_FREQUENCY,
    CREDIT_RATING,
    MARKET_POSITION,
    MARKET_STATUS,
    POTENTIAL,
    PURCHASE_ROLE,
    REVENUE_BAND,
)
from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER, LIFECYCLE_STAGE, QUADRANT

_USER = "customer_relations.group_customer_relations_user"

# Official tier, class and lifecycle: written only by checked actions (an approved tier review,
# the Manager's tier change, the evaluation), which write them with sudo().
PROTECTED_TIER_FIELDS = ("customer_tier", "account_class", "lifecycle_stage")


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
    # or by the evaluation (lifecycle); see PROTECTED_TIER_FIELDS and write().
    customer_tier = fields.Selection(
        CUSTOMER_TIER, company_dependent=True, tracking=True, copy=False, readonly=True, groups=_USER
    )
    account_class = fields.Selection(
        ACCOUNT_CLASS, company_dependent=True, tracking=True, copy=False, readonly=True, groups=_USER
    )
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGE, company_dependent=True, copy=False, readonly=True, groups=_USER)
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
    satisfaction_input_ids = fields.Many2many(
        "survey.user_input",
        compute="_compute_satisfaction_input_ids",
        string="Satisfaction answers",
        groups=_USER,
        help="The customer's completed answers given to the current company (its campaigns and "
        "complaint callbacks); another company's answers never show.",
    )
    satisfaction_index = fields.Float(compute="_compute_satisfaction", string="Latest satisfaction index", groups=_USER)
    satisfaction_recommend = fields.Float(compute="_compute_satisfaction", string="Intent to recommend", groups=_USER)
    satisfaction_repurchase = fields.Float(compute="_compute_satisfaction", string="Intent to repurchase", groups=_USER)
    agreement_ids = fields.One2many("customer.agreement", "partner_id", string="Key-account agreements", groups=_USER)
    agreement_count = fields.Integer(compute="_compute_agreement_count", string="Agreements", groups=_USER)
    tier_review_count = fields.Integer(compute="_compute_tier_review_count", string="Tier reviews", groups=_USER)
    complaint_count = fields.Integer(compute="_compute_complaint_count", string="Complaints", groups=_USER)
    # The customer's risk warning history (warnings of the current companies, by record rule).
    risk_warning_ids = fields.One2many(
        "customer.risk.warning", "partner_id", string="Risk warnings", groups=_USER, readonly=True
    )
    risk_warning_count = fields.Integer(
        compute="_compute_risk_warning_count", string="Risk warning count", groups=_USER
    )
    risk_open_count = fields.Integer(compute="_compute_risk_warning_count", string="Open risk warnings", groups=_USER)

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

    @api.depends_context("company")
    def _compute_satisfaction_input_ids(self):
        company = self.env.company.id
        answers = self.env["survey.user_input"].search(
            [
                ("satisfaction_partner_id", "in", self.commercial_partner_id.ids),
                ("state", "=", "done"),
                "|",
                ("satisfaction_campaign_id.company_id", "=", company),
                ("complaint_id.company_id", "=", company),
            ],
            order="end_datetime desc, id desc",
        )
        for partner in self:
            partner.satisfaction_input_ids = answers.filtered(
                lambda answer, customer=partner.commercial_partner_id: answer.satisfaction_partner_id == customer
            )

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
    # CRUD
    # ------------------------------------------------------------------
    def _check_tier_fields_untouched(self, field_names):
        """Refuse a change of the official tier, class or lifecycle outside the checked actions.

        Those actions write with sudo(); nothing a client sends (values, context) opens this."""
        touched = set(field_names).intersection(PROTECTED_TIER_FIELDS)
        if touched and not self.env.su:
            labels = ", ".join(sorted(self._fields[name]._description_string(self.env) for name in touched))
            raise AccessError(
                self.env._(
                    "%(fields)s change only through an approved tier review or a manager's Change Tier "
                    "(the lifecycle stage through the evaluation), never by editing the customer.",
                    fields=labels,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_tier_fields_untouched({name for vals in vals_list for name in vals})
        return super(ResPartner, without_defaults(self, PROTECTED_TIER_FIELDS)).create(vals_list)

    def write(self, vals):
        self._check_tier_fields_untouched(vals)
        return super().write(vals)

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

    # ------------------------------------------------------------------
    # Customer file and contact plan
    # ------------------------------------------------------------------
    # Segment data (industry_id is Odoo's industry, used as the industry segment)
    market_status = fields.Selection(MARKET_STATUS, tracking=True, groups=_USER)
    employee_count = fields.Integer("Number of employees", tracking=True, groups=_USER)
    revenue_band = fields.Selection(REVENUE_BAND, "Annual revenue", tracking=True, groups=_USER)
    acquisition_channel_id = fields.Many2one(
        "customer.acquisition.channel", "Acquisition channel", tracking=True, index="btree_not_null", groups=_USER
    )
    is_referral_channel = fields.Boolean(related="acquisition_channel_id.is_referral", groups=_USER)
    referred_by_id = fields.Many2one(
        "res.partner",
        "Referred by",
        tracking=True,
        index="btree_not_null",
        domain="[('is_company', '=', True), ('id', '!=', id)]",
        groups=_USER,
    )
    referral_ids = fields.One2many("res.partner", "referred_by_id", string="Referrals brought", groups=_USER)
    referral_count = fields.Integer(compute="_compute_referral_count", string="Referrals", groups=_USER)
    # Business profile
    development_potential = fields.Selection(POTENTIAL, tracking=True, groups=_USER)
    business_direction = fields.Char(tracking=True, groups=_USER)
    market_position = fields.Selection(MARKET_POSITION, tracking=True, groups=_USER)
    credit_rating = fields.Selection(CREDIT_RATING, tracking=True, groups=_USER)
    strengths = fields.Text(groups=_USER)
    weaknesses = fields.Text(groups=_USER)
    competitor_ids = fields.Many2many(
        "res.partner",
        "res_partner_competitor_rel",
        "partner_id",
        "competitor_id",
        string="Competitors supplying them",
        groups=_USER,
    )
    company_anniversary = fields.Date(help="Founding day of the customer's company, for care moments.", groups=_USER)
    # Key contacts
    purchase_role = fields.Selection(PURCHASE_ROLE, "Role in purchasing", tracking=True, groups=_USER)
    preferred_channel = fields.Selection(CONTACT_CHANNEL, "Preferred channel", groups=_USER)
    contact_frequency = fields.Selection(CONTACT_FREQUENCY, "Information frequency", groups=_USER)
    birthday = fields.Date(groups=_USER)
    # Share of wallet and contact plan
    wallet_share_ids = fields.One2many("customer.wallet.share", "partner_id", string="Share of wallet", groups=_USER)
    interaction_ids = fields.One2many("customer.interaction", "partner_id", string="Interactions", groups=_USER)
    interaction_count = fields.Integer(
        compute="_compute_interaction_count", string="Interactions (count)", groups=_USER
    )
    last_interaction_date = fields.Date(compute="_compute_contact_due", string="Last contact", groups=_USER)
    next_contact_date = fields.Date(compute="_compute_contact_due", string="Next contact due", groups=_USER)
    contact_overdue = fields.Boolean(
        compute="_compute_contact_due", search="_search_contact_overdue", string="Overdue for contact", groups=_USER
    )

    @api.constrains("referred_by_id")
    def _check_referral_loop(self):
        for partner in self.filtered("referred_by_id"):
            seen, current = set(), partner
            while current.referred_by_id:
                if current.id in seen or current.referred_by_id == partner:
                    raise ValidationError(self.env._("%(name)s cannot be referred by itself.", name=partner.name))
                seen.add(current.id)
                current = current.referred_by_id

    def _compute_referral_count(self):
        counts = dict(self._read_group([("referred_by_id", "in", self.ids)], ["referred_by_id"], ["__count"]))
        for partner in self:
            partner.referral_count = counts.get(partner, 0)

    @api.depends_context("company")
    def _compute_interaction_count(self):
        counts = dict(
            self.env["customer.interaction"]._read_group(
                [("partner_id", "in", self.ids), ("company_id", "=", self.env.company.id)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.interaction_count = counts.get(partner, 0)

    @api.depends_context("company")
    def _compute_contact_due(self):
        status = self.env["customer.contact.plan"]._contact_due(self.env.company, self)
        for partner in self:
            last, due, overdue = status.get(partner.id, (False, False, False))
            partner.last_interaction_date = last
            partner.next_contact_date = due
            partner.contact_overdue = overdue

    def _search_contact_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on contact overdue."))
        overdue = self.env["customer.contact.plan"]._overdue_partner_ids(self.env.company)
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", overdue)]

    def action_view_referrals(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Referrals of %(name)s", name=self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("referred_by_id", "=", self.id)],
            "context": {"default_referred_by_id": self.id, "default_is_company": True},
        }

    def action_view_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_interaction_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------
    # Risk warnings
    # ------------------------------------------------------------------
    def _compute_risk_warning_count(self):
        warnings = self.env["customer.risk.warning"]
        counts = dict(warnings._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        open_counts = dict(
            warnings._read_group(
                [("partner_id", "in", self.ids), ("state", "!=", "closed")], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.risk_warning_count = counts.get(partner, 0)
            partner.risk_open_count = open_counts.get(partner, 0)

    def action_view_risk_warnings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_risk_warning_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_not_closed": 1}
        return action

    def action_evaluate_risks(self):
        """On demand for this customer: its signals in the current company, now."""
        self.ensure_one()
        if not self.env.user.has_group(_USER):
            raise AccessError(self.env._("Only Customer Relations users evaluate the risk signals."))
        self.env["customer.risk.warning"].sudo()._evaluate_company(
            self.env.company, partner_ids=[self.commercial_partner_id.id]
        )
        return self.action_view_risk_warnings()

    # ------------------------------------------------------------------
    # Changes the kept tiering measures read (``tier_measure_sources``)
    # ------------------------------------------------------------------
    @api.model
    def _create(self, data_list):
        partners = super()._create(data_list)
        # a new contact or prospect without orders joins the population only as a customer
        if any(data["stored"].get("customer_rank") for data in data_list):
            tier_sources.changed(self.env, tier_sources.customers(self.env, partners.ids))
        return partners

    def _write_multi(self, vals_list):
        if tier_sources.written(vals_list, tier_sources.PARTNER_FIELDS):
            # the customers themselves and the commercial entities they leave or join
            joined = [vals.get("commercial_partner_id") or vals.get("parent_id") for vals in vals_list]
            tier_sources.changed(self.env, tier_sources.customers(self.env, self.ids + joined))
        return super()._write_multi(vals_list)

    def unlink(self):
        tier_sources.changed(self.env, tier_sources.customers(self.env, self.ids))
        return super().unlink()

    def _increase_rank(self, field, n=1):
        # the accounting counts invoices with SQL of its own: a first one makes a customer
        if field == "customer_rank" and self.ids:
            self.env.cr.execute("SELECT id FROM res_partner WHERE id = ANY(%s) AND customer_rank = 0", [self.ids])
            tier_sources.changed(self.env, tier_sources.customers(self.env, [row[0] for row in self.env.cr.fetchall()]))
        return super()._increase_rank(field, n=n)
