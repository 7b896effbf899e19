import base64
import io
from datetime import date

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CustomerRelationsCase


@tagged("post_install", "-at_install")
class TestSatisfaction(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Dimension = cls.env["customer.satisfaction.dimension"]
        cls.env["customer.satisfaction.dimension"].search([]).active = False  # only ours count
        cls.quality_dim = Dimension.create({"name": "Quality", "weight": 3})
        cls.delivery_dim = Dimension.create({"name": "Delivery", "weight": 1})
        cls.service_dim = Dimension.create({"name": "Service", "weight": 1})
        Question = cls.env["survey.question"]
        cls.survey = cls.env["survey.survey"].create(
            {"title": "客户满意度调查 Customer satisfaction", "access_mode": "public"}
        )
        cls.q_quality = Question.create(
            {
                "survey_id": cls.survey.id,
                "title": "Product quality",
                "question_type": "scale",
                "scale_min": 1,
                "scale_max": 5,
                "satisfaction_role": "item",
                "satisfaction_dimension_id": cls.quality_dim.id,
                "satisfaction_item_weight": 2,
            }
        )
        cls.q_wait = Question.create(
            {
                "survey_id": cls.survey.id,
                "title": "We waited too long for spare parts",
                "question_type": "scale",
                "scale_min": 1,
                "scale_max": 5,
                "satisfaction_role": "item",
                "satisfaction_dimension_id": cls.quality_dim.id,
                "satisfaction_reverse": True,
            }
        )
        cls.q_delivery = Question.create(
            {
                "survey_id": cls.survey.id,
                "title": "Delivery on time",
                "question_type": "simple_choice",
                "satisfaction_role": "item",
                "satisfaction_dimension_id": cls.delivery_dim.id,
                "suggested_answer_ids": [
                    Command.create({"value": label, "satisfaction_value": value})
                    for label, value in [("Never", 1), ("Rarely", 2), ("Sometimes", 3), ("Often", 4), ("Always", 5)]
                ]
                + [Command.create({"value": "Not applicable", "satisfaction_skip": True})],
            }
        )
        cls.q_service = Question.create(
            {
                "survey_id": cls.survey.id,
                "title": "After-sales service",
                "question_type": "matrix",
                "matrix_subtype": "simple",
                "satisfaction_role": "item",
                "satisfaction_dimension_id": cls.service_dim.id,
                "suggested_answer_ids": [
                    Command.create({"value": str(v), "satisfaction_value": v}) for v in (1, 2, 3, 4, 5)
                ],
                "matrix_row_ids": [Command.create({"value": "Response time"}), Command.create({"value": "Competence"})],
            }
        )
        cls.q_recommend = Question.create(
            {
                "survey_id": cls.survey.id,
                "title": "Would you recommend us?",
                "question_type": "scale",
                "scale_min": 0,
                "scale_max": 10,
                "satisfaction_role": "recommend",
            }
        )
        cls.q_comment = Question.create({"survey_id": cls.survey.id, "title": "Comments", "question_type": "text_box"})
        Partner = cls.env["res.partner"]
        cls.region = cls.env["customer.region"].create({"name": "海南 Hainan", "code": "TEST-HN"})
        cls.customers = Partner.create(
            [
                {
                    "name": f"客户{i} Customer {i}",
                    "is_company": True,
                    "region_id": cls.region.id,
                    "user_id": cls.user.id,
                }
                for i in range(1, 4)
            ]
        )
        cls.contacts = Partner.create(
            [
                {"name": f"联系人{i}", "parent_id": c.id, "email": f"c{i}@example.com"}
                for i, c in enumerate(cls.customers, 1)
            ]
        )

    def _answer(self, user_input, quality, wait, delivery_label, service, recommend, comment=None):
        user_input._save_lines(self.q_quality, str(quality))
        user_input._save_lines(self.q_wait, str(wait))
        option = self.q_delivery.suggested_answer_ids.filtered(lambda a: a.value == delivery_label)
        user_input._save_lines(self.q_delivery, option.id)
        columns = {a.satisfaction_value: a.id for a in self.q_service.suggested_answer_ids}
        rows = self.q_service.matrix_row_ids
        user_input._save_lines(
            self.q_service, {str(rows[0].id): [columns[service[0]]], str(rows[1].id): [columns[service[1]]]}
        )
        user_input._save_lines(self.q_recommend, str(recommend))
        if comment:
            user_input._save_lines(self.q_comment, comment)
        user_input._mark_done()
        return user_input

    def test_scoring_of_scale_choice_and_matrix_answers(self):
        answer = self.survey._create_answer(partner=self.contacts[0], check_attempts=False)
        self._answer(answer, quality=5, wait=2, delivery_label="Often", service=(3, 5), recommend=9)
        # quality: (100 * 2 + reverse(25) = 75) / 3; delivery 75; service (50 + 100) / 2
        quality = (100.0 * 2 + 75.0) / 3
        expected = (quality * 3 + 75.0 + 75.0) / 5
        self.assertAlmostEqual(answer.satisfaction_index, expected, places=6)
        self.assertEqual(answer.satisfaction_partner_id, self.customers[0], "counts for the customer company")
        self.assertEqual(answer.satisfaction_nps_category, "promoter")
        self.assertEqual(answer.satisfaction_level, "satisfied")
        scores = {s.dimension_id: s.score for s in answer.satisfaction_score_ids}
        self.assertAlmostEqual(scores[self.service_dim], 75.0)
        self.assertAlmostEqual(self.customers[0].satisfaction_index, expected, places=6)

    def test_not_applicable_and_unanswered_items_are_left_out(self):
        answer = self.survey._create_answer(partner=self.contacts[1], check_attempts=False)
        answer._save_lines(self.q_quality, "4")
        answer._save_lines(self.q_delivery, self.q_delivery.suggested_answer_ids.filtered("satisfaction_skip").id)
        answer._mark_done()
        self.assertAlmostEqual(answer.satisfaction_index, 75.0, msg="only quality answered: 75, no zeros")
        self.assertFalse(answer.satisfaction_nps_category)

    def test_only_scorable_questions_take_a_role(self):
        with self.assertRaises(ValidationError):
            self.q_comment.satisfaction_role = "item"
        with self.assertRaises(ValidationError):
            self.env["survey.question"].create(
                {
                    "survey_id": self.survey.id,
                    "title": "No dimension",
                    "question_type": "scale",
                    "satisfaction_role": "item",
                }
            )

    def _campaign(self):
        return (
            self.env["customer.satisfaction.campaign"]
            .with_user(self.manager)
            .create(
                {
                    "name": "2026 满意度 Satisfaction",
                    "survey_id": self.survey.id,
                    "audience_domain": str([("id", "in", self.customers.ids)]),
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2026, 12, 31),
                }
            )
        )

    def test_campaign_invitations_response_rate_results_and_excel(self):
        campaign = self._campaign()
        campaign.action_start()
        self.assertEqual(campaign.state, "running")
        self.assertEqual(campaign.invited_count, 3)
        self.assertEqual(campaign.user_input_ids.partner_id, self.contacts, "each customer's contact is invited")
        invitations = [("model", "=", "survey.user_input"), ("res_id", "in", campaign.user_input_ids.ids)]
        self.assertEqual(self.env["mail.mail"].search_count(invitations), 3)
        first, second = campaign.user_input_ids.sorted("id")[:2]
        self._answer(first, 5, 1, "Always", (5, 5), 10, comment="设备很好 Great machines")
        self._answer(second, 2, 4, "Rarely", (2, 3), 5)
        self.assertAlmostEqual(campaign.response_rate, 200 / 3)
        campaign.action_remind()
        self.assertEqual(self.env["mail.mail"].search_count(invitations), 4, "one reminder to the non-respondent")
        third = campaign.user_input_ids - first - second
        self._answer(third, 4, 2, "Often", (4, 3), 8)
        campaign.action_close()
        self.assertEqual(campaign.state, "closed")
        answers = first | second | third
        self.assertAlmostEqual(campaign.index_value, sum(answers.mapped("satisfaction_index")) / 3)
        self.assertAlmostEqual(campaign.nps_value, 0.0)  # one promoter, one passive, one detractor
        self.assertIn("Quality", campaign.dimensions_html)
        self.assertIn("<svg", campaign.drivers_html, "the importance-performance chart")
        self.assertTrue(campaign.reliability_html)
        # Excel summary, read back
        campaign.action_export_xlsx()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(campaign.export_file)))
        self.assertEqual(
            book.sheetnames,
            ["Summary", "Dimensions", "Segments", "Drivers", "Reliability", "Items", "Comments", "Customers"],
        )
        summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=2)}
        self.assertEqual(summary["Answers"], 3)
        self.assertAlmostEqual(summary["Satisfaction index"], campaign.index_value, places=6)
        self.assertAlmostEqual(summary["Response rate"], 1.0, places=6)
        self.assertEqual(book["Comments"]["C2"].value, "设备很好 Great machines")
        customers = [row[0].value for row in book["Customers"].iter_rows(min_row=2)]
        self.assertEqual(sorted(customers), sorted(self.customers.mapped("name")))
        self.assertEqual(book["Dimensions"].freeze_panes, "A2")
        # PDF content
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_relations.report_satisfaction_campaign", campaign.ids)[0]
            .decode()
        )
        self.assertIn("Satisfaction Survey Report", html)
        self.assertIn("2026 满意度 Satisfaction", html)

    def test_export_wizard_filters_by_region(self):
        answer = self.survey._create_answer(partner=self.contacts[0], check_attempts=False)
        self._answer(answer, 4, 2, "Often", (4, 4), 8)
        wizard = (
            self.env["customer.satisfaction.export.wizard"]
            .with_user(self.user)
            .create({"date_from": date(2000, 1, 1), "date_to": date(2100, 1, 1), "region_id": self.region.id})
        )
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.export_file)))
        self.assertEqual(book["Summary"]["B3"].value, 1)
        wizard.write({"date_from": date(1990, 1, 1), "date_to": date(1990, 12, 31)})
        with self.assertRaisesRegex(UserError, "No completed"):
            wizard.action_export()

    def test_satisfaction_feeds_tiering_loyalty(self):
        answer = self.survey._create_answer(partner=self.contacts[2], check_attempts=False)
        self._answer(answer, 5, 1, "Always", (5, 5), 10)
        policy = self.env["customer.tier.policy"]._get_for_company(self.env.company)
        satisfaction = policy._tier_satisfaction_index(date(2100, 1, 1))
        self.assertAlmostEqual(satisfaction[self.customers[2].id], 100.0)

    def test_access(self):
        campaign = self._campaign()
        with self.assertRaises(AccessError):
            self.env["customer.satisfaction.campaign"].with_user(self.handler).search([])
        self.assertTrue(
            self.env["customer.satisfaction.campaign"].with_user(self.user).search([("id", "=", campaign.id)])
        )
        with self.assertRaises(AccessError):
            self.env["customer.satisfaction.campaign"].with_user(self.user).create(
                {"name": "x", "survey_id": self.survey.id}
            )
