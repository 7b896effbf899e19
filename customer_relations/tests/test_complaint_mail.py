from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CustomerRelationsCase

DOMAIN = "cr-intake.example.com"
ALIAS_A = f"complaints-a@{DOMAIN}"
ALIAS_B = f"complaints-b@{DOMAIN}"


@tagged("post_install", "-at_install")
class TestComplaintMail(CustomerRelationsCase):
    """Complaints e-mailed to a company's alias: raw RFC 822 messages through the mail gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The gateway's followers, activities and mails are what this test looks at.
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls._use_own_company("Ningbo Precision Bearings")
        cls.company_b = cls.env["res.company"].create({"name": "Chengdu Gear Works"})
        cls.alias_domain = cls.env["mail.alias.domain"].create(
            {"name": DOMAIN, "bounce_alias": "bounce-cr", "catchall_alias": "catchall-cr"}
        )
        for company, name in ((cls.company, "complaints-a"), (cls.company_b, "complaints-b")):
            company.alias_domain_id = cls.alias_domain
            company._complaint_alias_set_name(name)
        cls.company.write({"complaint_portal_intake_user_id": cls.user.id, "email": "service@ningbo.example.com"})
        cls.company_b.write({"complaint_portal_intake_user_id": cls.user.id, "email": "service@chengdu.example.com"})
        cls.user.write({"company_ids": [Command.link(cls.company_b.id)]})
        cls.customer = cls.env["res.partner"].create({"name": "Hangzhou Motor Co.", "is_company": True})
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Anna Becker",
                "parent_id": cls.customer.id,
                "email": "anna.becker@hzmotor.example.com",
                "lang": "en_US",
            }
        )
        cls.env["customer.sla.policy"].create(
            {
                "name": "Standard service",
                "company_id": cls.company.id,
                "milestone_ids": [Command.create({"milestone": "response", "target_hours": 8})],
            }
        )
        cls.Complaint = cls.env["customer.complaint"].with_context(allowed_company_ids=[cls.company.id])

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _raw(self, sender, to, subject, html="<p>The bearings of lot 42 are noisy.</p>", headers=None, **kw):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate()
        message["Message-Id"] = kw.get("msg_id") or make_msgid(domain="mx.customer.example.com")
        if kw.get("in_reply_to"):
            message["In-Reply-To"] = kw["in_reply_to"]
            message["References"] = kw["in_reply_to"]
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content("See the HTML part.")
        message.add_alternative(html, subtype="html")
        for filename, data, mimetype in kw.get("attachments", ()):
            maintype, subtype = mimetype.split("/")
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        return message.as_bytes()

    def _process(self, raw):
        # The mail gateway runs with administrative rights (fetchmail's cron).
        return self.env["mail.thread"].sudo().message_process(None, raw)

    def _complaints(self, subject):
        return self.env["customer.complaint"].sudo().search([("title", "=", subject)])

    def _acks(self, complaint):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "customer.complaint"), ("res_id", "=", complaint.id)])
            .filtered(lambda m: "Auto-Submitted" in (m.headers or ""))
        )

    # ------------------------------------------------------------------
    # Known contact, unknown sender
    # ------------------------------------------------------------------
    def test_known_contact_opens_complaint_for_its_company(self):
        photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048
        raw = self._raw(
            '"Anna Becker" <anna.becker@hzmotor.example.com>',
            ALIAS_A,
            "Noisy bearings in lot 42",
            html="<p>The bearings of lot 42 are noisy.</p><script>alert('x')</script>",
            attachments=[("noise.png", photo, "image/png")],
        )
        self._process(raw)
        complaint = self._complaints("Noisy bearings in lot 42")
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.partner_id, self.customer, "the contact's company is the customer")
        self.assertEqual(complaint.contact_id, self.contact)
        self.assertEqual(complaint.company_id, self.company)
        self.assertEqual(complaint.channel, "email")
        self.assertEqual(complaint.state, "new")
        self.assertIn("lot 42 are noisy", complaint.description)
        self.assertNotIn("<script", complaint.description, "the body is sanitised")
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [("res_model", "=", "customer.complaint"), ("res_id", "=", complaint.id), ("name", "=", "noise.png")]
            )
        )
        self.assertEqual(attachment.raw, photo, "the photo is kept on the complaint")
        # Sales-service takes it in: follower and a to-do.
        self.assertEqual(complaint.intake_user_id, self.user)
        self.assertIn(self.user.partner_id, complaint.message_partner_ids)
        intake = complaint.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("customer_relations.mail_activity_type_complaint_intake")
        )
        self.assertEqual(intake.user_id, self.user)
        # The acknowledgement: reference, promised response time, portal link, to the contact.
        ack = self._acks(complaint)
        self.assertEqual(len(ack), 1)
        self.assertEqual(ack.recipient_ids, self.contact)
        self.assertIn(complaint.name, ack.subject)
        self.assertIn("within 8 hours", ack.body_html)
        self.assertIn(f"/my/complaints/{complaint.id}?access_token={complaint.access_token}", ack.body_html)
        self.assertIn("auto-replied", ack.headers)

    def test_unknown_sender_waits_for_the_customer(self):
        partners_before = self.env["res.partner"].with_context(active_test=False).search_count([])
        self._process(self._raw("Wang Fang <wang.fang@unknown-trader.example.com>", ALIAS_A, "Wrong gear ratio"))
        complaint = self._complaints("Wrong gear ratio")
        self.assertEqual(len(complaint), 1)
        self.assertFalse(complaint.partner_id)
        self.assertFalse(complaint.contact_id)
        self.assertIn("wang.fang@unknown-trader.example.com", complaint.email_from)
        self.assertEqual(
            self.env["res.partner"].with_context(active_test=False).search_count([]),
            partners_before,
            "no contact is created for an unknown sender",
        )
        waiting = self.Complaint.with_user(self.user).search([("partner_id", "=", False), ("state", "=", "new")])
        self.assertIn(complaint, waiting, "the 'Customer to Choose' filter lists it")
        ack = self._acks(complaint)
        self.assertEqual(len(ack), 1)
        self.assertIn("wang.fang@unknown-trader.example.com", ack.email_to)
        self.assertFalse(ack.recipient_ids)
        with self.assertRaisesRegex(UserError, "Choose the customer"):
            complaint.with_user(self.user).action_submit()
        self.assertEqual(complaint.state, "new")
        # Sales-service chooses the customer: the complaint is complete.
        complaint.with_user(self.user).write({"partner_id": self.customer.id})
        self.assertEqual(complaint.partner_id, self.customer)

    def test_only_an_emailed_new_complaint_may_lack_the_customer(self):
        category = self.env.ref("customer_relations.customer_complaint_category_service")
        values = {"title": "Called in", "description": "<p>x</p>", "category_id": category.id}
        with self.assertRaisesRegex(ValidationError, "Choose the customer"):
            self.Complaint.with_user(self.user).create(dict(values, channel="phone"))
        emailed = self.Complaint.with_user(self.user).create(dict(values, channel="email"))
        self.assertFalse(emailed.partner_id)

    # ------------------------------------------------------------------
    # Threading and protections
    # ------------------------------------------------------------------
    def test_reply_threads_into_the_complaint(self):
        self._process(self._raw(self.contact.email_formatted, ALIAS_A, "Rusty shafts"))
        complaint = self._complaints("Rusty shafts")
        ack = self._acks(complaint)
        count = self.env["customer.complaint"].sudo().search_count([])
        reply = self._raw(
            self.contact.email_formatted,
            f"catchall-cr@{DOMAIN}",
            "Re: Rusty shafts",
            html="<p>Here are the delivery note numbers.</p>",
            in_reply_to=ack.message_id,
        )
        self._process(reply)
        self.assertEqual(self.env["customer.complaint"].sudo().search_count([]), count, "no new complaint")
        self.assertTrue(
            complaint.message_ids.filtered(lambda m: "delivery note numbers" in (m.body or "")),
            "the reply is in the complaint's chatter",
        )
        self.assertEqual(len(self._acks(complaint)), 1, "a reply is not acknowledged again")

    def test_auto_reply_opens_nothing_and_gets_no_answer(self):
        mails_before = self.env["mail.mail"].sudo().search_count([])
        for subject, headers in (
            ("Out of office: Anna Becker", {"Auto-Submitted": "auto-replied"}),
            ("Automatic reply", {"X-Autoreply": "yes"}),
            ("Newsletter", {"Precedence": "bulk"}),
        ):
            self._process(self._raw(self.contact.email_formatted, ALIAS_A, subject, headers=headers))
            self.assertFalse(self._complaints(subject), subject)
        self.assertEqual(self.env["mail.mail"].sudo().search_count([]), mails_before, "no acknowledgement, no bounce")

    def test_bounce_opens_nothing(self):
        self._process(
            self._raw("MAILER-DAEMON <mailer-daemon@mx.hzmotor.example.com>", ALIAS_A, "Undelivered Mail Returned")
        )
        self.assertFalse(self._complaints("Undelivered Mail Returned"))

    def test_loop_of_one_sender_is_cut(self):
        self.env["ir.config_parameter"].sudo().set_param("mail.gateway.loop.threshold", 2)
        sender = "robot@looping.example.com"
        for index in range(3):
            self._process(self._raw(sender, ALIAS_A, f"Alarm {index}"))
        created = self.env["customer.complaint"].sudo().search([("email_from", "ilike", sender)])
        self.assertEqual(len(created), 2, "Odoo's loop protection stops a sender flooding the alias")

    def test_large_attachment_is_kept(self):
        drawing = bytes(range(256)) * (12 * 1024)  # 3 MB
        self._process(
            self._raw(
                self.contact.email_formatted,
                ALIAS_A,
                "Drawing of the failed housing",
                attachments=[("housing.pdf", drawing, "application/pdf")],
            )
        )
        complaint = self._complaints("Drawing of the failed housing")
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [("res_model", "=", "customer.complaint"), ("res_id", "=", complaint.id), ("name", "=", "housing.pdf")]
            )
        )
        self.assertEqual(attachment.file_size, len(drawing))

    # ------------------------------------------------------------------
    # Language and companies
    # ------------------------------------------------------------------
    def test_chinese_contact_gets_a_chinese_acknowledgement(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_relations"], ["zh_CN"], overwrite=True)
        contact = self.env["res.partner"].create(
            {"name": "李伟", "parent_id": self.customer.id, "email": "li.wei@hzmotor.example.com", "lang": "zh_CN"}
        )
        self._process(self._raw(contact.email_formatted, ALIAS_A, "轴承异响"))
        complaint = self._complaints("轴承异响")
        ack = self._acks(complaint)
        self.assertEqual(ack.recipient_ids, contact)
        self.assertIn("投诉", ack.subject)
        self.assertIn("8 小时", ack.body_html)
        self.assertNotIn("Thank you for your message", ack.body_html)

    def test_alias_of_company_b_opens_complaint_in_company_b(self):
        self._process(self._raw(self.contact.email_formatted, ALIAS_B, "Gearbox leaks oil"))
        complaint = self._complaints("Gearbox leaks oil")
        self.assertEqual(complaint.company_id, self.company_b)
        self.assertEqual(complaint.partner_id, self.customer)

    def test_alias_defaults_win_over_the_mail(self):
        delivery = self.env.ref("customer_relations.customer_complaint_category_delivery")
        self.company.complaint_alias_id.alias_defaults = repr(
            {"company_id": self.company.id, "channel": "email", "category_id": delivery.id}
        )
        self._process(self._raw(self.contact.email_formatted, ALIAS_A, "Late delivery of order 77"))
        self.assertEqual(self._complaints("Late delivery of order 77").category_id, delivery)

    def test_contact_of_another_companys_customer_is_not_assumed(self):
        local = self.env["res.partner"].create(
            {
                "name": "Xi'an Pumps",
                "is_company": True,
                "company_id": self.company.id,
                "email": "qa@xapumps.example.com",
            }
        )
        self._process(self._raw(local.email, ALIAS_B, "Pump seal failed"))
        complaint = self._complaints("Pump seal failed")
        self.assertEqual(complaint.company_id, self.company_b)
        self.assertFalse(complaint.partner_id, "company A's customer is not put on company B's complaint")

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------
    def test_every_company_gets_an_alias(self):
        company = self.env["res.company"].create({"name": "Dalian Valves"})
        alias = company.complaint_alias_id
        self.assertEqual(alias.alias_model_id.model, "customer.complaint")
        self.assertIn(f"'company_id': {company.id}", alias.alias_defaults)
        self.assertIn("'channel': 'email'", alias.alias_defaults)

    def test_manager_sets_the_alias_in_settings(self):
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(self.company.id)], "company_id": self.company.id})
        settings = Form(self.env["res.config.settings"].with_user(admin).with_company(self.company))
        self.assertEqual(settings.complaint_alias_name, "complaints-a")
        self.assertEqual(settings.complaint_alias_domain_name, DOMAIN)
        settings.complaint_alias_name = "Reklamation"
        settings.save().execute()
        self.assertEqual(self.company.complaint_alias_id.alias_full_name, f"reklamation@{DOMAIN}")
        self._process(self._raw(self.contact.email_formatted, f"reklamation@{DOMAIN}", "Cracked flange"))
        self.assertEqual(self._complaints("Cracked flange").company_id, self.company)
        # A Customer Relations manager without the Settings app names it through the checked method.
        self.company.with_user(self.manager)._complaint_alias_set_name("service-complaints")
        self.assertEqual(self.company.complaint_alias_id.alias_name, "service-complaints")

    def test_plain_user_cannot_set_the_alias(self):
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.user).create({"complaint_alias_name": "hijack"})
        with self.assertRaises(AccessError):
            self.company.with_user(self.user)._complaint_alias_set_name("hijack")
        self.assertEqual(self.company.complaint_alias_id.alias_name, "complaints-a")
