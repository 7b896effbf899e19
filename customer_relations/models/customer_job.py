"""Short transactions for the addon's scheduled jobs.

A job run by Odoo's cron worker (or by "Run manually" in an HTTP worker) shares the database
with the users' requests. HTTP requests are retried by Odoo on a serialization failure, cron
jobs are not: one conflict fails the whole run. The jobs therefore work in batches, each in its
own short transaction committed on success; a batch that meets a concurrency error is rolled
back (nothing of it stays) and tried again on a fresh snapshot, and left for the next run when
it keeps failing. The batches themselves are idempotent: each one claims the rows it works on
(``FOR NO KEY UPDATE SKIP LOCKED`` where two runs may meet) and marks them done in the same
transaction.

Inside Odoo's tests a transaction cannot be committed: each batch runs in a savepoint instead,
which gives the same all-or-nothing outcome for the batch.
"""

import contextlib
import hashlib
import logging
import random
import time

from psycopg2 import errors

from odoo import modules

_logger = logging.getLogger(__name__)

CONCURRENCY_ERRORS = (errors.SerializationFailure, errors.LockNotAvailable, errors.DeadlockDetected)
MAX_TRIES = 5


def can_commit(env):
    """Whether the job may commit its batches (never inside Odoo's test transactions)."""
    return not modules.module.current_test and not getattr(env.registry, "in_test_mode", lambda: False)()


def run_batch(env, work, label="batch", retry_on=()):
    """Run ``work()`` as one all-or-nothing unit and return ``(True, result)`` when it is done.

    Outside tests: commit after it, or roll it back and try again on a concurrency error (up to
    ``MAX_TRIES`` times, with a short random wait), then give up with ``(False, None)`` so that
    the caller leaves the rest for the next run. Any other error rolls the batch back and is
    raised: the job fails visibly (``failure_count``) and the next run redoes what is left.
    ``retry_on``: more errors to treat as a conflict (e.g. the unique violation of a row another
    run inserted meanwhile: the batch tried again sees it and skips it).
    """
    retryable = CONCURRENCY_ERRORS + tuple(retry_on)
    if not can_commit(env):
        with env.cr.savepoint():
            result = work()
        return True, result
    for attempt in range(1, MAX_TRIES + 1):
        try:
            result = work()
            env.flush_all()
            env.cr.commit()
            return True, result
        except retryable as error:
            env.cr.rollback()
            env.invalidate_all()
            if attempt == MAX_TRIES:
                _logger.warning(
                    "%s: given up after %s concurrency conflicts (%s); left for the next run",
                    label,
                    attempt,
                    error.pgcode,
                )
                return False, None
            _logger.info("%s: concurrency conflict (%s), trying again", label, error.pgcode)
            time.sleep(random.uniform(0.05, 0.2) * attempt)
        except Exception:
            env.cr.rollback()
            env.invalidate_all()
            raise
    return False, None


JOB_LOCK_NAMESPACE = 0x43524D4A  # "CRMJ": the advisory locks of whole jobs


def job_lock_key(name):
    return JOB_LOCK_NAMESPACE, int.from_bytes(hashlib.sha1(name.encode()).digest()[:4], "big", signed=True)


@contextlib.contextmanager
def exclusive(env, name):
    """Run a whole job at most once at a time across workers and servers; yields whether this
    run has it. Odoo's cron lock only covers the cron worker: a job run by hand (or a batch
    commit that releases the cron row's lock) may meet another run. A session advisory lock
    survives the batches' commits and goes with the connection if the worker dies; once it is
    held the transaction is ended, so that the run starts on a snapshot that sees everything the
    previous run committed.
    """
    key = job_lock_key(name)
    env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
    if not env.cr.fetchone()[0]:
        _logger.info("%s: another run is at it; this one does nothing", name)
        yield False
        return
    try:
        commit(env)
        yield True
    except Exception:
        rollback(env)
        raise
    finally:
        env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def commit(env):
    """End the transaction so that what is done stays and the locks go (never in tests)."""
    if can_commit(env):
        env.cr.commit()


def rollback(env):
    """Undo the current transaction (in tests: only the cache is invalidated)."""
    if can_commit(env):
        env.cr.rollback()
    env.invalidate_all()


def notify_progress(env, done, remaining):
    """Odoo 18's cron progress: with ``remaining`` > 0 the cron worker runs the job again soon."""
    env["ir.cron"]._notify_progress(done=done, remaining=remaining)
