from odoo import api, fields, models
from odoo.exceptions import UserError

from .customer_background_job_mixin import JOB_FIELDS, THRESHOLD_PARAM
from .customer_job import commit, run_batch
from .protected_fields import without_defaults

#: kept by the scoring itself (written with sudo() only), never by a client
SCORING_STATE_FIELDS = {"satisfaction_scores_outdated", "satisfaction_scoring_version"}


class SurveySurvey(models.Model):
    """A change of a scoring setting (dimension weight, item weight, reverse flag, role, choice
    value...) re-scores the survey's completed answers. Up to ``customer_relations.
    background_threshold`` completed answers that happens inside the request, as the setting
    is saved; above it the survey's scores are marked outdated (the campaigns show it) and a
    cron worker re-scores them in committed batches (customer.background.job.mixin), then
    tells the person who changed the setting. Each change counts one scoring version: a change
    saved while the re-scoring runs makes it run again, so the scores always end on the last
    settings, and a run that fails half-way leaves them marked outdated."""

    _name = "survey.survey"
    _inherit = ["survey.survey", "customer.background.job.mixin"]
    _background_cron = "customer_relations.ir_cron_survey_satisfaction_rescore"

    satisfaction_scores_outdated = fields.Boolean(
        "Satisfaction scores outdated",
        readonly=True,
        copy=False,
        help="A scoring setting changed and the completed answers are still to be re-scored in the background.",
    )
    satisfaction_scoring_version = fields.Integer(
        readonly=True, copy=False, help="Counts the changes of the scoring settings that called for a re-scoring."
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _check_job_fields(self, field_names):
        if set(field_names) & SCORING_STATE_FIELDS and not self.env.su:
            raise UserError(self.env._("The background run's state and outcome are kept by the run itself."))
        return super()._check_job_fields(field_names)

    @api.model_create_multi
    def create(self, vals_list):
        """A client's ``default_*`` context keys never set the run's state or the outdated mark."""
        records = self if self.env.su else without_defaults(self, JOB_FIELDS | SCORING_STATE_FIELDS)
        return super(SurveySurvey, records).create(vals_list)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_satisfaction_rescore(self):
        """Re-score the completed answers now (after a failed background run, for instance):
        at once up to the threshold, in the background above it. Whoever may edit the survey."""
        self.check_access("write")
        self._satisfaction_rescore()
        if self.filtered(lambda s: s.job_state == "queued"):
            return self.filtered(lambda s: s.job_state == "queued")._job_notification()
        return True

    # ------------------------------------------------------------------
    # Business: re-scoring after a change of the scoring settings
    # ------------------------------------------------------------------
    def _satisfaction_answer_counts(self):
        """{survey id: completed answers} (one query)."""
        self.env["survey.user_input"].flush_model(["survey_id", "state"])
        self.env.cr.execute(
            "SELECT survey_id, COUNT(*) FROM survey_user_input WHERE survey_id = ANY(%s) AND state = 'done' "
            "GROUP BY survey_id",
            [self.ids],
        )
        return dict(self.env.cr.fetchall())

    def _satisfaction_rescore(self):
        """Re-score the completed answers of these surveys: inside the request up to the
        threshold, queued for the cron worker above it (the scores marked outdated until it is
        done). The caller has checked that the user may change the scoring."""
        if not self:
            return
        threshold = int(self.env["ir.config_parameter"].sudo().get_param(THRESHOLD_PARAM, "5000"))
        counts = self._satisfaction_answer_counts()
        large = self.filtered(lambda s: counts.get(s.id, 0) >= threshold)
        small = self - large
        if small:
            self.env.flush_all()
            self.env.cr.execute(
                "SELECT id FROM survey_user_input WHERE survey_id = ANY(%s) AND state = 'done' ORDER BY id",
                [small.ids],
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if ids:
                self.env["survey.user_input"].browse(ids).sudo()._compute_satisfaction()
            small.filtered("satisfaction_scores_outdated").sudo().write({"satisfaction_scores_outdated": False})
        if large:
            large._satisfaction_rescore_later()

    def _satisfaction_rescore_later(self):
        """Mark the scores outdated (one more scoring version) and queue the re-scoring unless it
        is queued already: two changes in a row give one run, on the last settings. A run under
        way sees the new version at its end and runs again."""
        for survey in self.sudo():
            survey.write(
                {
                    "satisfaction_scores_outdated": True,
                    "satisfaction_scoring_version": survey.satisfaction_scoring_version + 1,
                }
            )
        idle = self.filtered(lambda s: s.job_state not in ("queued", "running"))
        if idle:
            idle._job_enqueue()

    # ------------------------------------------------------------------
    # Background work (customer.background.job.mixin)
    # ------------------------------------------------------------------
    def _job_size(self):
        return sum(self._satisfaction_answer_counts().values())

    def _job_title(self):
        self.ensure_one()
        return self.env._("Re-scoring of %(survey)s", survey=self.title)

    def _job_run(self):
        """Every completed answer re-scored in committed batches (an answer is scored whole in
        one statement, so a batch left over by a failure is simply re-scored by the next run);
        the scores are marked up to date at the end, and only when no setting changed meanwhile."""
        self.ensure_one()
        lang = self.job_requested_by_id.lang or self.env.lang
        survey = self.with_context(lang=lang)
        version = self.satisfaction_scoring_version
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM survey_user_input WHERE survey_id = %s AND state = 'done' ORDER BY id", [self.id]
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if not self.env["survey.user_input"]._satisfaction_rescore_committed(ids):
            raise UserError(
                survey.env._(
                    "Re-scoring %(survey)s kept meeting other people's changes; the next run tries again.",
                    survey=self.title,
                )
            )
        closed, current = run_batch(
            self.env, lambda: self._satisfaction_close_version(version), "satisfaction re-score"
        )
        if not closed:
            raise UserError(
                survey.env._(
                    "Re-scoring %(survey)s kept meeting other people's changes; the next run tries again.",
                    survey=self.title,
                )
            )
        if current:
            return survey.env._(
                "%(count)s answers of %(survey)s re-scored with the new scoring settings; the results of its "
                "campaigns computed before are outdated: Compute Results brings them up to date.",
                count=len(ids),
                survey=self.title,
            )
        return survey.env._(
            "%(count)s answers of %(survey)s re-scored, but the scoring settings changed again meanwhile: "
            "they are re-scored once more.",
            count=len(ids),
            survey=self.title,
        )

    def _satisfaction_close_version(self, version):
        """Mark the scores up to date when the scoring version is still the one the run started
        with (the survey row locked first, so a change saved meanwhile is seen); return whether
        it was."""
        self.flush_model(["satisfaction_scoring_version"])
        self.env.cr.execute(
            "SELECT satisfaction_scoring_version FROM survey_survey WHERE id = %s FOR NO KEY UPDATE", [self.id]
        )
        current = self.env.cr.fetchone()[0] == version
        if current:
            self.write({"satisfaction_scores_outdated": False})
        else:
            self.invalidate_recordset(["satisfaction_scoring_version"])
        return current

    def _job_execute(self):
        """A change saved while the run was under way: run again (the cron keeps going)."""
        result = super()._job_execute()
        self.invalidate_recordset(["satisfaction_scores_outdated", "job_state"])
        if self.job_state == "done" and self.satisfaction_scores_outdated:
            self.write({"job_state": "queued"})
            commit(self.env)
        return result

    def _job_failure_message(self, error):
        if isinstance(error, UserError):
            return super()._job_failure_message(error)
        return self.env._(
            "%(what)s failed: %(error)s. The scores stay marked outdated; press Re-score Answers on the survey.",
            what=self._job_title(),
            error=super()._job_failure_message(error),
        )
