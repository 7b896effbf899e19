"""Selections of the customer risk warnings (labels stay plain strings: Odoo translates them).

The keys are those of ``engine/risk.py``."""

RISK_KIND = [
    ("fulfilment", "Order fulfilment"),
    ("quality", "Product quality"),
    ("logistics", "Logistics"),
    ("complaint", "Complaints"),
    ("commercial", "Commercial"),
]

RISK_LEVEL = [
    ("yellow", "Yellow"),
    ("orange", "Orange"),
    ("red", "Red"),
]
LEVEL_RANK = {"yellow": 1, "orange": 2, "red": 3}

RISK_STATE = [
    ("open", "Open"),
    ("recovered", "Recovered: closing proposed"),
    ("closed", "Accepted and closed"),
]

RISK_TREND = [
    ("better", "Better"),
    ("same", "Same"),
    ("worse", "Worse"),
]
TREND_ARROW = {"better": "↓", "same": "→", "worse": "↑"}

# Signal key, label (with its unit); the kind comes from engine.risk.SIGNALS.
RISK_SIGNAL = [
    ("late_line_share", "Late order lines (% of lines due)"),
    ("days_late", "Days late (worst line)"),
    ("quality_complaints", "Quality complaints"),
    ("return_share", "Returned quantity (% of quantity sold)"),
    ("late_delivery_share", "Deliveries after their scheduled date (%)"),
    ("logistics_complaints", "Logistics complaints (damaged, lost or late in transport)"),
    ("complaint_count", "Complaints"),
    ("major_complaints", "Major or critical complaints"),
    ("repeat_complaints", "Repeat complaints"),
    ("sla_misses", "Missed complaint deadlines"),
    ("revenue_drop", "Revenue drop of an A or strategic customer (%)"),
    ("agreement_shortfall", "Agreement achievement below the half-way alert (points)"),
    ("satisfaction_drop", "Satisfaction index drop (points)"),
    ("detractors", "Detractor answers"),
]
