"""Who may create, read, write and delete what, per role and company: the design of README.rst,
section "Who may do what", written as data and checked operation by operation."""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CustomerRelationsCase

ROLES = ("portal", "employee", "handler", "user", "quality", "manager", "other_company_user")

# model -> role -> the operations allowed (r read, w write, c create, u unlink) on a record of the
# test company. Roles not named may do nothing. Complaints and satisfaction are in their own tests.
ACCESS_MATRIX = {
    "customer.tier.review": {"user": "rw", "quality": "rw", "manager": "rwcu"},
    # Lines come from Compute only: nobody creates one by hand, a Manager removes one from a draft.
    "customer.tier.review.line": {"user": "rw", "quality": "rw", "manager": "rwu"},
    # The rating below is the User's own: Quality reads it and rates too, only a Manager changes others'.
    "customer.tier.rating": {"user": "rwcu", "quality": "rc", "manager": "rwcu"},
    # History is written by the checked actions only.
    "customer.tier.history": {"user": "r", "quality": "r", "manager": "r"},
    "customer.tier.policy": {"user": "r", "quality": "r", "manager": "rw"},
    "customer.agreement": {"user": "rwc", "quality": "rwc", "manager": "rwcu"},
}

# Customer-file fields of res.partner: read (and, except the official tier, class and lifecycle,
# written) by Customer Relations users only; never by portal customers, handlers or other employees.
CUSTOMER_FILE_FIELDS = (
    "customer_tier",
    "account_class",
    "lifecycle_stage",
    "credit_rating",
    "strengths",
    "weaknesses",
    "competitor_ids",
    "market_status",
    "market_position",
    "development_potential",
    "business_direction",
    "revenue_band",
    "employee_count",
    "acquisition_channel_id",
    "referred_by_id",
    "company_anniversary",
    "wallet_share_ids",
    "interaction_ids",
)
FILE_READERS = ("user", "quality", "manager")


class _Undo(Exception):
    """Raised to roll back an operation that succeeded."""


