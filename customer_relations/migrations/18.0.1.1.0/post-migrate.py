"""18.0.1.1.0: revenue forecasts name their method from a fixed list.

Forecasts made before this version by the earlier least-squares trend (stored as free text
'level', 'trend' or 'trend+season') are kept, marked as made by that earlier method; the next
forecast run replaces them with the backtested ones.
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
