import io
from datetime import date

import openpyxl
from scipy import stats

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import CustomerRelationsCase

# Per customer: quality (1-5, also the overall answer), delivery, service (1-5), recommend (0-10).
# Quality drives overall satisfaction and performs worst: "concentrate here".
BEFORE = [
    (1, 5, 4, 3),  # 0: strategic, dissatisfied (35) and detractor
    (2, 4, 4, 5),  # 1: dissatisfied (45), detractor
    (2, 5, 5, 6),  # 2: dissatisfied (55), detractor
    (3, 4, 5, 8),  # 3: average, passive
    (3, 5, 4, 8),  # 4: average, passive
    (4, 4, 5, 9),  # 5: satisfied, promoter
    (2, 4, 4, 7),  # 6: dissatisfied (45), passive
    (1, 5, 5, 2),  # 7: general customer, dissatisfied (40) and detractor
]
# The next campaign: customer 7 does not answer, customer 1 is still a detractor.
AFTER = [
    (5, 5, 4, 9),
    (2, 4, 4, 5),
    (4, 5, 5, 8),
    (4, 4, 5, 9),
    (5, 5, 4, 9),
    (5, 4, 5, 10),
    (4, 4, 4, 8),
]


def _to_100(value):
    return (value - 1) / 4 * 100