@tagged("post_install", "-at_install")
class TestAccessMatrix(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_own_company("宁波眼镜 Access Matrix Optics")
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({"name": "宝岛眼镜 Baodao Optical", "is_company": True})
        cls.customer.with_company(cls.company).write(
            {"customer_tier": "a", "account_class": "key", "credit_rating": "aa", "strengths": "Pays early"}
        )
        cls.second_customer = Partner.create({"name": "Second Optical", "is_company": True})
        cls.portal = new_test_user(cls.env, login="cr_matrix_portal", groups="base.group_portal")
        cls.portal.partner_id.parent_id = cls.customer
        cls.other_company_user = new_test_user(
            cls.env,
            login="cr_matrix_other",
            groups="customer_relations.group_customer_relations_user",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.policy = cls.env["customer.tier.policy"]._get_for_company(cls.company)
        cls.rated = cls.policy.criterion_ids.filtered(lambda c: c.kind == "rated")[:1]
        cls.type_strategic = cls.env.ref("customer_relations.customer_agreement_type_strategic")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _role(self, role):
        return getattr(self, role)

    def _as(self, record, role):
        """``record`` as the user of ``role`` working in all of their companies, as a client would
        (the test environment's company choice left out, so no refusal comes from it)."""
        context = {key: value for key, value in self.env.context.items() if key != "allowed_company_ids"}
        return record.with_env(self.env(user=self._role(role), context=context, su=False))

    def _allowed(self, operation):
        """True when ``operation`` succeeds (it is rolled back), False when it is refused."""
        try:
            with self.env.cr.savepoint():
                operation()
                self.env.flush_all()
                raise _Undo
        except _Undo:
            return True
        except (AccessError, UserError):  # ValidationError included: a guard's message
            return False
        finally:
            self.env.invalidate_all()

    def _records(self):
        """A fresh record of each model in the test company, made by the system."""
        review = self.env["customer.tier.review"].create(
            {"review_type": "annual", "date": date(2026, 6, 30), "company_id": self.company.id}
        )
        line = self.env["customer.tier.review.line"].create(
            {"review_id": review.id, "partner_id": self.customer.id, "proposed_tier": "a", "final_tier": "a"}
        )
        rating = (
            self.env["customer.tier.rating"]
            .with_user(self.user)
            .create({"partner_id": self.customer.id, "criterion_id": self.rated.id, "company_id": self.company.id})
            .with_env(self.env)
        )
        history = self.env["customer.tier.history"].create(
            {"partner_id": self.customer.id, "company_id": self.company.id, "new_tier": "a", "reason": "Setup"}
        )
        agreement = self.env["customer.agreement"].create(self._agreement_vals())
        return {
            "customer.tier.review": (review, "note", {"note": "<p>Checked</p>"}, self._review_vals()),
            "customer.tier.review.line": (
                line,
                "final_tier",
                {"reason": "Checked with the salesperson"},
                {"review_id": review.id, "partner_id": self.second_customer.id},
            ),
            "customer.tier.rating": (
                rating,
                "rating",
                {"note": "Seen the balance sheet"},
                {"partner_id": self.second_customer.id, "criterion_id": self.rated.id, "company_id": self.company.id},
            ),
            "customer.tier.history": (
                history,
                "reason",
                {"reason": "Rewritten"},
                {"partner_id": self.customer.id, "company_id": self.company.id, "new_tier": "c", "reason": "Forged"},
            ),
            # Configuration: created per company by the system, never deleted (not in the matrix).
            "customer.tier.policy": (self.policy, "tier_method", {"threshold_a": 75.0}, None),
            "customer.agreement": (agreement, "title", {"title": "Renamed"}, self._agreement_vals()),
        }

    def _review_vals(self):
        return {"review_type": "half_year", "date": date(2026, 12, 31), "company_id": self.company.id}

    def _agreement_vals(self):
        return {
            "partner_id": self.customer.id,
            "type_id": self.type_strategic.id,
            "date_start": date(2026, 7, 1),
            "date_end": date(2027, 6, 30),
            "company_id": self.company.id,
            "manager_id": self.user.id,
        }

    # ------------------------------------------------------------------
    # Model x role x operation
    # ------------------------------------------------------------------
    def test_model_role_operation_matrix(self):
        records = self._records()
        failures = []
        for model, allowed_by_role in ACCESS_MATRIX.items():
            record, read_field, write_vals, create_vals = records[model]
            for role in ROLES:
                mine = self._as(record, role)
                expected = allowed_by_role.get(role, "")
                checks = {
                    "r": lambda: mine.read([read_field]),  # noqa: B023
                    "w": lambda: mine.write(write_vals),  # noqa: B023
                }
                if create_vals is not None:
                    checks["c"] = lambda: mine.browse().create(create_vals)  # noqa: B023
                    checks["u"] = lambda: mine.unlink()  # noqa: B023
                for operation, check in checks.items():
                    allowed = self._allowed(check)
                    if allowed != (operation in expected):
                        failures.append(f"{model} {role} {operation}: {'allowed' if allowed else 'refused'}")
        self.assertFalse(failures, "operations that do not follow the design:\n" + "\n".join(failures))

    def test_other_company_user_sees_nothing_of_this_company(self):
        records = self._records()
        for model, (record, *_rest) in records.items():
            self.assertFalse(
                self._as(self.env[model], "other_company_user").search([("id", "=", record.id)]),
                f"{model}: a user of another company finds this company's record",
            )

    # ------------------------------------------------------------------
    # Protected field x role
    # ------------------------------------------------------------------
    def test_customer_file_fields_are_read_by_customer_relations_users_only(self):
        failures = []
        for field_name in CUSTOMER_FILE_FIELDS:
            for role in ("portal", "employee", "handler", *FILE_READERS):
                partner = self._as(self.customer, role)
                allowed = self._allowed(lambda p=partner, f=field_name: p.read([f]))
                if allowed != (role in FILE_READERS):
                    failures.append(f"res.partner.{field_name} {role}: {'readable' if allowed else 'refused'}")
        self.assertFalse(failures, "customer-file fields exposed or hidden wrongly:\n" + "\n".join(failures))
        # The portal customer still reads its company's name; the file is not even described to it.
        portal_customer = self._as(self.customer, "portal")
        self.assertEqual(portal_customer.read(["name"])[0]["name"], self.customer.name)
        self.assertFalse(set(CUSTOMER_FILE_FIELDS) & set(portal_customer.fields_get(attributes=["type"])))

    def test_official_tier_fields_are_written_by_nobody_directly(self):
        values = {"customer_tier": "c", "account_class": "general", "lifecycle_stage": "lost"}
        for role in ROLES:
            for field_name, value in values.items():
                partner = self._as(self.customer, role)
                self.assertFalse(
                    self._allowed(lambda p=partner, f=field_name, v=value: p.write({f: v})),
                    f"{role} writes res.partner.{field_name}",
                )
        self.assertEqual(self.customer.with_company(self.company).customer_tier, "a")
        # The rest of the file is the account managers' to keep.
        for role in FILE_READERS:
            partner = self._as(self.customer, role)
            self.assertTrue(self._allowed(lambda p=partner: p.write({"credit_rating": "bbb", "weaknesses": "Slow"})))
        for role in ("portal", "employee", "handler"):
            partner = self._as(self.customer, role)
            self.assertFalse(self._allowed(lambda p=partner: p.write({"credit_rating": "c"})), role)

    def test_review_workflow_fields_are_written_by_nobody_directly(self):
        records = self._records()
        review, line = records["customer.tier.review"][0], records["customer.tier.review.line"][0]
        protected = [
            (review, {"state": "approved"}),
            (review, {"state": "in_review"}),
            (review, {"approved_by_id": self.manager.id}),
            (review, {"approved_date": "2026-07-01 08:00:00"}),
            (line, {"current_tier": "b"}),
            (line, {"proposed_tier": "c"}),
            (line, {"score": 99.0}),
            (line, {"partner_id": self.second_customer.id}),
        ]
        for role in ("user", "quality", "manager"):
            for record, vals in protected:
                mine = self._as(record, role)
                self.assertFalse(
                    self._allowed(lambda r=mine, v=vals: r.write(v)),
                    f"{role} writes {record._name} {vals}",
                )
        self.assertEqual(review.state, "draft")
        # The reviewers' decision is theirs to write while the review runs.
        mine = self._as(line, "user")
        self.assertTrue(self._allowed(lambda: mine.write({"final_tier": "b", "reason": "Why"})))

    def test_views_show_the_customer_file_to_customer_relations_users_only(self):
        where = {"form": ("customer_tier", "credit_rating"), "list": ("customer_tier",), "search": ("customer_tier",)}
        for role, shown in (("handler", False), ("employee", False), ("user", True)):
            views = self._as(self.env["res.partner"], role).get_views([(False, kind) for kind in where])["views"]
            for view_type, field_names in where.items():
                arch = views[view_type]["arch"]
                for field_name in field_names:
                    self.assertEqual(
                        f'"{field_name}"' in arch or f"'{field_name}'" in arch,
                        shown,
                        f"{role}: {field_name} in the {view_type} view",
                    )
