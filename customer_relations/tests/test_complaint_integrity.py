"""Every control the complaint workflow records is enforced on the server, for every role and
company: an access matrix per model and role, each protected field per role, and the guards
called where they live (the model methods), not only through wizards or views."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..engine import complaints as engine
from ..models.complaint_constants import COMPLAINT_STATE
from .test_complaint import T0, ComplaintCase

REFUSED = (AccessError, UserError, ValidationError)


class ComplaintIntegrityCase(ComplaintCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(
            cls.env,
            login="cr_portal_integrity",
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.portal.partner_id.parent_id = cls.customer
        cls.stranger = new_test_user(
            cls.env,
            login="cr_other_company_manager",
            groups="customer_relations.group_customer_relations_manager",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )

    @staticmethod
    def _as(records, user):
        """``records`` as ``user`` working in all of their companies (as the web client does)."""
        return records.with_user(user).with_context(allowed_company_ids=user.company_ids.ids)

    def _allowed(self, operation):
        """True when ``operation`` passes (its effects are rolled back), False when refused."""
        try:
            with self.env.cr.savepoint() as savepoint:
                operation()
                self.env.flush_all()
                savepoint.rollback()
        except REFUSED:
            return False
        finally:
            self.env.invalidate_all()
        return True

    def _in_handling(self, category=None):
        complaint = self._submitted(category)
        self._confirm(complaint)
        head = complaint.with_user(complaint.sudo().department_id.manager_id.user_id)
        head.write({"root_cause_id": self.cause_method.id, "cause_analysis": "<p>Torque not checked.</p>"})
        head.action_start_handling()
        return complaint


@tagged("post_install", "-at_install")
class TestComplaintAccessMatrix(ComplaintIntegrityCase):
    def test_access_matrix_per_model_and_role(self):
        """model x role x create / read / write / unlink, portal and a second company included."""
        complaint = self._in_handling()
        fresh = self._complaint()
        with freeze_time(T0 + timedelta(hours=1)):
            complaint.action_wait_customer()
        sla = complaint.sla_ids[:1]
        pause = complaint.pause_ids
        transition = complaint.transition_ids[:1]
        action = self.env["customer.complaint.action"].create({"complaint_id": complaint.id, "name": "Inspect"})
        self.env.flush_all()
        duration = self.env["customer.complaint.duration.report"].search([("company_id", "=", self.company.id)])
        self.assertTrue(duration)
        roles = {
            "portal": self.portal,
            "employee": self.employee,
            "handler": self.handler_quality,
            "handler other department": self.handler_production,
            "user": self.user,
            "quality": self.quality,
            "manager": self.manager,
            "other company": self.stranger,
        }
        subjects = {
            "customer.complaint": (
                complaint,
                lambda Model: Model.create(
                    {
                        "title": "T",
                        "partner_id": self.customer.id,
                        "category_id": self.cat_quality.id,
                        "description": "<p>x</p>",
                        "company_id": self.company.id,
                    }
                ),
                {"lot_name": "L-1"},
                fresh,  # unlink is tried on a new complaint: submitted ones are never deleted
            ),
            "customer.complaint.sla": (
                sla,
                lambda Model: Model.create({"complaint_id": complaint.id, "milestone": "onsite", "target_hours": 1}),
                {"status": "met", "deadline": datetime(2027, 1, 1)},
                sla,
            ),
            "customer.complaint.pause": (
                pause,
                lambda Model: Model.create({"complaint_id": complaint.id, "date_start": T0 - timedelta(days=30)}),
                {"date_start": T0 - timedelta(days=30)},
                pause,
            ),
            "customer.complaint.transition": (
                transition,
                lambda Model: Model.create(
                    {
                        "complaint_id": complaint.id,
                        "company_id": self.company.id,
                        "from_state": "new",
                        "to_state": "closed",
                        "date": T0,
                        "user_id": self.user.id,
                    }
                ),
                {"reason": "rewritten"},
                transition,
            ),
            "customer.complaint.action": (
                action,
                lambda Model: Model.create({"complaint_id": complaint.id, "name": "Check"}),
                {"name": "Renamed"},
                action,
            ),
            "customer.sla.policy": (
                self.policy,
                lambda Model: Model.create({"name": "P", "company_id": self.company.id}),
                {"name": "Renamed"},
                self.policy,
            ),
            "customer.complaint.routing.rule": (
                self.rule_quality,
                lambda Model: Model.create(
                    {"name": "R", "department_id": self.dept_quality.id, "company_id": self.company.id}
                ),
                {"name": "Renamed"},
                self.rule_quality,
            ),
            "customer.complaint.duration.report": (duration[:1], None, None, duration[:1]),
        }
        nothing = (False, False, False, False)
        config = {
            "portal": nothing,
            "employee": nothing,
            "handler": (0, 1, 0, 0),
            "handler other department": (0, 1, 0, 0),
        }
        config.update(
            {"user": (0, 1, 0, 0), "quality": (0, 1, 0, 0), "manager": (1, 1, 1, 1), "other company": nothing}
        )
        read_only = dict.fromkeys(roles, (0, 1, 0, 0))
        read_only.update({"portal": nothing, "employee": nothing, "other company": nothing})
        department_only = dict(read_only, **{"handler other department": nothing})
        expected = {
            "customer.complaint": {
                "portal": (0, 1, 0, 0),  # their own company's complaint, read only
                "employee": nothing,
                "handler": (0, 1, 1, 0),
                "handler other department": nothing,
                "user": (1, 1, 1, 0),
                "quality": (1, 1, 1, 0),
                "manager": (1, 1, 1, 1),
                "other company": nothing,
            },
            # SLA milestones, pauses and the transition log: read only for everybody, the
            # Manager included; only the workflow actions write them.
            "customer.complaint.sla": department_only,
            "customer.complaint.pause": department_only,
            "customer.complaint.transition": department_only,
            "customer.complaint.action": {
                "portal": nothing,
                "employee": nothing,
                "handler": (1, 1, 1, 0),
                "handler other department": nothing,
                "user": (1, 1, 1, 0),
                "quality": (1, 1, 1, 1),
                "manager": (1, 1, 1, 1),
                "other company": nothing,
            },
            "customer.sla.policy": config,
            "customer.complaint.routing.rule": config,
            "customer.complaint.duration.report": {
                role: (0, 1, 0, 0) if role in ("user", "quality", "manager") else nothing for role in roles
            },
        }
        for model, (record, create, write_vals, unlink_record) in subjects.items():
            for role, user in roles.items():
                Model = self._as(self.env[model], user)
                got = (
                    bool(create) and self._allowed(lambda create=create, Model=Model: create(Model)),
                    self._allowed(lambda record=record, user=user: self._as(record, user).read(["id"])),
                    bool(write_vals)
                    and self._allowed(
                        lambda record=record, user=user, vals=write_vals: self._as(record, user).write(vals)
                    ),
                    bool(create) and self._allowed(lambda rec=unlink_record, user=user: self._as(rec, user).unlink()),
                )
                with self.subTest(model=model, role=role):
                    self.assertEqual(
                        got, tuple(bool(v) for v in expected[model][role]), "(create, read, write, unlink)"
                    )

    def test_protected_fields_per_role(self):
        """No role, the Manager included, writes a field the workflow actions own."""
        complaint = self._in_handling()
        sla = complaint.sla_ids.filtered(lambda s: s.milestone == "resolution")
        protected = {
            "state": "closed",
            "department_id": self.dept_production.id,
            "department_confirmed_by_id": self.manager.id,
            "department_confirmed_at": T0,
            "effectiveness": "effective",
            "effectiveness_verifier_id": self.quality.id,
            "effectiveness_date": T0.date(),
            "effectiveness_evidence": "Looks fine",
            "received_at": T0 - timedelta(days=2),
            "replied_at": T0 + timedelta(hours=1),
            "closed_at": T0 + timedelta(hours=2),
            "hours_to_close": 1.0,
            "waiting_customer": True,
            "sla_warning_level": "green",
            "sla_deadline": datetime(2027, 1, 1),
            "is_repeat": False,
            "routing_note": "Set by hand",
            "pause_ids": [Command.create({"date_start": T0 - timedelta(days=30), "date_end": T0})],
            "sla_ids": [Command.update(sla.id, {"status": "met", "deadline": datetime(2027, 1, 1)})],
            "transition_ids": [Command.unlink(complaint.transition_ids[:1].id)],
        }
        for role in (self.handler_quality, self.user, self.quality, self.manager):
            for name, value in protected.items():
                with self.subTest(role=role.login, field=name):
                    self.assertFalse(
                        self._allowed(
                            lambda role=role, name=name, value=value: complaint.with_user(role).write({name: value})
                        ),
                        f"{role.login} must not write {name}",
                    )
        # The department's own fields: its members, Quality and Managers, not sales-service.
        for name, value in {
            "cause_analysis": "<p>Rewritten</p>",
            "root_cause_id": self.cause_material.id,
            "handling_description": "<p>Done</p>",
            "remedy_type": "repair",
        }.items():
            for role, allowed in (
                (self.handler_quality, True),
                (self.user, False),
                (self.quality, True),
                (self.manager, True),
            ):
                with self.subTest(role=role.login, field=name):
                    self.assertEqual(
                        self._allowed(
                            lambda role=role, name=name, value=value: complaint.with_user(role).write({name: value})
                        ),
                        allowed,
                    )
        # The emergency team grants access: only Quality and Managers choose it.
        for role, allowed in (
            (self.handler_quality, False),
            (self.user, False),
            (self.quality, True),
            (self.manager, True),
        ):
            with self.subTest(role=role.login, field="emergency_user_ids"):
                self.assertEqual(
                    self._allowed(
                        lambda role=role: complaint.with_user(role).write(
                            {"emergency_user_ids": [Command.link(self.employee.id)]}
                        )
                    ),
                    allowed,
                )


@tagged("post_install", "-at_install")
class TestComplaintGuards(ComplaintIntegrityCase):
    def test_context_key_does_not_open_the_state(self):
        complaint = self._in_handling()
        as_handler = complaint.with_user(self.handler_quality).with_context(complaint_transition=True)
        with self.assertRaises(UserError):
            as_handler.write({"state": "closed"})
        with self.assertRaises(UserError, msg="not even for the Manager"):
            complaint.with_user(self.manager).with_context(complaint_transition=True).write({"state": "closed"})
        self.assertEqual(complaint.state, "handling")
        self.assertFalse(complaint.closed_at)

    def test_effectiveness_only_through_the_quality_check(self):
        complaint = self._to_feedback(self._submitted())
        for user in (self.handler_quality, self.user):
            with self.assertRaises(UserError, msg="no direct write of the result"):
                complaint.with_user(user).write(
                    {"effectiveness": "effective", "effectiveness_verifier_id": self.quality.id}
                )
            with self.assertRaises(AccessError, msg="the model method itself checks the quality team"):
                complaint.with_user(user)._action_check_effectiveness("effective", "Trust me")
        self.assertFalse(complaint.effectiveness)
        complaint.with_user(self.quality)._action_check_effectiveness("effective", "30 days without noise")
        self.assertEqual(complaint.effectiveness, "effective")
        self.assertEqual(complaint.effectiveness_verifier_id, self.quality)
        self.assertEqual(complaint.effectiveness_evidence, "30 days without noise")

    def test_milestones_and_pauses_only_through_their_actions(self):
        complaint = self._in_handling()
        sla = complaint.sla_ids.filtered(lambda s: s.milestone == "resolution")
        for user in (self.handler_quality, self.user, self.manager):
            with self.assertRaises(AccessError):
                sla.with_user(user).write({"status": "met", "deadline": datetime(2027, 1, 1)})
            with self.assertRaises(AccessError):
                self.env["customer.complaint.pause"].with_user(user).create(
                    {"complaint_id": complaint.id, "date_start": T0 - timedelta(days=30), "date_end": T0}
                )
        self.assertEqual(sla.status, "running")
        with freeze_time(T0 + timedelta(hours=2)):
            complaint.with_user(self.handler_quality).action_wait_customer()
        with freeze_time(T0 + timedelta(hours=5)):
            complaint.with_user(self.handler_quality).action_resume()
        self.assertEqual(sla.deadline, T0 + timedelta(hours=48 + 3), "the actions still pause and resume")

    def test_measured_times_between_receipt_and_now(self):
        complaint = self._submitted()
        as_handler = complaint.with_user(self.handler_quality)
        with self.assertRaises(ValidationError, msg="before the receipt"):
            as_handler.write({"first_response_at": T0 - timedelta(hours=1)})
        with self.assertRaises(ValidationError, msg="in the future"):
            as_handler.write({"onsite_at": fields.Datetime.now() + timedelta(days=3000)})
        as_handler.write({"onsite_at": T0 + timedelta(hours=2)})
        self.assertEqual(complaint.sla_ids.filtered(lambda s: s.milestone == "onsite").status, "met")
        with self.assertRaises(UserError, msg="the measured department does not rewrite its time"):
            as_handler.write({"onsite_at": T0 + timedelta(hours=1)})
        complaint.with_user(self.manager).write({"onsite_at": T0 + timedelta(hours=3)})
        self.assertEqual(complaint.onsite_at, T0 + timedelta(hours=3), "a Manager corrects it")

    def test_receipt_is_fixed_once_submitted(self):
        complaint = self._complaint()
        complaint.write({"received_at": T0 - timedelta(hours=3)})  # phoned in earlier: fine at intake
        with freeze_time(T0):
            complaint.action_submit()
        response = complaint.sla_ids.filtered(lambda s: s.milestone == "response")
        self.assertEqual(response.deadline, T0 - timedelta(hours=2), "the clocks run from the receipt")
        with self.assertRaises(UserError):
            complaint.write({"received_at": T0 + timedelta(days=1)})
        self.assertEqual(response.deadline, T0 - timedelta(hours=2))

    def test_department_only_through_confirm_and_reassign(self):
        complaint = self._submitted()
        for user in (self.head_quality, self.user, self.manager):
            with self.assertRaises(UserError):
                complaint.with_user(user).write({"department_id": self.dept_production.id})
            with self.assertRaises(UserError):
                complaint.with_user(user).write({"department_confirmed_by_id": user.id})
        self.assertEqual(complaint.department_id, self.dept_quality)
        self.assertFalse(complaint.department_confirmed_by_id)

    def test_tier_and_class_at_receipt_are_a_snapshot(self):
        complaint = self._submitted()
        tier, account_class = complaint.customer_tier, complaint.account_class
        for user in (self.user, self.quality, self.manager):
            with self.assertRaises(UserError):
                complaint.with_user(user).write({"customer_tier": "a" if tier != "a" else "c"})
            with self.assertRaises(UserError):
                complaint.with_user(user).write(
                    {"account_class": "strategic" if account_class != "strategic" else "general"}
                )
        self.assertEqual((complaint.customer_tier, complaint.account_class), (tier, account_class))

    def test_closed_and_rejected_are_read_only_until_reopened(self):
        closed = self._to_feedback(self._submitted(category=self.cat_delivery))
        closed.write({"reply": "<p>Sorry.</p>", "cost": 100.0})
        closed.action_reply()
        closed.action_close()
        for user in (self.user, self.manager):
            with self.assertRaises(UserError):
                closed.with_user(user).write({"cost": 5.0})
            with self.assertRaises(UserError):
                closed.with_user(user).write({"description": "<p>Rewritten</p>"})
        self.assertEqual(closed.cost, 100.0)
        self._wizard(closed, "reopen", "The customer called again", self.user)
        closed.write({"cost": 150.0})
        self.assertEqual(closed.cost, 150.0, "reopened, it is worked again")
        rejected = self._submitted(category=self.cat_delivery)
        self._wizard(rejected, "reject", "Not ours", self.user)
        with self.assertRaises(UserError):
            rejected.with_user(self.manager).write({"title": "Changed"})

    def test_nobody_deletes_the_transition_log(self):
        complaint = self._submitted()
        transition = complaint.transition_ids
        with self.assertRaises(AccessError):
            transition.with_user(self.manager).unlink()
        with self.assertRaises(UserError, msg="not even server code running as superuser"):
            transition.sudo().unlink()
        self.assertTrue(transition.exists())

    def test_raising_the_severity_applies_the_major_policy(self):
        major_policy = self.env["customer.sla.policy"].create(
            {
                "name": "Major complaints",
                "sequence": 0,
                "severity_ids": [
                    Command.set(
                        (
                            self.env.ref("customer_relations.customer_complaint_severity_major")
                            | self.env.ref("customer_relations.customer_complaint_severity_critical")
                        ).ids
                    )
                ],
                "milestone_ids": [
                    Command.create({"milestone": "response", "target_hours": 0.25}),
                    Command.create({"milestone": "resolution", "target_hours": 24.0}),
                ],
            }
        )
        complaint = self._submitted()
        self.assertEqual(complaint.sla_policy_id, self.policy)
        complaint.with_user(self.user).write({"severity": "critical"})
        self.assertEqual(complaint.sla_policy_id, major_policy)
        slas = {sla.milestone: sla for sla in complaint.sla_ids}
        self.assertEqual(slas["response"].deadline, T0 + timedelta(minutes=15), "the deadlines follow")
        self.assertEqual(slas["resolution"].deadline, T0 + timedelta(hours=24))
        self.assertEqual(slas["onsite"].status, "cancelled", "the major policy has no on-site target")

    def test_only_quality_and_managers_choose_the_emergency_team(self):
        complaint = self._submitted(severity="major")
        with self.assertRaises(AccessError):
            complaint.with_user(self.head_quality).write({"emergency_user_ids": [Command.link(self.employee.id)]})
        self.assertNotIn(self.employee, complaint.emergency_user_ids)
        complaint.with_user(self.quality).write({"emergency_user_ids": [Command.link(self.handler_production.id)]})
        self.assertIn(self.handler_production, complaint.emergency_user_ids)

    def test_cause_and_handling_belong_to_the_department(self):
        complaint = self._submitted()
        self._confirm(complaint)
        with self.assertRaises(AccessError, msg="sales-service does not record the cause for the department"):
            complaint.with_user(self.user).write({"cause_analysis": "<p>Guessed</p>"})
        complaint.with_user(self.handler_quality).write(
            {"root_cause_id": self.cause_method.id, "cause_analysis": "<p>Torque not checked.</p>"}
        )
        with self.assertRaises(AccessError):
            complaint.with_user(self.user).action_start_handling()
        complaint.with_user(self.handler_quality).action_start_handling()
        complaint.with_user(self.quality).write(
            {
                "handling_description": "<p>Re-torqued.</p>",
                "remedy_type": "repair",
                "remedy_exemption": "Re-torqued on site, free of charge.",
            }
        )
        with self.assertRaises(AccessError):
            complaint.with_user(self.user).action_send_feedback()
        complaint.with_user(self.head_quality).action_send_feedback()
        self.assertEqual(complaint.state, "feedback")


@tagged("post_install", "-at_install")
class TestComplaintBadInput(ComplaintIntegrityCase):
    def test_parties_belong_to_the_customer(self):
        stranger_contact = self.env["res.partner"].create({"name": "Li Lei", "parent_id": self.other_customer.id})
        with self.assertRaises(ValidationError):
            self._complaint(contact_id=stranger_contact.id)
        with self.assertRaises(ValidationError, msg="the customer is the company, not a contact person"):
            self._complaint(partner_id=self.contact.id, contact_id=False)
        product = self.env["product.product"].create({"name": "Washer"})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.other_customer.id,
                "company_id": self.company.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        with self.assertRaises(ValidationError):
            self._complaint(sale_order_id=order.id)

    def test_reference_cost_rule_window_and_targets(self):
        first = self._complaint()
        with self.assertRaises(ValidationError, msg="a reference is used once"):
            self.env["customer.complaint"].with_user(self.user).create(
                {
                    "name": first.name,
                    "title": "Copy",
                    "partner_id": self.customer.id,
                    "category_id": self.cat_quality.id,
                    "description": "<p>x</p>",
                }
            )
        with self.assertRaises(ValidationError):
            first.write({"cost": -10.0})
        portal_user = new_test_user(self.env, login="cr_portal_rule", groups="base.group_portal")
        with self.assertRaises(ValidationError):
            self.rule_quality.write({"user_id": portal_user.id})
        with self.assertRaises(ValidationError):
            self.company.complaint_repeat_days = -5
        with self.assertRaises(ValidationError):
            self.policy.milestone_ids[:1].target_hours = 1e9


@tagged("post_install", "-at_install")
class TestComplaintFigures(ComplaintIntegrityCase):
    def test_back_dated_complaint_flags_both_as_repeats(self):
        newer = self._complaint(received_at=T0)
        self.assertFalse(newer.is_repeat)
        phoned_in = self._complaint(received_at=T0 - timedelta(days=30))
        self.assertFalse(phoned_in.is_repeat, "nothing came before it")
        self.assertTrue(newer.is_repeat, "the back-dated complaint came before the newer one")
        self.assertEqual(newer.repeat_count, 1)
        phoned_in.write({"received_at": T0 - timedelta(days=800)})
        self.assertFalse(newer.is_repeat, "moved out of the window: the neighbour follows")

    def test_workflow_activities_close_with_their_step(self):
        self.company.complaint_emergency_user_ids = self.handler_production
        complaint = self._submitted(category=self.cat_delivery, severity="major")

        def open_activities(xmlid):
            return complaint.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref(xmlid))

        confirm = "customer_relations.mail_activity_type_complaint_confirm"
        reply = "customer_relations.mail_activity_type_complaint_reply"
        emergency = "customer_relations.mail_activity_type_complaint_emergency"
        self.assertTrue(open_activities(confirm))
        self.assertTrue(open_activities(emergency))
        self._to_feedback(complaint)
        self.assertFalse(open_activities(confirm), "confirming settles 'Confirm the responsible department'")
        self.assertTrue(open_activities(reply))
        complaint.write({"reply": "<p>Sorry.</p>"})
        complaint.action_reply()
        self.assertFalse(open_activities(reply), "replying settles 'Reply to the customer'")
        complaint.action_close()
        self.assertFalse(complaint.activity_ids, "nothing stays open on a closed complaint")
        rejected = self._submitted(category=self.cat_delivery)
        self._wizard(rejected, "reject", "Not ours", self.user)
        self.assertFalse(rejected.activity_ids)

    def test_kanban_columns_in_workflow_order(self):
        self._submitted()
        Complaint = self.env["customer.complaint"].with_user(self.user)
        groups = Complaint.read_group([], ["state"], ["state"])
        ended = {state for state in ("closed", "rejected") if Complaint.search_count([("state", "=", state)])}
        expected = [key for key, _label in COMPLAINT_STATE if key not in {"closed", "rejected"} or key in ended]
        self.assertEqual([group["state"] for group in groups], expected)

    def test_sql_and_python_warning_levels_agree_on_every_boundary(self):
        complaint = self._submitted(category=self.cat_delivery)
        sla = complaint.sla_ids.filtered(lambda s: s.milestone == "onsite")  # 6 h: yellow 3 h, orange 4.8 h
        marks = sla._marks()
        second = timedelta(seconds=1)
        expected = {
            marks["yellow_at"] - second: "green",
            marks["yellow_at"]: "yellow",
            marks["orange_at"] - second: "yellow",
            marks["orange_at"]: "orange",
            marks["deadline"]: "orange",  # reached at the deadline it is met: not breached yet
            marks["deadline"] + second: "red",
        }
        Sla = self.env["customer.complaint.sla"]
        for moment, level in expected.items():
            with self.subTest(moment=moment):
                Sla._update_warning_levels(now=moment)
                self.assertEqual(sla.warning_level, level, "SQL")
                self.assertEqual(engine.level_at(moment, marks), level, "Python")
                with freeze_time(moment):
                    sla.invalidate_recordset(["warning_level_now"])
                    self.assertEqual(sla.warning_level_now, level, "read time")
        met = self._submitted(category=self.cat_delivery)
        onsite = met.sla_ids.filtered(lambda s: s.milestone == "onsite")
        with freeze_time(onsite.deadline):
            met.action_record_onsite()
        self.assertEqual(onsite.status, "met", "reached exactly at the deadline is met")
        self.assertEqual(onsite.warning_level, "orange", "and not red")

    def test_empty_routing_conditions_match_any_complaint(self):
        catch_all = self.env["customer.complaint.routing.rule"].create(
            {"name": "Everything to production", "sequence": 0, "department_id": self.dept_production.id}
        )
        conditions = catch_all._conditions()
        self.assertEqual(conditions["category"], set(), "unset conditions reach the engine as empty sets")
        self.assertEqual(conditions["severity"], set())
        for category, severity in ((self.cat_quality, "critical"), (self.cat_price, "minor")):
            complaint = self._submitted(category=category, severity=severity)
            self.assertEqual(complaint.routing_rule_id, catch_all)
            self.assertEqual(complaint.department_id, self.dept_production)
        catch_all.category_ids = self.cat_price
        complaint = self._submitted(category=self.cat_quality)
        self.assertEqual(complaint.routing_rule_id, self.rule_quality, "a set condition still filters")

    def test_duration_report_stays_in_its_company(self):
        self._submitted()
        self.env.flush_all()
        Report = self.env["customer.complaint.duration.report"]
        self.assertTrue(Report.with_user(self.user).search([("company_id", "=", self.company.id)]))
        self.assertFalse(self._as(Report, self.stranger).search([]), "a second company's user sees none of it")


@tagged("post_install", "-at_install")
class TestComplaintPortalFields(ComplaintIntegrityCase):
    def test_portal_reads_portal_safe_fields_only(self):
        complaint = self._to_feedback(self._submitted())
        as_portal = complaint.with_user(self.portal)
        values = as_portal.read(["name", "title", "state", "received_at", "category_id"])[0]
        self.assertEqual(values["title"], complaint.title)
        internal = [
            "cause_analysis",
            "supplier_id",
            "effectiveness_evidence",
            "routing_note",
            "department_id",
            "customer_tier",
            "account_class",
            "cost",
            "sla_ids",
        ]
        for name in internal:
            with self.subTest(field=name), self.assertRaises(AccessError):
                as_portal.read([name])
        self.assertFalse(set(internal) & set(as_portal.fields_get()), "not even described to the portal")
        self.assertEqual(
            complaint.with_user(self.user).read(["routing_note"])[0]["routing_note"], complaint.routing_note
        )

    def test_portal_intake_gets_follower_and_activity(self):
        self.company.complaint_portal_intake_user_id = self.user
        complaint = (
            self.env["customer.complaint"]
            .sudo()
            .create(
                {
                    "title": "From the portal",
                    "partner_id": self.customer.id,
                    "contact_id": self.portal.partner_id.id,
                    "channel": "portal",
                    "category_id": self.cat_quality.id,
                    "description": "<p>x</p>",
                    "company_id": self.company.id,
                }
            )
        )
        complaint._notify_portal_intake()
        self.assertEqual(complaint.intake_user_id, self.user)
        self.assertIn(self.user.partner_id, complaint.message_partner_ids)
        self.assertEqual(complaint.activity_ids.user_id, self.user)
        complaint.with_user(self.user).action_submit()
        self.assertFalse(
            complaint.activity_ids.filtered(lambda a: a.user_id == self.user), "submitting settles the intake to-do"
        )
