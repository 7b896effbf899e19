"""Load benchmark: the demo roles as concurrent clients of a multi-worker Odoo server.

It drives a RUNNING demo server (``WORKERS=3 make run``: Odoo's prefork server with three HTTP
workers, a cron worker and the websocket port, on the demo database) from the loopback only:

- account managers (wangwei, chenjing) browse customers and the Customer Value list and its
  grouped view (``web_search_read``, ``read_group``) and create and confirm sale orders, half of
  them for customers with an active key-account agreement (each confirmation updates the
  agreement's actuals);
- sales service (lina, twice) creates and submits complaints and replies to those returned by
  the departments (the workflow buttons over ``/web/dataset/call_kw``);
- a department head (liuyang, manager) confirms the responsible department of routed complaints;
- Quality (zhangmin) lists the quality complaints to check, groups them by effectiveness and
  records the check of replied ones through the effectiveness wizard;
- a portal customer (a portal user the bench creates once) lists its complaints and submits new
  ones through the portal form;
- admin, at 10 %, 40 % and 70 % of the run, makes the cron worker run the 15-minute SLA job and
  the daily agreement job (``nextcall`` set to now) and once runs each by hand ("Run manually",
  ``method_direct_trigger`` in an HTTP worker, as a person does).

Each time it schedules the jobs, admin first ages a third of ``--age`` (default 150) running,
never escalated SLA milestones on the database (their marks moved into the past, the bench's
own complaints included) so that the SLA job has escalations to do while the clients work on
the same complaints; the bench changes nothing else on the database except through the
clients. After the load it waits (up to ``BENCH_LOAD_SETTLE`` s, default 180) for the cron
worker to run the jobs scheduled last.

It stops after ``--duration`` seconds or ``--max-requests`` requests, whichever comes first, and
prints the requests per second, the median and 95th percentile latency per kind of request and
every error. Then it checks by SQL: no duplicate complaint or agreement reference, no escalation
activity created twice, every complaint submitted and every order confirmed by a client present
in the state the client left it in (no lost write), the scheduled jobs that failed during the run
(``Job ... failed`` in the server log, ``ir_cron.failure_count``) and the tracebacks of the
server log since the start, all counted as errors. The exit code is 1 when any error was found.

Usage (the demo server of ``make run``; the defaults match ``tools/crm.sh run``)::

    WORKERS=3 make run > .run/server.log 2>&1 &
    .venv/bin/python bench/bench_load.py --url http://127.0.0.1:8069 --db customer_relations \
        --pg-host .run/pgdata/socket --pg-port 15431 --server-log .run/server.log

``make bench`` passes Odoo options for its scratch database (no demo users): there the script
only prints this usage, unless ``BENCH_LOAD_URL`` is set (then the other settings come from
``BENCH_LOAD_DB``, ``BENCH_LOAD_PG_HOST``, ``BENCH_LOAD_PG_PORT``, ``BENCH_LOAD_LOG``).
"""

import argparse
import collections
import os
import random
import re
import statistics
import sys
import threading
import time
import uuid
from urllib.parse import urlparse

import psycopg2
import requests

PORTAL_LOGIN = "bench_portal"
PASSWORDS = {
    "admin": "admin",
    "wangwei": "wangwei",
    "chenjing": "chenjing",
    "lina": "lina",
    "liuyang": "liuyang",
    "zhangmin": "zhangmin",
    PORTAL_LOGIN: PORTAL_LOGIN,
}
CRONS = (
    "customer_relations.ir_cron_customer_complaint_sla",
    "customer_relations.ir_cron_customer_agreement_daily",
)


# ----------------------------------------------------------------------------------------
# Recording
# ----------------------------------------------------------------------------------------
class Recorder:
    def __init__(self, max_requests, deadline):
        self.lock = threading.Lock()
        self.latencies = collections.defaultdict(list)
        self.errors = []
        self.count = 0
        self.max_requests = max_requests
        self.deadline = deadline
        self.submitted = {}  # complaint id -> state the client left it in
        self.confirmed_orders = set()

    def running(self):
        return self.count < self.max_requests and time.monotonic() < self.deadline

    def add(self, kind, seconds, error=None):
        with self.lock:
            self.count += 1
            self.latencies[kind].append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


class RpcError(Exception):
    pass


