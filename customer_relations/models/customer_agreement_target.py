from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import agreements as engine

TARGET_MEASURE = [
    ("revenue", "Revenue"),
    ("quantity", "Quantity"),
    ("orders", "Number of orders"),
    ("products", "Number of distinct products"),
]


class CustomerAgreementTarget(models.Model):
    _name = "customer.agreement.target"
    _description = "Key-Account Agreement Target"
    _order = "agreement_id, sequence, id"
    _check_company_auto = True

    agreement_id = fields.Many2one("customer.agreement", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    sequence = fields.Integer(default=10)
    measure = fields.Selection(TARGET_MEASURE, required=True, default="revenue")
    product_id = fields.Many2one("product.product", check_company=True)
    categ_id = fields.Many2one("product.category", string="Product category")
    target_value = fields.Float("Target", required=True)
    period = fields.Selection(
        [("whole", "Whole agreement"), ("year", "Each year"), ("half", "Each half-year"), ("quarter", "Each quarter")],
        required=True,
        default="year",
    )
    period_ids = fields.One2many("customer.agreement.target.period", "target_id", string="Periods")
    current_label = fields.Char("Current period", compute="_compute_current")
    current_target = fields.Float(compute="_compute_current", string="Period target")
    current_actual = fields.Float(compute="_compute_current", string="Actual")
    current_achievement = fields.Float(compute="_compute_current", string="Achievement %")
    current_forecast = fields.Float(compute="_compute_current", string="Forecast")

    @api.depends("measure", "product_id", "categ_id", "period", "target_value")
    def _compute_display_name(self):
        measures = dict(self._fields["measure"]._description_selection(self.env))
        periods = dict(self._fields["period"]._description_selection(self.env))
        for target in self:
            subject = target.product_id.display_name or target.categ_id.display_name
            target.display_name = " - ".join(
                part for part in (measures.get(target.measure), subject, periods.get(target.period)) if part
            )

    @api.constrains("target_value", "measure", "product_id", "categ_id")
    def _check_target(self):
        for target in self:
            if target.target_value < 0:
                raise ValidationError(self.env._("A target cannot be negative."))
            if target.measure == "quantity" and not (target.product_id or target.categ_id):
                raise ValidationError(self.env._("A quantity target needs a product or a product category."))

    def _current_period(self, as_of):
        self.ensure_one()
        slices = [{"start": p.date_start, "end": p.date_end, "record": p} for p in self.period_ids]
        current = engine.current_slice(slices, as_of)
        return current["record"] if current else self.env["customer.agreement.target.period"]

    @api.depends("period_ids.actual", "period_ids.achievement", "period_ids.forecast")
    def _compute_current(self):
        today = fields.Date.context_today(self)
        for target in self:
            period = target._current_period(today)
            target.current_label = period.label
            target.current_target = period.target_value
            target.current_actual = period.actual
            target.current_achievement = period.achievement
            target.current_forecast = period.forecast

    def _rebuild_periods(self):
        """(Re)create the calendar slices of each target inside its agreement's dates (computed
        records: written with elevated rights, users only read them)."""
        self.sudo().period_ids.unlink()
        vals_list = []
        for target in self:
            agreement = target.agreement_id
            for item in engine.slice_periods(agreement.date_start, agreement.date_end, target.period):
                vals_list.append(
                    {
                        "target_id": target.id,
                        "label": item["label"] if target.period != "whole" else agreement.name,
                        "date_start": item["start"],
                        "date_end": item["end"],
                        "target_value": engine.prorated_target(target.target_value, item["share"]),
                    }
                )
        return self.env["customer.agreement.target.period"].sudo().create(vals_list)

    def _rebuild_measured(self):
        """Rebuild the periods of the targets of active agreements and measure them at once:
        a changed target never shows an actual of 0 until the next refresh."""
        active = self.filtered(lambda t: t.agreement_id.state == "active")
        if active:
            active._rebuild_periods()
            active.agreement_id._update_actuals()

    @api.model_create_multi
    def create(self, vals_list):
        targets = super().create(vals_list)
        targets._rebuild_measured()
        return targets

    def write(self, vals):
        result = super().write(vals)
        if {"target_value", "period", "measure", "product_id", "categ_id"} & set(vals):
            self._rebuild_measured()
        return result
