from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import risk as engine
from .risk_constants import RISK_KIND, RISK_SIGNAL
from .tiering_constants import ACCOUNT_CLASS


class CustomerRiskThreshold(models.Model):
    """From which figure a signal raises a yellow, orange or red warning, per account class.

    A row without company applies to every company; a company's own row for the same signal
    and class replaces it there. An empty level is not used. Whatever is set, a stricter class
    never gets a lower level than a more lenient one for the same figure (see engine/risk.py)."""

    _name = "customer.risk.threshold"
    _description = "Customer Risk Threshold"
    _order = "sequence, signal, account_class, id"
    _rec_name = "signal"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    signal = fields.Selection(RISK_SIGNAL, required=True, index=True)
    kind = fields.Selection(RISK_KIND, compute="_compute_kind", store=True)
    account_class = fields.Selection(ACCOUNT_CLASS, required=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: every company.")
    active = fields.Boolean(default=True)
    yellow = fields.Float("Yellow from", help="Empty or 0: no yellow level for this signal and class.")
    orange = fields.Float("Orange from", help="Empty or 0: no orange level for this signal and class.")
    red = fields.Float("Red from", help="Empty or 0: no red level for this signal and class.")

    @api.depends("signal")
    def _compute_kind(self):
        for threshold in self:
            threshold.kind = engine.SIGNALS.get(threshold.signal)

    @api.constrains("yellow", "orange", "red")
    def _check_levels(self):
        for threshold in self:
            marks = [mark for mark in (threshold.yellow, threshold.orange, threshold.red) if mark]
            if any(mark < 0 for mark in marks) or marks != sorted(marks):
                raise ValidationError(
                    self.env._(
                        "The thresholds of %(signal)s (%(class)s) must not be negative and must rise from yellow "
                        "to orange to red.",
                        signal=threshold._description_of("signal"),
                        **{"class": threshold._description_of("account_class")},
                    )
                )

    @api.constrains("signal", "account_class", "company_id", "active")
    def _check_unique(self):
        for threshold in self.filtered("active"):
            twins = self.search_count(
                [
                    ("id", "!=", threshold.id),
                    ("signal", "=", threshold.signal),
                    ("account_class", "=", threshold.account_class),
                    ("company_id", "=", threshold.company_id.id),
                ]
            )
            if twins:
                raise ValidationError(
                    self.env._(
                        "%(signal)s already has thresholds for the class %(class)s in this company.",
                        signal=threshold._description_of("signal"),
                        **{"class": threshold._description_of("account_class")},
                    )
                )

    def _description_of(self, name):
        return dict(self._fields[name]._description_selection(self.env)).get(self[name], "")

    @api.model
    def _engine_thresholds(self, company):
        """The thresholds in force in ``company`` as rows for engine.risk (its own rows first)."""
        rows = self.sudo().search([("company_id", "in", [False, company.id])])
        chosen = {}
        for row in rows.sorted(lambda r: bool(r.company_id)):
            chosen[(row.signal, row.account_class)] = {
                "signal": row.signal,
                "account_class": row.account_class,
                "yellow": row.yellow or None,
                "orange": row.orange or None,
                "red": row.red or None,
            }
        return list(chosen.values())
