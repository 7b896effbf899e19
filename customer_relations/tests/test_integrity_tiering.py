"""Issue #12: the tiering, review, agreement and ranking controls hold for every role, company and
entry point, and bad input gets a message instead of a traceback."""

from contextlib import contextmanager
from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import CustomerRelationsCase

EVAL_DATE = date(2026, 6, 30)
# Context keys a client could send hoping to open a guard.
CLIENT_CONTEXT = {
    "tier_change": True,
    "tier_review_transition": True,
    "complaint_transition": True,
    "force_write": True,
    "install_mode": True,
    "tracking_disable": True,
}


@tagged("post_install", "-at_install")
class TestTieringIntegrity(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_own_company("佛山家电 Integrity Test Appliances")
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create(
            {"name": "国美电器 Gome Appliances", "is_company": True, "user_id": cls.user.id, "customer_rank": 1}
        )
        cls.second = Partner.create(
            {"name": "苏宁 Suning", "is_company": True, "user_id": cls.user.id, "customer_rank": 1}
        )
        cls.contact = Partner.create({"name": "刘洋 Liu Yang", "parent_id": cls.customer.id})
        cls.policy = cls.env["customer.tier.policy"]._get_for_company(cls.company)
        cls.rated = cls.policy.criterion_ids.filtered(lambda c: c.kind == "rated")[:1]
        cls.type_strategic = cls.env.ref("customer_relations.customer_agreement_type_strategic")
        cls.other_user = new_test_user(
            cls.env,
            login="cr_integrity_other",
            groups="customer_relations.group_customer_relations_user",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )

    @contextmanager
    def _refused(self, exception, regex):
        """assertRaisesRegex that also undoes what the refused operation left in the transaction."""
        with self.assertRaisesRegex(exception, regex), self.env.cr.savepoint():
            yield

    def _review(self):
        """A computed review of the test company, its line for the customer."""
        review = self.env["customer.tier.review"].create(
            {"review_type": "annual", "date": EVAL_DATE, "company_id": self.company.id}
        )
        review.action_compute()
        line = review.line_ids.filtered(lambda line: line.partner_id == self.customer)
        self.assertTrue(line, "the customer is in the review")
        return review, line

    # ------------------------------------------------------------------
    # Official tier, class, lifecycle
    # ------------------------------------------------------------------
    def test_user_cannot_write_the_official_tier_even_with_a_context_key(self):
        partner = self.customer.with_user(self.user)
        for vals in ({"customer_tier": "a"}, {"account_class": "strategic"}, {"lifecycle_stage": "stable"}):
            with self.assertRaisesRegex(AccessError, "approved tier review"):
                partner.write(vals)
            with self.assertRaises(AccessError):
                partner.with_context(**CLIENT_CONTEXT).write(vals)
        with self.assertRaises(AccessError):
            self.customer.with_user(self.manager).write({"customer_tier": "a"})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.user).create({"name": "New", "customer_tier": "a"})
        # A client's context default (a list grouped by class) is ignored, not trusted.
        grouped = (
            self.env["res.partner"]
            .with_user(self.user)
            .with_context(default_account_class="strategic", default_customer_tier="a")
            .create({"name": "Created in a grouped list"})
        )
        self.assertFalse(grouped.sudo().with_company(self.company).account_class)
        self.assertFalse(grouped.sudo().with_company(self.company).customer_tier)
        self.assertFalse(self.customer.with_company(self.company).customer_tier)
        self.assertFalse(self.customer.tier_history_ids)
        # Creating a customer stays an ordinary User's job.
        self.assertTrue(self.env["res.partner"].with_user(self.user).create({"name": "New", "is_company": True}))

    def test_checked_paths_still_set_the_tier_and_leave_history(self):
        review, line = self._review()
        line.with_user(self.user).write({"final_tier": "a", "final_class": "key", "reason": "Signed a framework"})
        review.with_user(self.user).action_submit()
        review.with_user(self.manager).action_approve()
        customer = self.customer.with_company(self.company)
        self.assertEqual((customer.customer_tier, customer.account_class), ("a", "key"))
        # The review is a snapshot; the lifecycle stage comes from the live evaluation.
        self.policy._compute_customer_values()  # what the Recompute button queues for the cron
        self.assertTrue(customer.lifecycle_stage, "the live evaluation set the lifecycle stage")
        self.assertEqual(customer.tier_history_ids.reason, "Signed a framework")
        self.assertEqual(review.approved_by_id, self.manager)

    def test_tier_change_wizard_only_in_the_managers_companies(self):
        wizard = (
            self.env["customer.tier.change.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.other_company.id,
                    "new_tier": "a",
                    "new_class": "strategic",
                    "reason": "Other company",
                }
            )
        )
        with self._refused(AccessError, "companies you work in"):
            wizard.action_apply()
        self.assertFalse(self.customer.with_company(self.other_company).customer_tier)

    # ------------------------------------------------------------------
    # Tier reviews
    # ------------------------------------------------------------------
    def test_review_state_changes_only_through_its_buttons(self):
        review, _line = self._review()
        for user in (self.user, self.quality, self.manager):
            for vals in ({"state": "approved"}, {"state": "in_review"}, {"approved_by_id": user.id}):
                with self.assertRaisesRegex(UserError, "buttons"):
                    review.with_user(user).with_context(**CLIENT_CONTEXT).write(vals)
        with self.assertRaises(UserError):
            self.env["customer.tier.review"].with_user(self.manager).create(
                {"review_type": "annual", "company_id": self.company.id, "state": "approved"}
            )
        from_column = (
            self.env["customer.tier.review"]
            .with_user(self.manager)
            .with_context(default_state="approved", default_approved_by_id=self.manager.id)
            .create({"review_type": "annual", "company_id": self.company.id})
        )
        self.assertEqual(from_column.state, "draft", "a context default opens nothing")
        self.assertFalse(from_column.approved_by_id)
        self.assertEqual(review.state, "draft")
        # A User cancels nothing; the Manager still can, and approve in the right state.
        with self.assertRaises(AccessError):
            review.with_user(self.user).action_cancel()
        review.with_user(self.user).action_submit()
        review.with_user(self.manager).action_approve()
        self.assertEqual(review.state, "approved")
        with self.assertRaises(UserError):
            review.with_user(self.manager).action_cancel()

    def test_lines_are_frozen_after_submission(self):
        review, line = self._review()
        with self.assertRaises(UserError):
            review.with_user(self.manager).write(
                {"line_ids": [Command.create({"partner_id": self.second.id, "final_tier": "a"})]}
            )
        review.with_user(self.user).action_submit()
        # The reviewers still decide while it is submitted, and only that.
        line.with_user(self.user).write({"final_tier": "a", "reason": "Strategic project"})
        with self.assertRaises(UserError):
            line.with_user(self.manager).write({"proposed_tier": "a"})
        with self.assertRaises(UserError):
            line.with_user(self.manager).unlink()
        with self.assertRaises(UserError):
            review.with_user(self.manager).write({"date": date(2026, 1, 1)})
        # Recomputing would discard the decision: not a User's call.
        with self.assertRaises(AccessError):
            review.with_user(self.user).action_compute()
        self.assertEqual(line.reason, "Strategic project")
        review.with_user(self.manager).action_approve()
        for operation in (
            lambda: review.with_user(self.manager).write({"line_ids": [Command.delete(line.id)]}),
            lambda: review.with_user(self.manager).write(
                {"line_ids": [Command.create({"partner_id": self.second.id, "final_tier": "a"})]}
            ),
            lambda: line.with_user(self.manager).write({"final_tier": "c", "reason": "Late"}),
            lambda: line.with_user(self.manager).unlink(),
            lambda: review.with_user(self.manager).unlink(),
        ):
            with self.assertRaises(UserError):
                operation()
        self.assertEqual(review.line_ids.filtered(lambda ln: ln.partner_id == self.customer).final_tier, "a")
        self.assertEqual(self.customer.with_company(self.company).customer_tier, "a")

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------
    def test_out_of_range_ratings_get_a_message(self):
        Rating = self.env["customer.tier.rating"].with_user(self.user)
        base = {"partner_id": self.customer.id, "criterion_id": self.rated.id}
        for bad in ("0", "6", 0, 6, "x"):
            with self._refused(ValidationError, "from 1 to 5"):
                Rating.create(dict(base, rating=bad))
        rating = Rating.create(dict(base, rating=4))
        self.assertEqual(rating.rating, "4", "a number from 1 to 5 is accepted")
        with self._refused(ValidationError, "from 1 to 5"):
            rating.write({"rating": "6"})

    def test_contact_plan_line_cannot_be_negative(self):
        plan = self.env["customer.contact.plan"].create({"account_class": "key"})
        with self._refused(ValidationError, "negative"):
            plan.write({"line_ids": [Command.create({"interaction_type": "call", "count_per_year": -3})]})

    def test_policy_without_weight_refused_at_save(self):
        other_policy = self.env["customer.tier.policy"]._get_for_company(self.other_company)
        with self._refused(ValidationError, "zero"):
            other_policy.criterion_ids.write({"weight": 0.0})
        with self._refused(ValidationError, "no criteria"):
            other_policy.write({"criterion_ids": [Command.clear()]})
        with self._refused(ValidationError, "no criteria"):
            other_policy.criterion_ids.write({"active": False})
        other_policy.unlink()
        with self._refused(ValidationError, "no criteria"):
            self.env["customer.tier.policy"].create({"company_id": self.other_company.id, "criterion_ids": []})
        created = self.env["customer.tier.policy"].create({"company_id": self.other_company.id})
        self.assertTrue(created.criterion_ids, "a new policy starts from the default criteria")

    # ------------------------------------------------------------------
    # Agreements
    # ------------------------------------------------------------------
    def _agreement_vals(self):
        return {
            "partner_id": self.customer.id,
            "type_id": self.type_strategic.id,
            "date_start": date(2026, 1, 1),
            "date_end": date(2026, 12, 31),
            "manager_id": self.user.id,
        }

    def _agreement(self, **values):
        vals = {
            "partner_id": self.customer.id,
            "type_id": self.type_strategic.id,
            "date_start": date(2026, 1, 1),
            "date_end": date(2026, 12, 31),
            "manager_id": self.user.id,
            "response_hours": 2.0,
            "target_ids": [Command.create({"measure": "revenue", "period": "whole", "target_value": 1000.0})],
        }
        vals.update(values)
        return self.env["customer.agreement"].with_user(self.user).create(vals)

    def test_agreement_is_made_with_the_company_not_a_contact(self):
        with self._refused(ValidationError, "not with one of its contacts"):
            self._agreement(partner_id=self.contact.id)

    def test_agreement_status_changes_through_its_buttons_only(self):
        agreement = self._agreement()
        for user in (self.user, self.manager):
            for vals in ({"state": "active"}, {"state": "terminated"}, {"termination_reason": "Gone"}):
                with self.assertRaisesRegex(UserError, "buttons"):
                    agreement.with_user(user).with_context(**CLIENT_CONTEXT).write(vals)
        with self.assertRaisesRegex(UserError, "buttons"):
            self._agreement(state="active")
        # Created in the kanban's "Active" column: the column's default is ignored, it is a draft.
        column = self.env["customer.agreement"].with_user(self.user).with_context(default_state="active")
        created = column.create(dict(self._agreement_vals(), date_start=date(2027, 1, 1), date_end=date(2027, 12, 31)))
        self.assertEqual(created.state, "draft")
        agreement.with_user(self.user).action_activate()
        self.assertEqual(agreement.state, "active")
        # The yearly review is marked done by a Manager's button, never by a write.
        review = (
            self.env["customer.agreement.review"]
            .with_user(self.user)
            .create({"agreement_id": agreement.id, "date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31)})
        )
        for user in (self.user, self.manager):
            with self.assertRaisesRegex(UserError, "Approve button"):
                review.with_user(user).write({"state": "done", "approved_by_id": self.manager.id})
        self.assertEqual(review.state, "draft")

    def test_measured_figures_of_agreements_and_reviews_are_not_typed_in(self):
        agreement = self._agreement()
        agreement.with_user(self.user).action_activate()
        measured = agreement.achievement
        for user in (self.user, self.manager):
            for vals in (
                {"achievement": 100.0},
                {"revenue": 9e6},
                {"rebate_earned": 5e5},
                {"actuals_date": "2027-01-01"},
            ):
                with self.assertRaisesRegex(UserError, "measured figures"):
                    agreement.with_user(user).with_context(**CLIENT_CONTEXT).write(vals)
        self.assertEqual(agreement.achievement, measured)
        Review = self.env["customer.agreement.review"].with_user(self.user)
        period = {"agreement_id": agreement.id, "date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31)}
        with self.assertRaisesRegex(UserError, "snapshot"):
            Review.create(dict(period, achievement=250.0))
        review = Review.create(period)
        review.action_snapshot()  # the checked path still writes the figures
        snapshot = review.achievement
        for user in (self.user, self.manager):
            with self.assertRaisesRegex(UserError, "snapshot"):
                review.with_user(user).write({"achievement": 250.0, "revenue": 1.0})
        self.assertEqual(review.achievement, snapshot)

    def test_termination_only_of_active_agreements(self):
        agreement = self._agreement()
        Wizard = self.env["customer.agreement.terminate.wizard"].with_user(self.user)
        with self._refused(UserError, "Only an active agreement"):
            Wizard.create({"agreement_id": agreement.id, "reason": "Draft"}).action_terminate()
        self.assertEqual(agreement.state, "draft")
        agreement.action_activate()
        agreement.sudo().state = "expired"
        with self._refused(UserError, "Only an active agreement"):
            Wizard.create({"agreement_id": agreement.id, "reason": "Expired"}).action_terminate()
        self.assertEqual(agreement.state, "expired")

    def test_service_commitments_of_the_company_only(self):
        self._agreement().action_activate()
        Agreement = self.env["customer.agreement"]
        self.assertEqual(
            Agreement._get_service_commitments(self.contact, date(2026, 6, 1), company=self.company)["response_hours"],
            2.0,
        )
        # Asked from company 2 (its current company, or named), company 1's promise does not apply.
        other = Agreement.with_company(self.other_company)._get_service_commitments(self.contact, date(2026, 6, 1))
        self.assertFalse(other["response_hours"], "company 1's promise does not bind company 2")
        self.assertFalse(other["agreements"])
        named = Agreement._get_service_commitments(self.contact, date(2026, 6, 1), company=self.other_company)
        self.assertFalse(named["agreements"])

    # ------------------------------------------------------------------
    # Ranking
    # ------------------------------------------------------------------
    def _order(self, partner, company, amount):
        product = self.env["product.product"].create({"name": "Fridge", "list_price": amount, "taxes_id": False})
        order = (
            self.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
                }
            )
        )
        order.action_confirm()
        order.date_order = datetime(2026, 5, 1)
        return order

    def test_ranking_only_of_the_users_companies(self):
        self._order(self.customer, self.company, 5000.0)
        self._order(self.second, self.other_company, 9000.0)
        period = {"date_from": date(2026, 1, 1), "date_to": date(2026, 6, 30)}
        with self._refused(ValidationError, "companies you work in"):
            self.env["customer.ranking.wizard"].with_user(self.other_user).with_context(
                allowed_company_ids=self.other_company.ids
            ).create(dict(period, company_id=self.company.id))
        with self._refused(ValidationError, "companies you work in"):
            self.env["customer.ranking.wizard"].with_user(self.user).create(
                dict(period, company_id=self.other_company.id)
            )
        mine = self.env["customer.ranking.wizard"].with_user(self.user).create(dict(period, company_id=self.company.id))
        mine.action_compute()
        self.assertEqual(mine.line_ids.partner_id, self.customer, "company 2's customer is not ranked in company 1")
        theirs = (
            self.env["customer.ranking.wizard"]
            .with_user(self.other_user)
            .with_context(allowed_company_ids=self.other_company.ids)
            .create(dict(period, company_id=self.other_company.id))
        )
        theirs.action_compute()
        self.assertEqual(theirs.line_ids.partner_id, self.second)


@tagged("post_install", "-at_install")
class TestTieringIntegrityRpc(HttpCase):
    """The same guards reached as real clients reach them: JSON-RPC with a session cookie."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        prefix = "customer_relations.group_customer_relations_"
        cls.user = new_test_user(cls.env, login="cr_rpc_user", password="cr_rpc_user", groups=prefix + "user")
        cls.manager = new_test_user(
            cls.env, login="cr_rpc_manager", password="cr_rpc_manager", groups=prefix + "manager"
        )
        cls.customer = cls.env["res.partner"].create({"name": "美的 Midea Dealer", "is_company": True})
        cls.customer.write({"customer_tier": "b", "account_class": "general", "credit_rating": "bb"})
        cls.portal = new_test_user(cls.env, login="cr_rpc_portal", password="cr_rpc_portal", groups="base.group_portal")
        cls.portal.partner_id.parent_id = cls.customer
        cls.review = cls.env["customer.tier.review"].create({"review_type": "annual", "date": EVAL_DATE})
        cls.agreement = cls.env["customer.agreement"].create(
            {
                "partner_id": cls.customer.id,
                "type_id": cls.env.ref("customer_relations.customer_agreement_type_strategic").id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 12, 31),
            }
        )

    def _call(self, model, method, args, kwargs=None):
        try:
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            )
        finally:
            self.env.invalidate_all()  # the server wrote in this transaction

    def test_user_writes_of_tier_and_review_state_are_refused(self):
        self.authenticate("cr_rpc_user", "cr_rpc_user")
        for context in ({}, CLIENT_CONTEXT):
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self._call("res.partner", "write", [[self.customer.id], {"customer_tier": "a"}], {"context": context})
            with self.assertRaisesRegex(JsonRpcException, "UserError"):
                self._call(
                    "customer.tier.review", "write", [[self.review.id], {"state": "approved"}], {"context": context}
                )
        with self.assertRaisesRegex(JsonRpcException, "UserError"):
            self._call(
                "customer.agreement", "write", [[self.agreement.id], {"state": "active"}], {"context": CLIENT_CONTEXT}
            )
        self.assertEqual(self.agreement.state, "draft")
        self.assertEqual(self.customer.customer_tier, "b")
        self.assertEqual(self.review.state, "draft")
        self.assertFalse(self.customer.tier_history_ids)

    def test_manager_writes_of_review_state_are_refused(self):
        self.authenticate("cr_rpc_manager", "cr_rpc_manager")
        with self.assertRaisesRegex(JsonRpcException, "UserError"):
            self._call(
                "customer.tier.review",
                "write",
                [[self.review.id], {"state": "approved"}],
                {"context": CLIENT_CONTEXT},
            )
        self.assertEqual(self.review.state, "draft")
        # The button itself works over the same route.
        self._call("customer.tier.review", "action_cancel", [[self.review.id]])
        self.assertEqual(self.review.state, "cancelled")

    def test_portal_reads_no_customer_file(self):
        self.authenticate("cr_rpc_portal", "cr_rpc_portal")
        for field_name in ("customer_tier", "credit_rating", "strengths", "competitor_ids", "lifecycle_stage"):
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self._call("res.partner", "read", [[self.customer.id], [field_name]], {"context": CLIENT_CONTEXT})
        values = self._call("res.partner", "read", [[self.customer.id], ["name", "street"]])[0]
        self.assertEqual(values["name"], self.customer.name, "the customer's own company is still readable")
        described = self._call("res.partner", "fields_get", [], {"attributes": ["type"]})
        self.assertFalse({"customer_tier", "account_class", "credit_rating", "strengths"} & set(described))
