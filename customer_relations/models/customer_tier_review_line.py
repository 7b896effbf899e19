from collections import defaultdict

import pandas as pd

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
    # The annual review's questions (see the "Customer Review" report): snapshot figures and
    # the flags read from them.
    revenue_previous = fields.Float("Revenue (comparison window)", readonly=True)
    breadth = fields.Integer("Product categories", readonly=True)
    complaint_count = fields.Integer("Complaints", readonly=True)
    ordering_less = fields.Boolean(
        compute="_compute_questions",
        store=True,
        string="A customer ordering less",
        help="A (or strategic) customer whose revenue is below the comparison window, by any amount.",
    )
    repeat_complainer = fields.Boolean(
        compute="_compute_questions", store=True, help="Two or more valid complaints in the evaluation window."
    )
    narrow_mix = fields.Boolean(compute="_compute_questions", store=True, help="Buys from a single product category.")
    growth_potential = fields.Boolean(
        compute="_compute_questions",
        store=True,
        help="Not decided as tier A, buying, and growing at least as fast as the policy's potential threshold "
        "or in development.",
    )
    next_year_target = fields.Float(
        "Next year's target",
        compute="_compute_next_year_target",
        store=True,
        help="This window's revenue grown by the policy's target growth for the decided tier.",
    )
    overridden = fields.Boolean(compute="_compute_flags", store=True)
    changed = fields.Boolean(
        compute="_compute_flags", store=True, help="The decision differs from the current tier or class."
    )

    @api.depends("final_tier", "final_class", "proposed_tier", "proposed_class", "current_tier", "current_class")
    def _compute_flags(self):
        for line in self:
            line.overridden = (line.final_tier, line.final_class) != (line.proposed_tier, line.proposed_class)
            line.changed = (line.final_tier, line.final_class) != (line.current_tier, line.current_class)

    @api.depends(
        "current_tier",
        "proposed_tier",
        "final_tier",
        "current_class",
        "revenue",
        "revenue_previous",
        "growth",
        "complaint_count",
        "breadth",
        "lifecycle_stage",
        "review_id.policy_id.high_growth_threshold",
    )
    def _compute_questions(self):
        for line in self:
            top = (line.current_tier or line.proposed_tier) == "a" or line.current_class == "strategic"
            line.ordering_less = top and line.revenue_previous > 0 and line.revenue < line.revenue_previous
            line.repeat_complainer = line.complaint_count >= 2
            line.narrow_mix = line.breadth == 1
            threshold = line.review_id.policy_id.high_growth_threshold
            line.growth_potential = (
                (line.final_tier or line.proposed_tier) != "a"
                and line.revenue > 0
                and (line.growth >= threshold or line.lifecycle_stage == "development")
            )

    @api.depends(
        "revenue",
        "final_tier",
        "proposed_tier",
        "review_id.policy_id.target_growth_a",
        "review_id.policy_id.target_growth_b",
        "review_id.policy_id.target_growth_c",
    )
    def _compute_next_year_target(self):
        for line in self:
            policy = line.review_id.policy_id
            growth = {
                "a": policy.target_growth_a,
                "b": policy.target_growth_b,
                "c": policy.target_growth_c,
            }.get(line.final_tier or line.proposed_tier, 0.0)
            line.next_year_target = round(max(line.revenue, 0.0) * (1.0 + growth / 100.0), 2)

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
    def _create_from_evaluation(self, review, measures, result, anomalies):
        """Replace the review's lines by one line per evaluated customer, in one statement,
        from an evaluation as of the review date (``customer.tier.policy._evaluate``): the
        review's snapshot. The customers' live value records are linked for navigation, never
        written."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("DELETE FROM customer_tier_review_line WHERE review_id = %s", [review.id])
        Anomaly = self.env["customer.value.anomaly"]
        frame = measures.reindex(result.index)

        def key_or_none(value):
            return value if isinstance(value, str) and value else None

        def number_or_none(value):
            return None if pd.isna(value) else float(value)

        rows = []
        for partner_id, row in result.iterrows():
            words = [Anomaly._message_for(code, payload) for code, payload in anomalies.get(partner_id, [])]
            rows.append(
                (
                    int(partner_id),
                    number_or_none(row["score"]),
                    number_or_none(frame.at[partner_id, "revenue"]),
                    number_or_none(row["growth"]),
                    number_or_none(frame.at[partner_id, "revenue_previous"]),
                    int(frame.at[partner_id, "breadth"] or 0),
                    int(frame.at[partner_id, "complaints"] or 0),
                    key_or_none(row["lifecycle"]),
                    key_or_none(frame.at[partner_id, "official_tier"]),
                    key_or_none(row["tier"]),
                    key_or_none(frame.at[partner_id, "official_class"]),
                    key_or_none(row["account_class"]),
                    " / ".join(words) or None,
                )
            )
        if not rows:
            self.env.invalidate_all()
            return
        cr.execute(
            """
            INSERT INTO customer_tier_review_line (
                review_id, company_id, partner_id, value_id, score, revenue, growth, revenue_previous, breadth,
                complaint_count, lifecycle_stage,
                current_tier, proposed_tier, final_tier, current_class, proposed_class, final_class,
                overridden, changed, anomalies, create_uid, create_date, write_uid, write_date)
            SELECT %(review)s, %(company)s, u.partner_id,
                   (SELECT v.id FROM customer_value v WHERE v.partner_id = u.partner_id AND v.company_id = %(company)s),
                   u.score, u.revenue, u.growth, u.revenue_previous, u.breadth, u.complaints, u.stage,
                   u.tier, u.proposed_tier, u.proposed_tier,
                   u.class, u.proposed_class, u.proposed_class, FALSE,
                   (u.proposed_tier, u.proposed_class) IS DISTINCT FROM (u.tier, u.class),
                   u.anomalies, %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM unnest(%(partners)s::int4[], %(scores)s::float8[], %(revenues)s::float8[], %(growths)s::float8[],
                          %(previous)s::float8[], %(breadths)s::int4[], %(complaints)s::int4[], %(stages)s::varchar[],
                          %(tiers)s::varchar[], %(proposed_tiers)s::varchar[],
                          %(classes)s::varchar[], %(proposed_classes)s::varchar[], %(texts)s::varchar[])
                   AS u(partner_id, score, revenue, growth, revenue_previous, breadth, complaints, stage, tier,
                        proposed_tier, class, proposed_class, anomalies)
            """,
            dict(
                zip(
                    [
                        "partners",
                        "scores",
                        "revenues",
                        "growths",
                        "previous",
                        "breadths",
                        "complaints",
                        "stages",
                        "tiers",
                        "proposed_tiers",
                        "classes",
                        "proposed_classes",
                        "texts",
                    ],
                    [list(column) for column in zip(*rows, strict=True)],
                    strict=True,
                ),
                review=review.id,
                company=review.company_id.id,
                uid=self.env.uid,
            ),
        )
        self.env.invalidate_all()
        # the stored flags and targets of the new lines (inserted in bulk above)
        lines = self.search([("review_id", "=", review.id)])
        for name in ("ordering_less", "repeat_complainer", "narrow_mix", "growth_potential", "next_year_target"):
            self.env.add_to_compute(self._fields[name], lines)
        lines.flush_recordset()

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
