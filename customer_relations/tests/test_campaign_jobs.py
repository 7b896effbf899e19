import io
from datetime import date
from unittest.mock import patch

import openpyxl
from psycopg2 import OperationalError

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CustomerRelationsCase

THRESHOLD = "customer_relations.background_threshold"
MIXIN_LOGGER = "odoo.addons.customer_relations.models.customer_background_job_mixin"


@tagged("post_install", "-at_install")
class TestCampaignInBackground(CustomerRelationsCase):
    """Re-scoring and the Excel summary of a large campaign run in a cron worker."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["customer.satisfaction.dimension"].search([]).active = False
        dimension = cls.env["customer.satisfaction.dimension"].create({"name": "Quality", "weight": 1})
        cls.survey = cls.env["survey.survey"].create({"title": "Annual satisfaction", "access_mode": "public"})
        cls.question = cls.env["survey.question"].create(
            {
                "survey_id": cls.survey.id,
                "title": "Product quality",
                "question_type": "scale",
                "scale_min": 1,
                "scale_max": 5,
                "satisfaction_role": "item",
                "satisfaction_dimension_id": dimension.id,
            }
        )
        customers = cls.env["res.partner"].create([{"name": f"Pump Works {i}", "is_company": True} for i in range(3)])
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
        for answer, value in zip(cls.campaign.user_input_ids.sorted("id"), ("5", "4", "2"), strict=True):
            answer._save_lines(cls.question, value)
            answer._mark_done()
        cls.answers = cls.campaign.user_input_ids
        cls.expected = {a.id: a.satisfaction_index for a in cls.answers}
        cls.cron = cls.env.ref("customer_relations.ir_cron_customer_satisfaction_campaign_jobs")
        cls.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "3")

    def _stale_scores(self):
        """As after a change of the scoring that the answers were not re-scored for yet."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE survey_user_input SET satisfaction_index = 0 WHERE id IN %s", [tuple(self.answers.ids)]
        )
        self.answers.invalidate_recordset()

    def _triggers(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])

    def _run_jobs(self):
        """Run the campaigns' background cron; return the notifications sent to each user."""
        sent = {}
        Users = type(self.env["res.users"])
        original = Users._bus_send

        def bus_send(users, notification_type, message, /, **kwargs):
            for user in users:
                sent.setdefault(user, []).append((notification_type, message))
            return original(users, notification_type, message, **kwargs)

        with patch.object(Users, "_bus_send", bus_send):
            self.env["customer.satisfaction.campaign"]._cron_run_jobs()
        self.campaign.invalidate_recordset()
        self.answers.invalidate_recordset()
        return sent

    def test_a_large_campaign_is_rescored_and_analysed_in_the_background(self):
        self._stale_scores()
        triggers = self._triggers()
        action = self.campaign.with_user(self.quality).action_compute_results()
        self.assertEqual(action["tag"], "display_notification", "the person is told it runs in the background")
        self.assertEqual(self.campaign.job_state, "queued")
        self.assertEqual(self.campaign.job_kind, "results")
        self.assertEqual(self.campaign.job_requested_by_id, self.quality)
        self.assertEqual(self._triggers(), triggers + 1, "the cron worker is woken up")
        self.assertFalse(self.campaign.analysis_date, "nothing is computed inside the request")
        self.assertEqual(set(self.answers.mapped("satisfaction_index")), {0.0})
        with self.assertRaises(UserError):
            self.campaign.with_user(self.quality).action_compute_results()
        told = self._run_jobs()
        self.assertEqual({a.id: a.satisfaction_index for a in self.answers}, self.expected, "every answer re-scored")
        self.assertTrue(self.campaign.analysis_date, "the results are computed")
        self.assertAlmostEqual(self.campaign.index_value, sum(self.expected.values()) / 3)
        self.assertEqual(self.campaign.job_state, "done")
        self.assertTrue(self.campaign.job_started_at)
        self.assertIn("3 answers re-scored", self.campaign.job_message)
        self.assertEqual(told[self.quality][0][1]["message"], self.campaign.job_message, "the person is told")
        self.assertEqual(self.env["customer.satisfaction.campaign"]._cron_run_jobs(), 0, "nothing left to do")

    def test_a_small_campaign_is_computed_at_once(self):
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "4")
        self.assertIs(self.campaign.with_user(self.quality).action_compute_results(), True)
        self.assertTrue(self.campaign.analysis_date)
        self.assertEqual(self.campaign.job_state, "idle")

    def test_closing_a_large_campaign_queues_its_results(self):
        self.campaign.with_user(self.quality).action_close()
        self.assertEqual(self.campaign.state, "closed")
        self.assertEqual(self.campaign.job_state, "queued")
        self._run_jobs()
        self.assertTrue(self.campaign.analysis_date)

    def test_a_large_excel_summary_is_attached_and_linked(self):
        Attachment = self.env["ir.attachment"]
        on_campaign = [("res_model", "=", self.campaign._name), ("res_id", "=", self.campaign.id)]
        self.campaign.with_user(self.user).action_export_xlsx()
        self.assertEqual(self.campaign.job_kind, "export")
        self.assertFalse(Attachment.search_count(on_campaign), "nothing is built inside the request")
        told = self._run_jobs()
        attachment = Attachment.search(on_campaign)
        self.assertEqual(len(attachment), 1)
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=2)}
        self.assertEqual(summary["Answers"], 3)
        self.assertEqual(self.campaign.job_state, "done")
        self.assertIn(attachment.name, self.campaign.job_message)
        self.assertIn(self.user, told)
        message = self.campaign.message_ids.filtered(lambda m: attachment in m.attachment_ids)
        self.assertEqual(len(message), 1, "the file is posted on the campaign")
        self.assertIn(f"/web/content/{attachment.id}", message.body, "with its link")
        self.assertIn(self.user.partner_id, message.notification_ids.res_partner_id, "the person who asked is notified")
        # The one who asked reads the file through the campaign.
        self.assertEqual(attachment.with_user(self.user).read(["name"])[0]["name"], attachment.name)

    def test_a_failing_rescore_is_recorded_and_leaves_the_results_as_they_were(self):
        self._stale_scores()
        self.campaign.with_user(self.quality).action_compute_results()
        Campaign = type(self.env["customer.satisfaction.campaign"])
        with (
            patch.object(Campaign, "_analyse", side_effect=OperationalError("server closed the connection")),
            self.assertLogs(MIXIN_LOGGER, "ERROR"),
        ):
            told = self._run_jobs()
        self.assertEqual(self.campaign.job_state, "failed")
        self.assertIn("failed: server closed the connection", self.campaign.job_message)
        self.assertIn("press the button again", self.campaign.job_message)
        self.assertEqual(told[self.quality][0][1]["type"], "danger", "the person is told it failed")
        self.assertFalse(self.campaign.analysis_date, "no results written")
        self.assertEqual(set(self.answers.mapped("satisfaction_index")), {0.0}, "the failed run's scoring undone")
        # Pressed again, it runs to the end.
        self.campaign.with_user(self.quality).action_compute_results()
        self._run_jobs()
        self.assertEqual(self.campaign.job_state, "done")
        self.assertEqual({a.id: a.satisfaction_index for a in self.answers}, self.expected)

    def test_a_failing_export_leaves_no_file(self):
        self.campaign.with_user(self.user).action_export_xlsx()
        Campaign = type(self.env["customer.satisfaction.campaign"])
        with (
            patch.object(Campaign, "_export_workbook", side_effect=MemoryError()),
            self.assertLogs(MIXIN_LOGGER, "ERROR"),
        ):
            self._run_jobs()
        self.assertEqual(self.campaign.job_state, "failed")
        self.assertIn("Excel summary", self.campaign.job_message)
        self.assertFalse(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", self.campaign._name), ("res_id", "=", self.campaign.id)]
            )
        )

    def test_who_may_queue_and_the_run_state_is_the_runs(self):
        with self.assertRaises(AccessError):
            self.campaign.with_user(self.user).action_compute_results()
        with self.assertRaises(AccessError):
            self.campaign.with_user(self.handler).action_export_xlsx()
        self.assertEqual(self.campaign.job_state, "idle")
        for vals in ({"job_kind": "export"}, {"job_state": "done"}):
            with self.assertRaises(UserError):
                self.campaign.with_user(self.manager).write(vals)
        self.assertFalse(self.campaign.job_kind)
