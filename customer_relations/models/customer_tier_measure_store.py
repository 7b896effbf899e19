"""The measures of the last recompute from the orders, kept for a re-score (issue #16).

Reading the measures (every confirmed order line of two evaluation windows and every order of
the customers) is most of a recompute. A change of the policy that only moves its scoring
(weights, methods, bounds, tier shares) does not change them: re-scoring after it may start
from the measures read by the last recompute instead of reading the lines again, as long as
they are exactly what reading again would give.

They are kept with the PostgreSQL snapshot they were read in. Every low-level write of the ORM
to the rows they are read from (confirmed orders and their lines, customers' fields that
place them in the population, products' cost, unit and category, categories, units of
measure, ratings) adds a row to ``customer_tier_source_change`` in the writing transaction,
stamped with its transaction id and naming the customer whose measures may have changed (in
every company), or no customer for rows every customer reads (``models/tier_measure_sources.py``).
A row counts when it was committed after the kept measures' snapshot, or added by the reading
transaction after it read them. The kept measures serve a recompute of the same policy, date
and window: the customers named by such rows are measured again (one
statement limited to their orders), the others are taken as kept; a row naming no customer, or
more changed customers than ``RECALL_LIMIT``, makes the recompute read every order again. The
result is exactly what reading every order would give, and is kept in its turn.

Both tables are technical: no person reads them, no menu shows them. Rows of the change log
are removed by the daily recompute once every kept snapshot sees them.
"""

import io
import logging

import psycopg2

from odoo import api, models

from ..engine import pgcopy

_logger = logging.getLogger(__name__)

# Above this many changed customers, reading every order again is about as fast.
RECALL_LIMIT = 5000