class Client:
    """One person: a requests session logged in on the server."""

    def __init__(self, url, db, login, recorder):
        self.url = url.rstrip("/")
        self.db = db
        self.login = login
        self.recorder = recorder
        self.session = requests.Session()
        self.uid = None

    def _json(self, path, params, kind):
        start = time.monotonic()
        error = None
        try:
            response = self.session.post(
                self.url + path, json={"jsonrpc": "2.0", "method": "call", "params": params}, timeout=300
            )
            response.raise_for_status()
            payload = response.json()
            if payload.get("error"):
                data = payload["error"].get("data") or {}
                error = f"{data.get('name', '')}: {data.get('message') or payload['error'].get('message')}"
                raise RpcError(error)
            return payload.get("result")
        except RpcError:
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise RpcError(error) from exc
        finally:
            if kind:
                self.recorder.add(kind, time.monotonic() - start, error and f"{self.login}: {error}")

    def authenticate(self):
        result = self._json(
            "/web/session/authenticate",
            {"db": self.db, "login": self.login, "password": PASSWORDS[self.login]},
            "authenticate",
        )
        self.uid = result["uid"]
        return self

    def call(self, model, method, *args, kind=None, **kwargs):
        return self._json(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            kind or f"{model}.{method}",
        )

    def http(self, kind, method, path, **kwargs):
        start = time.monotonic()
        error = None
        try:
            response = self.session.request(method, self.url + path, timeout=300, **kwargs)
            if response.status_code >= 400:
                error = f"HTTP {response.status_code} on {path}"
            return response
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            return None
        finally:
            self.recorder.add(kind, time.monotonic() - start, error and f"{self.login}: {error}")


# ----------------------------------------------------------------------------------------
# Roles
# ----------------------------------------------------------------------------------------
def account_manager(client, context):
    rng = random.Random(client.login)
    while client.recorder.running():
        try:
            step = rng.random()
            if step < 0.3:
                client.call(
                    "res.partner",
                    "web_search_read",
                    domain=[("is_company", "=", True)],
                    specification={"display_name": {}, "customer_tier": {}, "account_class": {}, "user_id": {}},
                    limit=80,
                    kind="browse customers (web_search_read)",
                )
            elif step < 0.5:
                client.call(
                    "customer.value",
                    "web_search_read",
                    domain=[],
                    specification={"partner_id": {}, "revenue": {}, "growth": {}, "order_count": {}},
                    limit=80,
                    kind="customer value list (web_search_read)",
                )
            elif step < 0.65:
                client.call(
                    "customer.value",
                    "read_group",
                    [],
                    ["revenue:sum", "order_count:sum"],
                    ["region_id"],
                    lazy=False,
                    kind="customer value grouped (read_group)",
                )
            else:
                partners = context["agreement_partners"] if rng.random() < 0.5 else context["partners"]
                partner = rng.choice(partners)
                order_id = client.call(
                    "sale.order",
                    "create",
                    [
                        {
                            "partner_id": partner,
                            "user_id": client.uid,
                            "order_line": [
                                (0, 0, {"product_id": rng.choice(context["products"]), "product_uom_qty": 5})
                            ],
                        }
                    ],
                    kind="create quotation",
                )[0]
                client.call("sale.order", "action_confirm", [order_id], kind="confirm order")
                with client.recorder.lock:
                    client.recorder.confirmed_orders.add(order_id)
        except RpcError:
            pass


def sales_service(client, context):
    """Two of them: each answers its own half of the complaints (by id), as a team splits work."""
    with client.recorder.lock:
        slot = context.setdefault("sales_slots", 0)
        context["sales_slots"] += 1
    rng = random.Random(client.login + str(slot))
    while client.recorder.running():
        try:
            if rng.random() < 0.6:
                complaint_id = client.call(
                    "customer.complaint",
                    "create",
                    [
                        {
                            "title": f"Bench complaint {uuid.uuid4().hex[:8]}",
                            "partner_id": rng.choice(context["partners"]),
                            "category_id": rng.choice(context["categories"]),
                            "description": "<p>Parts arrived scratched.</p>",
                        }
                    ],
                    kind="create complaint",
                )[0]
                client.call("customer.complaint", "action_submit", [complaint_id], kind="submit complaint")
                with client.recorder.lock:
                    client.recorder.submitted.setdefault(complaint_id, "routing")
            else:
                found = client.call(
                    "customer.complaint",
                    "search",
                    [("state", "=", "feedback")],
                    limit=10,
                    kind="complaints to reply (search)",
                )
                found = [complaint_id for complaint_id in found if complaint_id % 2 == slot % 2]
                if not found:
                    continue
                complaint_id = rng.choice(found)
                client.call(
                    "customer.complaint",
                    "write",
                    [complaint_id],
                    {"reply": "<p>We replaced the parts; sorry for the trouble.</p>"},
                    kind="write reply",
                )
                client.call("customer.complaint", "action_reply", [complaint_id], kind="reply (workflow button)")
        except RpcError:
            pass


