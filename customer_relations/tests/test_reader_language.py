"""What the addon writes for a person comes out in that person's language: the Excel summary in
the language of whoever exports it, the activities of the scheduled jobs in the assignee's, the
callback invitation in the customer contact's."""

import io
from datetime import date, timedelta

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import format_date, format_datetime

from .common import CustomerRelationsCase
from .test_complaint import T0, ComplaintCase

LANG = "zh_CN"
SHEETS = ["Summary", "Dimensions", "Segments", "Drivers", "Reliability", "Items", "Comments", "Customers"]
CUSTOMER_HEADERS = ["Customer", "Satisfaction index", "Recommend (0-10)", "Tier", "Class", "Salesperson", "Region"]


def load_chinese(cls):
    cls.env["res.lang"]._activate_lang(LANG)
    cls.env["ir.module.module"]._load_module_terms(["customer_relations"], [LANG], overwrite=True)


@tagged("post_install", "-at_install")
class TestExcelInReadersLanguage(CustomerRelationsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_chinese(cls)
        cls.user.lang = LANG
        cls.env["customer.satisfaction.dimension"].search([]).active = False
        dimension = cls.env["customer.satisfaction.dimension"].create({"name": "Quality", "weight": 1})
        cls.survey = cls.env["survey.survey"].create({"title": "客户满意度调查", "access_mode": "public"})
        Question = cls.env["survey.question"]
        scale = {"survey_id": cls.survey.id, "question_type": "scale", "scale_min": 1, "scale_max": 5}
        cls.items = Question.create(
            [
                {
                    **scale,
                    "title": title,
                    "satisfaction_role": "item",
                    "satisfaction_dimension_id": dimension.id,
                }
                for title in ("Product quality", "Spare parts")
            ]
        )
        cls.recommend = Question.create(
            {**scale, "title": "Recommend?", "scale_min": 0, "scale_max": 10, "satisfaction_role": "recommend"}
        )
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"客户{i}", "is_company": True, "user_id": cls.user.id} for i in range(3)]
        )
        cls.env["res.partner"].create(
            [
                {"name": f"联系人{i}", "parent_id": c.id, "email": f"zh{i}@example.com"}
                for i, c in enumerate(cls.customers)
            ]
        )
        cls.campaign = (
            cls.env["customer.satisfaction.campaign"]
            .with_user(cls.manager)
            .create(
                {
                    "name": "2026 满意度",
                    "survey_id": cls.survey.id,
                    "audience_domain": str([("id", "in", cls.customers.ids)]),
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2026, 12, 31),
                }
            )
        )
        cls.campaign.with_context(satisfaction_no_mail=True).action_start()
        for answer, (first, second, recommend) in zip(
            cls.campaign.user_input_ids.sorted("id"), [(5, 4, 9), (3, 3, 6), (4, 2, 8)], strict=True
        ):
            answer._save_lines(cls.items[0], str(first))
            answer._save_lines(cls.items[1], str(second))
            answer._save_lines(cls.recommend, str(recommend))
            answer._mark_done()

    def _export(self, user):
        action = self.campaign.with_user(user).action_export_xlsx()
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        return openpyxl.load_workbook(io.BytesIO(self.env["ir.attachment"].browse(attachment_id).raw))

    def test_chinese_reader_gets_chinese_sheets_headers_and_dates(self):
        zh = self.env(context=dict(self.env.context, lang=LANG))
        book = self._export(self.user)
        self.assertEqual(book.sheetnames, [zh._(name) for name in SHEETS], "every sheet name through the .po")
        self.assertIn("题项", book.sheetnames, "the Items sheet reads 题项")
        headers = [cell.value for cell in book[zh._("Customers")][1]]
        self.assertEqual(headers, [zh._(text) for text in CUSTOMER_HEADERS])
        self.assertIn("满意度指数", headers)
        self.assertEqual(book[zh._("Dimensions")]["A1"].value, "维度")
        labels = [row[0] for row in book[zh._("Summary")].iter_rows(min_row=3, values_only=True) if row[0]]
        self.assertIn("答卷", labels, "the summary's labels too")
        subtitle = book[zh._("Summary")]["A2"].value
        self.assertIn(format_date(zh, date(2026, 1, 1)), subtitle, "dates written as text follow the language")
        self.assertNotIn("2026-01-01", subtitle)

    def test_english_reader_gets_english(self):
        book = self._export(self.quality)
        self.assertEqual(book.sheetnames, SHEETS)
        self.assertEqual([cell.value for cell in book["Customers"][1]], CUSTOMER_HEADERS)


