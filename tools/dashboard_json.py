"""Generate the "Customer Relations" spreadsheet dashboard (Odoo 18 ``spreadsheet_dashboard``).

Writes two files that ``customer_relations/data/customer_relations_dashboard_data.xml`` loads:

* ``customer_relations/data/files/customer_relations_dashboard.json``: the live dashboard, whose
  cells and charts read the addon's models through pivots, a list and Odoo charts;
* ``customer_relations/data/files/customer_relations_sample_dashboard.json``: the same layout
  with made-up figures in plain cells and static charts, which Odoo shows instead while the
  dashboard's main model (``customer.value``) has no record the reader can see.

Both are generated from the one layout below, so regenerate them after changing it::

    python3 tools/dashboard_json.py          # write the two files
    python3 tools/dashboard_json.py --check  # exit 1 when the committed files are out of date

Texts a person reads are written as ``_t("...")`` formulas, markdown links and chart titles:
Odoo extracts those from ``data/**/*_dashboard.json`` files into the addon's .pot and the
spreadsheet translates them in the reader's language. Plain Python: no Odoo import.
"""

import argparse
import json
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ROOT / "customer_relations" / "data" / "files"
LIVE_PATH = FILES / "customer_relations_dashboard.json"
SAMPLE_PATH = FILES / "customer_relations_sample_dashboard.json"

# The spreadsheet format of Odoo 18's own dashboards; the client migrates it to its current one.
SPREADSHEET_VERSION = 21
ODOO_VERSION = 12

OPEN_STATES = ["new", "routing", "investigating", "handling", "feedback"]
COMPLAINT_STATES = [*OPEN_STATES, "replied", "closed", "rejected"]
WARNING_LEVELS = ["green", "yellow", "orange", "red"]
TIERS = ["a", "b", "c"]
MILESTONES = ["response", "onsite", "resolution"]
NAMESPACE = uuid.UUID("6f1c0a52-39a4-4a5e-9f0c-2f6a3b1f7c11")

REGION_FILTER = "region"
PIVOT_VALUE, PIVOT_AGREEMENT, PIVOT_COMPLAINT, PIVOT_SLA, PIVOT_RISK = "1", "2", "3", "4", "5"
RISK_KINDS = ["fulfilment", "quality", "logistics", "complaint", "commercial"]
RISK_LEVELS = ["yellow", "orange", "red"]
LIST_RED, LIST_CAMPAIGN = "1", "2"
REGION_ROWS, STRATEGIC_ROWS, RED_ROWS, CAMPAIGN_ROWS = 8, 10, 10, 6


def _id(name):
    """A stable identifier: regenerating gives the same file."""
    return str(uuid.uuid5(NAMESPACE, name))


def _t(text):
    return f'=_t("{text}")'


def _cell(col, row):
    return f"{col}{row}"


def _link(title, model, view_type, domain, group_by=(), measures=()):
    """A section title that opens the records behind it (``[title](odoo://view/...)``)."""
    context = {"group_by": list(group_by)}
    if view_type == "pivot":
        context.update(pivot_measures=list(measures), pivot_row_groupby=list(group_by), pivot_column_groupby=[])
    elif view_type == "graph":
        context.update(graph_measure=measures[0], graph_groupbys=list(group_by))
    views = [[False, view_type], [False, "form" if view_type == "list" else "list"], [False, "search"]]
    action = {"domain": domain, "context": context, "modelName": model, "views": views}
    target = json.dumps({"viewType": view_type, "action": action, "threshold": 0, "name": title}, separators=(",", ":"))
    return f"[{title}](odoo://view/{target})"


def _matching(chain):
    return {_id(REGION_FILTER): {"chain": chain, "type": "many2one"}} if chain else {}


