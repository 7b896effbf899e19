"""18.0.1.1.0

- Revenue forecasts name their method from a fixed list: forecasts made before this version by
  the earlier least-squares trend (stored as free text 'level', 'trend' or 'trend+season') are
  kept, marked as made by that earlier method; the next forecast run replaces them.
- Satisfaction scores without a company are no longer shown to every company: the record rule
  (in a noupdate block, so not rewritten by the upgrade itself) gets its new domain.
  (The scores themselves move into a column of the answer in the model's init(), which
  re-scores every answer.)
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE customer_revenue_forecast
           SET model = 'legacy'
         WHERE model IN ('level', 'trend', 'trend+season')
        """
    )
    cr.execute(
        """
        UPDATE ir_rule
           SET domain_force = %s
         WHERE id = (SELECT res_id FROM ir_model_data
                      WHERE module = 'customer_relations' AND name = 'customer_satisfaction_score_rule_company')
        """,
        ["[('company_id', 'in', company_ids)]"],
    )
