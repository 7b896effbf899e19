"""Selections shared by the tiering models (labels stay plain strings: Odoo translates them)."""

CUSTOMER_TIER = [("a", "A"), ("b", "B"), ("c", "C")]

ACCOUNT_CLASS = [
    ("strategic", "Strategic"),
    ("key", "Key"),
    ("general", "General"),
    ("potential", "Potential"),
]

LIFECYCLE_STAGE = [
    ("prospect", "Prospect"),
    ("identification", "Identification"),
    ("development", "Development"),
    ("stable", "Stable"),
    ("decline", "Decline"),
    ("lost", "Lost"),
]

QUADRANT = [
    ("core", "Core: high contribution, high loyalty"),
    ("at_risk", "At risk: high contribution, low loyalty"),
    ("develop", "Develop: low contribution, high loyalty"),
    ("marginal", "Marginal: low contribution, low loyalty"),
]

MEASURE = [
    ("revenue", "Revenue"),
    ("margin", "Gross margin"),
    ("order_count", "Number of orders"),
    ("relationship_years", "Relationship years"),
    ("growth", "Revenue growth"),
    ("breadth", "Breadth of purchase (product categories)"),
    ("punctuality", "Payment punctuality (average days late)"),
    ("complaints", "Complaint count"),
    ("satisfaction", "Satisfaction index"),
]

ANOMALY_CODE = [
    ("tier_drop", "Top customer ordering less"),
    ("complaints", "Repeated complaints"),
    ("cross_sell", "Cross-sell gap"),
    ("potential", "Potential to develop"),
]