# ---------------------------------------------------------------------------------------------
# Data sources: the pivots, lists and charts; the Odoo tests run the same queries.
# ---------------------------------------------------------------------------------------------
def pivots():
    def pivot(pid, name, model, domain, rows, columns, measures, region_chain, sorted_measure=None, order="desc"):
        return {
            "type": "ODOO",
            "id": pid,
            "formulaId": pid,
            "name": name,
            "model": model,
            "domain": domain,
            "context": {},
            "rows": rows,
            "columns": columns,
            "measures": [{"id": m, "fieldName": m.split(":")[0], **_aggregator(m)} for m in measures],
            "sortedColumn": (
                {"groupId": [[], []], "measure": sorted_measure, "order": order} if sorted_measure else None
            ),
            "fieldMatching": _matching(region_chain),
        }

    return {
        PIVOT_VALUE: pivot(
            PIVOT_VALUE,
            "Customers and revenue by region and tier",
            "customer.value",
            [],
            [{"fieldName": "region_id"}],
            [{"fieldName": "customer_tier"}],
            ["__count", "revenue"],
            "region_id",
            sorted_measure="revenue",
        ),
        PIVOT_AGREEMENT: pivot(
            PIVOT_AGREEMENT,
            "Key accounts' agreement achievement",
            "customer.agreement",
            [["state", "=", "active"], ["account_class", "in", ["strategic", "key"]]],
            [{"fieldName": "partner_id"}],
            [],
            ["achievement", "revenue", "rebate_earned"],
            "region_id",
            sorted_measure="achievement",
            order="asc",
        ),
        PIVOT_COMPLAINT: pivot(
            PIVOT_COMPLAINT,
            "Complaints by state and SLA warning",
            "customer.complaint",
            [],
            [{"fieldName": "state"}],
            [{"fieldName": "sla_warning_level"}],
            ["__count"],
            "partner_id.region_id",
        ),
        PIVOT_SLA: pivot(
            PIVOT_SLA,
            "SLA compliance by milestone",
            "customer.complaint.sla",
            [["status", "in", ["met", "missed"]]],
            [{"fieldName": "milestone"}],
            [],
            ["compliance", "__count"],
            "partner_id.region_id",
        ),
        PIVOT_RISK: pivot(
            PIVOT_RISK,
            "Open risk warnings by kind and level",
            "customer.risk.warning",
            [["state", "in", ["open", "recovered"]]],
            [{"fieldName": "kind"}],
            [{"fieldName": "level"}],
            ["__count"],
            "partner_id.region_id",
        ),
    }


def _aggregator(measure):
    return {"aggregator": measure.split(":")[1]} if ":" in measure else {}


def lists():
    return {
        LIST_RED: {
            "id": LIST_RED,
            "name": "Oldest open complaints past their SLA deadline",
            "model": "customer.complaint",
            "domain": [["sla_warning_level", "=", "red"], ["state", "in", OPEN_STATES]],
            "columns": ["name", "partner_id", "title", "state", "department_id", "received_at"],
            "orderBy": [{"name": "received_at", "asc": True}],
            "context": {},
            "fieldMatching": _matching("partner_id.region_id"),
        },
        LIST_CAMPAIGN: {
            "id": LIST_CAMPAIGN,
            "name": "Satisfaction campaigns",
            "model": "customer.satisfaction.campaign",
            "domain": [["analysis_date", "!=", False]],
            "columns": ["name", "date_start", "index_value", "nps_value", "target_index"],
            "orderBy": [{"name": "date_start", "asc": False}],
            "context": {},
            "fieldMatching": {},
        },
    }