@tagged("post_install", "-at_install")
class TestImprovementPlan(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Dimension = cls.env["customer.satisfaction.dimension"]
        Dimension.search([]).active = False  # only ours count
        cls.quality_dim = Dimension.create({"name": "Quality", "weight": 3})
        cls.delivery_dim = Dimension.create({"name": "Delivery", "weight": 1})
        cls.service_dim = Dimension.create({"name": "Service", "weight": 1})
        cls.survey = cls.env["survey.survey"].create({"title": "客户满意度调查 Closed loop", "access_mode": "public"})
        Question = cls.env["survey.question"]

        def scale(title, role, dimension=None, low=1, high=5):
            return Question.create(
                {
                    "survey_id": cls.survey.id,
                    "title": title,
                    "question_type": "scale",
                    "scale_min": low,
                    "scale_max": high,
                    "satisfaction_role": role,
                    "satisfaction_dimension_id": dimension.id if dimension else False,
                }
            )

        cls.q_quality = scale("Product quality", "item", cls.quality_dim)
        cls.q_delivery = scale("Delivery on time", "item", cls.delivery_dim)
        cls.q_service = scale("After-sales service", "item", cls.service_dim)
        cls.q_overall = scale("Overall satisfaction", "overall")
        cls.q_recommend = scale("Would you recommend us?", "recommend", low=0, high=10)
        Partner = cls.env["res.partner"]
        cls.customers = Partner.create(
            [{"name": f"闭环客户{i} Loop customer {i}", "is_company": True, "user_id": cls.user.id} for i in range(8)]
        )
        cls.contacts = Partner.create(
            [
                {"name": f"联系人{i}", "parent_id": c.id, "email": f"loop{i}@example.com"}
                for i, c in enumerate(cls.customers)
            ]
        )
        cls.customers[0]._set_tier_class(cls.company, "a", "strategic")
        cls.customers[7]._set_tier_class(cls.company, "c", "general")
        cls.workshop = cls.env["hr.department"].create({"name": "一车间 Workshop 1"})
        cls.sales_service = cls.env["hr.department"].create({"name": "销售服务部 Sales service"})
        cls.env["hr.employee"].create({"name": "Handler", "user_id": cls.handler.id, "department_id": cls.workshop.id})

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _campaign(self, year):
        campaign = (
            self.env["customer.satisfaction.campaign"]
            .with_user(self.manager)
            .create(
                {
                    "name": f"{year} 满意度 Satisfaction",
                    "survey_id": self.survey.id,
                    "audience_domain": str([("id", "in", self.customers.ids)]),
                    "date_start": date(year, 1, 1),
                    "date_end": date(year, 12, 31),
                }
            )
        )
        campaign.with_context(satisfaction_no_mail=True).action_start()
        return campaign

    def _answer(self, campaign, position, quality, delivery, service, recommend):
        answer = campaign.user_input_ids.filtered(lambda a: a.partner_id == self.contacts[position])
        answer._save_lines(self.q_quality, str(quality))
        answer._save_lines(self.q_delivery, str(delivery))
        answer._save_lines(self.q_service, str(service))
        answer._save_lines(self.q_overall, str(quality))
        answer._save_lines(self.q_recommend, str(recommend))
        answer._mark_done()
        return answer

    def _alerts(self, customer):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", customer.id),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("customer_relations.mail_activity_type_satisfaction_follow_up").id,
                ),
            ]
        )

    def _first_campaign_with_plan(self):
        campaign = self._campaign(2026)
        for position, values in enumerate(BEFORE):
            self._answer(campaign, position, *values)
        campaign.with_user(self.quality).action_compute_results()
        action = campaign.with_user(self.quality).action_improvement_plan()
        plan = self.env["customer.improvement.plan"].with_user(self.quality).browse(action["res_id"])
        return campaign, plan

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------
    def test_full_closed_loop_from_a_weak_dimension_to_its_evaluation(self):
        campaign, plan = self._first_campaign_with_plan()
        labels = {dimension_id: label for label, dimension_id in campaign.analysis["dimension_ids"].items()}
        quadrants = campaign.analysis["quadrants"]
        self.assertEqual(quadrants[labels[self.quality_dim.id]], "concentrate")
        self.assertEqual(quadrants[labels[self.delivery_dim.id]], "overkill", "performing: no plan line")
        self.assertEqual(campaign.improvement_plan_count, 1)
        dimension_lines = plan.line_ids.filtered(lambda line: line.kind == "dimension")
        self.assertEqual(dimension_lines.dimension_id, self.quality_dim, "one line per weak dimension, only those")
        customer_lines = plan.line_ids.filtered(lambda line: line.kind == "customer")
        self.assertEqual(
            customer_lines.partner_id,
            self.customers[0] | self.customers[1] | self.customers[2] | self.customers[6] | self.customers[7],
            "one line per dissatisfied or detractor customer",
        )
        line_0 = customer_lines.filtered(lambda line: line.partner_id == self.customers[0])
        self.assertEqual(line_0.contact_id, self.contacts[0], "the reply goes to the person who answered")
        self.assertEqual(line_0.user_id, self.user, "owned by the account manager")
        # one plan per campaign: pressing again opens the same plan
        self.assertEqual(campaign.with_user(self.quality).action_improvement_plan()["res_id"], plan.id)
        # Quality starts the plan: the owners get their to-dos
        dimension_lines.with_user(self.quality).write({"department_id": self.workshop.id})
        plan.action_start()
        self.assertEqual(plan.state, "in_progress")
        self.assertTrue(line_0.activity_ids.filtered(lambda a: a.user_id == self.user))
        # the next campaign on the same survey evaluates every line when its results are computed
        campaign_2 = self._campaign(2027)
        for position, values in enumerate(AFTER):
            self._answer(campaign_2, position, *values)
        campaign_2.with_user(self.quality).action_compute_results()
        self.assertEqual(plan.evaluation_campaign_id, campaign_2)
        before = [_to_100(v[0]) for v in BEFORE]
        after = [_to_100(v[0]) for v in AFTER]
        expected = stats.ttest_ind(after, before, equal_var=False)
        self.assertAlmostEqual(dimension_lines.score_before, sum(before) / len(before))
        self.assertAlmostEqual(dimension_lines.score_after, sum(after) / len(after))
        self.assertEqual((dimension_lines.n_before, dimension_lines.n_after), (8, 7))
        self.assertAlmostEqual(dimension_lines.p_value, expected.pvalue, places=6)
        self.assertLess(expected.pvalue, 0.05)
        self.assertEqual(dimension_lines.evaluation, "improved")
        outcome = {line.partner_id: line.evaluation for line in customer_lines}
        self.assertEqual(outcome[self.customers[0]], "improved", "no longer dissatisfied nor a detractor")
        self.assertEqual(outcome[self.customers[1]], "not_improved", "still a detractor")
        self.assertEqual(outcome[self.customers[7]], "not_measured", "did not answer the next campaign")
        self.assertAlmostEqual(line_0.score_before, 35.0)
        self.assertAlmostEqual(line_0.score_after, (3 * 100 + 100 + 75) / 5)
        self.assertEqual(plan.improved_count, 4)
        # shown in the Excel summary (as a User) and the PDF of the next campaign
        self.assertEqual(
            campaign_2.with_user(self.user)._improvement_lines(), plan.line_ids, "the plan evaluated at campaign 2"
        )
        action = campaign_2.with_user(self.user).action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/web/content/")[1].split("?")[0]))
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        self.assertEqual(book.sheetnames[-1], "Improvement plan")
        rows = {row[1].value: row for row in book["Improvement plan"].iter_rows(min_row=2)}
        self.assertEqual(rows[dimension_lines.name][13].value, "Improved")
        self.assertAlmostEqual(rows[dimension_lines.name][12].value, expected.pvalue, places=6)
        self.assertEqual(rows[self.customers[7].name][13].value, "Not measured")
        html = (
            self.env["ir.actions.report"]
            .with_user(self.user)
            ._render_qweb_html("customer_relations.report_satisfaction_campaign", campaign_2.ids)[0]
            .decode()
        )
        self.assertIn("Improvement plan and its evaluation", html)
        self.assertIn("Not measured", html)

    def test_a_strategic_detractor_alerts_its_account_manager_at_once(self):
        campaign = self._campaign(2026)
        self._answer(campaign, 0, *BEFORE[0])
        alert = self._alerts(self.customers[0])
        self.assertEqual(len(alert), 1, "the strategic customer's detractor answer raises one alert at once")
        self.assertEqual(alert.user_id, self.user)
        self.assertIn(self.customers[0].name, alert.summary)
        self._answer(campaign, 7, *BEFORE[7])
        self.assertFalse(self._alerts(self.customers[7]), "a general customer raises no alert")
        self._answer(campaign, 5, *BEFORE[5])
        self.assertFalse(self._alerts(self.customers[5]))
        # the account manager calls and marks it done: the call is logged as an interaction
        alert.with_user(self.user).action_feedback(feedback="Promised a quality engineer visit")
        call = self.env["customer.interaction"].search([("partner_id", "=", self.customers[0].id)])
        self.assertEqual(call.interaction_type, "call")
        self.assertEqual(call.outcome, "Promised a quality engineer visit")
        self.assertEqual(call.user_id, self.user)

    def test_reply_to_the_customer_is_sent_in_its_language_and_logged(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.contacts[1].lang = "zh_CN"
        template = self.env.ref("customer_relations.mail_template_improvement_reply")
        template.with_context(lang="zh_CN").subject = "{{ object.company_id.name }}：对您意见的整改回复"
        _campaign, plan = self._first_campaign_with_plan()
        line = plan.line_ids.filtered(lambda line: line.partner_id == self.customers[1]).with_user(self.user)
        with self.assertRaises(UserError):
            line.action_send_reply()  # nothing written yet
        with Form(line) as form:
            form.reply_body = "<p>我们更换了供应商 We changed the supplier</p>"
        line.action_send_reply()
        self.assertEqual(line.reply_user_id, self.user)
        self.assertTrue(line.reply_date)
        message = line.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.contacts[1])
        self.assertIn("对您意见的整改回复", message.subject, "in the contact's language")
        self.assertIn("We changed the supplier", str(message.body))
        dimension_line = plan.line_ids.filtered(lambda line: line.kind == "dimension").with_user(self.user)
        with self.assertRaises(UserError):
            dimension_line.action_send_reply()
        # the follow-up call, logged from the line
        action = line.action_log_call()
        with Form(self.env["customer.interaction"].with_user(self.user).with_context(**action["context"])) as form:
            form.outcome = "Customer accepts the new supplier"
        self.assertEqual(line.interaction_count, 1)
        self.assertEqual(line.interaction_ids.interaction_type, "call")
        self.assertEqual(line.interaction_ids.partner_id, self.customers[1])

    def test_security_of_plans_and_lines(self):
        campaign = self._campaign(2026)
        for position, values in enumerate(BEFORE):
            self._answer(campaign, position, *values)
        campaign.with_user(self.quality).action_compute_results()
        with self.assertRaises(AccessError):
            campaign.with_user(self.user).action_improvement_plan()  # Users do not make plans
        self.assertFalse(campaign.improvement_plan_ids)
        plan_id = campaign.with_user(self.quality).action_improvement_plan()["res_id"]
        plan = self.env["customer.improvement.plan"].browse(plan_id)
        dimension_line = plan.line_ids.filtered(lambda line: line.kind == "dimension")
        customer_line = plan.line_ids.filtered(lambda line: line.partner_id == self.customers[7])
        dimension_line.with_user(self.quality).department_id = self.workshop
        customer_line.with_user(self.quality).department_id = self.sales_service
        # Users read every plan and line and edit the actions, not the protected values
        as_user = customer_line.with_user(self.user)
        as_user.actions = "<p>Call back</p>"
        with self.assertRaises(AccessError):
            as_user.write({"evaluation": "improved"})
        with self.assertRaises(AccessError):
            plan.with_user(self.user).write({"state": "done"})
        with self.assertRaises(AccessError):
            plan.with_user(self.user).action_start()
        with self.assertRaises(AccessError):
            self.env["customer.improvement.plan.line"].with_user(self.user).create(
                {"plan_id": plan.id, "kind": "dimension", "name": "x", "dimension_id": self.service_dim.id}
            )
        # a handler sees only the lines of its department, and works them
        Line = self.env["customer.improvement.plan.line"].with_user(self.handler)
        self.assertEqual(Line.search([("plan_id", "=", plan.id)]), dimension_line)
        self.assertEqual(self.env["customer.improvement.plan"].with_user(self.handler).search([]), plan)
        dimension_line.with_user(self.handler).action_done()
        self.assertEqual(dimension_line.state, "done")
        with self.assertRaises(AccessError):
            customer_line.with_user(self.handler).action_done()
        with self.assertRaises(AccessError):
            customer_line.with_user(self.handler).read(["name"])
        # the plain employee and a second company's user see nothing
        with self.assertRaises(AccessError):
            self.env["customer.improvement.plan"].with_user(self.employee).search([])
        other = new_test_user(
            self.env,
            login="cr_loop_company2",
            groups="customer_relations.group_customer_relations_manager",
            company_id=self.other_company.id,
            company_ids=[Command.set(self.other_company.ids)],
        )
        self.assertFalse(self.env["customer.improvement.plan"].with_user(other).search([]))
        self.assertFalse(self.env["customer.improvement.plan.line"].with_user(other).search([]))
        # a started plan is archived, not deleted
        plan.with_user(self.quality).action_start()
        with self.assertRaises(UserError):
            plan.with_user(self.manager).unlink()