def department_head(client, context):
    rng = random.Random(client.login)
    while client.recorder.running():
        try:
            found = client.call(
                "customer.complaint",
                "web_search_read",
                domain=[("state", "=", "routing"), ("department_id", "!=", False)],
                specification={"name": {}, "department_id": {}, "sla_warning_level": {}},
                limit=10,
                kind="routed complaints (web_search_read)",
            )
            if not found["records"]:
                time.sleep(0.2)
                continue
            complaint_id = rng.choice(found["records"])["id"]
            client.call(
                "customer.complaint",
                "action_confirm_department",
                [complaint_id],
                kind="confirm department (workflow button)",
            )
            with client.recorder.lock:
                if complaint_id in client.recorder.submitted:
                    client.recorder.submitted[complaint_id] = "investigating"
        except RpcError:
            pass


def quality(client, context):
    rng = random.Random(client.login)
    while client.recorder.running():
        try:
            client.call(
                "customer.complaint",
                "read_group",
                [("is_quality", "=", True)],
                ["effectiveness"],
                ["effectiveness"],
                lazy=False,
                kind="quality complaints by effectiveness (read_group)",
            )
            found = client.call(
                "customer.complaint",
                "search",
                [("is_quality", "=", True), ("state", "=", "replied"), ("effectiveness", "=", False)],
                limit=5,
                kind="complaints to check (search)",
            )
            if found and rng.random() < 0.5:
                wizard = client.call(
                    "customer.complaint.effectiveness.wizard",
                    "create",
                    [{"complaint_ids": [(6, 0, [rng.choice(found)])], "result": "effective", "evidence": "Bench"}],
                    kind="effectiveness wizard (create)",
                )[0]
                client.call(
                    "customer.complaint.effectiveness.wizard",
                    "action_confirm",
                    [wizard],
                    kind="check effectiveness (wizard)",
                )
        except RpcError:
            pass


CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
NEW_ID = re.compile(r"/my/complaints/(\d+)")


def portal(client, context):
    rng = random.Random(client.login)
    while client.recorder.running():
        client.http("portal: my complaints", "GET", "/my/complaints")
        page = client.http("portal: complaint form", "GET", "/my/complaints/new")
        match = page is not None and CSRF.search(page.text)
        if not match:
            continue
        response = client.http(
            "portal: submit complaint",
            "POST",
            "/my/complaints/new",
            data={
                "csrf_token": match.group(1),
                "category_id": rng.choice(context["categories"]),
                "title": f"Portal bench {uuid.uuid4().hex[:8]}",
                "description": "The last delivery was short by two cartons.",
            },
        )
        found = response is not None and NEW_ID.search(response.url)
        if found:
            with client.recorder.lock:
                client.recorder.submitted.setdefault(int(found.group(1)), "new")
        elif response is not None:
            client.recorder.add("portal: submit complaint", 0, f"{client.login}: no complaint page after submitting")


def age_milestones(cr, count):
    """Move the marks of ``count`` running, never escalated milestones into the past (the
    oldest complaints first, the bench's own included) so that the SLA job has work."""
    cr.execute(
        """
        WITH picked AS (
            SELECT id FROM customer_complaint_sla
             WHERE status = 'running' AND escalated_level = 'none' AND warning_level IN ('green', 'yellow')
          ORDER BY id LIMIT %s)
        UPDATE customer_complaint_sla s
           SET yellow_at = now() at time zone 'UTC' - interval '3 hours',
               orange_at = now() at time zone 'UTC' - interval '2 hours',
               deadline = now() at time zone 'UTC' - interval '1 hour'
          FROM picked WHERE s.id = picked.id
        """,
        [count],
    )
    aged = cr.rowcount
    cr.connection.commit()
    return aged


