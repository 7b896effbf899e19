"""Bad conditions: a connection dropping in the middle of a job, a job interrupted half-way and
run again, two people pressing the same button at the same moment."""

from collections import Counter
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import OperationalError

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from ..engine import complaints as complaint_engine
from .common import CustomerRelationsCase
from .test_complaint import T0, ComplaintCase

PREFIX = "customer_relations.group_customer_relations_"


def _fails(function, error=OperationalError):
    """Whether ``function`` raises ``error`` (what its committed batches did stays)."""
    try:
        function()
    except error:
        return True
    return False


@tagged("post_install", "-at_install")
class TestConnectionDropsInALongJob(CustomerRelationsCase):
    """The daily agreement job over many agreements loses its connection in the middle."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_own_company("Connection Drop Boilers")
        Agreement = cls.env["customer.agreement"]
        cls.agreements = Agreement
        for index in range(4):
            partner = cls.env["res.partner"].create({"name": f"Hotel Chain {index}", "is_company": True})
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
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, actuals_date FROM customer_agreement WHERE id IN %s", [tuple(self.agreements.ids)]
        )
        return dict(self.env.cr.fetchall())

    def test_committed_batches_stay_the_failed_one_is_undone_and_redone_next_run(self):
        Agreement = type(self.env["customer.agreement"])
        original = Agreement._update_actuals
        measured = []
        broken = {"batch": 2}

        def update(records, as_of=None):
            measured.append(records.ids)
            if len(measured) == broken["batch"]:
                # Half the batch written, then the connection goes.
                original(records, as_of)
                raise OperationalError("server closed the connection unexpectedly")
            return original(records, as_of)

        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE customer_agreement SET actuals_date = '2026-01-01' WHERE id IN %s", [tuple(self.agreements.ids)]
        )
        ours = [("company_id", "=", self.company.id)]
        with freeze_time("2026-06-30"), patch.object(Agreement, "_update_actuals", update):
            # Other companies' agreements (demo data) are out of this test.
            self.env["customer.agreement"].search([("company_id", "!=", self.company.id)]).write(
                {"actuals_date": date(2026, 6, 30)}
            )
            failed = _fails(lambda: self.env["customer.agreement"].search(ours)._cron_daily(batch_size=1))
            self.assertTrue(failed, "the job fails visibly (Odoo counts the failure and runs it again)")
            measured_on = self._measured_on()
            first, second = self.agreements[0], self.agreements[1]
            self.assertEqual(measured_on[first.id], date(2026, 6, 30), "the committed batch is kept")
            self.assertEqual(measured_on[second.id], date(2026, 1, 1), "the failed batch left nothing")
            self.assertEqual(
                [measured_on[a.id] for a in self.agreements[2:]], [date(2026, 1, 1)] * 2, "the rest not started"
            )
            broken["batch"] = 0
            measured.clear()
            self.env["customer.agreement"]._cron_daily(batch_size=1)
            self.assertEqual(
                [ids for ids in measured if ids],
                [[a.id] for a in self.agreements[1:]],
                "the next run does only what was left",
            )
            measured.clear()
            self.env["customer.agreement"]._cron_daily(batch_size=1)
            self.assertFalse([ids for ids in measured if ids], "and a further run nothing again")
        self.assertEqual(set(self._measured_on().values()), {date(2026, 6, 30)})


@tagged("post_install", "-at_install")
class TestSlaJobInterrupted(ComplaintCase):
    """The server restarts in the middle of the SLA job; the next run finishes it."""

    def test_each_level_change_and_escalation_exactly_once(self):
        complaints = self.env["customer.complaint"]
        for _index in range(3):
            complaints |= self._submitted()
        Sla = type(self.env["customer.complaint.sla"])
        original_batch = Sla._escalate_batch
        original_levels = Sla._update_warning_levels
        batches = []
        changes = []

        original_escalate = Sla._escalate

        def escalate(records, batch_size=200):
            return original_escalate(records, batch_size=1)

        def escalate_batch(records, limit):
            batches.append(limit)
            if len(batches) == 2:
                raise OperationalError("terminating connection due to administrator command")
            return original_batch(records, limit)

        def update_levels(records, now=None):
            changes.append(original_levels(records, now))
            return changes[-1]

        self.env["customer.complaint.sla"].search([("complaint_id", "not in", complaints.ids)]).write(
            {"escalated_level": "red", "status": "met"}
        )
        now = T0 + timedelta(hours=5, minutes=30)
        with (
            freeze_time(now),
            patch.object(Sla, "_escalate", escalate),
            patch.object(Sla, "_escalate_batch", escalate_batch),
            patch.object(Sla, "_update_warning_levels", update_levels),
        ):
            self.assertTrue(_fails(self.env["customer.complaint"]._cron_update_sla), "interrupted")
            escalated = complaints.sla_ids.filtered(lambda s: s.escalated_level != "none")
            self.assertEqual(escalated.complaint_id, complaints[0], "the first batch (one complaint) is kept")
            self.assertEqual(len(escalated), 2, "with both its milestones; the second batch left nothing")
            self.env["customer.complaint"]._cron_update_sla()
            self.env["customer.complaint"]._cron_update_sla()
        self.assertTrue(changes[0], "the first run changed the levels")
        self.assertEqual(changes[1:], [0, 0], "the runs after it change no level again")
        running = complaints.sla_ids.filtered(lambda s: s.status == "running")
        for sla in running:
            self.assertEqual(
                sla.warning_level, complaint_engine.level_at(fields.Datetime.to_datetime(now), sla._marks())
            )
        to_escalate = running.filtered(lambda s: s.warning_level in ("orange", "red"))
        self.assertEqual(len(to_escalate), 6, "response red and on-site orange on each complaint")
        self.assertEqual({s.id: s.escalated_level for s in to_escalate}, {s.id: s.warning_level for s in to_escalate})
        activities = complaints.activity_ids.filtered(lambda a: "SLA" in (a.summary or ""))
        per_assignment = Counter((a.res_id, a.user_id.id, a.summary) for a in activities)
        self.assertEqual(set(per_assignment.values()), {1}, "no escalation activity twice")
        for complaint in complaints:
            mine = activities.filtered(lambda a, c=complaint: a.res_id == c.id)
            self.assertEqual(len(mine.filtered(lambda a: "(orange)" in a.summary)), 1, "the department head once")
            self.assertIn(self.manager, mine.filtered(lambda a: "(red)" in a.summary).user_id, "the manager once")

    def test_after_a_long_pause_one_activity_per_complaint_and_assignee(self):
        """The job did not run for seven hours (server down): two milestones of each complaint
        are red at once. The manager gets one activity per complaint, for the later one, naming
        both; both count as escalated, also when the catch-up run is interrupted and run again."""
        complaints = self.env["customer.complaint"]
        for _index in range(3):
            complaints |= self._submitted()
        self.env["customer.complaint.sla"].search([("complaint_id", "not in", complaints.ids)]).write(
            {"escalated_level": "red", "status": "met"}
        )
        Sla = type(self.env["customer.complaint.sla"])
        original_batch = Sla._escalate_batch
        original_escalate = Sla._escalate
        batches = []
        broken = {"batch": 2}

        def escalate(records, batch_size=200):
            return original_escalate(records, batch_size=1)

        def escalate_batch(records, limit):
            batches.append(limit)
            if len(batches) == broken["batch"]:
                raise OperationalError("terminating connection due to administrator command")
            return original_batch(records, limit)

        def escalations():
            complaints.invalidate_recordset()
            return complaints.activity_ids.filtered(lambda a: "SLA" in (a.summary or ""))

        with patch.object(Sla, "_escalate", escalate), patch.object(Sla, "_escalate_batch", escalate_batch):
            with freeze_time(T0 + timedelta(hours=7)):
                self.assertTrue(_fails(self.env["customer.complaint"]._cron_update_sla), "interrupted")
                first = escalations()
                self.assertEqual(set(first.mapped("res_id")), set(complaints[0].ids), "the first complaint's batch")
                self.env["customer.complaint"]._cron_update_sla()
                after_catch_up = escalations()
                self.env["customer.complaint"]._cron_update_sla()
                self.assertEqual(escalations(), after_catch_up, "run again: nothing escalated twice")
            for complaint in complaints:
                slas = {s.milestone: s for s in complaint.sla_ids}
                self.assertEqual((slas["response"].warning_level, slas["onsite"].warning_level), ("red", "red"))
                self.assertEqual(slas["response"].escalated_level, "red", "the lower milestone counts as escalated")
                self.assertEqual(slas["onsite"].escalated_level, "red")
                mine = after_catch_up.filtered(lambda a, c=complaint: a.res_id == c.id)
                self.assertEqual(len(mine), len(mine.user_id), "one activity per assignee")
                manager = mine.filtered(lambda a: a.user_id == self.manager)
                self.assertEqual(len(manager), 1, "one activity per complaint, not one per milestone")
                self.assertIn(f"SLA breached (red): On site of {complaint.name}", manager.summary, "the highest")
                self.assertIn("also passed since the last check: First response", manager.summary)
                self.assertIn("First response", manager.note)
                self.assertIn("On site", manager.note)
            # Later, one more milestone late: escalated alone, as always; the earlier ones not again.
            broken["batch"] = 0
            with freeze_time(T0 + timedelta(hours=49)):
                self.env["customer.complaint"]._cron_update_sla()
                self.env["customer.complaint"]._cron_update_sla()
        resolution = escalations() - after_catch_up
        self.assertEqual(
            len(resolution), len(complaints) * len(after_catch_up.filtered(lambda a: a.res_id == complaints[0].id))
        )
        for activity in resolution:
            self.assertIn("SLA breached (red): Resolution of", activity.summary)
            self.assertNotIn("also passed", activity.summary)
            self.assertFalse(activity.note)
        self.assertEqual(
            set(complaints.sla_ids.mapped("escalated_level")), {"red"}, "every milestone escalated exactly at its level"
        )


@tagged("post_install", "-at_install")
class TestTwoPeopleAtOnce(BaseCase):
    """Two people press the same button at the same moment, each in their own database
    transaction (two real connections, as two HTTP workers): both read the record before either
    writes; the first one commits, the second meets PostgreSQL's serialization failure, is
    retried by Odoo (as every HTTP request is) and ends with a clear message. The data is
    committed for real (the other connection must see it) and removed at the end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            cls.first = new_test_user(env, login="cr_atonce_first", groups=PREFIX + "manager", company_id=company.id)
            cls.second = new_test_user(env, login="cr_atonce_second", groups=PREFIX + "manager", company_id=company.id)
            cls.customer = env["res.partner"].create({"name": "Concurrent Laundry", "is_company": True})
            cls.department = env["hr.department"].create({"name": "Concurrent Workshop", "company_id": company.id})
            cls.default_department = company.complaint_default_department_id.id
            company.complaint_default_department_id = cls.department
            complaint = (
                env["customer.complaint"]
                .with_user(cls.first)
                .create(
                    {
                        "title": "Drum bearing noise",
                        "partner_id": cls.customer.id,
                        "category_id": env.ref("customer_relations.customer_complaint_category_quality").id,
                        "description": "<p>Noise after 200 cycles.</p>",
                    }
                )
            )
            complaint.action_submit()
            cls.complaint_id = complaint.id
            policy = env["customer.tier.policy"]._get_for_company(company)
            review = env["customer.tier.review"].create(
                {"policy_id": policy.id, "company_id": company.id, "review_type": "annual", "date": date(2026, 1, 15)}
            )
            env["customer.tier.review.line"].create(
                {
                    "review_id": review.id,
                    "partner_id": cls.customer.id,
                    "current_tier": "c",
                    "proposed_tier": "a",
                    "final_tier": "a",
                    "current_class": "general",
                    "proposed_class": "key",
                    "final_class": "key",
                }
            )
            review.write({"state": "in_review"})
            cls.review_id = review.id
            cls.user_ids = (cls.first | cls.second).ids
            cls.first, cls.second = cls.first.id, cls.second.id
            cls.company_id = company.id
            cls.customer, cls.department = cls.customer.id, cls.department.id
        cls.addClassCleanup(cls._remove_data)

    @classmethod
    def _remove_data(cls):
        with cls.registry.cursor() as cr:
            for model, res_id in (("customer.complaint", cls.complaint_id), ("customer.tier.review", cls.review_id)):
                cr.execute("DELETE FROM mail_activity WHERE res_model = %s AND res_id = %s", [model, res_id])
                cr.execute("DELETE FROM mail_message WHERE model = %s AND res_id = %s", [model, res_id])
                cr.execute("DELETE FROM mail_followers WHERE res_model = %s AND res_id = %s", [model, res_id])
            cr.execute("DELETE FROM customer_complaint WHERE id = %s", [cls.complaint_id])
            cr.execute("DELETE FROM customer_tier_history WHERE review_id = %s", [cls.review_id])
            cr.execute("DELETE FROM customer_tier_review WHERE id = %s", [cls.review_id])
            cr.execute(
                "UPDATE res_company SET complaint_default_department_id = %s WHERE id = %s",
                [cls.default_department or None, cls.company_id],
            )
            cr.execute("UPDATE res_partner SET active = FALSE WHERE id = %s", [cls.customer])
            cr.execute("UPDATE hr_department SET active = FALSE WHERE id = %s", [cls.department])
            cr.execute("UPDATE res_users SET active = FALSE WHERE id = ANY(%s)", [cls.user_ids])

    def _at_once(self, model, record_id, action, read_field):
        """``action`` pressed by both managers in overlapping transactions; returns the second
        one's error (after Odoo's retry) and the errors each of its tries met."""
        cr_first, cr_second = self.registry.cursor(), self.registry.cursor()
        tries = []
        try:
            first = api.Environment(cr_first, self.first, {})[model].browse(record_id)
            second = api.Environment(cr_second, self.second, {})[model].browse(record_id)
            # Both open the record: both transactions see it before either writes.
            self.assertEqual(first[read_field], second[read_field])
            getattr(first, action)()
            first.env.flush_all()
            cr_first.commit()

            def press():
                try:
                    result = getattr(second, action)()
                    second.env.flush_all()
                except Exception as error:
                    tries.append(type(error).__name__)
                    raise
                return result

            # Odoo logs the conflict it retries (a "bad query" ERROR line): expected here.
            with mute_logger("odoo.sql_db"), self.assertRaises(UserError) as refused:
                retrying(press, second.env)
            return refused.exception, tries
        finally:
            cr_first.close()
            cr_second.close()

    def test_two_heads_confirm_the_same_complaint(self):
        error, tries = self._at_once("customer.complaint", self.complaint_id, "action_confirm_department", "state")
        self.assertEqual(tries, ["SerializationFailure", "UserError"], "the conflict is retried, then refused")
        self.assertIn("not possible", str(error), "the second person is told it is confirmed already")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            complaint = env["customer.complaint"].browse(self.complaint_id)
            self.assertEqual(complaint.state, "investigating")
            self.assertEqual(complaint.department_confirmed_by_id.id, self.first)
            transitions = env["customer.complaint.transition"].search(
                [("complaint_id", "=", self.complaint_id), ("to_state", "=", "investigating")]
            )
            self.assertEqual(len(transitions), 1, "one transition logged")
            self.assertEqual(transitions.user_id.id, self.first)

    def test_two_managers_approve_the_same_review(self):
        error, tries = self._at_once("customer.tier.review", self.review_id, "action_approve", "state")
        self.assertEqual(tries, ["SerializationFailure", "UserError"], "the conflict is retried, then refused")
        self.assertIn("Only a review in progress can be approved", str(error))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            review = env["customer.tier.review"].browse(self.review_id)
            self.assertEqual(review.state, "approved")
            self.assertEqual(review.approved_by_id.id, self.first, "one approval, by the first")
            history = env["customer.tier.history"].search([("review_id", "=", self.review_id)])
            self.assertEqual(len(history), 1, "the customer's tier change is recorded once")
            self.assertEqual(history.new_tier, "a")