class CustomerTierMeasureStore(models.AbstractModel):
    _name = "customer.tier.measure.store"
    _description = "Kept Tiering Measures"

    @api.model
    def _create_tables(self):
        """Called by ``customer.tier.policy.init`` (its table exists then)."""
        cr = self.env.cr
        cr.execute(
            """
            CREATE TABLE IF NOT EXISTS customer_tier_source_change (
                id bigserial PRIMARY KEY,
                partner_id int4,
                xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                create_date timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
            );
            CREATE TABLE IF NOT EXISTS customer_tier_measures_kept (
                policy_id int4 PRIMARY KEY REFERENCES customer_tier_policy (id) ON DELETE CASCADE,
                on_date date NOT NULL,
                evaluation_months int4 NOT NULL,
                snapshot pg_snapshot NOT NULL,
                owner xid8 NOT NULL,
                owner_last int8 NOT NULL,
                measured_at timestamp NOT NULL,
                payload bytea NOT NULL
            );
            -- a binary payload of floats does not compress: stored as it is
            ALTER TABLE customer_tier_measures_kept ALTER COLUMN payload SET STORAGE EXTERNAL;
            """
        )

    @api.model
    def _sources_changed(self, partner_ids=None):
        """Record, in the current transaction, that rows the measures are read from changed.

        :param partner_ids: customers whose measures may have changed, in any company; or
            ``None``: rows every customer reads changed (a product, a unit, a category)
        """
        ids = [None] if partner_ids is None else sorted({partner_id for partner_id in partner_ids if partner_id})
        if ids:
            self.env.cr.execute("INSERT INTO customer_tier_source_change (partner_id) SELECT unnest(%s::int4[])", [ids])

    @api.model
    def _recall(self, policy, on_date):
        """The kept measures of the policy for the date and its window, with the customers
        changed since they were read.

        :return: None when there are none, or when something every customer reads changed;
            else (payload, measured at, ids of the customers to measure again)
        """
        cr = self.env.cr
        cr.execute(
            """SELECT measured_at FROM customer_tier_measures_kept
                WHERE policy_id = %s AND on_date = %s AND evaluation_months = %s""",
            [policy.id, on_date, policy.evaluation_months],
        )
        row = cr.fetchone()
        if not row:
            return None
        cr.execute(
            """
            SELECT DISTINCT c.partner_id
              FROM customer_tier_source_change c, customer_tier_measures_kept s
             WHERE s.policy_id = %s
               AND NOT pg_visible_in_snapshot(c.xid, s.snapshot)
               AND NOT (c.xid = s.owner AND c.id <= s.owner_last)
            """,
            [policy.id],
        )
        changed = [partner_id for (partner_id,) in cr.fetchall()]
        if None in changed:
            return None
        # as raw bytes (a binary COPY): a bytea column is read as hexadecimal text otherwise
        buffer = io.BytesIO()
        cr.copy_expert(
            cr.mogrify(
                "COPY (SELECT payload FROM customer_tier_measures_kept WHERE policy_id = %s) TO STDOUT (FORMAT binary)",
                [policy.id],
            ).decode(),
            buffer,
        )
        payload = pgcopy.read_bytea(buffer.getvalue())
        return (payload, row[0], changed) if payload is not None else None

    @api.model
    def _remember(self, policy, on_date, payload, measured_at):
        """Keep the measures of this transaction's snapshot for the policy.

        When another run of the same policy keeps its own at the same moment, this one gives
        way: keeping them is an optimisation, never a reason to fail the recompute."""
        try:
            with self.env.cr.savepoint(flush=False):
                cr = self.env.cr
                # sent as raw bytes (a binary COPY) into a scratch table, then moved by the server
                cr.execute("DROP TABLE IF EXISTS pg_temp.customer_tier_measure_load")
                cr.execute(
                    """CREATE TEMPORARY TABLE customer_tier_measure_load (payload bytea) ON COMMIT DROP;
                       ALTER TABLE customer_tier_measure_load ALTER COLUMN payload SET STORAGE EXTERNAL"""
                )
                cr.copy_expert(
                    "COPY customer_tier_measure_load FROM STDIN (FORMAT binary)",
                    io.BytesIO(pgcopy.bytea_payload(payload)),
                )
                cr.execute(
                    """
                    INSERT INTO customer_tier_measures_kept
                           (policy_id, on_date, evaluation_months, snapshot, owner, owner_last, measured_at, payload)
                    SELECT %(policy)s, %(date)s, %(months)s, pg_current_snapshot(), pg_current_xact_id(),
                           COALESCE((SELECT MAX(id) FROM customer_tier_source_change
                                      WHERE xid = pg_current_xact_id()), 0),
                           %(now)s, l.payload
                      FROM customer_tier_measure_load l
                    ON CONFLICT (policy_id) DO UPDATE
                       SET on_date = EXCLUDED.on_date, evaluation_months = EXCLUDED.evaluation_months,
                           snapshot = EXCLUDED.snapshot, owner = EXCLUDED.owner, owner_last = EXCLUDED.owner_last,
                           measured_at = EXCLUDED.measured_at, payload = EXCLUDED.payload
                    """,
                    {"policy": policy.id, "date": on_date, "months": policy.evaluation_months, "now": measured_at},
                )
                cr.execute("DROP TABLE pg_temp.customer_tier_measure_load")
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable):
            _logger.info("Measures of policy %s not kept: another run keeps its own", policy.id)

    @api.model
    def _forget(self, policies):
        """Drop the kept measures of these policies (their next recompute reads the orders)."""
        self.env.cr.execute("DELETE FROM customer_tier_measures_kept WHERE policy_id = ANY(%s)", [policies.ids])

    @api.model
    def _prune(self, today):
        """Drop measures of past dates and the changes every kept snapshot already sees (their
        transaction ended before the oldest snapshot was taken)."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute("DELETE FROM customer_tier_measures_kept WHERE on_date < %s", [today])
                self.env.cr.execute(
                    """
                    DELETE FROM customer_tier_source_change
                     WHERE xid < (SELECT COALESCE(MIN(pg_snapshot_xmin(snapshot)),
                                                  pg_snapshot_xmin(pg_current_snapshot()))
                                    FROM customer_tier_measures_kept)
                    """
                )
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable):
            _logger.info("Tiering change log not pruned: a recompute keeps its measures; next run")
