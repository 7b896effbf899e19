"""Benchmark: the queries of the "Customer Relations" spreadsheet dashboard on large data.

Uses the scratch database's customers and their customer values where ``bench_tiering`` left
20,000 of them (committed); otherwise generates 20,000 customers with values spread over the
regions and tiers. Adds, in the same transaction (rolled back at the end): 20,000 complaints
with three SLA milestones each (states, warning levels and met / missed milestones spread
out), 2,000 active agreements (a quarter of them strategic) and 12 analysed satisfaction
campaigns. Then, as a manager of the addon (record rules applied, as in the browser), for
every pivot, chart and list of ``customer_relations/data/files/customer_relations_dashboard.json``:

  (o) the ORM call the web client makes (``read_group`` with the data source's domain,
      group-bys and measures, lazy=False; ``search_read`` of the first 10 rows for a list),
      also with the dashboard's "Sales Region" filter applied;
  (c) the bare SQL GROUP BY (or ORDER BY ... LIMIT) returning the same figures;

and prints both times (median of BENCH_REPEAT runs after a warm-up) and the ratio o/c.

Usage (through ``make bench``, ``BENCH=dashboard``): python bench/bench_dashboard.py <odoo options> -d DB
Settings (environment): BENCH_CUSTOMERS, BENCH_DASH_COMPLAINTS, BENCH_REPEAT.
"""

import json
import os
import pathlib
import sys
from datetime import date, datetime

sys.path.insert(0, os.path.dirname(__file__))

from common import clone_rows, odoo_env, repeated

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
COMPLAINTS = int(os.environ.get("BENCH_DASH_COMPLAINTS", "20000"))
AGREEMENTS = 2000
CAMPAIGNS = 12
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
DASHBOARD = (
    pathlib.Path(__file__).resolve().parent.parent
    / "customer_relations"
    / "data"
    / "files"
    / "customer_relations_dashboard.json"
)
OPEN = "('new', 'routing', 'investigating', 'handling', 'feedback')"


def unit(expression):
    """A deterministic pseudo-random number in [0, 1) from an integer SQL expression."""
    return f"((((({expression})::bigint * 2654435761) % 1000003) + 1000003) % 1000003 / 1000003.0)"


def pick(values, expression):
    """One of ``values`` (SQL literals), chosen by a deterministic hash of ``expression``."""
    array = "ARRAY[" + ",".join(values) + "]"
    return f"({array})[1 + floor({unit(expression)} * {len(values)})::int]"


