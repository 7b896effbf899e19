"""Benchmark: the customer risk signal job on the 20,000-customer scratch data.

Uses the customers and 500,000 confirmed order lines of ``bench_tiering.py`` (generated here
when missing), and adds (seeded, committed once): a delivery for each line of the last 100 days
(7 in 10 done, some late; the others waiting), a customer class for a twentieth of the
customers and 3,000 complaints in the window. Then times:

  (c) the bare SQL: the one statement measuring every signal of every customer
      (``customer.risk.warning._signal_figures``);
  (a) the whole evaluation, ``_evaluate_company``: measure, grade (engine), decide and apply;
      first run (every warning raised) and next runs (nothing changes: no write);
  (b) a naive per-customer baseline with the ORM: per customer, search its due order lines,
      deliveries and complaints and compute the same figures in Python (timed on a sample,
      extrapolated linearly to every customer measured);

and prints the times and the ratios a/c and b/a. Never asserts on time.
Usage (through ``make bench``): python bench/bench_risk.py <odoo options> -d DB
Settings (environment): BENCH_NAIVE_SAMPLE, BENCH_REPEAT.
"""

import os
import sys
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(__file__))

from bench_tiering import EVAL_DATE, LINES
from bench_tiering import generate as generate_orders
from common import clone_rows, odoo_env, repeated, timed

NAIVE_SAMPLE = int(os.environ.get("BENCH_NAIVE_SAMPLE", "300"))
COMPLAINTS = 3000
NOW = datetime.combine(EVAL_DATE, datetime.min.time()) + timedelta(hours=12)


