import hashlib
import logging
import time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .customer_job import can_commit, commit, notify_progress, rollback
from .protected_fields import without_defaults

_logger = logging.getLogger(__name__)

THRESHOLD_PARAM = "customer_relations.background_threshold"
JOB_FIELDS = {"job_state", "job_requested_by_id", "job_started_at", "job_duration", "job_message"}

JOB_STATE = [
    ("idle", "Not run in the background"),
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]


class CustomerBackgroundJobMixin(models.AbstractModel):
    """Long work on a record run by a cron worker instead of inside the user's request.

    The button queues the record and wakes the model's cron up (``ir.cron._trigger``); the cron
    runs the queued records one by one, each under a PostgreSQL advisory lock held for the whole
    work (two cron workers or two servers never run the same record, and a record whose worker
    died, e.g. on a server restart, is taken up again by the next run), reports its progress to
    Odoo (``ir.cron._notify_progress``), stores the outcome, start and duration on the record
    and tells the person who asked (a notification in their web client).

    Inheriting models set ``_background_cron`` (the cron's XML id) and implement ``_job_run``.
    """

    _name = "customer.background.job.mixin"
    _description = "Long Work Run in the Background"
    _background_cron = None

    job_state = fields.Selection(JOB_STATE, "Background work", default="idle", readonly=True, copy=False)
    job_requested_by_id = fields.Many2one("res.users", "Requested by", readonly=True, copy=False)
    job_started_at = fields.Datetime("Last run started", readonly=True, copy=False)
    job_duration = fields.Float("Last run took (s)", readonly=True, copy=False, digits=(16, 1))
    job_message = fields.Char("Last run outcome", readonly=True, copy=False)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _check_job_fields(self, field_names):
        """The run's state and outcome are the queue's (written with sudo()), never a client's."""
        if set(field_names) & JOB_FIELDS and not self.env.su:
            raise UserError(self.env._("The background run's state and outcome are kept by the run itself."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_job_fields({name for vals in vals_list for name, value in vals.items() if value})
        # nor a client's ``default_job_*`` context keys
        records = self if self.env.su else without_defaults(self, JOB_FIELDS)
        return super(CustomerBackgroundJobMixin, records).create(vals_list)

    def write(self, vals):
        self._check_job_fields(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------
    def _job_run(self):
        """Do the long work on one record (sudo) and return a short outcome message."""
        raise NotImplementedError

    def _job_title(self):
        self.ensure_one()
        return self.display_name

    # ------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------
    def _job_enqueue(self):
        """Queue these records (the caller has checked the user's rights) and wake the cron up."""
        self.sudo().write({"job_state": "queued", "job_requested_by_id": self.env.uid, "job_message": False})
        self.env.ref(self._background_cron).sudo()._trigger()
        notification = self._job_notification()
        notification["params"]["next"] = {"type": "ir.actions.act_window_close"}
        return notification

    def _job_notification(self):
        """The notification telling the person that these records' work runs in the background."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "%(what)s runs in the background; you will be notified when it is done.",
                    what=", ".join(self.mapped(lambda r: r._job_title())),
                ),
            },
        }

    def _job_is_large(self):
        """Whether the work on these records is larger than a request should handle (system
        parameter ``customer_relations.background_threshold``, default 5,000 of what
        ``_job_size`` counts)."""
        threshold = int(self.env["ir.config_parameter"].sudo().get_param(THRESHOLD_PARAM, "5000"))
        return self._job_size() >= threshold

    def _job_size(self):
        """The size of the work: by default the commercial partners of the records' companies."""
        companies = tuple(self.mapped("company_id").ids) or (self.env.company.id,)
        self.env.cr.execute(
            """SELECT COUNT(*) FROM res_partner
                WHERE parent_id IS NULL AND active AND (company_id IS NULL OR company_id IN %s)""",
            [companies],
        )
        return self.env.cr.fetchone()[0]

    def _job_lock_key(self):
        return int.from_bytes(hashlib.sha1(self._table.encode()).digest()[:4], "big", signed=True)

    @api.model
    def _cron_run_jobs(self, time_budget=None):
        """Run the queued records (and the ones whose worker died) until none is left or the
        time budget is spent; the cron worker runs the job again while some remain."""
        cr = self.env.cr
        key = self._job_lock_key()
        budget = time_budget if time_budget is not None else 600
        start = time.monotonic()
        done = 0
        skipped = set()
        while time.monotonic() - start < budget:
            self.env.flush_all()
            cr.execute(f"SELECT id FROM {self._table} WHERE job_state IN ('queued', 'running') ORDER BY id")
            candidates = [row[0] for row in cr.fetchall() if row[0] not in skipped]
            record = None
            for candidate in candidates:
                cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [key, candidate])
                if cr.fetchone()[0]:
                    record = self.browse(candidate).sudo()
                    break
            if not record:
                break
            try:
                # A fresh snapshot: another worker may have finished it meanwhile.
                commit(self.env)
                record.invalidate_recordset()
                if record.job_state not in ("queued", "running"):
                    skipped.add(record.id)
                    continue
                record._job_execute()
                done += 1
            finally:
                cr.execute("SELECT pg_advisory_unlock(%s, %s)", [key, record.id])
        self.env.flush_all()
        cr.execute(SQL("SELECT COUNT(*) FROM %s WHERE job_state = 'queued'", SQL.identifier(self._table)))
        remaining = cr.fetchone()[0]
        notify_progress(self.env, done, remaining)
        return done

    def _job_execute(self):
        self.ensure_one()
        cr = self.env.cr
        started = fields.Datetime.now()
        clock = time.monotonic()
        self.write({"job_state": "running", "job_started_at": started, "job_duration": 0.0})
        commit(self.env)
        try:
            if can_commit(self.env):
                message = self._job_run()
            else:
                with cr.savepoint():
                    message = self._job_run()
            state = "done"
        except Exception as error:
            rollback(self.env)
            _logger.exception("Background work on %s failed", self)
            state, message = "failed", self._job_failure_message(error)[:500]
        self.write(
            {
                "job_state": state,
                "job_duration": time.monotonic() - clock,
                "job_message": message,
            }
        )
        self._job_notify(state, message)
        commit(self.env)

    def _job_failure_message(self, error):
        """The outcome shown and told when the run failed (the run was rolled back)."""
        return str(error) or type(error).__name__

    def _job_notify(self, state, message):
        user = self.job_requested_by_id
        if not user:
            return
        user._bus_send(
            "simple_notification",
            {
                "type": "success" if state == "done" else "danger",
                "title": self._job_title(),
                "message": message,
                "sticky": state != "done",
            },
        )
