"""Selections shared by the complaint models (labels stay plain strings: Odoo translates them)."""

COMPLAINT_STATE = [
    ("new", "New"),
    ("routing", "Routing"),
    ("investigating", "Investigating"),
    ("handling", "Handling"),
    ("feedback", "Feedback"),
    ("replied", "Replied"),
    ("closed", "Closed"),
    ("rejected", "Rejected"),
]
OPEN_STATES = ("new", "routing", "investigating", "handling", "feedback")

SEVERITY = [
    ("minor", "Minor"),
    ("normal", "Normal"),
    ("major", "Major"),
    ("critical", "Critical"),
]
MAJOR_SEVERITIES = ("major", "critical")

CHANNEL = [
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("visit", "Visit"),
    ("portal", "Portal"),
    ("survey", "Survey"),
    ("other", "Other"),
]

REMEDY = [
    ("replacement", "Replacement"),
    ("repair", "Repair"),
    ("return", "Return"),
    ("credit_note", "Credit note"),
    ("compensation", "Compensation"),
    ("explanation", "Explanation only"),
]

EFFECTIVENESS = [
    ("effective", "Effective"),
    ("not_effective", "Not effective"),
]

ACTION_TYPE = [
    ("immediate", "Immediate"),
    ("corrective", "Corrective"),
    ("preventive", "Preventive"),
]

ACTION_STATE = [
    ("open", "Open"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]

MILESTONE = [
    ("response", "First response"),
    ("onsite", "On site"),
    ("resolution", "Resolution"),
]

SLA_STATUS = [
    ("running", "Running"),
    ("paused", "Paused"),
    ("met", "Met"),
    ("missed", "Missed"),
    ("cancelled", "Cancelled"),
]

WARNING_LEVEL = [
    ("green", "Green"),
    ("yellow", "Yellow"),
    ("orange", "Orange"),
    ("red", "Red"),
]

ESCALATION = [
    ("none", "Not escalated"),
    ("orange", "Escalated to the department head"),
    ("red", "Escalated to management"),
]
