from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

JOB_KIND = [("results", "Re-score and compute results"), ("export", "Excel summary")]
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CustomerSatisfactionCampaign(models.Model):
    """Re-scoring a large campaign and building its Excel summary run in the background
    (customer.background.job.mixin): the button queues the work for a cron worker, the person
    who asked is told when it is done (the workbook is attached to the campaign and linked in
    the message), the form shows the last run's start, duration and outcome. Campaigns with
    fewer completed answers than ``customer_relations.background_threshold`` stay synchronous."""

    _name = "customer.satisfaction.campaign"
    _inherit = ["customer.satisfaction.campaign", "customer.background.job.mixin"]
    _background_cron = "customer_relations.ir_cron_customer_satisfaction_campaign_jobs"

    job_kind = fields.Selection(JOB_KIND, "Background work kind", readonly=True, copy=False)
    scores_outdated = fields.Boolean(
        related="survey_id.satisfaction_scores_outdated",
        string="Scores outdated",
        help="A scoring setting of the survey changed and its answers are being re-scored in the background.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("analysis_fingerprint", "survey_id.satisfaction_scores_outdated")
    def _compute_results_outdated(self):
        """Results computed before a change of the scoring are outdated until the answers are
        re-scored and the results computed again."""
        result = super()._compute_results_outdated()
        for campaign in self.filtered(lambda c: c.analysis_date and c.scores_outdated):
            campaign.results_outdated = True
        return result

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _check_job_fields(self, field_names):
        if "job_kind" in set(field_names) and not self.env.su:
            raise UserError(self.env._("The background run's state and outcome are kept by the run itself."))
        return super()._check_job_fields(field_names)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_compute_results(self):
        """A large campaign is re-scored (every completed answer) and analysed by a cron worker."""
        self._check_can_run()
        if self and self._job_is_large():
            self._check_no_job_running()
            for campaign in self:
                campaign._check_has_answers()
            return self._job_enqueue_kind("results")
        # A small campaign of a survey whose scores wait for their background re-scoring: its
        # own answers re-scored now (the results read the current settings).
        Input = self.env["survey.user_input"].sudo()
        for campaign in self.filtered("scores_outdated"):
            done = [("satisfaction_campaign_id", "=", campaign.id), ("state", "=", "done")]
            Input.search(done)._compute_satisfaction()
        return super().action_compute_results()

    def action_close(self):
        """Closing a large campaign queues its final results; the campaign is closed at once."""
        self._check_can_run()
        if not (self and self._job_is_large()):
            return super().action_close()
        for campaign in self:
            if campaign.state != "running":
                raise UserError(self.env._("Only a running campaign can be closed."))
        action = self.action_compute_results()
        self.state = "closed"
        return action

    def action_export_xlsx(self):
        """A large campaign's workbook is built by a cron worker and attached to the campaign."""
        self.ensure_one()
        self.check_access("read")
        if not self._job_is_large():
            return super().action_export_xlsx()
        self._check_no_job_running()
        self._check_has_answers(scored=True)
        return self._job_enqueue_kind("export")

    def _job_enqueue_kind(self, kind):
        self.sudo().write({"job_kind": kind})
        return self._job_enqueue()

    def _check_no_job_running(self):
        busy = self.filtered(lambda c: c.job_state in ("queued", "running"))
        if busy:
            raise UserError(
                self.env._(
                    "%(names)s is already being worked on in the background; you will be notified when it is done.",
                    names=", ".join(busy.mapped("name")),
                )
            )

    def _check_has_answers(self, scored=False):
        self.ensure_one()
        domain = [("satisfaction_campaign_id", "=", self.id), ("state", "=", "done")]
        if scored:
            domain.append(("satisfaction_scored", "=", True))
        if not self.env["survey.user_input"].sudo().search_count(domain, limit=1):
            raise UserError(self.env._("%(name)s has no completed answer yet.", name=self.name))

    # ------------------------------------------------------------------
    # Background work (customer.background.job.mixin)
    # ------------------------------------------------------------------
    def _job_size(self):
        """The completed answers of the campaigns."""
        self.env["survey.user_input"].flush_model(["satisfaction_campaign_id", "state"])
        self.env.cr.execute(
            "SELECT COUNT(*) FROM survey_user_input WHERE satisfaction_campaign_id = ANY(%s) AND state = 'done'",
            [self.ids],
        )
        return self.env.cr.fetchone()[0]

    def _job_title(self):
        self.ensure_one()
        labels = dict(self._fields["job_kind"]._description_selection(self.env))
        return self.env._("%(what)s of %(name)s", what=labels.get(self.job_kind, ""), name=self.name)

    def _job_run(self):
        self.ensure_one()
        # The requester's language: the messages, labels and workbook read as they would in a request.
        lang = self.job_requested_by_id.lang or self.env.lang
        campaign = self.with_context(lang=lang)
        if self.job_kind == "export":
            return campaign._job_export()
        return campaign._job_rescore()

    def _job_rescore(self):
        """Every completed answer re-scored in committed batches (each answer is scored whole in
        one statement, so a batch left over by a failure is simply re-scored by the next run),
        then the results computed and written in one last transaction."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM survey_user_input WHERE satisfaction_campaign_id = %s AND state = 'done' ORDER BY id",
            [self.id],
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if not ids:
            raise UserError(self.env._("%(name)s has no completed answer yet.", name=self.name))
        if not self.env["survey.user_input"]._satisfaction_rescore_committed(ids):
            raise UserError(
                self.env._(
                    "Re-scoring %(name)s kept meeting other people's changes; the next run tries again.",
                    name=self.name,
                )
            )
        super(CustomerSatisfactionCampaign, self.sudo()).action_compute_results()
        return self.env._(
            "%(count)s answers re-scored; satisfaction index %(index)s.",
            count=len(ids),
            index=self._fmt(self.index_value),
        )

    def _job_export(self):
        """The workbook built as the export button builds it, attached to the campaign and sent
        to the person who asked (a message on the campaign with the file and its link)."""
        answers = self.env["survey.user_input"].search(
            [("satisfaction_campaign_id", "=", self.id), ("state", "=", "done"), ("satisfaction_scored", "=", True)],
            order="id",
        )
        if not answers:
            raise UserError(self.env._("%(name)s has no completed answer yet.", name=self.name))
        content = self._export_workbook(answers, self._analyse(answers, self.previous_id))
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"{self.name}.xlsx",
                    "raw": content,
                    "mimetype": XLSX_MIMETYPE,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        url = f"/web/content/{attachment.id}?download=true"
        requester = self.job_requested_by_id
        self.sudo().message_post(
            body=Markup('<p>%s <a href="%s">%s</a></p>')
            % (
                self.env._("The Excel summary of %(answers)s answers is ready:", answers=len(answers)),
                url,
                attachment.name,
            ),
            attachment_ids=attachment.ids,
            partner_ids=requester.partner_id.ids,
            subtype_xmlid="mail.mt_note",
        )
        return self.env._("Excel summary ready: %(file)s (attached to the campaign).", file=attachment.name)

    def _job_failure_message(self, error):
        if isinstance(error, UserError):
            return super()._job_failure_message(error)
        return self.env._(
            "%(what)s failed: %(error)s. The results and files were left as they were; press the button again.",
            what=self._job_title(),
            error=super()._job_failure_message(error),
        )
