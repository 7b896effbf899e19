"""Benchmark: SLA warning-level update for 50,000 open complaints.

Generates (in the scratch database, rolled back at the end) 50,000 submitted complaints with
three running milestones each (150,000 milestone rows, deadlines spread over two weeks), then
times:

  (a) the scheduled update ``customer.complaint.sla._update_warning_levels`` at a moment when
      about a third of the levels change, with its number of SQL queries;
  (a2) the same update run again right after (nothing changes);
  (b) a naive ORM loop: read each running milestone, compute its level with the engine and
      write it back one by one (timed on a sample, extrapolated to every milestone);
  (e) the escalation step after the catch-up: ``_escalate_batch`` (claims the milestones of up
      to 200 complaints in one query, finds the key-account managers in one search per
      company, creates the activities and one mail per assignee) until nothing waits (or on
      BENCH_ESCALATION_BATCHES batches, extrapolated), with its queries per batch and the
      escalation activities it created;

and prints times and the ratio b/a. Usage (through ``make bench``):
python bench/bench_complaints.py <odoo options> -d DB; BENCH_COMPLAINTS overrides the count.
"""

import os
import sys
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(__file__))

from common import clone_rows, odoo_env, timed

COMPLAINTS = int(os.environ.get("BENCH_COMPLAINTS", "50000"))
NAIVE_SAMPLE = int(os.environ.get("BENCH_NAIVE_SAMPLE", "2000"))
ESCALATION_BATCHES = int(os.environ.get("BENCH_ESCALATION_BATCHES", "0"))  # 0: until none waits
ESCALATION_BATCH = 200
START = datetime(2026, 11, 1, 0, 0)


def generate(env):
    cr = env.cr
    print(f"Generating {COMPLAINTS} open complaints with 3 milestones each ...", flush=True)
    department = env["hr.department"].create({"name": "Bench service department"})
    env.company.complaint_default_department_id = department
    customer = env["res.partner"].create({"name": "Bench complaint customer", "is_company": True})
    template = env["customer.complaint"].create(
        {
            "title": "Bench complaint",
            "partner_id": customer.id,
            "category_id": env.ref("customer_relations.customer_complaint_category_delivery").id,
            "description": "<p>Bench</p>",
            "received_at": START,
        }
    )
    template.action_submit()
    env.flush_all()
    slas = template.sla_ids
    if len(slas) < 2:
        raise SystemExit("The standard SLA policy should give the template milestones.")
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM customer_complaint")
    first = cr.fetchone()[0] + 1
    # Received over two weeks, one complaint every ~24 seconds.
    received = f"TIMESTAMP '{START:%Y-%m-%d %H:%M:%S}' + (g * 24) * INTERVAL '1 second'"
    clone_rows(
        cr,
        "customer_complaint",
        template.id,
        COMPLAINTS,
        {"name": "'BENCH/' || g", "received_at": received, "access_token": "NULL"},
    )
    for sla in slas:
        hours = sla.target_hours
        received_of = f"(TIMESTAMP '{START:%Y-%m-%d %H:%M:%S}' + (g * 24) * INTERVAL '1 second')"
        clone_rows(
            cr,
            "customer_complaint_sla",
            sla.id,
            COMPLAINTS,
            {
                "complaint_id": f"{first - 1} + g",
                "deadline": f"{received_of} + INTERVAL '{hours} hours'",
                "yellow_at": f"{received_of} + INTERVAL '{hours * 0.5} hours'",
                "orange_at": f"{received_of} + INTERVAL '{hours * 0.8} hours'",
                "warning_level": "'green'",
                "status": "'running'",
            },
        )
    cr.execute("ANALYZE customer_complaint")
    cr.execute("ANALYZE customer_complaint_sla")
    return template


class QueryCounter:
    def __init__(self, cr):
        self.cr = cr

    def __enter__(self):
        self.start = self.cr.sql_log_count
        return self

    def __exit__(self, *exc):
        self.count = self.cr.sql_log_count - self.start


def naive(env, sla_ids, now):
    from odoo.addons.customer_relations.engine import complaints as engine

    for sla in env["customer.complaint.sla"].browse(sla_ids):
        level = engine.level_at(now, {"deadline": sla.deadline, "yellow_at": sla.yellow_at, "orange_at": sla.orange_at})
        if level != sla.warning_level:
            sla.write({"warning_level": level})
        sla.invalidate_recordset()
    env.flush_all()


