from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import CustomerRelationsCase

T0 = datetime(2026, 11, 23, 1, 0)  # Monday 09:00 in Shanghai


class ComplaintCase(CustomerRelationsCase):
    """A company with a quality and a production department, each with a head and a handler."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_own_company("苏州洗涤机械 Complaint Test Machines")
        prefix = "customer_relations.group_customer_relations_"
        Employee = cls.env["hr.employee"]
        Department = cls.env["hr.department"]

        def person(login, department, head=False):
            user = new_test_user(
                cls.env,
                login=login,
                groups=prefix + "handler",
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )
            employee = Employee.create(
                {"name": login, "user_id": user.id, "department_id": department.id, "company_id": cls.company.id}
            )
            if head:
                department.manager_id = employee
            return user

        cls.dept_quality = Department.create({"name": "质检部 Quality Inspection", "company_id": cls.company.id})
        cls.dept_production = Department.create({"name": "生产部 Production", "company_id": cls.company.id})
        cls.head_quality = person("cr_head_quality", cls.dept_quality, head=True)
        cls.handler_quality = person("cr_handler_quality", cls.dept_quality)
        cls.head_production = person("cr_head_production", cls.dept_production, head=True)
        cls.handler_production = person("cr_handler_production", cls.dept_production)

        ref = cls.env.ref
        cls.cat_quality = ref("customer_relations.customer_complaint_category_quality")
        cls.cat_delivery = ref("customer_relations.customer_complaint_category_delivery")
        cls.cat_price = ref("customer_relations.customer_complaint_category_price")
        cls.cause_method = ref("customer_relations.customer_complaint_root_cause_method")
        cls.cause_material = ref("customer_relations.customer_complaint_root_cause_material")
        Rule = cls.env["customer.complaint.routing.rule"]
        cls.rule_quality = Rule.create(
            {
                "name": "Quality to inspection",
                "category_ids": [Command.link(cls.cat_quality.id)],
                "department_id": cls.dept_quality.id,
                "sequence": 1,
            }
        )
        cls.rule_delivery = Rule.create(
            {
                "name": "Delivery to production",
                "category_ids": [Command.link(cls.cat_delivery.id)],
                "department_id": cls.dept_production.id,
                "user_id": cls.handler_production.id,
                "sequence": 2,
            }
        )
        cls.company.complaint_default_department_id = cls.dept_production
        cls.policy = cls.env["customer.sla.policy"].create(
            {
                "name": "Round the clock",
                "milestone_ids": [
                    Command.create({"milestone": "response", "target_hours": 1.0}),
                    Command.create({"milestone": "onsite", "target_hours": 6.0}),
                    Command.create({"milestone": "resolution", "target_hours": 48.0}),
                ],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "如家酒店 Home Inns", "is_company": True, "email": "service@homeinns.example"}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "王芳 Wang Fang", "parent_id": cls.customer.id, "email": "wang.fang@homeinns.example"}
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Railway Laundry", "is_company": True})

    def _complaint(self, category=None, user=None, **values):
        vals = {
            "title": "轴承异响 Bearing noise",
            "partner_id": self.customer.id,
            "contact_id": self.contact.id,
            "category_id": (category or self.cat_quality).id,
            "description": "<p>The washer makes noise after 200 cycles.</p>",
            "received_at": T0,
        }
        vals.update(values)
        return self.env["customer.complaint"].with_user(user or self.user).create(vals)

    def _submitted(self, category=None, **values):
        complaint = self._complaint(category, **values)
        with freeze_time(values.get("received_at", T0)):
            complaint.action_submit()
        return complaint

    def _to_feedback(self, complaint):
        """Walk a submitted complaint through confirmation, cause and handling (recorded by the
        responsible department's head: sales-service does not record them on its behalf)."""
        self._confirm(complaint)
        as_head = complaint.with_user(complaint.sudo().department_id.manager_id.user_id)
        as_head.write({"root_cause_id": self.cause_method.id, "cause_analysis": "<p>Torque not checked.</p>"})
        as_head.action_start_handling()
        as_head.write({"handling_description": "<p>Handled on site.</p>", "remedy_type": "explanation"})
        as_head.action_send_feedback()
        return complaint

    def _confirm(self, complaint):
        head = complaint.sudo().department_id.manager_id.user_id
        complaint.with_user(head).action_confirm_department()

    def _wizard(self, complaint, mode, reason, user, **values):
        wizard = (
            self.env["customer.complaint.reason.wizard"]
            .with_user(user)
            .create({"complaint_ids": [Command.set(complaint.ids)], "mode": mode, "reason": reason, **values})
        )
        return wizard.action_confirm()

    def _check(self, complaint, result, user=None):
        wizard = (
            self.env["customer.complaint.effectiveness.wizard"]
            .with_user(user or self.quality)
            .create({"complaint_ids": [Command.set(complaint.ids)], "result": result, "evidence": "30 days, no noise"})
        )
        return wizard.action_confirm()


@tagged("post_install", "-at_install")
class TestComplaintWorkflow(ComplaintCase):
    def test_whole_workflow_with_every_refused_shortcut(self):
        complaint = self._complaint()
        self.assertTrue(complaint.name.startswith("CC/"))
        self.assertEqual(complaint.state, "new")
        with self.assertRaises(AccessError, msg="a handler cannot take in complaints"):
            complaint.with_user(self.handler_quality).action_submit()
        with self.assertRaises(UserError, msg="no shortcut around the buttons, even through RPC"):
            complaint.write({"state": "closed"})
        complaint.action_submit()
        self.assertEqual(complaint.state, "routing")
        self.assertEqual(complaint.department_id, self.dept_quality)
        self.assertEqual(complaint.routing_rule_id, self.rule_quality)
        # The head is asked to confirm.
        self.assertIn(self.head_quality, complaint.activity_ids.user_id)
        with self.assertRaises(UserError, msg="handling cannot start before the department is confirmed"):
            complaint.action_start_handling()
        with self.assertRaises(AccessError, msg="a handler of another department cannot even read it"):
            complaint.with_user(self.handler_production).action_confirm_department()
        with self.assertRaises(AccessError, msg="a member who is not the head cannot confirm"):
            complaint.with_user(self.handler_quality).action_confirm_department()
        complaint.with_user(self.head_quality).action_confirm_department()
        self.assertEqual(complaint.state, "investigating")
        self.assertEqual(complaint.department_confirmed_by_id, self.head_quality)

        as_handler = complaint.with_user(self.handler_quality)
        with self.assertRaises(UserError, msg="leaving investigating needs a root cause"):
            as_handler.action_start_handling()
        as_handler.write({"root_cause_id": self.cause_material.id, "cause_analysis": "<p>Bearing batch 2611.</p>"})
        with self.assertRaises(UserError, msg="bought material names the supplier"):
            as_handler.action_start_handling()
        supplier = self.env["res.partner"].create({"name": "洛阳轴承 Luoyang Bearings", "is_company": True})
        as_handler.write({"supplier_id": supplier.id})
        as_handler.action_start_handling()
        self.assertEqual(complaint.state, "handling")
        action = (
            self.env["customer.complaint.action"]
            .with_user(self.handler_quality)
            .create(
                {
                    "complaint_id": complaint.id,
                    "name": "Incoming inspection of bearings",
                    "action_type": "corrective",
                    "date_deadline": date(2026, 11, 20),
                }
            )
        )
        with freeze_time("2026-11-24"):
            self.assertTrue(action.is_overdue)
            self.assertEqual(complaint.overdue_action_count, 1)
            self.assertIn(action, self.env["customer.complaint.action"].search([("is_overdue", "=", True)]))
        action.action_done()
        with self.assertRaises(UserError, msg="leaving handling needs the handling described"):
            as_handler.action_send_feedback()
        as_handler.write(
            {
                "handling_description": "<p>Bearing replaced.</p>",
                "remedy_type": "repair",
                "remedy_exemption": "Repaired on site under warranty: no quotation.",
                "cost": 1200.0,
            }
        )
        as_handler.action_send_feedback()
        self.assertEqual(complaint.state, "feedback")

        with self.assertRaises(UserError, msg="replying needs the reply text"):
            complaint.action_reply()
        complaint.write({"reply": "<p>我们已更换轴承 We replaced the bearing.</p>"})
        with self.assertRaises(AccessError, msg="the department does not answer the customer itself"):
            as_handler.action_reply()
        complaint.action_reply()
        self.assertEqual(complaint.state, "replied")
        reply = complaint.message_ids.filtered(lambda m: "We replaced the bearing" in (m.body or ""))
        self.assertTrue(reply, "the reply is posted in the chatter from the template")
        self.assertIn(self.contact, reply.partner_ids, "and sent to the contact")
        self.assertEqual(reply.message_type, "comment")

        with self.assertRaises(UserError, msg="a quality complaint closes only once checked effective"):
            complaint.action_close()
        with self.assertRaises(AccessError, msg="only the quality team checks effectiveness"):
            self._check(complaint, "effective", user=self.user)
        self._check(complaint, "effective")
        self.assertEqual(complaint.effectiveness_verifier_id, self.quality)
        complaint.action_close()
        self.assertEqual(complaint.state, "closed")

        transitions = complaint.transition_ids
        self.assertEqual(
            transitions.mapped("to_state"),
            ["routing", "investigating", "handling", "feedback", "replied", "closed"],
        )
        self.assertEqual(transitions[1].user_id, self.head_quality, "who moved it is logged")
        self.assertTrue(all(t.hours_from_receipt >= 0 for t in transitions))
        self.assertGreater(complaint.hours_to_close, 0.0)
        with self.assertRaises(UserError, msg="a filed complaint is a business record"):
            complaint.unlink()
        self.env.flush_all()
        durations = self.env["customer.complaint.duration.report"].search(
            [("company_id", "=", self.company.id), ("to_state", "=", "closed")]
        )
        self.assertEqual(durations.complaint_count, 1)
        self.assertAlmostEqual(durations.median_hours, complaint.hours_to_close, places=3)

    def test_not_effective_sends_back_to_handling(self):
        complaint = self._to_feedback(self._submitted())
        self._check(complaint, "not_effective")
        self.assertEqual(complaint.state, "handling")
        self.assertEqual(complaint.transition_ids[-1].reason, "Not effective: 30 days, no noise")

    def test_board_shows_end_columns_only_when_they_hold_complaints(self):
        """The kanban groups by state: every workflow step is a column, even empty, while the
        Closed and Rejected columns appear only when the search finds complaints there."""
        complaint = self._submitted(category=self.cat_delivery)
        Complaint = self.env["customer.complaint"].with_user(self.user)
        mine = [("partner_id", "=", self.customer.id)]

        def columns(domain):
            groups = Complaint.web_read_group(domain, ["state"], ["state"])["groups"]
            return [group["state"] for group in groups]

        workflow = ["new", "routing", "investigating", "handling", "feedback", "replied"]
        self.assertEqual(columns(mine), workflow)
        self._wizard(complaint, "reject", "Not our product", self.user)
        self.assertEqual(columns(mine), [*workflow, "rejected"])
        self.assertEqual(columns([*mine, ("state", "!=", "rejected")]), workflow)

    def test_reject_and_reopen_need_a_reason(self):
        complaint = self._submitted(category=self.cat_delivery)
        with self.assertRaises(UserError):
            self._wizard(complaint, "reject", "   ", self.user)
        self._wizard(complaint, "reject", "Not our product", self.user)
        self.assertEqual(complaint.state, "rejected")
        self.assertEqual(complaint.rejection_reason, "Not our product")
        self.assertTrue(all(s.status == "cancelled" for s in complaint.sla_ids), "no clock runs for a rejection")

        closed = self._to_feedback(self._submitted(category=self.cat_delivery))
        closed.write({"reply": "<p>Sorry.</p>"})
        closed.action_reply()
        closed.action_close()  # delivery is not a quality category: no check needed
        with self.assertRaises(UserError):
            closed.action_reply()
        self._wizard(closed, "reopen", "The customer called again", self.user)
        self.assertEqual(closed.state, "investigating")
        self.assertEqual(closed.reopen_count, 1)
        self.assertEqual(closed.transition_ids[-1].reason, "The customer called again")

    def test_default_department_and_reassignment(self):
        complaint = self._submitted(category=self.cat_price)
        self.assertEqual(complaint.department_id, self.dept_production)
        self.assertFalse(complaint.routing_rule_id)
        self.assertIn("No routing rule matched", complaint.routing_note)
        with self.assertRaises(AccessError, msg="only the current head reassigns"):
            self._wizard(complaint, "reassign", "Quality issue", self.head_quality, department_id=self.dept_quality.id)
        self._wizard(
            complaint,
            "reassign",
            "价格条款属于质检 Quality issue",
            self.head_production,
            department_id=self.dept_quality.id,
        )
        self.assertEqual(complaint.state, "routing")
        self.assertEqual(complaint.department_id, self.dept_quality)
        self.assertIn("Quality issue", complaint.transition_ids[-1].reason)
        self.assertFalse(
            self.env["customer.complaint"].with_user(self.handler_production).search([("id", "=", complaint.id)]),
            "the old department no longer sees it",
        )
        complaint.with_user(self.head_quality).action_confirm_department()
        self.assertEqual(complaint.state, "investigating")

    def test_no_rule_and_no_default_is_a_clear_error(self):
        self.company.complaint_default_department_id = False
        complaint = self._complaint(category=self.cat_price)
        with self.assertRaises(UserError):
            complaint.action_submit()
        self.assertEqual(complaint.state, "new")

    def test_routing_on_product_category_and_tier(self):
        parent = self.env["product.category"].create({"name": "Machines"})
        child = self.env["product.category"].create({"name": "Dryers", "parent_id": parent.id})
        dryer = self.env["product.product"].create({"name": "Dryer 30 kg", "categ_id": child.id})
        rule = self.env["customer.complaint.routing.rule"].create(
            {
                "name": "Machines of A customers",
                "product_category_ids": [Command.link(parent.id)],
                "customer_tier": "a",
                "department_id": self.dept_quality.id,
                "sequence": 0,
            }
        )
        self.customer.with_company(self.company).customer_tier = "a"
        complaint = self._submitted(category=self.cat_price, product_id=dryer.id)
        self.assertEqual(complaint.customer_tier, "a")
        self.assertEqual(complaint.routing_rule_id, rule, "a sub-category matches its parent's rule")
        self.customer.with_company(self.company).customer_tier = "b"
        other = self._submitted(category=self.cat_price, product_id=dryer.id)
        self.assertNotEqual(other.routing_rule_id, rule)

    def test_handlers_see_their_department_only(self):
        quality = self._submitted()
        delivery = self._submitted(category=self.cat_delivery)
        Complaint = self.env["customer.complaint"]
        self.assertEqual(Complaint.with_user(self.handler_quality).search([]), quality)
        self.assertEqual(Complaint.with_user(self.handler_production).search([]), delivery)
        with self.assertRaises(AccessError):
            quality.with_user(self.handler_production).read(["title"])
        with self.assertRaises(AccessError):
            self.env["customer.complaint.action"].with_user(self.handler_production).create(
                {"complaint_id": quality.id, "name": "Sneaky"}
            )
        self.assertEqual(Complaint.with_user(self.user).search([]), quality | delivery, "sales-service sees all")
        other_company = Complaint.create(
            {
                "title": "X",
                "partner_id": self.other_customer.id,
                "category_id": self.cat_price.id,
                "description": "<p>x</p>",
                "company_id": self.other_company.id,
            }
        )
        self.assertNotIn(other_company, Complaint.with_user(self.manager).search([]))

    def test_form_intake_defaults(self):
        with freeze_time("2026-11-24 08:00:00"):
            form = Form(self.env["customer.complaint"].with_user(self.user))
            form.title = "Leaking door seal"
            form.partner_id = self.customer
            form.category_id = self.cat_delivery
            form.description = "<p>Water on the floor.</p>"
            complaint = form.save()
        self.assertEqual(complaint.received_at, datetime(2026, 11, 24, 8, 0))
        self.assertEqual(complaint.intake_user_id, self.user)
        self.assertEqual(complaint.channel, "phone")

    def test_repeat_complaints_are_flagged(self):
        first = self._complaint(received_at=datetime(2026, 3, 1))
        second = self._complaint(received_at=datetime(2026, 9, 1))
        much_later = self._complaint(received_at=datetime(2028, 1, 1))
        self.assertFalse(first.is_repeat)
        self.assertTrue(second.is_repeat)
        self.assertEqual(second.repeat_count, 1)
        self.assertFalse(much_later.is_repeat, "outside the repeat window")


@tagged("post_install", "-at_install")
class TestComplaintSla(ComplaintCase):
    def test_deadlines_levels_and_escalation_once(self):
        agreement = self.env["customer.agreement"].create(
            {
                "partner_id": self.customer.id,
                "type_id": self.env.ref("customer_relations.customer_agreement_type_strategic").id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 12, 31),
                "manager_id": self.user.id,
                "response_hours": 0.5,
                "onsite_hours": 8.0,
                "target_ids": [Command.create({"measure": "revenue", "period": "year", "target_value": 1000.0})],
            }
        )
        agreement.action_activate()
        complaint = self._submitted()
        slas = {s.milestone: s for s in complaint.sla_ids}
        self.assertEqual(slas["response"].target_hours, 0.5, "the agreement's stricter promise wins")
        self.assertTrue(slas["response"].from_agreement)
        self.assertEqual(slas["onsite"].target_hours, 6.0, "the policy is stricter than the agreement here")
        self.assertEqual(slas["response"].deadline, T0 + timedelta(minutes=30))
        self.assertEqual(slas["resolution"].deadline, T0 + timedelta(hours=48))
        onsite = slas["onsite"]
        self.assertEqual(onsite.yellow_at, T0 + timedelta(hours=3))
        self.assertEqual(onsite.orange_at, T0 + timedelta(hours=4.8))
        complaint.action_record_response()  # at T0 (frozen time ended: now is later, so missed)
        self.assertEqual(slas["response"].status, "missed")

        with freeze_time(T0 + timedelta(hours=3, minutes=1)):
            onsite.invalidate_recordset()
            self.assertEqual(onsite.warning_level_now, "yellow", "correct at read time, before the cron")
            self.assertEqual(onsite.warning_level, "green")
            self.env["customer.complaint"]._cron_update_sla()
            self.assertEqual(onsite.warning_level, "yellow")
            self.assertEqual(complaint.sla_warning_level, "yellow")
        with freeze_time(T0 + timedelta(hours=5)):
            self.env["customer.complaint"]._cron_update_sla()
            self.assertEqual(onsite.warning_level, "orange")
            self.assertEqual(onsite.escalated_level, "orange")
            head_activities = complaint.activity_ids.filtered(
                lambda a: a.user_id == self.head_quality and "orange" in a.summary
            )
            self.assertEqual(len(head_activities), 1, "the department head is warned on orange")
            self.env["customer.complaint"]._cron_update_sla()
            self.assertEqual(len(complaint.activity_ids.filtered(lambda a: "orange" in a.summary)), 1, "only once")
        with freeze_time(T0 + timedelta(hours=6, minutes=1)):
            self.env["customer.complaint"]._cron_update_sla()
            self.env["customer.complaint"]._cron_update_sla()
            self.assertEqual(onsite.warning_level, "red")
            self.assertEqual(complaint.sla_warning_level, "red")
            red = complaint.activity_ids.filtered(lambda a: "red" in a.summary)
            self.assertIn(self.manager, red.user_id, "managers are warned on red")
            self.assertIn(self.user, red.user_id, "and the key-account manager")
            self.assertEqual(len(red.filtered(lambda a: a.user_id == self.manager)), 1, "once")
            complaint.action_record_onsite()
        self.assertEqual(onsite.status, "missed")
        self.assertEqual(onsite.compliance, 0.0)

    def test_milestone_reached_in_time_is_met(self):
        complaint = self._submitted(category=self.cat_delivery)
        with freeze_time(T0 + timedelta(minutes=40)):
            complaint.message_post(body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment")
        response = complaint.sla_ids.filtered(lambda s: s.milestone == "response")
        self.assertEqual(complaint.first_response_at, T0 + timedelta(minutes=40), "a public reply is the response")
        self.assertEqual(response.status, "met")
        self.assertEqual(response.compliance, 100.0)

    def test_waiting_for_the_customer_pauses_the_clock(self):
        complaint = self._submitted(category=self.cat_delivery)
        self._confirm(complaint)
        with freeze_time(T0 + timedelta(hours=2)):
            complaint.action_wait_customer()
            self.assertTrue(complaint.waiting_customer)
        with freeze_time(T0 + timedelta(hours=26)):
            self.env["customer.complaint"]._cron_update_sla()
            resolution = complaint.sla_ids.filtered(lambda s: s.milestone == "resolution")
            self.assertEqual(resolution.status, "paused", "the cron leaves paused clocks alone")
            complaint.action_resume()
        self.assertEqual(resolution.status, "running")
        self.assertEqual(resolution.deadline, T0 + timedelta(hours=48 + 24), "the 24 h pause shifts the deadline")
        self.assertEqual(complaint.pause_ids.date_end, T0 + timedelta(hours=26))
        with self.assertRaises(UserError):
            complaint.action_resume()

    def test_working_calendar_skips_nights_weekends_and_holidays(self):
        calendar = self.env["resource.calendar"].create(
            {
                "name": "上海办公时间 Shanghai office",
                "tz": "Asia/Shanghai",
                "company_id": self.company.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"{day} {start}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for start, end, period in ((8, 12, "morning"), (13, 17, "afternoon"))
                ],
                "leave_ids": [
                    Command.create(
                        {
                            "name": "Company day",
                            "date_from": datetime(2026, 11, 30, 0, 0),
                            "date_to": datetime(2026, 11, 30, 9, 0),
                        }
                    )  # Monday 08:00-17:00 local
                ],
            }
        )
        self.policy.calendar_id = calendar
        # Friday 27 Nov 16:00 Shanghai = 08:00 UTC; 2 working hours: 1 on Friday, Monday is a
        # holiday, 1 on Tuesday from 08:00 -> Tuesday 09:00 local = 01:00 UTC.
        self.policy.milestone_ids.filtered(lambda m: m.milestone == "response").target_hours = 2.0
        complaint = self._submitted(received_at=datetime(2026, 11, 27, 8, 0))
        response = complaint.sla_ids.filtered(lambda s: s.milestone == "response")
        self.assertEqual(response.deadline, datetime(2026, 12, 1, 1, 0))

    def test_warning_update_is_set_based(self):
        complaints = self.env["customer.complaint"]
        for _index in range(5):
            complaints |= self._submitted(category=self.cat_delivery)
        self.env.flush_all()
        with freeze_time(T0 + timedelta(minutes=50)), self.assertQueryCount(2):
            self.env["customer.complaint.sla"]._update_warning_levels()
        self.assertEqual(set(complaints.mapped("sla_warning_level")), {"orange"})


