from datetime import date, timedelta
from unittest.mock import MagicMock, patch

from freezegun import freeze_time
from psycopg2 import errors

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, tagged

from ..models import customer_job
from .common import CustomerRelationsCase
from .test_complaint import T0, ComplaintCase


def _fails(function):
    """Whether ``function`` raises (the database changes of the batches it committed stay)."""
    try:
        function()
    except RuntimeError:
        return True
    return False


class TestRunBatch(BaseCase):
    """The batch runner outside tests: commit on success, retry a conflict on a fresh snapshot."""

    def _env(self):
        env = MagicMock()
        return env

    def test_conflicts_are_retried_then_committed_once(self):
        env = self._env()
        calls = []

        def work():
            calls.append(1)
            if len(calls) < 3:
                raise errors.SerializationFailure("could not serialize access due to concurrent update")
            return "done"

        with patch.object(customer_job, "can_commit", return_value=True), patch.object(customer_job.time, "sleep"):
            done, result = customer_job.run_batch(env, work)
        self.assertEqual((done, result), (True, "done"))
        self.assertEqual(len(calls), 3, "the batch is run again after each conflict")
        self.assertEqual(env.cr.rollback.call_count, 2, "each failed attempt is rolled back entirely")
        self.assertEqual(env.cr.commit.call_count, 1)

    def test_a_batch_that_keeps_conflicting_is_left_for_the_next_run(self):
        env = self._env()

        def work():
            raise errors.SerializationFailure("could not serialize access due to concurrent update")

        with (
            patch.object(customer_job, "can_commit", return_value=True),
            patch.object(customer_job.time, "sleep"),
            self.assertLogs(customer_job.__name__, "WARNING") as logs,
        ):
            done, result = customer_job.run_batch(env, work)
        self.assertFalse(done)
        self.assertIn("left for the next run", logs.output[0])
        self.assertEqual(env.cr.rollback.call_count, customer_job.MAX_TRIES)
        env.cr.commit.assert_not_called()

    def test_other_errors_roll_the_batch_back_and_fail_the_job(self):
        env = self._env()

        def work():
            raise ValueError("broken data")

        with patch.object(customer_job, "can_commit", return_value=True), self.assertRaises(ValueError):
            customer_job.run_batch(env, work)
        env.cr.rollback.assert_called_once()
        env.cr.commit.assert_not_called()


@tagged("post_install", "-at_install")
class TestSlaJobUnderLoad(ComplaintCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The signup scope with which Odoo's notifications wrote signup tokens on customers.
        cls.env["ir.config_parameter"].sudo().set_param("auth_signup.invitation_scope", "b2c")

    def _red(self, count):
        complaints = self.env["customer.complaint"]
        for _index in range(count):
            complaints |= self._submitted()
        return complaints

    def test_tokens_exist_from_creation(self):
        complaint = self._complaint()
        self.assertTrue(complaint.access_token, "the portal link works without a later write on the complaint")

    def test_escalation_writes_nothing_on_customers_or_complaints(self):
        complaints = self._red(2)
        tokens = complaints.mapped("access_token")
        # What the submission's own notifications did is not the job's doing: start clean.
        (self.customer | self.contact).sudo().write({"signup_type": False})
        self.env.flush_all()
        with freeze_time(T0 + timedelta(hours=7)):
            self.env["customer.complaint"]._cron_update_sla()
            self.env.flush_all()
        red = complaints.activity_ids.filtered(lambda a: "red" in a.summary and a.user_id == self.manager)
        breached = complaints.sla_ids.filtered(lambda s: s.escalated_level == "red")
        self.assertTrue(breached)
        self.assertEqual(len(breached), 2 * len(complaints), "two milestones breached on each complaint")
        self.assertEqual(len(red), len(complaints), "the manager gets one activity per complaint, not per milestone")
        self.assertEqual(complaints.mapped("access_token"), tokens, "the portal tokens are not rewritten")
        self.assertFalse(
            any((self.customer | self.contact).sudo().mapped("signup_type")),
            "escalating does not prepare signup tokens on the customer and its contacts",
        )
        mails = self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.manager.partner_id.ids)])
        self.assertTrue(mails.filtered(lambda m: complaints[0].name in m.body_html), "the manager is mailed")

    def test_a_batch_failing_half_way_leaves_nothing_half_done(self):
        complaints = self._red(2)
        Sla = type(self.env["customer.complaint.sla"])
        original = Sla.write
        marked = []

        def write(records, vals):
            if "escalated_level" in vals and records:
                marked.append(records)
                if len(marked) == 2:
                    raise RuntimeError("database went away")
            return original(records, vals)

        with freeze_time(T0 + timedelta(hours=7)):
            self.env["customer.complaint.sla"]._update_warning_levels()
            # Other complaints (demo data) are out of this test: as if escalated already.
            self.env["customer.complaint.sla"].search([("complaint_id", "not in", complaints.ids)]).write(
                {"escalated_level": "red"}
            )
            # Not self.assertRaises: Odoo's rolls the whole block back, the kept batches included.
            with patch.object(Sla, "write", write):
                failed = _fails(lambda: self.env["customer.complaint.sla"]._escalate(batch_size=1))
            self.assertTrue(failed, "the job fails visibly")
            complaints.invalidate_recordset()
            kept = complaints.sla_ids.filtered(lambda s: s.escalated_level != "none")
            self.assertTrue(kept)
            self.assertEqual(kept, marked[0], "the first batch is kept, the second left nothing")
            activities = complaints.activity_ids.filtered(lambda a: "SLA" in (a.summary or ""))
            self.assertTrue(activities)
            self.assertEqual(activities.mapped("res_id"), kept.complaint_id.ids * len(activities))
            self.assertEqual(len(activities), len(set(activities.mapped("user_id"))), "one batch's activities")
            escalated, remaining = self.env["customer.complaint.sla"]._escalate(batch_size=1)
            self.assertEqual(remaining, 0, "the next run does what was left")
            self.assertTrue(escalated)
            again, _remaining = self.env["customer.complaint.sla"]._escalate(batch_size=1)
            self.assertEqual(again, 0, "and a further run escalates nothing twice")
        for complaint in complaints:
            red = complaint.activity_ids.filtered(lambda a: a.user_id == self.manager and "red" in a.summary)
            self.assertEqual(len(red), 1, "one activity per complaint")
            self.assertEqual(len(complaint.sla_ids.filtered(lambda s: s.escalated_level == "red")), 2)