def ensure_customers(env):
    """Customers with values in the current company: bench_tiering's if there, else new ones."""
    cr, company = env.cr, env.company
    cr.execute("SELECT COUNT(*) FROM customer_value WHERE company_id = %s", [company.id])
    existing = cr.fetchone()[0]
    regions = env["customer.region"].search([])
    region_ids = [str(r) for r in regions.ids]
    if existing >= CUSTOMERS:
        print(f"Using the scratch database's {existing} customer values (bench_tiering).", flush=True)
        cr.execute("SELECT COUNT(*) FROM customer_value WHERE company_id = %s AND region_id IS NOT NULL", [company.id])
        if not cr.fetchone()[0]:
            # bench_tiering's customers have no region: give them one (rolled back) so that the
            # region pivot and filter have groups to form.
            cr.execute(
                f"UPDATE res_partner SET region_id = {pick(region_ids, 'id').replace('%', '%%')} WHERE id IN "
                "(SELECT partner_id FROM customer_value WHERE company_id = %s)",
                [company.id],
            )
            cr.execute(
                "UPDATE customer_value v SET region_id = p.region_id FROM res_partner p "
                "WHERE p.id = v.partner_id AND v.company_id = %s",
                [company.id],
            )
        return
    print(f"Generating {CUSTOMERS} customers with customer values ...", flush=True)
    policy = env["customer.tier.policy"]._get_for_company(company)
    template = env["res.partner"].create(
        {"name": "Bench dashboard customer", "is_company": True, "customer_rank": 1, "region_id": regions[0].id}
    )
    value = env["customer.value"].create(
        {"partner_id": template.id, "company_id": company.id, "policy_id": policy.id, "date": date(2026, 6, 30)}
    )
    env.flush_all()
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner")
    first = cr.fetchone()[0] + 1
    clone_rows(
        cr,
        "res_partner",
        template.id,
        CUSTOMERS,
        {
            "name": "'Bench dashboard customer ' || g",
            "complete_name": "'Bench dashboard customer ' || g",
            "region_id": pick(region_ids, "g"),
        },
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id >= %s", [first])
    clone_rows(
        cr,
        "customer_value",
        value.id,
        CUSTOMERS,
        {
            "partner_id": f"{first} + g - 1",
            "region_id": pick(region_ids, "g"),
            "customer_tier": pick(["'a'", "'b'", "'c'", "'c'", "NULL"], "g * 7"),
            "revenue": f"round((power({unit('g * 13')}, 3) * 2000000)::numeric, 2)",
            "score": f"100 * {unit('g * 17')}",
        },
    )
    cr.execute("ANALYZE res_partner; ANALYZE customer_value")


def generate_activity(env):
    """Complaints with SLA milestones, agreements and campaigns (rolled back at the end)."""
    cr, company = env.cr, env.company
    print(f"Generating {COMPLAINTS} complaints, {AGREEMENTS} agreements, {CAMPAIGNS} campaigns ...", flush=True)
    cr.execute("SELECT partner_id FROM customer_value WHERE company_id = %s ORDER BY id LIMIT 1", [company.id])
    partner = env["res.partner"].browse(cr.fetchone()[0])
    cr.execute("SELECT MIN(partner_id), MAX(partner_id) FROM customer_value WHERE company_id = %s", [company.id])
    low, high = cr.fetchone()
    partner_expr = (
        f"(SELECT partner_id FROM customer_value WHERE company_id = {company.id} "
        f"AND partner_id >= {low} + floor({unit('g * 3')} * {high - low})::int ORDER BY partner_id LIMIT 1)"
    )
    department = env["hr.department"].create({"name": "Bench dashboard department"})
    company.complaint_default_department_id = department
    start = datetime(2026, 1, 1)
    template = env["customer.complaint"].create(
        {
            "title": "Bench dashboard complaint",
            "partner_id": partner.id,
            "category_id": env.ref("customer_relations.customer_complaint_category_delivery").id,
            "description": "<p>Bench</p>",
            "received_at": start,
        }
    )
    template.action_submit()
    env.flush_all()
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM customer_complaint")
    first = cr.fetchone()[0] + 1
    states = ["'new'", "'routing'", "'investigating'", "'handling'", "'feedback'", "'replied'", "'closed'", "'closed'"]
    received = f"TIMESTAMP '{start:%Y-%m-%d %H:%M:%S}' + (g * 1200) * INTERVAL '1 second'"
    clone_rows(
        cr,
        "customer_complaint",
        template.id,
        COMPLAINTS,
        {
            "name": "'BENCHDASH/' || g",
            "received_at": received,
            "access_token": "NULL",
            "partner_id": partner_expr,
            "state": pick(states, "g * 5"),
            "sla_warning_level": pick(["'green'", "'green'", "'yellow'", "'orange'", "'red'", "NULL"], "g * 11"),
        },
    )
    cr.execute(
        "UPDATE customer_complaint SET sla_warning_level = NULL "
        f"WHERE id >= %s AND state NOT IN {OPEN} AND sla_warning_level IS NOT NULL",
        [first],
    )
    for sla in template.sla_ids:
        clone_rows(
            cr,
            "customer_complaint_sla",
            sla.id,
            COMPLAINTS,
            {
                "complaint_id": f"{first - 1} + g",
                "partner_id": f"(SELECT partner_id FROM customer_complaint WHERE id = {first - 1} + g)",
                "status": pick(["'met'", "'met'", "'met'", "'missed'", "'running'"], f"g * 19 + {sla.id}"),
            },
        )
    cr.execute(
        "UPDATE customer_complaint_sla SET compliance = CASE status WHEN 'met' THEN 100 ELSE 0 END "
        "WHERE complaint_id >= %s",
        [first],
    )
    agreement = env["customer.agreement"].create(
        {
            "partner_id": partner.id,
            "type_id": env.ref("customer_relations.customer_agreement_type_strategic").id,
            "date_start": date(2026, 1, 1),
            "date_end": date(2026, 12, 31),
        }
    )
    env.flush_all()
    clone_rows(
        cr,
        "customer_agreement",
        agreement.id,
        AGREEMENTS,
        {
            "name": "'BENCHAGR/' || g",
            "partner_id": partner_expr,
            "state": "'active'",
            "account_class": pick(["'strategic'", "'key'", "'key'", "'general'"], "g * 23"),
            "achievement": f"120 * {unit('g * 29')}",
            "revenue": f"round((3000000 * {unit('g * 31')})::numeric, 2)",
            "rebate_earned": f"round((60000 * {unit('g * 37')})::numeric, 2)",
        },
    )
    cr.execute(
        "UPDATE customer_agreement a SET region_id = p.region_id FROM res_partner p "
        "WHERE p.id = a.partner_id AND a.name LIKE 'BENCHAGR/%%'"
    )
    survey = env["survey.survey"].create({"title": "Bench dashboard survey", "access_mode": "token"})
    campaigns = env["customer.satisfaction.campaign"].create(
        [
            {
                "name": f"Bench campaign {index}",
                "survey_id": survey.id,
                "date_start": date(2020 + index // 2, 1 + 6 * (index % 2), 1),
                "date_end": date(2020 + index // 2, 6 + 6 * (index % 2), 28),
            }
            for index in range(CAMPAIGNS)
        ]
    )
    env.flush_all()
    cr.execute(
        "UPDATE customer_satisfaction_campaign SET analysis_date = now(), index_value = 70 + id %% 20, "
        "nps_value = id %% 40 WHERE id = ANY(%s)",
        [campaigns.ids],
    )
    cr.execute("ANALYZE customer_complaint; ANALYZE customer_complaint_sla; ANALYZE customer_agreement")
    env.invalidate_all()


def data_sources(snapshot):
    """(label, kind, model, domain, groupby, measures or columns, order, region chain)."""
    region_filter = snapshot["globalFilters"][0]["id"]
    for pivot in snapshot["pivots"].values():
        groupby = [d["fieldName"] for d in pivot["rows"] + pivot["columns"]]
        measures = [m["fieldName"] + (f":{m['aggregator']}" if m.get("aggregator") else "") for m in pivot["measures"]]
        chain = pivot["fieldMatching"].get(region_filter, {}).get("chain")
        yield f"pivot: {pivot['name']}", "group", pivot["model"], pivot["domain"], groupby, measures, None, chain
    for sheet in snapshot["sheets"]:
        for figure in sheet["figures"]:
            chart = figure["data"]
            if chart["type"].startswith("odoo_"):
                meta = chart["metaData"]
                chain = chart["fieldMatching"].get(region_filter, {}).get("chain")
                yield (
                    f"chart: {chart['title']['text']}",
                    "group",
                    meta["resModel"],
                    chart["searchParams"]["domain"],
                    meta["groupBy"],
                    [meta["measure"]],
                    None,
                    chain,
                )
    for sheet_list in snapshot["lists"].values():
        order = ", ".join(f"{o['name']} {'asc' if o['asc'] else 'desc'}" for o in sheet_list["orderBy"])
        chain = sheet_list["fieldMatching"].get(region_filter, {}).get("chain")
        yield (
            f"list: {sheet_list['name']}",
            "list",
            sheet_list["model"],
            sheet_list["domain"],
            [],
            sheet_list["columns"],
            order,
            chain,
        )


# The bare SQL of each data source (same figures, no access rules but the company filter).
BARE_SQL = {
    "pivot: Customers and revenue by region and tier": """
        SELECT region_id, customer_tier, COUNT(*), SUM(revenue) FROM customer_value
         WHERE company_id = ANY(%(companies)s) {region} GROUP BY 1, 2""",
    "pivot: Key accounts' agreement achievement": """
        SELECT partner_id, AVG(achievement), SUM(revenue), SUM(rebate_earned) FROM customer_agreement
         WHERE state = 'active' AND account_class IN ('strategic', 'key') AND company_id = ANY(%(companies)s) {region}
         GROUP BY 1""",
    "pivot: Complaints by state and SLA warning": """
        SELECT state, sla_warning_level, COUNT(*) FROM customer_complaint c
         WHERE company_id = ANY(%(companies)s) {partner_region} GROUP BY 1, 2""",
    "pivot: SLA compliance by milestone": """
        SELECT milestone, AVG(compliance), COUNT(*) FROM customer_complaint_sla c
         WHERE status IN ('met', 'missed') AND company_id = ANY(%(companies)s) {partner_region} GROUP BY 1""",
    "pivot: Open risk warnings by kind and level": """
        SELECT kind, level, COUNT(*) FROM customer_risk_warning c
         WHERE state IN ('open', 'recovered') AND company_id = ANY(%(companies)s) {partner_region} GROUP BY 1, 2""",
    "chart: Revenue by tier": """
        SELECT customer_tier, SUM(revenue) FROM customer_value
         WHERE customer_tier IS NOT NULL AND company_id = ANY(%(companies)s) {region} GROUP BY 1""",
    "chart: Open complaints by state and SLA warning": f"""
        SELECT state, sla_warning_level, COUNT(*) FROM customer_complaint c
         WHERE state IN {OPEN} AND company_id = ANY(%(companies)s) {{partner_region}} GROUP BY 1, 2""",
    "chart: Satisfaction index over campaigns": """
        SELECT date_trunc('month', date_start), AVG(index_value) FROM customer_satisfaction_campaign
         WHERE analysis_date IS NOT NULL AND company_id = ANY(%(companies)s) GROUP BY 1""",
    "list: Oldest open complaints past their SLA deadline": f"""
        SELECT c.id, c.name, c.partner_id, c.title, c.state, c.department_id, c.received_at
          FROM customer_complaint c
         WHERE sla_warning_level = 'red' AND state IN {OPEN} AND company_id = ANY(%(companies)s) {{partner_region}}
         ORDER BY received_at, id LIMIT 10""",
    "list: Satisfaction campaigns": """
        SELECT id, name, date_start, index_value, nps_value, target_index FROM customer_satisfaction_campaign
         WHERE analysis_date IS NOT NULL AND company_id = ANY(%(companies)s) ORDER BY date_start DESC, id LIMIT 10""",
}


def bare_sql(env, label, region_id):
    region = partner_region = ""
    if region_id:
        region = f"AND region_id = {int(region_id)}"
        partner_region = f"AND c.partner_id IN (SELECT id FROM res_partner WHERE region_id = {int(region_id)})"
    query = BARE_SQL[label].format(region=region, partner_region=partner_region)
    env.cr.execute(query, {"companies": env.user.company_ids.ids})
    return env.cr.fetchall()


def orm(model, kind, domain, groupby, spec, order):
    if kind == "list":
        return model.search_read(domain, spec, order=order, limit=10)
    model.env.invalidate_all()
    return model.read_group(domain, spec, groupby, lazy=False)


def main():
    registry, env = odoo_env()
    try:
        ensure_customers(env)
        generate_activity(env)
        manager = env["res.users"].create(
            {
                "name": "Bench dashboard manager",
                "login": "bench_dashboard_manager",
                "groups_id": [(6, 0, [env.ref("customer_relations.group_customer_relations_manager").id])],
            }
        )
        env.flush_all()
        menv = env(user=manager.id)
        snapshot = json.loads(DASHBOARD.read_text(encoding="utf-8"))
        cr = env.cr
        cr.execute(
            "SELECT region_id, COUNT(*) FROM customer_value WHERE region_id IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        region_id = cr.fetchone()[0]
        cr.execute("SELECT COUNT(*) FROM customer_value WHERE company_id = %s", [env.company.id])
        values = cr.fetchone()[0]
        print(f"customer values: {values}; complaints: {COMPLAINTS + 1}; agreements: {AGREEMENTS + 1}")
        print(f"Timings (median of {REPEAT} runs after a warm-up run, min-max in brackets), as a manager:")
        ratios = {}
        for label, kind, model_name, domain, groupby, spec, order, chain in data_sources(snapshot):
            model = menv[model_name]
            for filtered in (False, True):
                if filtered and not chain:
                    continue
                run_domain = [*domain, (chain, "in", [region_id])] if filtered else domain
                suffix = " [region]" if filtered else ""
                region = region_id if filtered else None
                results = {}
                short = label[:45] + suffix
                bare_sql(env, label, region)  # warm-up
                orm(model, kind, run_domain, groupby, spec, order)
                rows = repeated(f"(c) {short}", results, lambda label=label, r=region: bare_sql(env, label, r))
                found = repeated(
                    f"(o) {short}",
                    results,
                    lambda m=model, k=kind, d=run_domain, g=groupby, s=spec, o=order: orm(m, k, d, g, s, o),
                )
                o_time, c_time = (results[f"({x}) {short}"] for x in "oc")
                ratios[f"{label}{suffix}"] = (o_time, c_time, len(found), len(rows))
        print()
        print(f"{'data source':<66} {'ORM s':>8} {'SQL s':>8} {'o/c':>6} {'groups':>7}")
        for label, (o_time, c_time, found, rows) in ratios.items():
            ratio = o_time / c_time if c_time else float("inf")
            print(f"{label[:66]:<66} {o_time:8.4f} {c_time:8.4f} {ratio:6.1f} {found:>4}/{rows:<4}")
    finally:
        env.cr.rollback()
        env.cr.close()


if __name__ == "__main__":
    main()
