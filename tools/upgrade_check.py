"""Snapshot and compare the addon's data around an upgrade (``tools/crm.sh upgrade-test``).

``snapshot DSN FILE`` writes, for every stored model of customer_relations, the ids of its
records, and a set of business figures (tiers, scores, agreement achievement, complaint states
and SLA deadlines, survey scores) as JSON. ``compare BEFORE AFTER`` says what the upgrade lost
or changed and exits 1 if anything was lost or a figure moved.

Plain psycopg2, no Odoo: it reads the database as the upgrade left it.
"""

import json
import sys

import psycopg2

ADDON = "customer_relations"

# Business figures that an upgrade must keep. Each is (label, SQL); a query whose table or
# column is missing in a version is skipped (reported as such), never guessed.
FIGURES = [
    # Odoo refuses to change a company's currency once entries exist; the demo-company module an
    # upgrade adds must leave it (and every amount below) as it was.
    (
        "currencies of companies with entries",
        "SELECT c.id, c.currency_id FROM res_company c "
        "WHERE EXISTS (SELECT 1 FROM account_move_line l WHERE l.company_id = c.id) ORDER BY c.id",
    ),
    (
        "official tiers and classes",
        "SELECT id, customer_tier::text, account_class::text FROM res_partner "
        "WHERE customer_tier IS NOT NULL OR account_class IS NOT NULL ORDER BY id",
    ),
    (
        "customer value scores",
        "SELECT partner_id, company_id, round(score::numeric, 4), proposed_tier FROM customer_value ORDER BY 1, 2",
    ),
    (
        "tier history",
        "SELECT id, partner_id, new_tier, new_class, user_id, date::text FROM customer_tier_history ORDER BY id",
    ),
    ("tier reviews", "SELECT id, state, name FROM customer_tier_review ORDER BY id"),
    ("agreements", "SELECT id, state, name, date_start::text, date_end::text FROM customer_agreement ORDER BY id"),
    (
        "agreement target periods",
        "SELECT id, target_id, round(actual::numeric, 2) FROM customer_agreement_target_period ORDER BY id",
    ),
    (
        "complaints",
        "SELECT id, name, state, received_at::text, closed_at::text FROM customer_complaint ORDER BY id",
    ),
    ("complaint costs", "SELECT id, round(cost::numeric, 2) FROM customer_complaint ORDER BY id"),
    (
        "complaint SLA deadlines",
        "SELECT id, complaint_id, deadline::text, reached_at::text, status FROM customer_complaint_sla ORDER BY id",
    ),
    (
        "complaint transitions",
        "SELECT id, complaint_id, from_state, to_state, user_id, date::text "
        "FROM customer_complaint_transition ORDER BY id",
    ),
    (
        "revenue forecasts",
        "SELECT id, partner_id, period_start::text, round(forecast::numeric, 2) FROM customer_revenue_forecast "
        "ORDER BY id",
    ),
    (
        "survey satisfaction scores",
        "SELECT id, round(satisfaction_index::numeric, 1) FROM survey_user_input "
        "WHERE satisfaction_index IS NOT NULL ORDER BY id",
    ),
]


def _tables(cr):
    cr.execute(
        """
        SELECT m.model
          FROM ir_model m
          JOIN ir_model_data d ON d.model = 'ir.model' AND d.res_id = m.id AND d.module = %s
         WHERE NOT m.transient
        """,
        [ADDON],
    )
    tables, views = {}, {}
    for (model,) in cr.fetchall():
        table = model.replace(".", "_")
        cr.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cr.fetchone()
        if row and row[0] == "r":
            tables[model] = table
        elif row and row[0] == "v":
            # A SQL view (a report, or data now kept elsewhere): its rows have no ids of their
            # own to keep, only a count.
            views[model] = table
    return tables, views


def snapshot(dsn, path):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cr = conn.cursor()
    records, view_rows = {}, {}
    tables, views = _tables(cr)
    for model, table in sorted(tables.items()):
        cr.execute(f'SELECT id FROM "{table}" ORDER BY id')  # table names from ir_model
        records[model] = [row[0] for row in cr.fetchall()]
    for model, view in sorted(views.items()):
        cr.execute(f'SELECT count(*) FROM "{view}"')
        view_rows[model] = cr.fetchone()[0]
    figures = {}
    for label, query in FIGURES:
        try:
            cr.execute(query)
            figures[label] = [list(map(str, row)) for row in cr.fetchall()]
        except psycopg2.Error as error:
            figures[label] = {"skipped": str(error).splitlines()[0]}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"records": records, "views": view_rows, "figures": figures}, handle)
    total = sum(len(ids) for ids in records.values())
    print(f"snapshot: {total} records in {len(records)} models, {len(figures)} figure sets -> {path}")


def compare(before_path, after_path):
    with open(before_path, encoding="utf-8") as handle:
        before = json.load(handle)
    with open(after_path, encoding="utf-8") as handle:
        after = json.load(handle)
    problems = []
    kept = 0
    for model, ids in before["records"].items():
        if model not in after["records"]:
            # The model's data now lives elsewhere and the model is a view over it: as many rows.
            rows = after.get("views", {}).get(model)
            if rows is None:
                problems.append(f"model {model}: its table is gone ({len(ids)} records)")
            elif rows < len(ids):
                problems.append(f"model {model}: now a view with {rows} rows, {len(ids)} records before")
            else:
                kept += len(ids)
            continue
        lost = sorted(set(ids) - set(after["records"][model]))
        if lost:
            problems.append(f"model {model}: {len(lost)} of {len(ids)} records lost (ids {lost[:10]})")
        kept += len(ids) - len(lost)
    checked = 0
    for label, rows in before["figures"].items():
        if isinstance(rows, dict):
            print(f"figures '{label}': not in the previous version ({rows['skipped']})")
            continue
        new = after["figures"].get(label)
        if isinstance(new, dict):
            problems.append(f"figures '{label}': no longer readable after the upgrade ({new['skipped']})")
            continue
        if rows != new:
            before_rows, after_rows = {tuple(r) for r in rows}, {tuple(r) for r in new}
            gone, came = sorted(before_rows - after_rows), sorted(after_rows - before_rows)
            problems.append(
                f"figures '{label}': {len(gone)} of {len(rows)} rows changed or gone, {len(came)} new or changed "
                f"after the upgrade; e.g. before {gone[:3]}, after {came[:3]}"
            )
        checked += len(rows)
    print(f"upgrade kept {kept} records; {checked} figure rows compared")
    for problem in problems:
        print(f"UPGRADE PROBLEM: {problem}")
    return 1 if problems else 0


def main(argv):
    if len(argv) == 3 and argv[0] == "snapshot":
        snapshot(argv[1], argv[2])
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(argv[1], argv[2])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