def odoo_charts():
    """The Odoo charts (graph-view queries), keyed by figure name."""

    def chart(chart_type, title, model, domain, group_by, measure, region_chain, **extra):
        mode = chart_type.removeprefix("odoo_")
        return {
            "type": chart_type,
            "title": {"text": title},
            "background": "#FFFFFF",
            "legendPosition": "top",
            "metaData": {"groupBy": group_by, "measure": measure, "order": None, "resModel": model, "mode": mode},
            "searchParams": {
                "comparison": None,
                "context": {},
                "domain": domain,
                "groupBy": group_by,
                "orderBy": [],
            },
            "fieldMatching": _matching(region_chain),
            **extra,
        }

    return {
        "revenue_by_tier": chart(
            "odoo_pie",
            "Revenue by tier",
            "customer.value",
            [["customer_tier", "!=", False]],
            ["customer_tier"],
            "revenue",
            "region_id",
        ),
        "open_complaints": chart(
            "odoo_bar",
            "Open complaints by state and SLA warning",
            "customer.complaint",
            [["state", "in", OPEN_STATES]],
            ["state", "sla_warning_level"],
            "__count",
            "partner_id.region_id",
            stacked=True,
            verticalAxisPosition="left",
        ),
        "satisfaction_trend": chart(
            "odoo_line",
            "Satisfaction index over campaigns",
            "customer.satisfaction.campaign",
            [["analysis_date", "!=", False]],
            ["date_start:month"],
            "index_value",
            None,
            stacked=False,
            fillArea=False,
            verticalAxisPosition="left",
            legendPosition="none",
        ),
    }


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------
SAMPLE = {
    "regions": [
        ("East China", [14, 31, 52], 18_640_000),
        ("South China", [9, 22, 40], 11_920_000),
        ("North China", [7, 18, 35], 8_310_000),
        ("Central China", [4, 15, 27], 5_260_000),
        ("Southwest", [3, 11, 24], 3_980_000),
        ("Northeast", [2, 8, 19], 2_140_000),
        ("Northwest", [1, 6, 14], 1_370_000),
    ],
    "strategic": [
        ("Hangzhou Grand Hotel Group", 61.5, 2_480_000, 0),
        ("Shanghai Ruijin Linen Services", 74.0, 3_120_000, 46_800),
        ("Guangzhou Metro Uniforms", 82.3, 1_960_000, 39_200),
        ("Nanjing Vision Optical Chain", 88.9, 1_430_000, 28_600),
        ("Chengdu West Hospital", 93.4, 1_210_000, 36_300),
        ("Wuhan Steel Trading", 101.2, 4_050_000, 162_000),
    ],
    "complaints": {  # state: green, yellow, orange, red
        "new": [3, 1, 0, 1],
        "routing": [2, 1, 1, 0],
        "investigating": [4, 2, 1, 2],
        "handling": [3, 2, 2, 1],
        "feedback": [2, 1, 0, 0],
        "replied": [11, 0, 0, 0],
        "closed": [46, 0, 0, 0],
        "rejected": [5, 0, 0, 0],
    },
    "sla": [("First response", 94.1, 102), ("On site", 86.7, 45), ("Resolution", 81.2, 96)],
    "risks": {  # kind: yellow, orange, red
        "Order fulfilment": [6, 2, 1],
        "Product quality": [3, 1, 1],
        "Logistics": [4, 1, 0],
        "Complaints": [5, 2, 1],
        "Commercial": [2, 1, 0],
    },
    "red": [
        ("CC/2026/0112", "Shenyang Northern Hotel", "Drum bearing noise after service", "Investigating", "Workshop 1"),
        ("CC/2026/0118", "Xi'an Laundry Centre", "Late spare parts delivery", "Handling", "Logistics"),
        ("CC/2026/0121", "Suzhou Lens Wholesale", "Coating defects in lot 2611", "Investigating", "Quality"),
        ("CC/2026/0124", "Kunming City Hospital", "Dryer stops mid-cycle", "New", "Sales Service"),
    ],
    "campaigns": [
        ("2026 customer satisfaction survey", "2026-03-01", 82.4, 31.0, 85.0),
        ("2025 customer satisfaction survey", "2025-03-01", 79.8, 24.0, 85.0),
        ("2024 customer satisfaction survey", "2024-03-01", 77.1, 18.0, 85.0),
    ],
}

TIER_LABELS = {"a": "Tier A", "b": "Tier B", "c": "Tier C"}
STATE_LABELS = {
    "new": "New",
    "routing": "Routing",
    "investigating": "Investigating",
    "handling": "Handling",
    "feedback": "Feedback",
    "replied": "Replied",
    "closed": "Closed",
    "rejected": "Rejected",
}
LEVEL_LABELS = {"green": "Green", "yellow": "Yellow", "orange": "Orange", "red": "Red"}
COLUMNS = "ABCDEFG"


