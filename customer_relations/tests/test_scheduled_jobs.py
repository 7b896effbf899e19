from contextlib import closing, contextmanager
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import sql_db
from odoo.tests import tagged

from ..models import customer_job
from .common import CustomerRelationsCase
from .test_background_jobs import _fails

REVIEWS_JOB = "customer_relations: scheduled tier reviews"
CARE_JOB = "customer_relations: care moments"
CONTACT_JOB = "customer_relations: contact plan"


@tagged("post_install", "-at_install")
class TestScheduledJobsBatched(CustomerRelationsCase):
    """The scheduled tier reviews and the relationship-care jobs: set-based, in committed
    batches, idempotent when run twice or by two workers at once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("customer_relations.background_threshold", "100000000")
        Policy = cls.env["customer.tier.policy"]
        cls.company_b = cls.env["res.company"].create({"name": "Eastern Valve Works"})
        cls.policy_a = Policy._get_for_company(cls.company)
        cls.policy_b = Policy._get_for_company(cls.company_b)
        # Due on 15 January; no other policy of the database is due that day.
        Policy.search([]).write({"auto_review": False})
        (cls.policy_a | cls.policy_b).write({"auto_review": True, "annual_review_month": 1, "annual_review_day": 15})
        Partner = cls.env["res.partner"]
        cls.customers = Partner.create(
            [{"name": f"Boiler Plant {i}", "is_company": True, "user_id": cls.user.id} for i in range(3)]
        )
        cls.contacts = Partner.create(
            [
                {"name": f"Contact {i}", "parent_id": customer.id, "birthday": date(1980, 3, 10 + i)}
                for i, customer in enumerate(cls.customers)
            ]
        )
        for customer in cls.customers:
            customer.with_company(cls.company).account_class = "strategic"

    def _reviews(self):
        return self.env["customer.tier.review"].search(
            [("policy_id", "in", (self.policy_a | self.policy_b).ids), ("date", "=", date(2026, 1, 15))]
        )

    def _moments(self):
        return self.env["customer.care.moment"].search([("partner_id", "in", self.customers.ids)])

    @contextmanager
    def _held_by_another_worker(self, job):
        """The job's lock held by another connection, as by a second worker running the job."""
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            other.execute("SELECT pg_advisory_lock(%s, %s)", customer_job.job_lock_key(job))
            try:
                yield
            finally:
                other.execute("SELECT pg_advisory_unlock(%s, %s)", customer_job.job_lock_key(job))
                other.rollback()

    def test_scheduled_reviews_once_each_and_a_failed_one_redone_at_the_next_run(self):
        Policy = self.env["customer.tier.policy"]
        Review = type(self.env["customer.tier.review"])
        original = Review._action_compute
        computed = []

        def compute(review):
            computed.append(review.policy_id)
            if review.policy_id == self.policy_b:
                raise RuntimeError("connection lost")
            return original(review)

        with freeze_time("2026-01-15"):
            # Not self.assertRaises: Odoo's rolls the whole block back, the kept batch included.
            with patch.object(Review, "_action_compute", compute):
                failed = _fails(Policy._cron_create_reviews)
            self.assertTrue(failed, "the job fails visibly")
            self.assertEqual(computed, [self.policy_a, self.policy_b], "one review per batch")
            self.assertEqual(self._reviews().policy_id, self.policy_a, "the failed review is not left uncomputed")
            self.assertEqual(Policy._cron_create_reviews(), 1, "the next run creates the one left")
            self.assertEqual(Policy._cron_create_reviews(), 0, "and a further run creates nothing twice")
        reviews = self._reviews()
        self.assertEqual(len(reviews), 2)
        self.assertEqual(reviews.policy_id, self.policy_a | self.policy_b)
        self.assertEqual(set(reviews.mapped("review_type")), {"annual"})

    def test_no_review_while_another_worker_runs_the_job(self):
        Policy = self.env["customer.tier.policy"]
        with freeze_time("2026-01-15"):
            with self._held_by_another_worker(REVIEWS_JOB):
                self.assertEqual(Policy._cron_create_reviews(), 0)
            self.assertFalse(self._reviews(), "the other worker's run creates them")
            self.assertEqual(Policy._cron_create_reviews(), 2)

    def test_care_moments_in_batches_once_each(self):
        Moment = self.env["customer.care.moment"]
        type_moment = type(Moment)
        original = type_moment._create_moments
        batches = []

        def create_moments(records, company, values_list):
            batches.append([values["key"] for values in values_list])
            if len(batches) == 2:
                raise RuntimeError("server restarted")
            return original(records, company, values_list)

        today = date(2026, 3, 8)
        with patch.object(type_moment, "_create_moments", create_moments):
            failed = _fails(lambda: Moment._cron_care_moments(today, batch_size=1))
        self.assertTrue(failed)
        kept = Moment.search([("key", "in", batches[0] + batches[1])])
        self.assertEqual(kept.mapped("key"), batches[0], "the first batch is kept, the failed one left nothing")
        self.assertEqual(len(kept.activity_id), 1)
        with self._held_by_another_worker(CARE_JOB):
            self.assertFalse(Moment._cron_care_moments(today, batch_size=1), "another worker is at it")
        Moment._cron_care_moments(today, batch_size=1)
        self.assertFalse(Moment._cron_care_moments(today), "run again: nothing twice")
        moments = self._moments()
        self.assertEqual(moments.contact_id, self.contacts, "one birthday moment per contact")
        self.assertEqual(len(moments), 3)
        self.assertEqual(len(moments.activity_id), 3)

    def test_contact_reminders_once_each(self):
        self.env.ref("customer_relations.customer_contact_plan_strategic").interval_days = 30
        Plan = self.env["customer.contact.plan"]
        due = self.env.ref("customer_relations.mail_activity_type_contact_due")

        def reminders():
            return self.env["mail.activity"].search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", self.customers.ids),
                    ("activity_type_id", "=", due.id),
                ]
            )

        with self._held_by_another_worker(CONTACT_JOB):
            Plan._cron_contact_plan(batch_size=2)
        self.assertFalse(reminders(), "another worker is at it")
        Plan._cron_contact_plan(batch_size=2)
        Plan._cron_contact_plan(batch_size=2)
        self.assertEqual(sorted(reminders().mapped("res_id")), self.customers.ids, "one reminder per customer")