@tagged("post_install", "-at_install")
class TestAgreementDailyJob(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Agreement = cls.env["customer.agreement"]
        cls.agreements = Agreement
        for name in ("Bench Laundry", "Harbour Hotels"):
            partner = cls.env["res.partner"].create({"name": name, "is_company": True})
            agreement = Agreement.create(
                {
                    "partner_id": partner.id,
                    "manager_id": cls.user.id,
                    "type_id": cls.env.ref("customer_relations.customer_agreement_type_framework").id,
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2026, 12, 31),
                    "target_ids": [Command.create({"measure": "revenue", "period": "year", "target_value": 1000.0})],
                }
            )
            agreement.action_activate()
            cls.agreements |= agreement

    def _measured_on(self):
        """The agreements' measurement dates as stored in the database."""
        self.env.cr.execute(
            "SELECT id, actuals_date FROM customer_agreement WHERE id IN %s", [tuple(self.agreements.ids)]
        )
        return dict(self.env.cr.fetchall())

    def test_a_failing_agreement_does_not_undo_the_others_and_is_retried(self):
        Agreement = type(self.env["customer.agreement"])
        original = Agreement._update_actuals
        second = self.agreements[1]

        def update(records, as_of=None):
            if second in records:
                raise RuntimeError("connection lost")
            return original(records, as_of)

        measured = []

        def update_logged(records, as_of=None):
            measured.append(records.ids)
            return update(records, as_of)

        # Measured long ago: the job has both to do today.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE customer_agreement SET actuals_date = '2026-01-01' WHERE id IN %s", [tuple(self.agreements.ids)]
        )
        today = fields.Date.context_today(self.agreements[0])
        # Not self.assertRaises: Odoo's rolls the whole block back, the kept batch included.
        with patch.object(Agreement, "_update_actuals", update_logged):
            failed = _fails(lambda: self.env["customer.agreement"]._cron_daily(batch_size=1))
        self.assertTrue(failed, "the job fails visibly")
        self.assertEqual(measured, [self.agreements[:1].ids, second.ids], "one agreement per batch")
        measured_on = self._measured_on()
        self.assertEqual(measured_on[self.agreements[0].id], today, "the first batch is kept")
        self.assertEqual(measured_on[second.id], date(2026, 1, 1), "the failed one is not half-updated")
        self.env["customer.agreement"]._cron_daily(batch_size=1)
        self.assertEqual(set(self._measured_on().values()), {today}, "retried at the next run")

    def test_refresh_runs_in_the_background(self):
        agreement = self.agreements[0]
        with self.assertRaises(AccessError):
            agreement.with_user(self.employee).action_refresh()
        agreement.with_user(self.user).action_refresh()
        self.assertEqual(agreement.job_state, "queued")
        self.assertEqual(agreement.job_requested_by_id, self.user)
        with freeze_time("2026-06-30"):
            self.env["customer.agreement"]._cron_run_jobs()
        self.assertEqual(agreement.job_state, "done")
        self.assertEqual(agreement.actuals_date, date(2026, 6, 30), "measured by the cron")
        self.assertIn(agreement.name, agreement.job_message)