class Sheet:
    def __init__(self):
        self.cells, self.styles, self.formats, self.borders, self.rows, self.figures = {}, {}, {}, {}, {}, []

    def put(self, ref, content, style=None, fmt=None, border=None):
        if content is not None:
            self.cells[ref] = {"content": content if isinstance(content, str) else _number(content)}
        if style:
            self.styles[ref] = style
        if fmt:
            self.formats[ref] = fmt
        if border:
            self.borders[ref] = border


def _number(value):
    return str(int(value)) if float(value).is_integer() else str(value)


STYLES = {
    "1": {"textColor": "#01666b", "bold": True, "fontSize": 16},  # section title
    "2": {"bold": True, "fontSize": 11, "textColor": "#434343"},  # column header
    "3": {"bold": True, "fontSize": 11, "textColor": "#434343", "align": "right"},
    "4": {"textColor": "#434343", "verticalAlign": "middle"},  # body
    "5": {"bold": True, "textColor": "#434343"},  # total row
}
FORMATS = {"1": "#,##0", "2": "0.0", "3": "yyyy-mm-dd"}
BORDERS = {"1": {"bottom": {"style": "thin", "color": "#CCCCCC"}}, "2": {"top": {"style": "thin", "color": "#CCCCCC"}}}
ROW_PX = 23


