"""Selections of the satisfaction closed loop (labels stay plain strings: Odoo translates them)."""

PLAN_STATE = [("draft", "Draft"), ("in_progress", "In progress"), ("done", "Closed")]

LINE_KIND = [("dimension", "Weak dimension"), ("customer", "Dissatisfied customer")]

LINE_STATE = [("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")]

EVALUATION = [("improved", "Improved"), ("not_improved", "Not improved"), ("not_measured", "Not measured")]
