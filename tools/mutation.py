"""Mutation testing of customer_relations/engine with cosmic-ray, one score per module.

Usage (from the repository root, with the Odoo virtualenv that has cosmic-ray):

    .venv/bin/python tools/mutation.py [MODULE ...] [--jobs N] [--sample PERCENT] [--show-survivors]
    .venv/bin/python tools/mutation.py [MODULE ...] --rerun-survivors   (after adding tests)

``make mutation`` runs it on every module of ``tools/mutation.toml``; ``MODULES="complaints
tiering" make mutation`` on some. For each module the engine and ``tests/`` are copied into
``.run/mutation/<module>/`` and cosmic-ray mutates that copy (never the work tree), running the
module's pytest files on every mutant. The score is killed / (killed + survived); mutants listed
in ``tools/mutation-equivalent.toml`` (behaviour-preserving changes, each with its reason) are
reported apart and left out of the second score. The survivors of each module are written to
``.run/mutation/<module>/survivors.txt``.
"""

import argparse
import contextlib
import glob
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import toml  # cosmic-ray's own dependency (it reads its configuration with it)

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tools" / "mutation.toml"
EQUIVALENT = ROOT / "tools" / "mutation-equivalent.toml"
WORK = ROOT / ".run" / "mutation"
BIN = Path(sys.executable).parent
SERVER = ROOT / "tools" / "mutation_server.py"


def _load(path):
    return toml.load(path)


def _changed_lines(diff):
    """(original, mutated) text of the lines a cosmic-ray diff changes, stripped."""
    removed, added = [], []
    for line in (diff or "").splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            removed.append(line[1:].strip())
        elif line.startswith("+"):
            added.append(line[1:].strip())
    return " / ".join(removed), " / ".join(added)