def build(sample):
    dash, data = Sheet(), Sheet()
    row = 7  # rows 1-6: the scorecards
    s = SAMPLE

    # -- customers and revenue by region and tier -----------------------------------------
    dash.put(
        f"A{row}",
        _link(
            "Customers and revenue by region and tier",
            "customer.value",
            "pivot",
            [],
            ["region_id"],
            ["__count", "revenue"],
        ),
        "1",
        border="1",
    )
    row += 1
    headers = ["Region", *(TIER_LABELS[t] for t in TIERS), "No tier", "Customers", "Revenue"]
    for col, text in zip(COLUMNS, headers, strict=True):
        dash.put(f"{col}{row}", _t(text), "2" if col == "A" else "3")
    first = row + 1
    for index in range(1, REGION_ROWS + 1):
        row += 1
        region = f'"#region_id",{index}'
        if sample:
            if index > len(s["regions"]):
                continue
            name, tiers, revenue = s["regions"][index - 1]
            values = [name, *tiers, 0, sum(tiers), revenue]
        else:
            values = [
                f"=PIVOT.HEADER({PIVOT_VALUE},{region})",
                *(f'=PIVOT.VALUE({PIVOT_VALUE},"__count",{region},"customer_tier","{t}")' for t in TIERS),
                f'=PIVOT.VALUE({PIVOT_VALUE},"__count",{region},"customer_tier","false")',
                f'=PIVOT.VALUE({PIVOT_VALUE},"__count",{region})',
                f'=PIVOT.VALUE({PIVOT_VALUE},"revenue",{region})',
            ]
        for col, value in zip(COLUMNS, values, strict=True):
            dash.put(f"{col}{row}", value, "4", fmt="1" if col == "G" else None)
    row += 1
    dash.put(f"A{row}", _t("Total"), "5", border="2")
    for col in "BCDEFG":
        dash.put(f"{col}{row}", f"=SUM({col}{first}:{col}{row - 1})", "5", fmt="1", border="2")
    total_row = row

    # -- charts: revenue by tier, open complaints -----------------------------------------
    row += 2
    chart_top = (row - 1) * ROW_PX
    chart_rows = 14
    charts = odoo_charts()
    if sample:
        data.put("A20", _t("Tier"), "2")
        data.put("B20", _t("Revenue"), "2")
        tier_revenue = [0.52, 0.33, 0.15]
        total = sum(r[2] for r in s["regions"])
        for i, tier in enumerate(TIERS):
            data.put(f"A{21 + i}", _t(TIER_LABELS[tier]))
            data.put(f"B{21 + i}", round(total * tier_revenue[i]))
        pie = {
            "type": "pie",
            "title": {"text": "Revenue by tier"},
            "dataSets": [{"dataRange": "Data!B21:B23"}],
            "labelRange": "Data!A21:A23",
            "dataSetsHaveTitle": False,
            "legendPosition": "top",
            "aggregated": False,
        }
        data.put("D20", _t("State"), "2")
        for i, level in enumerate(WARNING_LEVELS):
            data.put(f"{'EFGH'[i]}20", _t(LEVEL_LABELS[level]), "2")
        for j, state in enumerate(OPEN_STATES):
            data.put(f"D{21 + j}", _t(STATE_LABELS[state]))
            for i, count in enumerate(s["complaints"][state]):
                data.put(f"{'EFGH'[i]}{21 + j}", count)
        bar = {
            "type": "bar",
            "title": {"text": "Open complaints by state and SLA warning"},
            "dataSets": [{"dataRange": f"Data!{c}20:{c}25"} for c in "EFGH"],
            "labelRange": "Data!D21:D25",
            "dataSetsHaveTitle": True,
            "legendPosition": "top",
            "stacked": True,
            "aggregated": False,
        }
    else:
        pie, bar = charts["revenue_by_tier"], charts["open_complaints"]
    dash.figures.append(_figure("revenue_by_tier", 0, chart_top, 400, chart_rows * ROW_PX, pie))
    dash.figures.append(_figure("open_complaints", 410, chart_top, 570, chart_rows * ROW_PX, bar))
    row += chart_rows + 1

    # -- strategic accounts ---------------------------------------------------------------
    dash.put(
        f"A{row}",
        _link(
            "Strategic and key accounts: agreement achievement",
            "customer.agreement",
            "list",
            pivots()[PIVOT_AGREEMENT]["domain"],
        ),
        "1",
        border="1",
    )
    row += 1
    for col, text in zip("ABCD", ["Customer", "Achievement %", "Revenue to date", "Rebate earned"], strict=True):
        dash.put(f"{col}{row}", _t(text), "2" if col == "A" else "3")
    for index in range(1, STRATEGIC_ROWS + 1):
        row += 1
        partner = f'"#partner_id",{index}'
        if sample:
            if index > len(s["strategic"]):
                continue
            values = list(s["strategic"][index - 1])
        else:
            values = [
                f"=PIVOT.HEADER({PIVOT_AGREEMENT},{partner})",
                f'=PIVOT.VALUE({PIVOT_AGREEMENT},"achievement",{partner})',
                f'=PIVOT.VALUE({PIVOT_AGREEMENT},"revenue",{partner})',
                f'=PIVOT.VALUE({PIVOT_AGREEMENT},"rebate_earned",{partner})',
            ]
        for col, value, fmt in zip("ABCD", values, [None, "2", "1", "1"], strict=True):
            dash.put(f"{col}{row}", value, "4", fmt=fmt)
    row += 2

    # -- complaints by state and SLA warning ----------------------------------------------
    dash.put(
        f"A{row}",
        _link("Complaints by state and SLA warning", "customer.complaint", "pivot", [], ["state"], ["__count"]),
        "1",
        border="1",
    )
    row += 1
    headers = ["State", *(LEVEL_LABELS[level] for level in WARNING_LEVELS), "No SLA", "Complaints"]
    for col, text in zip(COLUMNS, headers, strict=True):
        dash.put(f"{col}{row}", _t(text), "2" if col == "A" else "3")
    state_rows = {}
    for state in COMPLAINT_STATES:
        row += 1
        state_rows[state] = row
        if sample:
            counts = s["complaints"][state]
            values = [_t(STATE_LABELS[state]), *counts, 0, sum(counts)]
        else:
            values = [
                f'=PIVOT.HEADER({PIVOT_COMPLAINT},"state","{state}")',
                *(
                    f'=PIVOT.VALUE({PIVOT_COMPLAINT},"__count","state","{state}","sla_warning_level","{level}")'
                    for level in WARNING_LEVELS
                ),
                f'=PIVOT.VALUE({PIVOT_COMPLAINT},"__count","state","{state}","sla_warning_level","false")',
                f'=PIVOT.VALUE({PIVOT_COMPLAINT},"__count","state","{state}")',
            ]
        for col, value in zip(COLUMNS, values, strict=True):
            dash.put(f"{col}{row}", value, "4")
    row += 1
    dash.put(f"A{row}", _t("Total"), "5", border="2")
    for col in "BCDEFG":
        dash.put(f"{col}{row}", f"=SUM({col}{state_rows['new']}:{col}{row - 1})", "5", border="2")
    row += 2

    # -- SLA compliance by milestone ------------------------------------------------------
    dash.put(
        f"A{row}",
        _link(
            "SLA compliance by milestone",
            "customer.complaint.sla",
            "pivot",
            pivots()[PIVOT_SLA]["domain"],
            ["milestone"],
            ["compliance", "__count"],
        ),
        "1",
        border="1",
    )
    row += 1
    for col, text in zip("ABC", ["Milestone", "Compliance %", "Milestones reached"], strict=True):
        dash.put(f"{col}{row}", _t(text), "2" if col == "A" else "3")
    for index, milestone in enumerate(MILESTONES):
        row += 1
        if sample:
            label, compliance, count = s["sla"][index]
            values = [_t(label), compliance, count]
        else:
            values = [
                f'=PIVOT.HEADER({PIVOT_SLA},"milestone","{milestone}")',
                f'=PIVOT.VALUE({PIVOT_SLA},"compliance","milestone","{milestone}")',
                f'=PIVOT.VALUE({PIVOT_SLA},"__count","milestone","{milestone}")',
            ]
        for col, value, fmt in zip("ABC", values, [None, "2", None], strict=True):
            dash.put(f"{col}{row}", value, "4", fmt=fmt)
    row += 1
    dash.put(f"A{row}", _t("All milestones"), "5", border="2")
    if sample:
        reached = sum(m[2] for m in s["sla"])
        overall = round(sum(m[1] * m[2] for m in s["sla"]) / reached, 1)
        dash.put(f"B{row}", overall, "5", fmt="2", border="2")
        dash.put(f"C{row}", reached, "5", border="2")
    else:
        dash.put(f"B{row}", f'=PIVOT.VALUE({PIVOT_SLA},"compliance")', "5", fmt="2", border="2")
        dash.put(f"C{row}", f'=PIVOT.VALUE({PIVOT_SLA},"__count")', "5", border="2")
    sla_total_row = row
    row += 2

    # -- open risk warnings by kind and level ---------------------------------------------
    risk = pivots()[PIVOT_RISK]
    dash.put(
        f"A{row}",
        _link("Open risk warnings by kind and level", "customer.risk.warning", "pivot", risk["domain"], ["kind"]),
        "1",
        border="1",
    )
    row += 1
    for col, text in zip("ABCDE", ["Kind", "Yellow", "Orange", "Red", "Open warnings"], strict=True):
        dash.put(f"{col}{row}", _t(text), "2" if col == "A" else "3")
    first_risk_row = row + 1
    for index, kind in enumerate(RISK_KINDS):
        row += 1
        if sample:
            label, counts = list(s["risks"].items())[index]
            values = [_t(label), *counts, sum(counts)]
        else:
            values = [
                f'=PIVOT.HEADER({PIVOT_RISK},"kind","{kind}")',
                *(f'=PIVOT.VALUE({PIVOT_RISK},"__count","kind","{kind}","level","{level}")' for level in RISK_LEVELS),
                f'=PIVOT.VALUE({PIVOT_RISK},"__count","kind","{kind}")',
            ]
        for col, value in zip("ABCDE", values, strict=True):
            dash.put(f"{col}{row}", value, "4")
    row += 1
    dash.put(f"A{row}", _t("All kinds"), "5", border="2")
    for col in "BCDE":
        dash.put(f"{col}{row}", f"=SUM({col}{first_risk_row}:{col}{row - 1})", "5", border="2")
    risk_total_row = row
    row += 2

    # -- oldest red complaints ------------------------------------------------------------
    red = lists()[LIST_RED]
    dash.put(
        f"A{row}",
        _link("Oldest open complaints past their SLA deadline", "customer.complaint", "list", red["domain"]),
        "1",
        border="1",
    )
    row += 1
    headers = ["Reference", "Customer", "Subject", "State", "Department", "Received"]
    for col, text in zip("ABCDEF", headers, strict=True):
        dash.put(f"{col}{row}", _t(text), "2")
    for index in range(1, RED_ROWS + 1):
        row += 1
        if sample:
            if index > len(s["red"]):
                continue
            number, customer, subject, state, department = s["red"][index - 1]
            values = [number, customer, subject, _t(state), department, f"2026-11-{10 + index:02d}"]
        else:
            values = [f'=ODOO.LIST({LIST_RED},{index},"{field}")' for field in red["columns"]]
        for col, value in zip("ABCDEF", values, strict=True):
            dash.put(f"{col}{row}", value, "4", fmt="3" if col == "F" else None)
    row += 2

    # -- satisfaction over campaigns ------------------------------------------------------
    campaigns = lists()[LIST_CAMPAIGN]
    dash.put(
        f"A{row}",
        _link(
            "Satisfaction index and NPS over campaigns",
            "customer.satisfaction.campaign",
            "list",
            campaigns["domain"],
        ),
        "1",
        border="1",
    )
    row += 1
    for col, text in zip("ABCDE", ["Campaign", "Start", "Satisfaction index", "NPS", "Target index"], strict=True):
        dash.put(f"{col}{row}", _t(text), "2" if col in "AB" else "3")
    for index in range(1, CAMPAIGN_ROWS + 1):
        row += 1
        if sample:
            if index > len(s["campaigns"]):
                continue
            values = list(s["campaigns"][index - 1])
        else:
            values = [f'=ODOO.LIST({LIST_CAMPAIGN},{index},"{field}")' for field in campaigns["columns"]]
        for col, value, fmt in zip("ABCDE", values, [None, "3", "2", "2", "2"], strict=True):
            dash.put(f"{col}{row}", value, "4", fmt=fmt)
    row += 1
    if sample:
        data.put("J20", _t("Campaign"), "2")
        data.put("K20", _t("Satisfaction index"), "2")
        for i, campaign in enumerate(reversed(s["campaigns"])):
            data.put(f"J{21 + i}", campaign[1][:7])
            data.put(f"K{21 + i}", campaign[2])
        line = {
            "type": "line",
            "title": {"text": "Satisfaction index over campaigns"},
            "dataSets": [{"dataRange": f"Data!K21:K{20 + len(s['campaigns'])}"}],
            "labelRange": f"Data!J21:J{20 + len(s['campaigns'])}",
            "dataSetsHaveTitle": False,
            "legendPosition": "none",
            "labelsAsText": True,
            "aggregated": False,
            "stacked": False,
        }
    else:
        line = charts["satisfaction_trend"]
    dash.figures.append(_figure("satisfaction_trend", 0, row * ROW_PX, 980, chart_rows * ROW_PX, line))
    row += chart_rows + 1

    # -- the scorecards and their figures on the Data sheet --------------------------------
    def open_sum(col):
        return "=" + "+".join(f"Dashboard!{col}{state_rows[state]}" for state in OPEN_STATES)

    kpis = [
        ("Customers", f"Dashboard!F{total_row}", "#EFF6FF"),
        ("Revenue", f"Dashboard!G{total_row}", "#EFF6FF"),
        ("Open complaints", open_sum("G"), "#FFF7ED"),
        ("Open, past the SLA deadline", open_sum("E"), "#FEF2F2"),
        ("SLA compliance %", f"Dashboard!B{sla_total_row}", "#F0FDF4"),
        ("Red risk warnings", f"Dashboard!D{risk_total_row}", "#FEF2F2"),
    ]
    data.put("A1", _t("Figure"), "2")
    data.put("B1", _t("Value"), "2")
    data.put("C1", _t("Shown"), "2")
    width = 158
    for index, (label, source, colour) in enumerate(kpis):
        data_row = index + 2
        data.put(f"A{data_row}", _t(label))
        data.put(f"B{data_row}", source if source.startswith("=") else f"={source}")
        data.put(f"C{data_row}", f"=FORMAT.LARGE.NUMBER(B{data_row})")
        scorecard = {
            "type": "scorecard",
            "title": {"text": label, "bold": True, "color": "#434343"},
            "background": colour,
            "keyValue": f"Data!C{data_row}",
            "baselineMode": "text",
            "baselineColorUp": "#00A04A",
            "baselineColorDown": "#DC6965",
            "humanize": False,
        }
        dash.figures.insert(index, _figure(f"kpi_{index}", index * (width + 7), 10, width, 110, scorecard))
    return dash, data, row