def generate(env):
    """Deliveries, classes and complaints on top of the orders (once per scratch database)."""
    cr = env.cr
    cr.execute("SELECT 1 FROM customer_complaint WHERE name LIKE 'BRISK/%%' LIMIT 1")
    if cr.fetchone():
        return
    print("Adding deliveries, classes and complaints for the risk signals ...", flush=True)
    product = env["product.product"].create({"name": "Bench risk coil", "type": "consu", "list_price": 10.0})
    customer = env["res.partner"].create({"name": "Bench risk template", "is_company": True})
    order = env["sale.order"].create(
        {"partner_id": customer.id, "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1.0})]}
    )
    order.action_confirm()
    picking = order.picking_ids
    picking.move_ids.write({"quantity": 1.0, "picked": True})
    picking._action_done()
    env.flush_all()
    move = picking.move_ids
    # The lines of the last 100 days, each with its delivery: 7 in 10 done (promised + -2..+3
    # days), the others still waiting.
    cr.execute(
        """
        CREATE TEMP TABLE bench_risk_lines AS
        SELECT ROW_NUMBER() OVER (ORDER BY sol.id) AS g, sol.id AS line_id, so.partner_id,
               so.date_order, sol.product_uom_qty AS qty, sol.product_id
          FROM sale_order_line sol JOIN sale_order so ON so.id = sol.order_id
         WHERE so.name LIKE 'BENCH/%%' AND so.date_order >= %s
        """,
        [NOW - timedelta(days=100)],
    )
    cr.execute("CREATE UNIQUE INDEX ON bench_risk_lines (g)")
    cr.execute("SELECT COUNT(*) FROM bench_risk_lines")
    deliveries = cr.fetchone()[0]
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM stock_picking")
    first_picking = cr.fetchone()[0] + 1
    line = "(SELECT {column} FROM bench_risk_lines b WHERE b.g = g.g)"
    done_at = f"{line.format(column='date_order')} + ((g.g % 6) - 2) * INTERVAL '1 day'"
    clone_rows(
        cr,
        "stock_picking",
        picking.id,
        deliveries,
        {
            "name": "'BRISK/OUT/' || g",
            "partner_id": line.format(column="partner_id"),
            "scheduled_date": line.format(column="date_order"),
            "date_deadline": "NULL",
            "date_done": f"CASE WHEN {line.format(column='line_id')} % 10 < 7 THEN {done_at} END",
            "state": f"CASE WHEN {line.format(column='line_id')} % 10 < 7 THEN 'done' ELSE 'assigned' END",
            "sale_id": "NULL",
        },
    )
    clone_rows(
        cr,
        "stock_move",
        move.id,
        deliveries,
        {
            "picking_id": f"{first_picking} - 1 + g",
            "sale_line_id": line.format(column="line_id"),
            "product_id": line.format(column="product_id"),
            "product_uom_qty": line.format(column="qty"),
            "product_qty": line.format(column="qty"),
            "quantity": line.format(column="qty"),
            "partner_id": line.format(column="partner_id"),
            "date": done_at,
            "state": f"CASE WHEN {line.format(column='line_id')} % 10 < 7 THEN 'done' ELSE 'assigned' END",
        },
    )
    cr.execute(
        """UPDATE sale_order_line sol SET qty_delivered = sol.product_uom_qty
             FROM sale_order so WHERE so.id = sol.order_id AND so.name LIKE 'BENCH/%%'
              AND (so.date_order < %s OR sol.id IN (SELECT line_id FROM bench_risk_lines WHERE line_id %% 10 < 7))""",
        [NOW - timedelta(days=100)],
    )
    key = str(env.company.id)
    cr.execute(
        """UPDATE res_partner SET account_class = jsonb_build_object(%s::text,
                  CASE WHEN id %% 40 = 0 THEN 'strategic' ELSE 'key' END)
            WHERE ref LIKE 'B%%' AND id %% 20 = 0""",
        [key],
    )
    complaint = env["customer.complaint"].create(
        {
            "title": "Bench risk complaint",
            "partner_id": customer.id,
            "category_id": env.ref("customer_relations.customer_complaint_category_quality").id,
            "description": "<p>Bench</p>",
            "received_at": NOW - timedelta(days=5),
        }
    )
    env.flush_all()
    cr.execute("SELECT MIN(id), MAX(id) FROM res_partner WHERE ref LIKE 'B%%'")
    low, high = cr.fetchone()
    clone_rows(
        cr,
        "customer_complaint",
        complaint.id,
        COMPLAINTS,
        {
            "name": "'BRISK/' || g",
            "partner_id": f"{low} + ((g::bigint * 7919) % ({high} - {low} + 1) / 7)::int * 7",
            "received_at": f"TIMESTAMP '{NOW:%Y-%m-%d %H:%M:%S}' - (g % 80) * INTERVAL '1 day'",
            "access_token": "NULL",
        },
    )
    cr.execute("ANALYZE stock_move; ANALYZE stock_picking; ANALYZE customer_complaint; ANALYZE res_partner")
    env.cr.commit()
    env.invalidate_all()
    print(f"  {deliveries} deliveries, {COMPLAINTS} complaints", flush=True)


def naive(env, company, partners):
    """What a first version would do: per customer, search its lines, deliveries and complaints."""
    Line = env["sale.order.line"]
    Complaint = env["customer.complaint"]
    Picking = env["stock.picking"]
    window_start = NOW - timedelta(days=90)
    result = {}
    for partner in partners:
        lines = Line.search(
            [
                ("order_id.partner_id", "child_of", partner.id),
                ("order_id.state", "=", "sale"),
                ("company_id", "=", company.id),
                ("display_type", "=", False),
            ]
        )
        due = [
            sol
            for sol in lines
            if (sol.order_id.commitment_date or sol.order_id.date_order + timedelta(days=sol.customer_lead)) <= NOW
            and (sol.order_id.date_order >= window_start or sol.qty_delivered < sol.product_uom_qty)
        ]
        late = 0
        for sol in due:
            promised = (sol.order_id.commitment_date or sol.order_id.date_order).date()
            moves = sol.move_ids.filtered(lambda m: m.state == "done")
            delivered_on = max(moves.mapped("date")).date() if moves else promised
            if sol.qty_delivered < sol.product_uom_qty or delivered_on > promised:
                late += 1
        pickings = Picking.search(
            [("partner_id", "child_of", partner.id), ("state", "=", "done"), ("date_done", ">=", window_start)]
        )
        complaints = Complaint.search([("partner_id", "=", partner.id), ("received_at", ">=", window_start)])
        result[partner.id] = {
            "late_share": 100.0 * late / len(due) if due else 0.0,
            "late_deliveries": len(pickings.filtered(lambda p: p.date_done.date() > p.scheduled_date.date())),
            "complaints": len(complaints),
            "quality": len(complaints.filtered("is_quality")),
        }
        env.invalidate_all()
    return result


def main():
    registry, env = odoo_env()
    try:
        company = env.company
        env.cr.execute("SELECT COUNT(*) FROM sale_order_line")
        if env.cr.fetchone()[0] < LINES:
            company = generate_orders(env)
        generate(env)
        Warning = env["customer.risk.warning"]
        env.cr.execute("DELETE FROM customer_risk_warning WHERE company_id = %s", [company.id])
        env.cr.commit()
        results = {}
        Warning._signal_figures(company, NOW)  # warm-up
        figures = repeated(
            "(c) bare SQL: every signal of every customer", results, lambda: Warning._signal_figures(company, NOW)
        )
        measured = figures["partner_id"].nunique()
        print(f"  {len(figures)} figures of {measured} customers", flush=True)
        with timed("(a) evaluation, first run (raises every warning)", results):
            first = Warning._evaluate_company(company, now=NOW)
        print(f"      decisions: {first}", flush=True)
        env.cr.execute(
            "SELECT level, COUNT(*) FROM customer_risk_warning WHERE company_id = %s GROUP BY level ORDER BY level",
            [company.id],
        )
        print(f"      warnings by level: {dict(env.cr.fetchall())}", flush=True)
        steady = repeated(
            "(a) evaluation, next runs (nothing changes)", results, lambda: Warning._evaluate_company(company, now=NOW)
        )
        print(f"      decisions: {steady or 'none'}", flush=True)
        sample_ids = [int(partner_id) for partner_id in sorted(figures["partner_id"].unique())[:NAIVE_SAMPLE]]
        sample = env["res.partner"].browse(sample_ids)
        label = f"(b) naive ORM loop on a sample of {len(sample)} customers"
        with timed(label, results):
            naive(env, company, sample)
        naive_full = results[label] * measured / max(len(sample), 1)
        print(f"  {'(b) naive ORM loop extrapolated to every customer':<58} {naive_full:9.3f} s", flush=True)
        bare = results["(c) bare SQL: every signal of every customer"]
        steady_time = results["(a) evaluation, next runs (nothing changes)"]
        print(f"  a/c (next runs / bare SQL): {steady_time / bare:.2f}", flush=True)
        print(f"  a/c (first run / bare SQL): {results['(a) evaluation, first run (raises every warning)'] / bare:.2f}")
        print(f"  b/a (naive / next runs): {naive_full / steady_time:.1f}", flush=True)
        env.cr.rollback()
    finally:
        env.cr.close()
        del registry


if __name__ == "__main__":
    main()