def scheduler(client, context, duration, pg):
    """Admin: at 10/40/70 % of the run, ages milestones and makes the cron worker run the SLA
    and the daily agreement jobs; at 40 % also runs both by hand ("Run manually")."""
    start = time.monotonic()
    cron_ids = context["crons"]
    connection = psycopg2.connect(**pg)
    cr = connection.cursor()
    for share, by_hand in ((0.1, False), (0.4, True), (0.7, False)):
        while time.monotonic() - start < share * duration:
            if not client.recorder.running():
                return
            time.sleep(0.5)
        context["aged"] += age_milestones(cr, context["age"])
        try:
            client.call(
                "ir.cron",
                "write",
                cron_ids,
                {"nextcall": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 60))},
                kind="admin: schedule the jobs now",
            )
            context["scheduled_at"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
            if by_hand:
                for cron_id in cron_ids:
                    client.call("ir.cron", "method_direct_trigger", [cron_id], kind="admin: run a job by hand")
        except RpcError:
            pass
    connection.close()


def wait_for_jobs(cr, context, timeout):
    """Wait until the cron worker has run the jobs scheduled last (their next call moved on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and context.get("scheduled_at"):
        cr.connection.rollback()
        cr.execute(
            "SELECT COUNT(*) FROM ir_cron WHERE id IN %s AND nextcall <= %s",
            [tuple(context["crons"]), context["scheduled_at"]],
        )
        if not cr.fetchone()[0]:
            return True
        time.sleep(2)
    return False


# ----------------------------------------------------------------------------------------
# Races: two people press the same button at the same moment
# ----------------------------------------------------------------------------------------
def race(clients, model, method, record_id, kind):
    """Both clients call ``method`` on the record at once; return their outcomes."""
    barrier = threading.Barrier(len(clients))
    outcomes = [None] * len(clients)

    def press(index, client):
        barrier.wait()
        try:
            client.call(model, method, [record_id], kind=None)
            outcomes[index] = "ok"
        except RpcError as exc:
            outcomes[index] = str(exc)

    threads = [threading.Thread(target=press, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def races(url, db, cr, context, rounds):
    """Two managers confirm the same complaint, two managers approve the same tier review:
    exactly one succeeds, the other gets a clear message (a UserError, not a traceback), and the
    record ends in one consistent state."""
    recorder = Recorder(10**9, float("inf"))
    first = Client(url, db, "liuyang", recorder).authenticate()
    second = Client(url, db, "admin", recorder).authenticate()
    problems = []
    summary = collections.Counter()
    for index in range(rounds):
        complaint = first.call(
            "customer.complaint",
            "create",
            [
                {
                    "title": f"Race {index}",
                    "partner_id": context["partners"][index % len(context["partners"])],
                    "category_id": context["categories"][0],
                    "description": "<p>Race</p>",
                }
            ],
        )[0]
        first.call("customer.complaint", "action_submit", [complaint])
        outcomes = race([first, second], "customer.complaint", "action_confirm_department", complaint, "race")
        summary.update("ok" if o == "ok" else o.split(":")[0] for o in outcomes)
        cr.connection.rollback()
        cr.execute("SELECT state FROM customer_complaint WHERE id = %s", [complaint])
        state = cr.fetchone()[0]
        cr.execute(
            "SELECT COUNT(*) FROM customer_complaint_transition WHERE complaint_id = %s AND to_state = 'investigating'",
            [complaint],
        )
        moves = cr.fetchone()[0]
        if outcomes.count("ok") != 1 or state != "investigating" or moves != 1:
            problems.append(f"complaint race {complaint}: {outcomes}, state {state}, {moves} transitions")
        for outcome in outcomes:
            if outcome != "ok" and not outcome.startswith(("odoo.exceptions.UserError", "odoo.exceptions.AccessError")):
                problems.append(f"complaint race {complaint}: unclear message {outcome[:200]}")
    # the demo company's policy (the Chinese localisation's demo adds companies of its own)
    cr.execute(
        """SELECT p.id, p.company_id FROM customer_tier_policy p
             JOIN ir_model_data d ON d.model = 'res.company' AND d.res_id = p.company_id
            WHERE p.active AND d.module = 'base' AND d.name = 'main_company'"""
    )
    policy, company = cr.fetchone()
    for _index in range(rounds):
        review = first.call(
            "customer.tier.review",
            "create",
            [{"policy_id": policy, "company_id": company, "review_type": "annual"}],
        )[0]
        first.call("customer.tier.review", "action_compute", [review])
        first.call("customer.tier.review", "action_submit", [review])
        outcomes = race([first, second], "customer.tier.review", "action_approve", review, "race")
        summary.update("ok" if o == "ok" else o.split(":")[0] for o in outcomes)
        cr.connection.rollback()
        cr.execute("SELECT state FROM customer_tier_review WHERE id = %s", [review])
        state = cr.fetchone()[0]
        cr.execute(
            """SELECT COUNT(*) FROM (SELECT partner_id FROM customer_tier_history WHERE review_id = %s
                GROUP BY partner_id HAVING COUNT(*) > 1) twice""",
            [review],
        )
        twice = cr.fetchone()[0]
        if outcomes.count("ok") != 1 or state != "approved" or twice:
            problems.append(f"review race {review}: {outcomes}, state {state}, {twice} customers changed twice")
        for outcome in outcomes:
            if outcome != "ok" and not outcome.startswith(("odoo.exceptions.UserError", "odoo.exceptions.AccessError")):
                problems.append(f"review race {review}: unclear message {outcome[:200]}")
    return problems, summary


# ----------------------------------------------------------------------------------------
# Set-up and checks
# ----------------------------------------------------------------------------------------
def prepare(args, cr, admin):
    cr.execute(
        "SELECT res_id FROM ir_model_data WHERE module = 'customer_relations' AND name IN %s",
        [tuple(name.split(".")[1] for name in CRONS)],
    )
    crons = [row[0] for row in cr.fetchall()]
    cr.execute(
        """SELECT DISTINCT a.partner_id FROM customer_agreement a
            WHERE a.state = 'active' AND a.date_start <= CURRENT_DATE AND a.date_end >= CURRENT_DATE"""
    )
    agreement_partners = [row[0] for row in cr.fetchall()]
    cr.execute(
        """SELECT id FROM res_partner WHERE is_company AND active AND customer_rank > 0
            ORDER BY id LIMIT 60"""
    )
    partners = [row[0] for row in cr.fetchall()]
    cr.execute("SELECT id FROM customer_complaint_category WHERE active ORDER BY id")
    categories = [row[0] for row in cr.fetchall()]
    cr.execute(
        """SELECT pp.id FROM product_product pp JOIN product_template pt ON pt.id = pp.product_tmpl_id
            WHERE pt.sale_ok AND pp.active AND pt.active AND pt.type = 'consu' ORDER BY pp.id LIMIT 20"""
    )
    products = [row[0] for row in cr.fetchall()]
    if not (crons and partners and categories and products):
        raise SystemExit("This is not the demo database of customer_relations (no customers, products, jobs).")
    # The portal customer: a contact of the first customer, created once through the ORM.
    if not admin.call("res.users", "search", [("login", "=", PORTAL_LOGIN)], kind="set-up"):
        contact = admin.call(
            "res.partner",
            "create",
            [{"name": "Bench portal contact", "parent_id": partners[0], "email": "bench.portal@example.com"}],
            kind="set-up",
        )[0]
        portal_group = admin.call("ir.model.data", "check_object_reference", "base", "group_portal", kind="set-up")[1]
        admin.call(
            "res.users",
            "create",
            [
                {
                    "login": PORTAL_LOGIN,
                    "password": PORTAL_LOGIN,
                    "partner_id": contact,
                    "groups_id": [(6, 0, [portal_group])],
                }
            ],
            context={"no_reset_password": True},
            kind="set-up",
        )
    cr.execute("SELECT COALESCE(SUM(failure_count), 0) FROM ir_cron WHERE id IN %s", [tuple(crons)])
    failures_before = cr.fetchone()[0]
    cr.connection.commit()
    return {
        "crons": crons,
        "agreement_partners": agreement_partners or partners,
        "partners": partners,
        "categories": categories,
        "products": products,
        "aged": 0,
        "age": max(1, args.age // 3),
        "failures_before": failures_before,
    }


def check(cr, context, recorder, log_path, log_offset):
    problems = []
    cr.connection.rollback()
    cr.execute("SELECT name, COUNT(*) FROM customer_complaint GROUP BY name HAVING COUNT(*) > 1")
    problems += [f"duplicate complaint reference {name} ({count}x)" for name, count in cr.fetchall()]
    cr.execute("SELECT name, COUNT(*) FROM customer_agreement WHERE name <> '/' GROUP BY name HAVING COUNT(*) > 1")
    problems += [f"duplicate agreement reference {name} ({count}x)" for name, count in cr.fetchall()]
    cr.execute(
        """SELECT res_id, user_id, summary, COUNT(*) FROM mail_activity
            WHERE res_model = 'customer.complaint' AND summary LIKE 'SLA %%'
         GROUP BY res_id, user_id, summary HAVING COUNT(*) > 1"""
    )
    problems += [f"escalation twice on complaint {r[0]} for user {r[1]}: {r[2]} ({r[3]}x)" for r in cr.fetchall()]
    cr.execute(
        """SELECT COUNT(*) FROM customer_complaint_sla
            WHERE status = 'running' AND warning_level IN ('orange', 'red') AND escalated_level = 'none'"""
    )
    pending = cr.fetchone()[0]
    order = {"new": 0, "routing": 1, "investigating": 2}
    if recorder.submitted:
        cr.execute("SELECT id, state FROM customer_complaint WHERE id IN %s", [tuple(recorder.submitted)])
        found = dict(cr.fetchall())
        for complaint_id, state in recorder.submitted.items():
            if complaint_id not in found:
                problems.append(f"lost complaint {complaint_id}")
            elif order.get(found[complaint_id], 9) < order[state]:
                problems.append(f"lost write: complaint {complaint_id} is {found[complaint_id]}, expected {state}")
    if recorder.confirmed_orders:
        cr.execute(
            "SELECT COUNT(*) FROM sale_order WHERE id IN %s AND state = 'sale'", [tuple(recorder.confirmed_orders)]
        )
        confirmed = cr.fetchone()[0]
        if confirmed != len(recorder.confirmed_orders):
            problems.append(f"lost write: {len(recorder.confirmed_orders) - confirmed} confirmed orders not confirmed")
    cr.execute(
        "SELECT cron_name, failure_count FROM ir_cron WHERE id IN %s AND failure_count > 0",
        [tuple(context["crons"])],
    )
    cron_failures = cr.fetchall()
    log_failures = tracebacks = 0
    failed_jobs = []
    stats = collections.Counter()
    durations = collections.defaultdict(list)
    if log_path and os.path.exists(log_path):
        with open(log_path, encoding="utf-8", errors="replace") as log:
            log.seek(log_offset)
            for line in log:
                if line.startswith("Traceback"):
                    tracebacks += 1
                elif " failed" in line and "Job " in line:
                    log_failures += 1
                    failed_jobs.append(line.strip()[:200])
                elif "SERIALIZATION_FAILURE" in line or "DEADLOCK_DETECTED" in line:
                    stats["requests retried by Odoo after a conflict"] += 1
                elif "concurrency conflict" in line:
                    stats["job batches retried after a conflict"] += 1
                elif "given up after" in line:
                    stats["job batches left for the next run"] += 1
                elif "started manually" in line:
                    stats["manual job starts (retries included)"] += 1
                match = JOB_DONE.search(line)
                if match:
                    durations[match.group(1)].append(float(match.group(2)))
    return problems, pending, cron_failures, log_failures, failed_jobs, tracebacks, stats, durations


JOB_DONE = re.compile(r"Job '(Customer Relations: [^']+)' \(\d+\) done in ([\d.]+)s")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_LOAD_URL", "http://127.0.0.1:8069"))
    parser.add_argument("--db", default=os.environ.get("BENCH_LOAD_DB", "customer_relations"))
    parser.add_argument("--pg-host", default=os.environ.get("BENCH_LOAD_PG_HOST", ".run/pgdata/socket"))
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("BENCH_LOAD_PG_PORT", "15431")))
    parser.add_argument("--pg-user", default=os.environ.get("BENCH_LOAD_PG_USER", os.environ.get("PG_OS_USER", "crm")))
    parser.add_argument("--server-log", default=os.environ.get("BENCH_LOAD_LOG"))
    parser.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_LOAD_DURATION", "90")))
    parser.add_argument("--max-requests", type=int, default=int(os.environ.get("BENCH_LOAD_MAX_REQUESTS", "4000")))
    parser.add_argument("--races", type=int, default=int(os.environ.get("BENCH_LOAD_RACES", "5")))
    parser.add_argument("--age", type=int, default=int(os.environ.get("BENCH_LOAD_AGE", "150")))
    if any(arg.startswith("--addons-path") for arg in sys.argv[1:]) and not os.environ.get("BENCH_LOAD_URL"):
        print("bench_load drives a running multi-worker demo server; see its docstring:")
        print("  WORKERS=3 make run > .run/server.log 2>&1 &")
        print("  .venv/bin/python bench/bench_load.py --server-log .run/server.log")
        return 0
    args, _odoo_options = parser.parse_known_args()
    host = urlparse(args.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("The load bench only drives a server on the loopback interface.")

    connection = psycopg2.connect(dbname=args.db, host=args.pg_host, port=args.pg_port, user=args.pg_user)
    cr = connection.cursor()
    setup_recorder = Recorder(10**9, float("inf"))
    admin = Client(args.url, args.db, "admin", setup_recorder).authenticate()
    context = prepare(args, cr, admin)
    log_offset = os.path.getsize(args.server_log) if args.server_log and os.path.exists(args.server_log) else 0

    recorder = Recorder(args.max_requests, time.monotonic() + args.duration)
    roles = [
        ("wangwei", account_manager),
        ("chenjing", account_manager),
        ("lina", sales_service),
        ("lina", sales_service),
        ("liuyang", department_head),
        ("zhangmin", quality),
        (PORTAL_LOGIN, portal),
    ]
    threads = []
    start = time.monotonic()
    for login, role in roles:
        client = Client(args.url, args.db, login, recorder)
        try:
            client.authenticate()
        except RpcError as exc:
            print(f"{login} cannot log in: {exc}")
            continue
        threads.append(threading.Thread(target=role, args=(client, context), daemon=True))
    cron_client = Client(args.url, args.db, "admin", recorder).authenticate()
    pg = {"dbname": args.db, "host": args.pg_host, "port": args.pg_port, "user": args.pg_user}
    threads.append(threading.Thread(target=scheduler, args=(cron_client, context, args.duration, pg), daemon=True))
    print(
        f"{len(threads)} clients on {args.url} ({args.db}) for {args.duration:.0f} s or {args.max_requests} "
        f"requests; the SLA and daily jobs run at 10, 40 (also by hand) and 70 %",
        flush=True,
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    # Let the cron worker finish the jobs scheduled during the run.
    settled = wait_for_jobs(cr, context, float(os.environ.get("BENCH_LOAD_SETTLE", "180")))

    print(f"\n{recorder.count} requests in {elapsed:.1f} s: {recorder.count / elapsed:.1f} requests/s")
    print(f"  {'kind':<52} {'count':>6} {'median s':>9} {'p95 s':>7}")
    for kind in sorted(recorder.latencies):
        values = recorder.latencies[kind]
        print(f"  {kind:<52} {len(values):6d} {statistics.median(values):9.3f} {percentile(values, 0.95):7.3f}")
    problems, pending, cron_failures, log_failures, failed_jobs, tracebacks, stats, durations = check(
        cr, context, recorder, args.server_log, log_offset
    )
    print("\nScheduled jobs run by the cron worker (s):")
    for name, values in sorted(durations.items()):
        print(f"  {name:<80} {len(values):3d} runs, max {max(values):7.2f}")
    for label, count in sorted(stats.items()):
        print(f"{label}: {count}")
    print(f"\nClient-visible errors: {len(recorder.errors)}")
    for error in recorder.errors:
        print(f"  {error[:300]}")
    print(f"Consistency problems (SQL): {len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    print(f"SLA milestones aged during the run: {context['aged']}; orange/red still waiting: {pending}")
    if not settled:
        print("  (the cron worker had not run the last scheduled jobs yet)")
    print(f"Scheduled jobs failed (server log): {log_failures}")
    for line in failed_jobs:
        print(f"  {line}")
    print(f"Jobs with failure_count > 0: {cron_failures}")
    print(f"Server-log tracebacks: {tracebacks}" + ("" if args.server_log else " (no --server-log given)"))
    total = len(recorder.errors) + len(problems) + log_failures + tracebacks
    if args.races:
        race_problems, race_summary = races(args.url, args.db, cr, context, args.races)
        print(f"Races ({args.races} complaints, {args.races} reviews, two people at once): {dict(race_summary)}")
        for problem in race_problems:
            print(f"  {problem}")
        total += len(race_problems)
    print(f"TOTAL ERRORS: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
