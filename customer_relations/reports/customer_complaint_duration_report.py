from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.complaint_constants import COMPLAINT_STATE


class CustomerComplaintDurationReport(models.Model):
    """Average and median hours from receipt to each state, per company (a median cannot be
    re-aggregated in a pivot, so this view keeps one row per state and company)."""

    _name = "customer.complaint.duration.report"
    _description = "Complaint Durations"
    _auto = False
    _order = "company_id, sequence, id"
    _rec_name = "to_state"

    company_id = fields.Many2one("res.company", readonly=True)
    to_state = fields.Selection(COMPLAINT_STATE, "State reached", readonly=True)
    sequence = fields.Integer(readonly=True)
    complaint_count = fields.Integer("Complaints", readonly=True)
    avg_hours = fields.Float("Average hours from receipt", readonly=True, digits=(16, 1))
    median_hours = fields.Float("Median hours from receipt", readonly=True, digits=(16, 1))

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                SELECT ROW_NUMBER() OVER (ORDER BY first.company_id, first.to_state) AS id,
                       first.company_id,
                       first.to_state,
                       array_position(%s::varchar[], first.to_state::varchar) AS sequence,
                       COUNT(*) AS complaint_count,
                       AVG(first.hours) AS avg_hours,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY first.hours) AS median_hours
                  FROM (SELECT t.company_id, t.to_state, t.complaint_id, MIN(t.hours_from_receipt) AS hours
                          FROM customer_complaint_transition t
                      GROUP BY t.company_id, t.to_state, t.complaint_id) first
              GROUP BY first.company_id, first.to_state
            )
                """,
                SQL.identifier(self._table),
                [key for key, _label in COMPLAINT_STATE],
            )
        )