@tagged("post_install", "-at_install")
class TestJobsWriteInAssigneesLanguage(ComplaintCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_chinese(cls)
        cls.user.write({"lang": LANG, "tz": "Asia/Shanghai"})
        cls.manager.write({"lang": "en_US", "tz": "UTC"})
        cls.manager.company_ids = [Command.link(cls.company.id)]
        cls.user.company_ids = [Command.link(cls.company.id)]

    def test_sla_escalation_reads_in_each_assignees_language(self):
        self.customer.user_id = self.user  # the account manager is warned on red
        complaint = self._submitted()
        with freeze_time(T0 + timedelta(hours=7)):
            self.env["customer.complaint"]._cron_update_sla()
            self.env["customer.complaint"]._cron_update_sla()
        red = complaint.activity_ids.filtered(lambda a: a.user_id in (self.user | self.manager))
        chinese = red.filtered(lambda a: a.user_id == self.user)
        english = red.filtered(lambda a: a.user_id == self.manager)
        self.assertTrue(chinese and english)
        for activity in chinese:
            self.assertIn("SLA 已超时（红色）", activity.summary)
        self.assertTrue(all(a.summary.startswith("SLA breached (red)") for a in english))
        onsite = complaint.sla_ids.filtered(lambda s: s.milestone == "onsite")
        self.assertEqual(onsite.deadline, T0 + timedelta(hours=6))
        zh = self.env(context=dict(self.env.context, lang=LANG))
        local = format_datetime(zh, onsite.deadline, tz="Asia/Shanghai")
        self.assertIn("15:00", local)
        self.assertTrue(
            any(local in a.summary for a in chinese), "the deadline in the assignee's language and time zone"
        )
        self.assertTrue(any(format_datetime(self.env, onsite.deadline, tz="UTC") in a.summary for a in english))
        mails = self.env["mail.mail"].search([("recipient_ids", "in", self.user.partner_id.ids)])
        self.assertIn("投诉 SLA 升级", " ".join(mails.mapped("subject")), "the mail to the assignee as well")

    def test_agreement_reminder_in_the_managers_language(self):
        Agreement = self.env["customer.agreement"]
        strategic = self.env.ref("customer_relations.customer_agreement_type_strategic")
        agreements = Agreement.create(
            [
                {
                    "partner_id": partner.id,
                    "type_id": strategic.id,
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2026, 12, 31),
                    "manager_id": manager.id,
                    "target_ids": [Command.create({"measure": "revenue", "period": "year", "target_value": 1000.0})],
                }
                for partner, manager in ((self.customer, self.user), (self.other_customer, self.manager))
            ]
        )
        agreements.action_activate()
        agreements._send_reminders(date(2026, 12, 15))
        chinese = agreements[0].activity_ids.filtered(lambda a: a.user_id == self.user).mapped("summary")
        english = agreements[1].activity_ids.filtered(lambda a: a.user_id == self.manager).mapped("summary")
        zh = self.env(context=dict(self.env.context, lang=LANG))
        ending = [text for text in chinese if "协议将于" in text]
        self.assertEqual(len(ending), 1, chinese)
        self.assertIn(format_date(zh, date(2026, 12, 31)), ending[0])
        self.assertFalse([text for text in chinese if "Agreement" in text or "Half-way" in text], chinese)
        self.assertEqual(len([text for text in english if text.startswith("Agreement ends on")]), 1, english)


CALLBACK_EN = "How satisfied are you with the handling of your complaint? Your answers help us do better."
CALLBACK_ZH = "您对本次投诉的处理满意吗？您的回答将帮助我们改进工作。"


@tagged("post_install", "-at_install")
class TestCallbackInContactsLanguage(ComplaintCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_chinese(cls)
        cls.survey = cls.env["survey.survey"].create({"title": "Complaint callback", "access_mode": "token"})
        cls.survey.update_field_translations("title", {LANG: "投诉回访"})
        cls.env["survey.question"].create(
            {
                "survey_id": cls.survey.id,
                "title": "Overall",
                "question_type": "scale",
                "scale_min": 1,
                "scale_max": 5,
                "satisfaction_role": "overall",
            }
        )
        cls.company.complaint_callback_survey_id = cls.survey
        template = cls.env.ref("customer_relations.mail_template_customer_complaint_callback")
        # zh_CN.po carries the Chinese template; set here from the English one so that the test
        # checks the choice of language, whatever the state of the translation file.
        body = str(template.with_context(lang="en_US").body_html)
        if CALLBACK_EN not in body:
            raise AssertionError(f"the callback template changed: {body}")
        template.update_field_translations("body_html", {LANG: body.replace(CALLBACK_EN, CALLBACK_ZH)})

    def _closed(self, contact):
        complaint = self._to_feedback(self._submitted(category=self.cat_delivery, contact_id=contact.id))
        complaint.write({"reply": "<p>Sorry for the delay.</p>"})
        complaint.action_reply()
        complaint.action_close()
        return complaint

    def test_chinese_contact_gets_the_invitation_in_chinese(self):
        self.contact.lang = LANG
        complaint = self._closed(self.contact)
        answer = complaint.callback_input_id
        message = complaint.message_ids.filtered(lambda m: answer.access_token in (m.body or ""))
        self.assertEqual(len(message), 1, "one invitation in the chatter, with the personal link")
        self.assertIn(CALLBACK_ZH, message.body)
        self.assertIn("投诉回访", message.body, "the survey's title in the contact's language")
        self.assertIn(self.contact, message.partner_ids)

    def test_english_contact_gets_english(self):
        english = self.env["res.partner"].create(
            {"name": "Li Lei", "parent_id": self.customer.id, "email": "li.lei@homeinns.example", "lang": "en_US"}
        )
        complaint = self._closed(english)
        message = complaint.message_ids.filtered(lambda m: complaint.callback_input_id.access_token in (m.body or ""))
        self.assertIn(CALLBACK_EN, message.body)
        self.assertIn("Complaint callback", message.body)
        self.assertIn(english, message.partner_ids)