def naive_timed(env, label, results, moment, running):
    """The naive loop on an evenly spread sample, undone afterwards, extrapolated to all."""
    cr = env.cr
    cr.execute(
        "SELECT id FROM customer_complaint_sla WHERE status = 'running' AND id %% %s = 0 ORDER BY id",
        [max(running // NAIVE_SAMPLE, 1)],
    )
    sample = [row[0] for row in cr.fetchall()]
    cr.execute("SAVEPOINT naive")
    with timed(f"{label} on a sample of {len(sample)} milestones", results):
        naive(env, sample, moment)
    cr.execute("ROLLBACK TO SAVEPOINT naive")
    env.invalidate_all()
    full = results[f"{label} on a sample of {len(sample)} milestones"] * running / max(len(sample), 1)
    print(f"  {label + ', extrapolated to ' + str(running):<58} {full:9.3f} s", flush=True)
    return full


def escalate_timed(env, results):
    """The escalation batches after the catch-up (undone afterwards): time, queries per batch and
    the activities created, for every waiting milestone (or BENCH_ESCALATION_BATCHES batches)."""
    cr = env.cr
    Sla = env["customer.complaint.sla"]
    cr.execute(
        """SELECT COUNT(*), COUNT(DISTINCT complaint_id) FROM customer_complaint_sla WHERE status = 'running'
              AND ((warning_level = 'orange' AND escalated_level = 'none')
                OR (warning_level = 'red' AND escalated_level IN ('none', 'orange')))"""
    )
    waiting, complaints = cr.fetchone()
    cr.execute("SELECT COUNT(*) FROM mail_activity")
    activities_before = cr.fetchone()[0]
    cr.execute("SAVEPOINT escalate")
    label = "(e) escalation" + (f", {ESCALATION_BATCHES} batches" if ESCALATION_BATCHES else ", every batch")
    batches = 0
    escalated = 0
    with QueryCounter(cr) as counter, timed(label, results):
        while not ESCALATION_BATCHES or batches < ESCALATION_BATCHES:
            count = Sla._escalate_batch(ESCALATION_BATCH)
            env.flush_all()
            env.invalidate_all()
            if not count:
                break
            batches += 1
            escalated += count
    cr.execute("SELECT COUNT(*) FROM mail_activity")
    activities = cr.fetchone()[0] - activities_before
    cr.execute("ROLLBACK TO SAVEPOINT escalate")
    env.invalidate_all()
    batches = max(batches, 1)
    return {
        "waiting": waiting,
        "complaints": complaints,
        "escalated": escalated,
        "activities": activities,
        "batches": batches,
        "time": results[label],
        "per_batch": results[label] / batches,
        "queries": counter.count / batches,
    }


def main():
    registry, env = odoo_env()
    with registry.cursor() as cr:
        env = env(cr=cr)
        generate(env)
        Sla = env["customer.complaint.sla"]
        cr.execute("SELECT COUNT(*) FROM customer_complaint_sla WHERE status = 'running'")
        running = cr.fetchone()[0]
        catch_up = START + timedelta(days=10)
        tick = catch_up + timedelta(minutes=15)
        results = {}
        print("Timings (catch-up: every level computed from green; tick: the 15-minute run after it):", flush=True)
        b0 = naive_timed(env, "(b0) naive ORM loop, catch-up", results, catch_up, running)
        with QueryCounter(cr) as q0, timed("(a0) set-based update, catch-up", results):
            changed0 = Sla._update_warning_levels(now=catch_up)
        escalation = escalate_timed(env, results)
        b1 = naive_timed(env, "(b) naive ORM loop, tick", results, tick, running)
        with QueryCounter(cr) as q1, timed("(a) set-based update, tick", results):
            changed1 = Sla._update_warning_levels(now=tick)
        with QueryCounter(cr) as q2, timed("(a2) the same tick again (nothing changes)", results):
            Sla._update_warning_levels(now=tick)
        print()
        cr.execute("SELECT sla_warning_level, COUNT(*) FROM customer_complaint GROUP BY 1 ORDER BY 1")
        print(f"open complaints: {COMPLAINTS + 1}; running milestones: {running}")
        print(f"levels changed: catch-up {changed0}, tick {changed1}")
        print(f"queries: catch-up {q0.count}, tick {q1.count}, again {q2.count}")
        print(f"complaints per warning level: {dict(cr.fetchall())}")
        e = escalation
        share = e["escalated"] / max(e["waiting"], 1)
        print(
            f"escalation: {e['waiting']} milestones of {e['complaints']} complaints waiting after the catch-up; "
            f"{e['escalated']} escalated in {e['batches']} batches, {e['time']:.1f} s ({e['per_batch']:.3f} s and "
            f"{e['queries']:.0f} queries per batch); {e['activities']} activities created"
            + ("" if share >= 1 else f" (all of them, extrapolated: {e['activities'] / max(share, 1e-9):.0f})")
        )
        print(f"b0/a0 = {b0 / results['(a0) set-based update, catch-up']:.1f}   (catch-up)")
        print(f"b/a = {b1 / results['(a) set-based update, tick']:.1f}   (tick)")
        cr.rollback()


if __name__ == "__main__":
    main()
