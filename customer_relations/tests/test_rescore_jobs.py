from datetime import date
from unittest.mock import patch

from psycopg2 import OperationalError

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models import survey_user_input
from .common import CustomerRelationsCase

THRESHOLD = "customer_relations.background_threshold"
MIXIN_LOGGER = "odoo.addons.customer_relations.models.customer_background_job_mixin"


@tagged("post_install", "-at_install")
class TestScoringChangeInBackground(CustomerRelationsCase):
    """A change of a scoring setting on a survey with many completed answers is re-scored by a
    cron worker, not inside the request that saves it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Dimension = cls.env["customer.satisfaction.dimension"]
        Dimension.search([]).active = False
        cls.quality_dim = Dimension.create({"name": "Quality", "weight": 1})
        cls.delivery_dim = Dimension.create({"name": "Delivery", "weight": 1})
        cls.survey = cls.env["survey.survey"].create({"title": "Annual satisfaction", "access_mode": "public"})
        Question = cls.env["survey.question"]
        base = {"survey_id": cls.survey.id, "question_type": "scale", "scale_min": 1, "scale_max": 5}
        cls.q_quality = Question.create(
            {**base, "title": "Quality", "satisfaction_role": "item", "satisfaction_dimension_id": cls.quality_dim.id}
        )
        cls.q_delivery = Question.create(
            {**base, "title": "On time", "satisfaction_role": "item", "satisfaction_dimension_id": cls.delivery_dim.id}
        )
        customers = cls.env["res.partner"].create([{"name": f"Valve Works {i}", "is_company": True} for i in range(3)])
        cls.campaign = cls.env["customer.satisfaction.campaign"].create(
            {
                "name": "2026 satisfaction",
                "survey_id": cls.survey.id,
                "audience_domain": str([("id", "in", customers.ids)]),
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 12, 31),
            }
        )
        cls.campaign.with_context(satisfaction_no_mail=True).action_start()
        cls.values = [(5, 2), (4, 4), (2, 5)]
        cls.answers = cls.campaign.user_input_ids.sorted("id")
        for answer, (quality, delivery) in zip(cls.answers, cls.values, strict=True):
            answer._save_lines(cls.q_quality, str(quality))
            answer._save_lines(cls.q_delivery, str(delivery))
            answer._mark_done()
        cls.campaign.action_compute_results()
        cls.cron = cls.env.ref("customer_relations.ir_cron_survey_satisfaction_rescore")
        cls.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "3")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _expected(self, quality_weight=1.0, delivery_weight=1.0, delivery_reverse=False):
        """Hand arithmetic of each answer's index for the given settings."""
        result = []
        for quality, delivery in self.values:
            delivery_value = (5 - delivery) / 4 * 100 if delivery_reverse else (delivery - 1) / 4 * 100
            weighted = quality_weight * (quality - 1) / 4 * 100 + delivery_weight * delivery_value
            result.append(weighted / (quality_weight + delivery_weight))
        return result

    def _indexes(self):
        self.answers.invalidate_recordset()
        return self.answers.mapped("satisfaction_index")

    def _assert_indexes(self, expected, message=None):
        for found, wanted in zip(self._indexes(), expected, strict=True):
            self.assertAlmostEqual(found, wanted, places=9, msg=message)

    def _triggers(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])

    def _reload(self):
        self.survey.invalidate_recordset()
        self.campaign.invalidate_recordset()

    def _run_jobs(self):
        """Run the re-scoring cron; return the notifications sent to each user and the runs."""
        sent = {}
        runs = []
        Users = type(self.env["res.users"])
        Survey = type(self.env["survey.survey"])
        send, run = Users._bus_send, Survey._job_run

        def bus_send(users, notification_type, message, /, **kwargs):
            for user in users:
                sent.setdefault(user, []).append((notification_type, message))
            return send(users, notification_type, message, **kwargs)

        def job_run(survey):
            runs.append(survey.id)
            return run(survey)

        with patch.object(Users, "_bus_send", bus_send), patch.object(Survey, "_job_run", job_run):
            self.env["survey.survey"]._cron_run_jobs()
        self._reload()
        return sent, runs

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_a_weight_change_on_a_large_survey_is_rescored_in_the_background(self):
        before = self._indexes()
        self.assertFalse(self.campaign.results_outdated)
        triggers = self._triggers()
        self.quality_dim.with_user(self.manager).weight = 3
        self._reload()
        self.assertEqual(self._indexes(), before, "the request that saves the weight re-scores nothing")
        self.assertTrue(self.survey.satisfaction_scores_outdated)
        self.assertEqual(self.survey.job_state, "queued")
        self.assertEqual(self.survey.job_requested_by_id, self.manager)
        self.assertEqual(self._triggers(), triggers + 1, "the cron worker is woken up")
        self.assertTrue(self.campaign.scores_outdated, "the campaign shows the scores outdated")
        self.assertTrue(self.campaign.results_outdated)
        told, runs = self._run_jobs()
        self._assert_indexes(self._expected(quality_weight=3), "every answer re-scored with the new weight")
        self.assertEqual(runs, self.survey.ids)
        self.assertFalse(self.survey.satisfaction_scores_outdated, "the job clears the outdated mark")
        self.assertFalse(self.campaign.scores_outdated)
        self.assertEqual(self.survey.job_state, "done")
        self.assertTrue(self.survey.job_started_at)
        self.assertIn("3 answers of Annual satisfaction re-scored", self.survey.job_message)
        self.assertEqual(told[self.manager][0][1]["message"], self.survey.job_message, "the person is told")
        self.assertEqual(told[self.manager][0][1]["type"], "success")
        self.assertTrue(self.campaign.results_outdated, "the results computed before still predate the weight")
        self.campaign.with_user(self.quality).action_compute_results()  # 3 answers: a background job too
        self.env["customer.satisfaction.campaign"]._cron_run_jobs()
        self._reload()
        self.assertFalse(self.campaign.results_outdated)
        self.assertAlmostEqual(self.campaign.index_value, sum(self._expected(quality_weight=3)) / 3, places=9)
        self.assertEqual(self.env["survey.survey"]._cron_run_jobs(), 0, "nothing left to do")

    def test_two_changes_in_a_row_give_one_run_on_the_last_settings(self):
        triggers = self._triggers()
        self.quality_dim.with_user(self.manager).weight = 3
        self.q_delivery.with_user(self.quality).satisfaction_reverse = True
        self.assertEqual(self._triggers(), triggers + 1, "queued once")
        self.assertEqual(self.survey.satisfaction_scoring_version, 2)
        self._assert_indexes(self._expected(), "nothing re-scored inside the requests")
        _told, runs = self._run_jobs()
        self.assertEqual(runs, self.survey.ids, "one run")
        self._assert_indexes(self._expected(quality_weight=3, delivery_reverse=True), "with the last settings")
        self.assertFalse(self.survey.satisfaction_scores_outdated)

    def test_a_change_saved_during_the_run_runs_it_again(self):
        self.quality_dim.with_user(self.manager).weight = 3
        Input = type(self.env["survey.user_input"])
        original = Input._compute_satisfaction
        calls = []

        def compute(answers, batch=10000):
            calls.append(answers.ids)
            result = original(answers, batch)
            if len(calls) == 1:
                # Saved by someone else while the first batch ran (already scored with weight 3).
                self.q_delivery.with_user(self.quality).satisfaction_reverse = True
            return result

        with patch.object(Input, "_compute_satisfaction", compute):
            _told, runs = self._run_jobs()
        self.assertEqual(runs, self.survey.ids * 2, "the run sees the newer settings at its end and runs again")
        self._assert_indexes(self._expected(quality_weight=3, delivery_reverse=True), "the last settings win")
        self.assertFalse(self.survey.satisfaction_scores_outdated)
        self.assertEqual(self.survey.job_state, "done")

    def test_a_failure_half_way_leaves_the_scores_outdated_and_the_outcome_recorded(self):
        self.quality_dim.with_user(self.manager).weight = 3
        Input = type(self.env["survey.user_input"])
        original = Input._compute_satisfaction
        calls = []

        def compute(answers, batch=10000):
            calls.append(answers.ids)
            if len(calls) == 2:
                raise OperationalError("server closed the connection unexpectedly")
            return original(answers, batch)

        with (
            patch.object(survey_user_input, "RESCORE_BATCH", 1),
            patch.object(Input, "_compute_satisfaction", compute),
            self.assertLogs(MIXIN_LOGGER, "ERROR"),
        ):
            told, _runs = self._run_jobs()
        self.assertEqual(len(calls), 2, "it failed in its second batch")
        self.assertEqual(self.survey.job_state, "failed")
        self.assertIn("server closed the connection", self.survey.job_message)
        self.assertIn("Re-score Answers", self.survey.job_message)
        self.assertEqual(told[self.manager][0][1]["type"], "danger", "the person is told it failed")
        self.assertTrue(self.survey.satisfaction_scores_outdated, "never half re-scored without the banner")
        self.assertTrue(self.campaign.scores_outdated)
        self.assertEqual(self.env["survey.survey"]._cron_run_jobs(), 0, "a failed run waits for a person")
        # Pressed again by whoever may change the scoring, it runs to the end.
        action = self.survey.with_user(self.quality).action_satisfaction_rescore()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self.survey.job_state, "queued")
        self._run_jobs()
        self._assert_indexes(self._expected(quality_weight=3))
        self.assertFalse(self.survey.satisfaction_scores_outdated)

    def test_a_small_campaigns_results_read_its_answers_rescored_while_the_survey_waits(self):
        self.quality_dim.with_user(self.manager).weight = 3
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "4")  # the campaign is computed at once
        self.assertIs(self.campaign.with_user(self.quality).action_compute_results(), True)
        self._assert_indexes(self._expected(quality_weight=3), "its own answers re-scored first")
        self.assertAlmostEqual(self.campaign.index_value, sum(self._expected(quality_weight=3)) / 3, places=9)
        self._reload()
        self.assertTrue(self.survey.satisfaction_scores_outdated, "the survey's own run is still to come")

    def test_below_the_threshold_a_change_is_rescored_at_once(self):
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "4")
        triggers = self._triggers()
        self.quality_dim.with_user(self.manager).weight = 3
        self._assert_indexes(self._expected(quality_weight=3), "re-scored inside the request, as always")
        self.q_delivery.with_user(self.quality).satisfaction_reverse = True
        self._assert_indexes(self._expected(quality_weight=3, delivery_reverse=True))
        self._reload()
        self.assertFalse(self.survey.satisfaction_scores_outdated)
        self.assertEqual(self.survey.job_state, "idle")
        self.assertEqual(self._triggers(), triggers)
        self.assertTrue(self.campaign.results_outdated, "the stored results predate the settings, as before")

    def test_who_may_change_the_scoring_and_the_outdated_mark_is_the_runs(self):
        with self.assertRaises(AccessError):
            self.quality_dim.with_user(self.quality).weight = 3
        with self.assertRaises(AccessError):
            self.q_delivery.with_user(self.employee).satisfaction_reverse = True
        with self.assertRaises(AccessError):
            self.survey.with_user(self.employee).action_satisfaction_rescore()
        self.assertEqual(self.survey.job_state, "idle")
        protected = [{"satisfaction_scores_outdated": False}, {"satisfaction_scoring_version": 0}]
        protected.append({"job_state": "done"})
        for vals in protected:
            with self.assertRaises(UserError):
                self.survey.with_user(self.manager).write(vals)
        context = {"default_satisfaction_scores_outdated": True, "default_job_state": "queued"}
        new = self.env["survey.survey"].with_user(self.quality).with_context(**context).create({"title": "Callback"})
        self.assertFalse(new.satisfaction_scores_outdated, "a context key sets nothing")
        self.assertEqual(new.job_state, "idle")
