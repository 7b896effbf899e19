"""Shared helpers of the benchmarks: bootstrap Odoo on the scratch database and clone rows.

Benchmarks are run by ``make bench`` (tools/crm.sh bench), which starts a throwaway
PostgreSQL cluster, installs the addon without demo data and passes the Odoo options on the
command line. They print times and ratios; they never assert on time.
"""

import contextlib
import os
import statistics
import sys
import time


def odoo_env(argv=None):
    """Parse Odoo's options from ``argv`` and return (registry, env on a new cursor)."""
    sys.path.insert(0, os.environ.get("ODOO_SRC", "/opt/odoo"))
    import odoo
    from odoo.tools import config

    config.parse_config(argv if argv is not None else sys.argv[1:])
    dbname = config["db_name"]
    if isinstance(dbname, list):
        dbname = dbname[0]
    registry = odoo.modules.registry.Registry(dbname)
    cr = registry.cursor()
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    return registry, env


def columns_of(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id' "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def clone_rows(cr, table, template_id, count, overrides, series="g"):
    """Insert ``count`` copies of row ``template_id`` of ``table`` in one statement.

    ``overrides`` maps column names to SQL expressions that may use the series number
    ``g`` (1..count); every other column is copied from the template, so NOT NULL columns
    added by any installed module get a valid value.
    """
    columns = columns_of(cr, table)
    # Escape % (modulo in the expressions) for the driver's parameter syntax.
    select = [overrides.get(column, f"t.{column}").replace("%", "%%") for column in columns]
    cr.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(select)} FROM {table} t, generate_series(1, %s) AS {series} WHERE t.id = %s",
        [count, template_id],
    )


@contextlib.contextmanager
def timed(label, results):
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start
    print(f"  {label:<58} {results[label]:9.3f} s", flush=True)


def repeated(label, results, function, count=None):
    """Run ``function`` ``count`` times (env BENCH_REPEAT, default 5); record and print the
    median time, with the fastest and slowest run. Returns the last run's result."""
    count = count or int(os.environ.get("BENCH_REPEAT", "5"))
    times = []
    for _index in range(count):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    times.sort()
    results[label] = statistics.median(times)
    print(f"  {label:<58} {results[label]:9.3f} s  [{times[0]:.3f}-{times[-1]:.3f}]", flush=True)
    return result
