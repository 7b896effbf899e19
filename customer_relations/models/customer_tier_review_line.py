from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER, LIFECYCLE_STAGE

# What reviewers decide on a line (in draft and while the review is submitted).
DECISION_FIELDS = {"final_tier", "final_class", "reason"}


class CustomerTierReviewLine(models.Model):
    _name = "customer.tier.review.line"
    _description = "Customer Tier Review Line"
    _order = "review_id, score desc, id"
    _rec_name = "partner_id"

    review_id = fields.Many2one("customer.tier.review", required=True, ondelete="cascade", index=True)
    review_state = fields.Selection(related="review_id.state", string="Review status")
    company_id = fields.Many2one(related="review_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    value_id = fields.Many2one("customer.value", ondelete="set null")
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    region_id = fields.Many2one(related="partner_id.region_id", string="Sales Region")
    score = fields.Float("Value score", digits=(16, 1), readonly=True)
    revenue = fields.Float(readonly=True)
    growth = fields.Float("Growth %", readonly=True)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGE, readonly=True)
    anomalies = fields.Char(readonly=True)
    current_tier = fields.Selection(CUSTOMER_TIER, readonly=True)
    proposed_tier = fields.Selection(CUSTOMER_TIER, readonly=True)
    final_tier = fields.Selection(CUSTOMER_TIER, string="Decided tier")
    current_class = fields.Selection(ACCOUNT_CLASS, readonly=True)
    proposed_class = fields.Selection(ACCOUNT_CLASS, readonly=True)
    final_class = fields.Selection(ACCOUNT_CLASS, string="Decided class")
    reason = fields.Char(help="Required when the decision differs from the proposal.")
    overridden = fields.Boolean(compute="_compute_flags", store=True)
    changed = fields.Boolean(
        compute="_compute_flags", store=True, help="The decision differs from the current tier or class."
    )

    @api.depends("final_tier", "final_class", "proposed_tier", "proposed_class", "current_tier", "current_class")
    def _compute_flags(self):
        for line in self:
            line.overridden = (line.final_tier, line.final_class) != (line.proposed_tier, line.proposed_class)
            line.changed = (line.final_tier, line.final_class) != (line.current_tier, line.current_class)

    @api.constrains("final_tier", "final_class", "reason")
    def _check_override_reason(self):
        missing = self.filtered(lambda line: line.overridden and not (line.reason or "").strip())
        if missing:
            raise ValidationError(
                self.env._(
                    "Give a reason for changing the proposal of %(customers)s.",
                    customers=", ".join(missing.partner_id.mapped("display_name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # Lines are the snapshot Compute takes (in SQL); nobody adds one by hand.
        if not self.env.su:
            raise UserError(
                self.env._("The customers of a tier review come from Compute: they cannot be added by hand.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if self.review_id.filtered(lambda r: r.state not in ("draft", "in_review")):
            raise UserError(self.env._("The lines of an approved or cancelled review cannot be changed."))
        if not self.env.su and set(vals) - DECISION_FIELDS:
            raise UserError(
                self.env._(
                    "Only the decided tier, the decided class and the reason of a review line can be changed; "
                    "the figures and proposals are the evaluation's snapshot."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_in_draft(self):
        if self.review_id.filtered(lambda r: r.state != "draft"):
            raise UserError(
                self.env._("Customers can be removed from a draft review only: this one is submitted or decided.")
            )

    @api.model
    def _create_from_values(self, review, values):
        """Replace the review's lines by one line per evaluated customer, in one statement."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("DELETE FROM customer_tier_review_line WHERE review_id = %s", [review.id])
        cr.execute(
            """
            INSERT INTO customer_tier_review_line (
                review_id, company_id, partner_id, value_id, score, revenue, growth, lifecycle_stage,
                current_tier, proposed_tier, final_tier, current_class, proposed_class, final_class,
                overridden, changed, anomalies, create_uid, create_date, write_uid, write_date)
            SELECT %(review)s, v.company_id, v.partner_id, v.id, v.score, v.revenue, v.growth, v.lifecycle_stage,
                   v.customer_tier, v.proposed_tier, v.proposed_tier, v.account_class, v.proposed_class,
                   v.proposed_class, FALSE,
                   (v.proposed_tier, v.proposed_class) IS DISTINCT FROM (v.customer_tier, v.account_class),
                   (SELECT string_agg(a.message, ' / ' ORDER BY a.id) FROM customer_value_anomaly a
                     WHERE a.value_id = v.id AND a.active),
                   %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM customer_value v
             WHERE v.id = ANY(%(values)s)
            """,
            {"review": review.id, "uid": self.env.uid, "values": values.ids},
        )
        self.env.invalidate_all()

    def _apply(self):
        """Write the decided tier and class to the customers (per company) and their value
        records, and one history record per customer."""
        groups = defaultdict(lambda: self.browse())
        for line in self:
            groups[(line.company_id, line.final_tier, line.final_class)] |= line
        for (company, tier, klass), lines in groups.items():
            lines.partner_id._set_tier_class(company, tier, klass)
        self.env["customer.tier.history"].sudo().create(
            [
                {
                    "partner_id": line.partner_id.id,
                    "company_id": line.company_id.id,
                    "review_id": line.review_id.id,
                    "old_tier": line.current_tier,
                    "new_tier": line.final_tier,
                    "old_class": line.current_class,
                    "new_class": line.final_class,
                    "reason": line.reason or line.review_id.name,
                }
                for line in self
            ]
        )