@tagged("post_install", "-at_install")
class TestTwoSlaRunsAtOnce(BaseCase):
    """Two SLA runs meet (the 15-minute cron and a manual run, or two servers): one of them is
    claiming a complaint's milestones when the other looks at the same complaint. The second
    leaves the complaint whole to the first, so its milestones are never split between two runs
    (each would send the manager an activity). Committed for real: the other run is another
    database connection; removed at the end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            manager = new_test_user(env, login="cr_two_runs_manager", groups=PREFIX + "manager", company_id=company.id)
            customer = env["res.partner"].create({"name": "Two Runs Laundry", "is_company": True})
            department = env["hr.department"].create({"name": "Two Runs Workshop", "company_id": company.id})
            complaint = env["customer.complaint"].create(
                {
                    "title": "Door seal leaking",
                    "partner_id": customer.id,
                    "department_id": department.id,
                    "category_id": env.ref("customer_relations.customer_complaint_category_quality").id,
                    "description": "<p>Water on the floor after each cycle.</p>",
                }
            )
            past = fields.Datetime.now() - timedelta(hours=8)
            slas = env["customer.complaint.sla"].create(
                [
                    {
                        "complaint_id": complaint.id,
                        "milestone": milestone,
                        "target_hours": hours,
                        "deadline": past + timedelta(hours=hours),
                        "status": "running",
                        "warning_level": "red",
                    }
                    for milestone, hours in (("response", 1), ("onsite", 6))
                ]
            )
            cls.manager, cls.customer, cls.department = manager.id, customer.id, department.id
            cls.complaint_id, cls.sla_ids = complaint.id, slas.ids
        cls.addClassCleanup(cls._remove_data)

    @classmethod
    def _remove_data(cls):
        with cls.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM mail_activity WHERE res_model = 'customer.complaint' AND res_id = %s", [cls.complaint_id]
            )
            cr.execute(
                "DELETE FROM mail_message WHERE model = 'customer.complaint' AND res_id = %s", [cls.complaint_id]
            )
            cr.execute(
                "DELETE FROM mail_followers WHERE res_model = 'customer.complaint' AND res_id = %s", [cls.complaint_id]
            )
            cr.execute("DELETE FROM customer_complaint WHERE id = %s", [cls.complaint_id])
            cr.execute("UPDATE res_partner SET active = FALSE WHERE id = %s", [cls.customer])
            cr.execute("UPDATE hr_department SET active = FALSE WHERE id = %s", [cls.department])
            cr.execute("UPDATE res_users SET active = FALSE WHERE id = %s", [cls.manager])

    def _escalate_batch(self, cr):
        """One batch of this run, over this complaint only (other complaints' waiting
        milestones are set aside inside the run's own transaction)."""
        cr.execute(
            "UPDATE customer_complaint_sla SET escalated_level = 'red' WHERE complaint_id <> %s AND status = 'running'",
            [self.complaint_id],
        )
        env = api.Environment(cr, SUPERUSER_ID, {})
        count = env["customer.complaint.sla"]._escalate_batch(200)
        env.flush_all()
        cr.execute(
            "SELECT id, escalated_level FROM customer_complaint_sla WHERE complaint_id = %s", [self.complaint_id]
        )
        levels = dict(cr.fetchall())
        cr.execute(
            "SELECT user_id, summary FROM mail_activity WHERE res_model = 'customer.complaint' AND res_id = %s",
            [self.complaint_id],
        )
        return count, levels, cr.fetchall()

    def test_a_complaint_half_held_by_another_run_is_left_whole(self):
        other_run, this_run = self.registry.cursor(), self.registry.cursor()
        try:
            # The other run has claimed the first milestone and is about to claim the second.
            other_run.execute("SELECT id FROM customer_complaint_sla WHERE id = %s FOR NO KEY UPDATE", self.sla_ids[:1])
            count, levels, activities = self._escalate_batch(this_run)
            self.assertEqual(count, 0, "the complaint is left to the run that holds part of it")
            self.assertEqual(set(levels.values()), {"none"}, "neither milestone escalated by this run")
            self.assertFalse(activities)
            this_run.rollback()
            other_run.rollback()
            # The other run ended without it: the next batch takes the complaint whole.
            count, levels, activities = self._escalate_batch(this_run)
            self.assertEqual(count, 2)
            self.assertEqual(set(levels.values()), {"red"})
            mine = [summary for user_id, summary in activities if user_id == self.manager]
            self.assertEqual(len(mine), 1, "one activity for the manager, naming both milestones")
            self.assertIn("also passed since the last check", mine[0])
        finally:
            this_run.rollback()
            other_run.close()
            this_run.close()
