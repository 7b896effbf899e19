from odoo import api, fields, models

from .relationship_constants import INTERACTION_TYPE
from .tiering_constants import ACCOUNT_CLASS


class CustomerContactStatus(models.Model):
    """Planned against done interactions per customer, year and type, rebuilt by the daily
    scheduled action (or on demand) in one statement per company and year."""

    _name = "customer.contact.status"
    _description = "Contact Plan Against Done"
    _order = "year desc, partner_id, interaction_type, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True)
    year = fields.Integer(required=True, index=True, aggregator=None)
    interaction_type = fields.Selection(INTERACTION_TYPE, "Type", required=True)
    account_class = fields.Selection(ACCOUNT_CLASS)
    user_id = fields.Many2one("res.users", "Salesperson")
    planned = fields.Integer()
    done = fields.Integer()
    missing = fields.Integer()

    @api.model
    def _rebuild(self, company, year):
        """Replace the company's figures of ``year``: the plan of each customer's current class
        against the interactions dated in that calendar year."""
        self.env.flush_all()
        key = str(company.id)
        params = {
            "company": company.id,
            "key": key,
            "year": year,
            "start": f"{year}-01-01",
            "end": f"{year}-12-31",
            "uid": self.env.uid,
        }
        self.env.cr.execute(
            "DELETE FROM customer_contact_status WHERE company_id = %(company)s AND year = %(year)s", params
        )
        self.env.cr.execute(
            """
            WITH plan AS (
                SELECT p.account_class, l.interaction_type, l.count_per_year
                  FROM customer_contact_plan p
                  JOIN customer_contact_plan_line l ON l.plan_id = p.id
                 WHERE p.company_id = %(company)s
            ), done AS (
                SELECT partner_id, interaction_type, COUNT(*) AS n
                  FROM customer_interaction
                 WHERE company_id = %(company)s AND date >= %(start)s AND date <= %(end)s
              GROUP BY partner_id, interaction_type
            ), keys AS (
                SELECT p.id AS partner_id, plan.interaction_type
                  FROM res_partner p
                  JOIN plan ON plan.account_class = p.account_class ->> %(key)s
                 WHERE p.parent_id IS NULL AND p.active
                 UNION
                SELECT partner_id, interaction_type FROM done
            )
            INSERT INTO customer_contact_status (partner_id, company_id, year, interaction_type, account_class,
                                                 user_id, planned, done, missing,
                                                 create_uid, create_date, write_uid, write_date)
            SELECT k.partner_id, %(company)s, %(year)s, k.interaction_type, p.account_class ->> %(key)s,
                   p.user_id, COALESCE(plan.count_per_year, 0), COALESCE(done.n, 0),
                   GREATEST(COALESCE(plan.count_per_year, 0) - COALESCE(done.n, 0), 0),
                   %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM keys k
              JOIN res_partner p ON p.id = k.partner_id
         LEFT JOIN plan
                ON plan.account_class = p.account_class ->> %(key)s AND plan.interaction_type = k.interaction_type
         LEFT JOIN done ON done.partner_id = k.partner_id AND done.interaction_type = k.interaction_type
            """,
            params,
        )
        self.env.invalidate_all()

    @api.model
    def action_refresh(self):
        company = self.env.company
        self._rebuild(company, fields.Date.context_today(self).year)
        return {"type": "ir.actions.client", "tag": "reload"}