@tagged("post_install", "-at_install")
class TestTierRecomputeInBackground(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_own_company("Background Recompute Works")
        cls.policy = cls.env["customer.tier.policy"]._get_for_company(cls.company)
        customer = cls.env["res.partner"].create({"name": "Lakeside Laundry", "is_company": True})
        product = cls.env["product.product"].create({"name": "Drum", "list_price": 500.0})
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "company_id": cls.company.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 3})],
            }
        )
        order.action_confirm()
        cls.cron = cls.env.ref("customer_relations.ir_cron_customer_tier_policy_jobs")
        cls.manager.company_ids |= cls.company

    def _run_jobs(self, model):
        """Run the model's background cron; return the notifications sent to each user."""
        sent = {}
        Users = type(self.env["res.users"])
        original = Users._bus_send

        def bus_send(users, notification_type, message, /, **kwargs):
            for user in users:
                sent.setdefault(user, []).append((notification_type, message))
            return original(users, notification_type, message, **kwargs)

        with patch.object(Users, "_bus_send", bus_send):
            self.env[model]._cron_run_jobs()
        return sent

    def test_the_button_queues_and_the_cron_computes_and_tells(self):
        policy = self.policy.with_user(self.manager).with_context(allowed_company_ids=self.company.ids)
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])
        policy.action_recompute()
        self.assertEqual(self.policy.job_state, "queued")
        self.assertEqual(self.policy.job_requested_by_id, self.manager)
        self.assertFalse(self.policy.value_count, "nothing is computed inside the request")
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)]), triggers + 1, "cron woken up"
        )
        told = self._run_jobs("customer.tier.policy")
        self.assertEqual(self.policy.job_state, "done")
        self.assertTrue(self.policy.value_count, "the customers were evaluated by the cron")
        self.assertTrue(self.policy.job_started_at)
        self.assertIn(str(self.policy.value_count), self.policy.job_message)
        self.assertEqual(told[self.manager][0][0], "simple_notification", "the manager is told it is done")
        self.assertEqual(told[self.manager][0][1]["message"], self.policy.job_message)
        self.assertEqual(self.env["customer.tier.policy"]._cron_run_jobs(), 0, "nothing left to do")

    def test_a_failed_recompute_is_shown_and_told(self):
        self.policy.with_user(self.manager).with_context(allowed_company_ids=self.company.ids).action_recompute()
        Policy = type(self.env["customer.tier.policy"])
        with (
            patch.object(Policy, "_compute_customer_values", side_effect=UserError("No criterion weights")),
            self.assertLogs("odoo.addons.customer_relations.models.customer_background_job_mixin", "ERROR"),
        ):
            told = self._run_jobs("customer.tier.policy")
        self.assertEqual(self.policy.job_state, "failed")
        self.assertIn("No criterion weights", self.policy.job_message)
        self.assertEqual(told[self.manager][0][1]["type"], "danger", "the manager is told it failed")

    def test_the_run_state_is_kept_by_the_run_only(self):
        for user in (self.user, self.manager):
            for vals in ({"job_state": "done"}, {"job_message": "All fine"}, {"job_requested_by_id": user.id}):
                with self.assertRaises(UserError):
                    self.policy.with_user(user).with_context(allowed_company_ids=self.company.ids).write(vals)
        self.assertEqual(self.policy.job_state, "idle")
        self.assertFalse(self.policy.job_message)

    def test_a_clients_context_defaults_set_no_run_state(self):
        context = {
            "allowed_company_ids": self.company.ids,
            "default_job_state": "done",
            "default_job_message": "All fine",
            "default_job_requested_by_id": self.user.id,
        }
        review = (
            self.env["customer.tier.review"]
            .with_user(self.manager)
            .with_context(**context)
            .create({"policy_id": self.policy.id, "company_id": self.company.id, "review_type": "annual"})
        )
        self.assertEqual(review.job_state, "idle", "a new review has not run")
        self.assertFalse(review.job_message)
        self.assertFalse(review.job_requested_by_id)

    def test_only_who_may_change_the_policy_queues_it(self):
        with self.assertRaises(AccessError):
            self.policy.with_user(self.employee).action_recompute()
        self.assertEqual(self.policy.job_state, "idle")

    def test_a_large_review_is_computed_in_the_background(self):
        self.env["ir.config_parameter"].sudo().set_param("customer_relations.background_threshold", "0")
        review = self.env["customer.tier.review"].create(
            {"policy_id": self.policy.id, "company_id": self.company.id, "review_type": "annual"}
        )
        review.with_user(self.manager).with_context(allowed_company_ids=self.company.ids).action_compute()
        self.assertEqual(review.job_state, "queued")
        self.assertFalse(review.line_ids, "not computed inside the request")
        told = self._run_jobs("customer.tier.review")
        self.assertEqual(review.job_state, "done")
        self.assertTrue(review.line_ids, "the cron computed the lines")
        self.assertIn(self.manager, told)
