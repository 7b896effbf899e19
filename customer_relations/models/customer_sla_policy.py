from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import complaints as engine


class CustomerSlaPolicy(models.Model):
    """Service-level promises for complaints: matched by severity, category and customer, with a
    target per milestone counted round the clock or on a working calendar."""

    _name = "customer.sla.policy"
    _description = "Complaint SLA Policy"
    _order = "sequence, id"
    _inherit = ["customer.complaint.match.mixin"]
    _check_company_auto = True

    severity_ids = fields.Many2many(
        "customer.complaint.severity",
        "customer_sla_policy_severity_rel",
        "policy_id",
        "severity_id",
        string="Severities",
    )
    category_ids = fields.Many2many(
        "customer.complaint.category",
        "customer_sla_policy_category_rel",
        "policy_id",
        "category_id",
        string="Complaint categories",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        "Working hours",
        check_company=True,
        help="Leave empty to count round the clock. Holidays of the calendar do not count.",
    )
    use_agreement = fields.Boolean(
        "Apply agreement promises",
        default=True,
        help="Where the customer's active key-account agreement promises shorter times, the stricter applies.",
    )
    yellow_share = fields.Float("Yellow at (%)", default=50.0)
    orange_share = fields.Float("Orange at (%)", default=80.0)
    milestone_ids = fields.One2many("customer.sla.policy.milestone", "policy_id", copy=True)

    @api.constrains("yellow_share", "orange_share")
    def _check_shares(self):
        bad = self.filtered(lambda p: not 0 < p.yellow_share <= p.orange_share <= 100)
        if bad:
            raise ValidationError(
                self.env._(
                    "Warning shares must satisfy 0 < yellow <= orange <= 100: %(policies)s",
                    policies=", ".join(bad.mapped("name")),
                )
            )

    def _engine_calendar(self):
        """The policy's working calendar as the engine reads it (None: round the clock)."""
        self.ensure_one()
        calendar = self.calendar_id
        if not calendar:
            return None
        attendances = tuple(
            (
                int(line.dayofweek),
                line.hour_from,
                line.hour_to,
                int(line.week_type) if calendar.two_weeks_calendar and line.week_type else None,
            )
            for line in calendar.attendance_ids
            if line.display_type != "line_section" and line.day_period != "lunch" and not line.resource_id
        )
        holidays = tuple((leave.date_from, leave.date_to) for leave in calendar.global_leave_ids)
        return engine.WorkCalendar(tz=calendar.tz or "UTC", attendances=attendances, holidays=holidays)
