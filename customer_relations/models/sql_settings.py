"""PostgreSQL settings for one statement of a proven hot path.

PostgreSQL compiles a statement whose estimated cost passes ``jit_above_cost`` (100,000) with
LLVM, and inlines and optimises it above ``jit_inline_above_cost`` / ``jit_optimize_above_cost``
(500,000). The tiering measures statement crosses the second line between 20,000 and 100,000
customers: at 100,000 customers and 2,500,000 order lines the compilation took about 7 s of
CPU (``EXPLAIN (ANALYZE)``: Inlining 0.8 s, Optimization 3.7 s, Emission 2.6 s, spread over the
leader and its two parallel workers) for a statement that runs in about 5 s without it, which
made the recompute grow faster than the data. A statement run once per recompute gains
nothing from compiled code; ``without_jit`` turns JIT off for it alone.
"""

import contextlib


@contextlib.contextmanager
def statement_settings(cr, **settings):
    """Change PostgreSQL settings (``set_config(name, value, is_local)``) for the statements run
    inside the block, then put the previous values back, in the same transaction.

    When a statement inside fails, the transaction (or its savepoint) is rolled back by the
    caller, and PostgreSQL undoes the local settings with it: nothing is restored by hand then.
    """
    cr.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(settings)])
    previous = dict(cr.fetchall())
    for name, value in settings.items():
        cr.execute("SELECT set_config(%s, %s, true)", [name, value])
    yield
    for name, value in previous.items():
        cr.execute("SELECT set_config(%s, %s, true)", [name, value])


def without_jit(cr):
    """``statement_settings`` that turns off PostgreSQL's JIT compilation (see the module notes)."""
    return statement_settings(cr, jit="off")