@tagged("post_install", "-at_install")
class TestComplaintTeamAndCallback(ComplaintCase):
    def test_major_complaint_mobilises_the_emergency_team(self):
        dept_engineering = self.env["hr.department"].create(
            {"name": "总工办 Chief engineer office", "company_id": self.company.id}
        )
        chief = new_test_user(
            self.env,
            login="cr_chief",
            groups="customer_relations.group_customer_relations_handler",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        dept_engineering.manager_id = self.env["hr.employee"].create(
            {"name": "Chief", "user_id": chief.id, "department_id": dept_engineering.id, "company_id": self.company.id}
        )
        self.company.write(
            {
                "complaint_emergency_department_ids": [Command.set(dept_engineering.ids)],
                "complaint_emergency_user_ids": [Command.set(self.handler_production.ids)],
            }
        )
        minor = self._submitted(category=self.cat_quality)
        self.assertFalse(minor.emergency_user_ids)
        major = self._submitted(category=self.cat_quality, severity="critical")
        self.assertTrue(major.is_major)
        self.assertEqual(major.emergency_user_ids, chief | self.handler_production)
        self.assertIn(chief.partner_id, major.message_partner_ids)
        team_activities = major.activity_ids.filtered(lambda a: "emergency team" in a.summary)
        self.assertEqual(team_activities.user_id, chief | self.handler_production)
        # A production handler works this quality complaint as a team member, not the minor one.
        major.with_user(self.handler_production).write({"cause_analysis": "<p>On site now.</p>"})
        with self.assertRaises(AccessError):
            minor.with_user(self.handler_production).read(["title"])
        # Raising the severity later mobilises the team too.
        minor.severity = "major"
        self.assertEqual(minor.emergency_user_ids, chief | self.handler_production)

    def test_callback_survey_after_closing(self):
        survey = self.env["survey.survey"].create({"title": "投诉回访 Complaint callback", "access_mode": "public"})
        question = self.env["survey.question"].create(
            {
                "survey_id": survey.id,
                "title": "How satisfied are you?",
                "question_type": "scale",
                "scale_min": 1,
                "scale_max": 5,
                "satisfaction_role": "overall",
            }
        )
        self.company.complaint_callback_survey_id = survey
        complaint = self._to_feedback(self._submitted(category=self.cat_delivery))
        complaint.write({"reply": "<p>Sorry for the delay.</p>"})
        complaint.action_reply()
        self.assertFalse(complaint.callback_input_id, "no callback before closing")
        complaint.action_close()
        answer = complaint.callback_input_id
        self.assertTrue(answer)
        self.assertEqual(answer.complaint_id, complaint)
        self.assertEqual(answer.partner_id, self.contact)
        self.assertTrue(complaint.message_ids.filtered(lambda m: answer.access_token in (m.body or "")))
        respondent = answer.sudo()  # the contact answers through the public survey page
        respondent._save_lines(question, "4")
        respondent._mark_done()
        self.assertEqual(complaint.callback_state, "done")
        self.assertAlmostEqual(
            complaint.callback_score, 75.0, msg="4 of 5 on the overall question counts on the complaint"
        )

    def test_hooks_feed_tiering_and_agreement_reviews(self):
        complaint = self._submitted()
        policy = self.env["customer.tier.policy"].search([("company_id", "=", self.company.id)], limit=1) or self.env[
            "customer.tier.policy"
        ].create({"name": "Policy", "company_id": self.company.id})
        counts = policy._tier_complaint_counts(date(2026, 1, 1), date(2026, 12, 31))
        self.assertEqual(counts.get(self.customer.id), 1)
        self.assertFalse(policy._tier_complaint_counts(date(2025, 1, 1), date(2025, 12, 31)))
        agreement = self.env["customer.agreement"].create(
            {
                "partner_id": self.customer.id,
                "type_id": self.env.ref("customer_relations.customer_agreement_type_strategic").id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 12, 31),
                "manager_id": self.user.id,
            }
        )
        review = self.env["customer.agreement.review"].create(
            {"agreement_id": agreement.id, "date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31)}
        )
        with freeze_time(T0 + timedelta(days=10)):
            self.env["customer.complaint"]._cron_update_sla()
            figures = review._complaint_figures()
        self.assertEqual(figures, {"count": 1, "open": 1, "overdue": 1})
        self.assertEqual(complaint.sla_warning_level, "red")

    def test_report_prints_chinese_text(self):
        complaint = self._submitted()
        html = (
            self.env["ir.actions.report"]
            .with_user(self.user)
            ._render_qweb_html("customer_relations.report_customer_complaint", complaint.ids)[0]
            .decode()
        )
        self.assertIn("如家酒店", html)
        self.assertIn("质检部", html)
        self.assertIn("Complaint Handling Report", html)
        self.assertIn("o_cr_report", html)  # the report font (static/src/scss/report.scss), see test_i18n