def _prepare(module, tests):
    workspace = WORK / module
    shutil.rmtree(workspace, ignore_errors=True)
    shutil.copytree(
        ROOT / "customer_relations" / "engine",
        workspace / "customer_relations" / "engine",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(ROOT / "tests", workspace / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    # Read (never imported) by a test comparing the engine's defaults with the tier policy's.
    shutil.copytree(ROOT / "customer_relations" / "models", workspace / "customer_relations" / "models")
    _write_config(module, tests, workspace)
    return workspace


def _write_config(module, tests, workspace):
    """cosmic-ray's configuration for ``module``, with the test files matching ``tests`` now."""
    files = sorted({str(Path(f).relative_to(ROOT)) for pattern in tests for f in glob.glob(str(ROOT / pattern))})
    if not files:
        sys.exit(f"No test file matches {tests} for {module}")
    config = _load(CONFIG)["cosmic-ray"]
    config["module-path"] = f"customer_relations/engine/{module}.py"
    # -x: the first failure kills the mutant; the fixed Hypothesis profile keeps runs comparable.
    # The client hands the pytest run to the fork server started next to cosmic-ray.
    config["test-command"] = (
        f"{sys.executable} -S {SERVER} client {workspace / 'pytest.sock'} -x -q -p no:cacheprovider {' '.join(files)}"
    )
    (workspace / "cosmic-ray.toml").write_text(toml.dumps({"cosmic-ray": config}))


def _env():
    # No plugin autoloading: the plugins installed with Odoo cost two seconds per pytest start.
    return {**os.environ, "CR_HYPOTHESIS_PROFILE": "mutation", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


def _run(workspace, *command):
    subprocess.run(command, cwd=workspace, check=True, env=_env())


@contextlib.contextmanager
def _fork_server(workspace):
    """The pytest fork server of tools/mutation_server.py, for the time of a cosmic-ray run."""
    sock = workspace / "pytest.sock"
    sock.unlink(missing_ok=True)  # a stale socket would let cosmic-ray start before the server
    timeout = _load(CONFIG)["cosmic-ray"]["timeout"]
    server = subprocess.Popen(
        [sys.executable, str(SERVER), "serve", str(sock), str(timeout)], cwd=workspace, env=_env()
    )
    try:
        for _attempt in range(600):
            if sock.exists() or server.poll() is not None:
                break
            time.sleep(0.1)
        if not sock.exists():
            sys.exit(f"The pytest fork server did not start in {workspace}")
        yield
    finally:
        server.terminate()
        server.wait()


def _sample(workspace, percent, seed=19):
    """Leave a seeded random ``100 - percent`` % of the pending mutants out (a quick estimate)."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    rng = random.Random(seed)
    with use_db(str(workspace / "session.sqlite"), WorkDB.Mode.open) as db:
        mutants = sorted(
            db.pending_work_items, key=lambda i: [(m.start_pos, m.operator_name, m.occurrence) for m in i.mutations]
        )
        for item in mutants:
            if rng.random() * 100.0 >= percent:
                db.set_result(item.job_id, WorkResult(output="Not sampled", worker_outcome=WorkerOutcome.SKIPPED))


def _mutate(module, tests, sample):
    workspace = _prepare(module, tests)
    print(f"== {module}: cosmic-ray in {workspace.relative_to(ROOT)}", flush=True)
    _run(workspace, str(BIN / "cosmic-ray"), "init", "cosmic-ray.toml", "session.sqlite")
    _run(workspace, str(BIN / "cr-filter-operators"), "session.sqlite", "cosmic-ray.toml")
    if sample < 100:
        _sample(workspace, sample)
    with _fork_server(workspace):
        _run(workspace, str(BIN / "cosmic-ray"), "baseline", "cosmic-ray.toml")
        _run(workspace, str(BIN / "cosmic-ray"), "exec", "cosmic-ray.toml", "session.sqlite")
    print(f"== {module}: done", flush=True)


def _rerun_survivors(module, tests):
    """Run the survivors of the last run again against the current tests/.

    Tests only added or made stricter cannot bring a killed mutant back, so only the survivors
    need running again. The engine must be unchanged since that run (the mutants' positions
    would not match): then a full run is needed.
    """
    workspace = WORK / module
    source = ROOT / "customer_relations" / "engine" / f"{module}.py"
    copy = workspace / "customer_relations" / "engine" / f"{module}.py"
    if not copy.exists() or copy.read_bytes() != source.read_bytes():
        sys.exit(f"{module}.py changed since the last run (or there is none): run it in full.")
    shutil.rmtree(workspace / "tests")
    shutil.copytree(ROOT / "tests", workspace / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    _write_config(module, tests, workspace)  # test files added since the run count too
    db = sqlite3.connect(workspace / "session.sqlite")
    with db:
        db.execute("DELETE FROM work_results WHERE upper(test_outcome) = 'SURVIVED'")
    db.close()
    print(f"== {module}: survivors again in {workspace.relative_to(ROOT)}", flush=True)
    with _fork_server(workspace):
        _run(workspace, str(BIN / "cosmic-ray"), "exec", "cosmic-ray.toml", "session.sqlite")
    print(f"== {module}: done", flush=True)


def _results(workspace):
    db = sqlite3.connect(workspace / "session.sqlite")
    rows = db.execute(
        """SELECT s.start_pos_row, s.operator_name, s.definition_name, r.worker_outcome, r.test_outcome,
                  r.diff, r.output
             FROM mutation_specs s JOIN work_results r ON r.job_id = s.job_id"""
    ).fetchall()
    pending = db.execute(
        "SELECT count(*) FROM work_items w WHERE NOT EXISTS (SELECT 1 FROM work_results r WHERE r.job_id = w.job_id)"
    ).fetchone()[0]
    db.close()
    return rows, pending


def score(module, workspace, equivalent, show):
    rows, pending = _results(workspace)
    killed, survivors, timeouts, skipped, broken = 0, [], 0, 0, 0
    for line, operator, definition, worker, test, diff, output in rows:
        worker, test = (worker or "").lower(), (test or "").lower()
        if worker == "skipped":
            skipped += 1
        elif test == "killed":
            killed += 1
            timeouts += output == "timeout"
        elif test == "survived":
            before, after = _changed_lines(diff)
            survivors.append((line, operator, definition, before, after))
        else:
            broken += 1  # incompetent mutant or a worker error: neither killed nor survived
    known = {(e["module"], e["line"], e["mutant"]) for e in equivalent}
    real = [s for s in survivors if (module, s[3], s[4]) not in known]
    listed = len(survivors) - len(real)
    tried = killed + len(survivors)
    with open(workspace / "survivors.txt", "w", encoding="utf-8") as handle:
        for line, operator, definition, before, after in survivors:
            mark = "" if (module, before, after) not in known else "  [equivalent]"
            handle.write(f"{module}.py:{line} {definition} {operator}{mark}\n    - {before}\n    + {after}\n")
    if show:
        print((workspace / "survivors.txt").read_text(), end="")
    return {
        "module": module,
        "mutants": tried,
        "killed": killed,
        "timeouts": timeouts,
        "survived": len(survivors),
        "equivalent": listed,
        "score": 100.0 * killed / tried if tried else 0.0,
        "score_without_equivalent": 100.0 * killed / (tried - listed) if tried - listed else 0.0,
        "filtered": skipped,
        "incompetent": broken,
        "pending": pending,
    }


def main():
    modules = _load(CONFIG)["mutation"]["modules"]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"default: {' '.join(modules)}")
    parser.add_argument("--show-survivors", action="store_true", help="print the surviving mutants")
    parser.add_argument("--report-only", action="store_true", help="score the last run again, run nothing")
    parser.add_argument(
        "--rerun-survivors", action="store_true", help="only the last run's survivors, against the current tests"
    )
    parser.add_argument("--jobs", type=int, default=1, help="modules mutated at the same time (default 1)")
    parser.add_argument("--sample", type=float, default=100.0, help="percent of the mutants to run (default all)")
    args = parser.parse_args()
    chosen = args.modules or list(modules)
    unknown = [m for m in chosen if m not in modules]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; configured: {list(modules)}")
    equivalent = _load(EQUIVALENT).get("equivalent", []) if EQUIVALENT.exists() else []
    if not args.report_only:
        with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
            step = _rerun_survivors if args.rerun_survivors else _mutate
            extra = () if args.rerun_survivors else (args.sample,)
            for future in [pool.submit(step, m, modules[m], *extra) for m in chosen]:
                future.result()
    missing = [m for m in chosen if not (WORK / m / "session.sqlite").exists()]
    if missing:
        sys.exit(f"No mutation run yet for {missing}: run without --report-only first.")
    results = [score(module, WORK / module, equivalent, args.show_survivors) for module in chosen]
    print(f"{'module':<14}{'mutants':>8}{'killed':>8}{'survived':>9}{'equiv.':>7}{'score':>8}{'w/o eq.':>9}")
    for r in results:
        print(
            f"{r['module']:<14}{r['mutants']:>8}{r['killed']:>8}{r['survived']:>9}{r['equivalent']:>7}"
            f"{r['score']:>7.1f}%{r['score_without_equivalent']:>8.1f}%"
        )
    for r in results:
        (WORK / r["module"] / "score.json").write_text(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
