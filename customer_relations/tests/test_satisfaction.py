import base64
import io
from datetime import date, timedelta

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
        cls.q_overall = Question.create(
            {
                "survey_id": cls.survey.id,
                "title": "Overall satisfaction",
                "question_type": "scale",
                "scale_min": 1,
                "scale_max": 5,
                "satisfaction_role": "overall",
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

    def _answer(self, user_input, quality, wait, delivery_label, service, recommend, comment=None, overall=None):
        user_input._save_lines(self.q_quality, str(quality))
        user_input._save_lines(self.q_wait, str(wait))
        option = self.q_delivery.suggested_answer_ids.filtered(lambda a: a.value == delivery_label)
        user_input._save_lines(self.q_delivery, option.id)
        columns = {a.satisfaction_value: a.id for a in self.q_service.suggested_answer_ids}
        rows = self.q_service.matrix_row_ids
        user_input._save_lines(
            self.q_service, {str(rows[0].id): [columns[service[0]]], str(rows[1].id): [columns[service[1]]]}
        )
        if recommend is not None:
            user_input._save_lines(self.q_recommend, str(recommend))
        if overall is not None:
            user_input._save_lines(self.q_overall, str(overall))
        if comment:
            user_input._save_lines(self.q_comment, comment)
        user_input._mark_done()
        return user_input

    def _invitation(self, position=0):
        """The invitation of the ``position``-th test customer to a new running campaign."""
        campaign = self._campaign()
        campaign.with_context(satisfaction_no_mail=True).action_start()
        return campaign.user_input_ids.filtered(lambda a: a.partner_id == self.contacts[position])

    def test_scoring_of_scale_choice_and_matrix_answers(self):
        answer = self._invitation(0)
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

    def _download(self, action):
        """The workbook behind a download action (a private attachment of the exporting user)."""
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        return openpyxl.load_workbook(io.BytesIO(attachment.raw))

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
        self._answer(first, 5, 1, "Always", (5, 5), 10, comment="设备很好 Great machines", overall=5)
        self._answer(second, 2, 4, "Rarely", (2, 3), 5, overall=2)
        self.assertAlmostEqual(campaign.response_rate, 200 / 3)
        campaign.action_remind()
        self.assertEqual(self.env["mail.mail"].search_count(invitations), 4, "one reminder to the non-respondent")
        third = campaign.user_input_ids - first - second
        self._answer(third, 4, 2, "Often", (4, 3), 8, overall=4)
        campaign.action_close()
        self.assertEqual(campaign.state, "closed")
        answers = first | second | third
        self.assertAlmostEqual(campaign.index_value, sum(answers.mapped("satisfaction_index")) / 3)
        self.assertAlmostEqual(campaign.nps_value, 0.0)  # one promoter, one passive, one detractor
        self.assertIn("Quality", campaign.dimensions_html)
        self.assertIn("<svg", campaign.drivers_html, "the importance-performance chart")
        self.assertTrue(campaign.reliability_html)
        # Excel summary, read back
        book = self._download(campaign.action_export_xlsx())
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
        dimensions = {row[0].value for row in book["Dimensions"].iter_rows(min_row=2)}
        self.assertIn("Quality", dimensions, "a dimension is named as it is, not with its id")
        # PDF content
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_relations.report_satisfaction_campaign", campaign.ids)[0]
            .decode()
        )
        self.assertIn("Satisfaction Survey Report", html)
        self.assertIn("2026 满意度 Satisfaction", html)

    def test_export_wizard_filters_by_region(self):
        answer = self._invitation(0)
        self._answer(answer, 4, 2, "Often", (4, 4), 8)
        wizard = (
            self.env["customer.satisfaction.export.wizard"]
            .with_user(self.user)
            .create({"date_from": date(2000, 1, 1), "date_to": date(2100, 1, 1), "region_id": self.region.id})
        )
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.export_file)))
        self.assertEqual(book["Summary"]["A3"].value, "Answers")
        self.assertEqual(book["Summary"]["B3"].value, 1)
        wizard.write({"date_from": date(1990, 1, 1), "date_to": date(1990, 12, 31)})
        with self.assertRaisesRegex(UserError, "No completed"):
            wizard.action_export()

    def test_satisfaction_feeds_tiering_loyalty(self):
        answer = self._invitation(2)
        self._answer(answer, 5, 1, "Always", (5, 5), 10)
        loose = self.survey._create_answer(partner=self.contacts[1], check_attempts=False)  # no campaign
        self._answer(loose, 5, 1, "Always", (5, 5), 10)
        policy = self.env["customer.tier.policy"]._get_for_company(self.env.company)
        satisfaction = policy._tier_satisfaction_index(date(2100, 1, 1))
        self.assertAlmostEqual(satisfaction[self.customers[2].id], 100.0)
        # An answer given to no campaign and no complaint belongs to no company's tiering.
        self.assertNotIn(self.customers[1].id, satisfaction)

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

    # ------------------------------------------------------------------
    # issue 15: faithful results
    # ------------------------------------------------------------------
    def _expected_index(self, quality, wait, delivery, service):
        """Hand arithmetic of the index with the dimensions' current weights and flags."""
        wait_value = (5 - wait) / 4 * 100 if self.q_wait.satisfaction_reverse else (wait - 1) / 4 * 100
        quality_score = ((quality - 1) / 4 * 100 * 2 + wait_value) / 3
        service_score = sum((v - 1) / 4 * 100 for v in service) / 2
        weights = (self.quality_dim.weight, self.delivery_dim.weight, self.service_dim.weight)
        scores = (quality_score, (delivery - 1) / 4 * 100, service_score)
        return sum(w * x for w, x in zip(weights, scores, strict=True)) / sum(weights)

    def test_changing_a_weight_or_a_reverse_flag_rescores_and_flags_the_results(self):
        campaign = self._campaign()
        campaign.with_context(satisfaction_no_mail=True).action_start()
        answers = campaign.user_input_ids.sorted("id")
        for answer, values in zip(answers, [(5, 2, 4, (3, 5)), (2, 4, 2, (2, 3)), (4, 1, 5, (4, 4))], strict=True):
            quality, wait, delivery, service = values
            label = {1: "Never", 2: "Rarely", 3: "Sometimes", 4: "Often", 5: "Always"}[delivery]
            self._answer(answer, quality, wait, label, service, 8, overall=4)
        campaign.action_compute_results()
        self.assertFalse(campaign.results_outdated)
        self.quality_dim.weight = 1
        self.assertAlmostEqual(answers[0].satisfaction_index, self._expected_index(5, 2, 4, (3, 5)), places=9)
        campaign.invalidate_recordset()  # as the next request reads it
        self.assertTrue(campaign.results_outdated, "the stored results predate the new weight")
        campaign.action_compute_results()
        self.assertFalse(campaign.results_outdated)
        self.assertAlmostEqual(
            campaign.index_value,
            sum(self._expected_index(*v) for v in [(5, 2, 4, (3, 5)), (2, 4, 2, (2, 3)), (4, 1, 5, (4, 4))]) / 3,
            places=9,
        )
        self.q_wait.satisfaction_reverse = False
        self.assertAlmostEqual(answers[1].satisfaction_index, self._expected_index(2, 4, 2, (2, 3)), places=9)
        campaign.invalidate_recordset()
        self.assertTrue(campaign.results_outdated)
        campaign.action_compute_results()
        campaign.invalidate_recordset()
        self.assertFalse(campaign.results_outdated)
        answers[0].state = "in_progress"  # an answer set back: the results no longer hold
        campaign.invalidate_recordset()
        self.assertTrue(campaign.results_outdated)

    def test_dimension_scores_keep_full_precision(self):
        answer = self._invitation(0)
        self._answer(answer, quality=5, wait=4, delivery_label="Often", service=(3, 5), recommend=9)
        quality = (100.0 * 2 + 25.0) / 3  # 75.0; with wait 4 reversed: 25
        scores = {s.dimension_id: s.score for s in answer.satisfaction_score_ids}
        self.assertAlmostEqual(scores[self.quality_dim], quality, places=9)
        answer2 = self._invitation(1)
        self._answer(answer2, quality=4, wait=3, delivery_label="Often", service=(3, 5), recommend=9)
        scores = {s.dimension_id: s.score for s in answer2.satisfaction_score_ids}
        self.assertAlmostEqual(scores[self.quality_dim], (75.0 * 2 + 50.0) / 3, places=9, msg="66.666..., not 66.7")
        index = (scores[self.quality_dim] * 3 + scores[self.delivery_dim] + scores[self.service_dim]) / 5
        self.assertAlmostEqual(answer2.satisfaction_index, index, places=9, msg="the dimensions average to the index")

    def test_recommend_must_be_asked_on_0_to_10(self):
        with self.assertRaisesRegex(ValidationError, "0-10"):
            self.env["survey.question"].create(
                {
                    "survey_id": self.survey.id,
                    "title": "Recommend 1-5",
                    "question_type": "scale",
                    "scale_min": 1,
                    "scale_max": 5,
                    "satisfaction_role": "recommend",
                }
            )
        with self.assertRaisesRegex(ValidationError, "0-10"):
            self.q_quality.satisfaction_role = "recommend"
        choices = self.env["survey.question"].create(
            {
                "survey_id": self.survey.id,
                "title": "Recommend (choices)",
                "question_type": "simple_choice",
                "satisfaction_role": "recommend",
                "suggested_answer_ids": [Command.create({"value": str(v)}) for v in range(11)],
            }
        )
        self.assertEqual(choices.suggested_answer_ids.mapped("satisfaction_value"), list(range(11)))
        with self.assertRaisesRegex(ValidationError, "0-10"):
            choices.suggested_answer_ids[-1].satisfaction_value = 5

    def test_new_choices_take_their_position_and_zero_is_a_real_value(self):
        question = self.env["survey.question"].create(
            {
                "survey_id": self.survey.id,
                "title": "Packaging",
                "question_type": "simple_choice",
                "satisfaction_role": "item",
                "satisfaction_dimension_id": self.delivery_dim.id,
                "suggested_answer_ids": [Command.create({"value": label}) for label in ("1", "2", "3", "4", "5")]
                + [Command.create({"value": "Not applicable", "satisfaction_skip": True})],
            }
        )
        self.assertEqual(question.suggested_answer_ids[:5].mapped("satisfaction_value"), [1, 2, 3, 4, 5])
        answer = self._invitation(0)
        answer._save_lines(question, question.suggested_answer_ids[0].id)
        answer._mark_done()
        self.assertAlmostEqual(answer.satisfaction_index, 0.0, msg="answer '1' on 1-5 is 0, not 20")
        self.assertTrue(answer.satisfaction_scored)
        question.suggested_answer_ids[0].satisfaction_value = 0.0  # a real 0: the scale becomes 0-5
        self.assertAlmostEqual(answer.satisfaction_index, 0.0)
        answer2 = self._invitation(1)
        answer2._save_lines(question, question.suggested_answer_ids[1].id)  # "2" on 0-5
        answer2._mark_done()
        self.assertAlmostEqual(answer2.satisfaction_index, 40.0)

    def test_without_an_overall_question_the_drivers_say_so(self):
        campaign = self._campaign()
        campaign.with_context(satisfaction_no_mail=True).action_start()
        for answer, quality in zip(campaign.user_input_ids, (5, 3, 2), strict=True):
            self._answer(answer, quality, 2, "Often", (4, quality), 8)
        campaign.action_compute_results()
        self.assertEqual(campaign.analysis["correlations"], [])
        self.assertIn("no overall-satisfaction question", campaign.drivers_html)
        self.assertNotIn("<svg", campaign.drivers_html)

    def test_reliability_tab_shows_every_statistic_with_its_n(self):
        campaign = self._campaign()
        campaign.with_context(satisfaction_no_mail=True).action_start()
        rows = [(5, 1, "Always", (5, 4), 10, 5), (2, 4, "Rarely", (2, 3), 5, 2), (4, 2, "Often", (4, 4), 8, 4)]
        for answer, row in zip(campaign.user_input_ids, rows, strict=True):
            self._answer(answer, *row[:5], overall=row[5])
        campaign.action_compute_results()
        html = campaign.with_user(self.user).reliability_html
        for text in (
            "Cronbach",
            "95 % interval",
            "Alpha per dimension",
            "Alpha if deleted",
            "Item-total r",
            "MSA",
            "Bartlett",
            "listwise",
        ):
            self.assertIn(text, html)
        self.assertIn("3 of 3", html, "alpha's n of the answers")
        self.assertIn("3 complete answers for 5 items", html, "KMO needs more answers than items: said in words")

    def test_export_is_true_at_export_time_with_the_real_response_rate(self):
        campaign = self._campaign()
        campaign.with_context(satisfaction_no_mail=True).action_start()
        first, second, third = campaign.user_input_ids.sorted("id")
        self.customers[0].with_company(self.env.company).sudo().customer_tier = "a"
        self._answer(first, 2, 4, "Rarely", (2, 3), None, overall=2)  # no recommend answer
        self._answer(second, 5, 1, "Always", (5, 5), 9, overall=5)
        campaign.action_compute_results()
        self._answer(third, 4, 2, "Often", (4, 4), 7, overall=4)  # after the stored results
        book = self._download(campaign.with_user(self.user).action_export_xlsx())
        summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=3) if row[0].value}
        self.assertEqual(summary["Answers"], 3, "answers at export time, not at the last Compute Results")
        self.assertAlmostEqual(summary["Response rate"], 1.0)
        customers = list(book["Customers"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(len(customers), 3)
        indexes = [row[1] for row in customers]
        self.assertEqual(indexes, sorted(indexes, reverse=True), "best first over all answers")
        no_recommend = next(row for row in customers if row[0] == self.customers[0].name)
        self.assertIsNone(no_recommend[2], "blank, not 0, without a recommend answer")
        self.assertEqual(no_recommend[3], "A", "the tier's label")
        self.assertIsInstance(indexes[0], int | float)
        third.state = "in_progress"
        book = self._download(campaign.with_user(self.user).action_export_xlsx())
        summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=3) if row[0].value}
        self.assertEqual(summary["Answers"], 2)
        self.assertAlmostEqual(summary["Response rate"], 2 / 3)
        self.assertEqual(len(list(book["Customers"].iter_rows(min_row=2))), 2)
        self.assertEqual(book["Summary"].page_setup.orientation, "landscape")
        self.assertTrue(book["Summary"].sheet_properties.pageSetUpPr.fitToPage, "printable on one page")
        self.assertIn(book["Summary"].page_setup.fitToHeight, (None, 1))

    def test_wizard_response_rate_counts_open_invitations(self):
        campaign = self._campaign()
        campaign.with_context(satisfaction_no_mail=True).action_start()
        first = campaign.user_input_ids.sorted("id")[0]
        self._answer(first, 4, 2, "Often", (4, 4), 8, overall=4)
        wizard = (
            self.env["customer.satisfaction.export.wizard"]
            .with_user(self.user)
            .create({"date_from": date(2000, 1, 1), "date_to": date(2100, 1, 1), "campaign_ids": campaign.ids})
        )
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.export_file)))
        summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=3) if row[0].value}
        self.assertAlmostEqual(summary["Response rate"], 1 / 3, msg="1 of 3 invited, not 100 %")

    # ------------------------------------------------------------------
    # issue 12: rights and companies
    # ------------------------------------------------------------------
    def test_campaign_buttons_follow_the_rights(self):
        campaign = self._campaign()
        campaign.with_context(satisfaction_no_mail=True).action_start()
        self._answer(campaign.user_input_ids[0], 4, 2, "Often", (4, 4), 8, overall=4)
        Campaign = self.env["customer.satisfaction.campaign"]
        user_arch = Campaign.with_user(self.user).get_views([(False, "form")])["views"]["form"]["arch"]
        manager_arch = Campaign.with_user(self.manager).get_views([(False, "form")])["views"]["form"]["arch"]
        for button in ("action_start", "action_remind", "action_compute_results", "action_close"):
            self.assertNotIn(f'name="{button}"', user_arch, f"{button} is hidden from Users")
            self.assertIn(f'name="{button}"', manager_arch)
        self.assertIn('name="action_export_xlsx"', user_arch, "Users export the summary from the campaign")
        as_user = campaign.with_user(self.user)
        for action in (as_user.action_compute_results, as_user.action_remind, as_user.action_close):
            with self.assertRaises(AccessError):
                action()
        book = self._download(as_user.action_export_xlsx())
        self.assertEqual(book.sheetnames[0], "Summary")
        campaign.with_user(self.quality).action_compute_results()
        self.assertTrue(campaign.analysis_date)

    def _other_company_user(self):
        from odoo.tests import new_test_user

        return new_test_user(
            self.env,
            login="cr_user_company2",
            groups="customer_relations.group_customer_relations_user",
            company_id=self.other_company.id,
            company_ids=[Command.set(self.other_company.ids)],
        )

    def test_a_shared_customer_shows_each_company_only_its_own_answers(self):
        answer = self._invitation(0)
        self._answer(answer, 5, 1, "Always", (5, 5), 10, overall=5)
        self.assertAlmostEqual(self.customers[0].with_user(self.user).satisfaction_index, 100.0)
        other = self._other_company_user()
        shared = self.customers[0].with_user(other).with_company(self.other_company)
        self.assertEqual(shared.satisfaction_index, 0.0, "company 1's index is not company 2's")
        self.assertEqual(shared.satisfaction_recommend, 0.0)
        self.assertFalse(shared.satisfaction_input_ids, "nor are company 1's answers listed to company 2")
        self.assertEqual(self.customers[0].with_user(self.user).satisfaction_input_ids, answer)
        # The tiering's satisfaction criterion reads the same way: each company its own answers.
        Policy = self.env["customer.tier.policy"]
        tomorrow = date.today() + timedelta(days=1)
        own = Policy._get_for_company(self.company)._tier_satisfaction_index(tomorrow)
        self.assertIn(self.customers[0].id, own)
        theirs = Policy._get_for_company(self.other_company)._tier_satisfaction_index(tomorrow)
        self.assertNotIn(self.customers[0].id, theirs)

    def test_scores_without_a_company_are_not_shown_to_every_company(self):
        loose = self.survey._create_answer(partner=self.contacts[1], check_attempts=False)  # no campaign
        self._answer(loose, 4, 2, "Often", (4, 4), 8)
        self.assertTrue(loose.sudo().satisfaction_score_ids)
        other = self._other_company_user()
        visible = self.env["customer.satisfaction.score"].with_user(other).search([("user_input_id", "=", loose.id)])
        self.assertFalse(visible)
        answer = self._invitation(0)
        self._answer(answer, 4, 2, "Often", (4, 4), 8)
        Score = self.env["customer.satisfaction.score"]
        self.assertFalse(Score.with_user(other).search([("user_input_id", "=", answer.id)]))
        self.assertTrue(Score.with_user(self.user).search([("user_input_id", "=", answer.id)]))