def _figure(name, x, y, width, height, data):
    return {"id": _id(f"figure:{name}"), "x": x, "y": y, "width": width, "height": height, "tag": "chart", "data": data}


def _sheet_json(sheet_id, name, sheet, cols, row_count):
    return {
        "id": sheet_id,
        "name": name,
        "colNumber": max(len(cols), 12),
        "rowNumber": row_count,
        "rows": sheet.rows,
        "cols": cols,
        "merges": [],
        "cells": dict(sorted(sheet.cells.items(), key=lambda kv: (_col_index(kv[0]), _row_index(kv[0])))),
        "styles": sheet.styles,
        "formats": sheet.formats,
        "borders": sheet.borders,
        "conditionalFormats": [],
        "figures": sheet.figures,
        "tables": [],
        "areGridLinesVisible": name != "Dashboard",
        "isVisible": True,
        "headerGroups": {"ROW": [], "COL": []},
        "dataValidationRules": [],
        "comments": {},
    }


def _col_index(ref):
    return ord(ref[0]) - ord("A")


def _row_index(ref):
    return int(ref[1:])


def spreadsheet(sample=False):
    dash, data, rows = build(sample)
    dash_cols = {"0": {"size": 260}, **{str(i): {"size": 120} for i in range(1, 7)}}
    data_cols = {"0": {"size": 220}, "1": {"size": 120}, "2": {"size": 120}}
    figure_ids = [figure["id"] for figure in dash.figures if figure["data"]["type"].startswith("odoo_")]
    menus = dict.fromkeys(figure_ids, "customer_relations.menu_customer_relations_root")
    return {
        "version": SPREADSHEET_VERSION,
        "odooVersion": ODOO_VERSION,
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {
            "locale": {
                "name": "English (US)",
                "code": "en_US",
                "thousandsSeparator": ",",
                "decimalSeparator": ".",
                "dateFormat": "mm/dd/yyyy",
                "timeFormat": "hh:mm:ss",
                "formulaArgSeparator": ",",
                "weekStart": 7,
            }
        },
        "sheets": [
            _sheet_json("customer_relations_dashboard", "Dashboard", dash, dash_cols, max(rows + 5, 100)),
            _sheet_json("customer_relations_data", "Data", data, data_cols, 40),
        ],
        "styles": STYLES,
        "formats": FORMATS,
        "borders": BORDERS,
        "customTableStyles": {},
        "globalFilters": [
            {
                "id": _id(REGION_FILTER),
                "type": "relation",
                "label": "Sales Region",
                "modelName": "customer.region",
                "defaultValue": [],
                "defaultValueDisplayNames": [],
            }
        ],
        "pivots": {} if sample else pivots(),
        "pivotNextId": 1 if sample else len(pivots()) + 1,
        "lists": {} if sample else lists(),
        "listNextId": 1 if sample else len(lists()) + 1,
        "chartOdooMenusReferences": {} if sample else menus,
    }


def render(sample=False):
    return json.dumps(spreadsheet(sample), indent=1, ensure_ascii=False) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when the committed files differ")
    args = parser.parse_args(argv)
    stale = []
    for path, sample in ((LIVE_PATH, False), (SAMPLE_PATH, True)):
        text = render(sample)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("out of date (run python3 tools/dashboard_json.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
