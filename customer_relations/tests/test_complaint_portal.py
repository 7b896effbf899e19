from odoo import Command, http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestComplaintPortal(HttpCase):
    """Customers follow their own company's complaints through the portal, and nobody else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.category = cls.env.ref("customer_relations.customer_complaint_category_quality")
        Partner = cls.env["res.partner"]
        cls.customer_a = Partner.create({"name": "海尔酒店 Haier Hotel", "is_company": True})
        cls.customer_b = Partner.create({"name": "Beijing Railway Laundry", "is_company": True})
        cls.portal_a = new_test_user(cls.env, login="cr_portal_a", password="cr_portal_a", groups="base.group_portal")
        cls.portal_b = new_test_user(cls.env, login="cr_portal_b", password="cr_portal_b", groups="base.group_portal")
        cls.portal_a.partner_id.parent_id = cls.customer_a
        cls.portal_b.partner_id.parent_id = cls.customer_b
        Complaint = cls.env["customer.complaint"]
        cls.complaint_a = Complaint.create(
            {
                "title": "Door seal of A",
                "partner_id": cls.customer_a.id,
                "category_id": cls.category.id,
                "description": "<p>Seal A</p>",
            }
        )
        cls.complaint_b = Complaint.create(
            {
                "title": "Secret drum issue of B",
                "partner_id": cls.customer_b.id,
                "category_id": cls.category.id,
                "description": "<p>Drum B</p>",
            }
        )
        cls.complaint_b._portal_ensure_token()
        cls.complaint_a._portal_ensure_token()

    def _page(self, complaint, token=None):
        url = f"/my/complaints/{complaint.id}"
        if token:
            url += f"?access_token={token}"
        return self.url_open(url)

    def test_orm_isolation(self):
        Complaint = self.env["customer.complaint"].with_user(self.portal_a)
        self.assertEqual(Complaint.search([]), self.complaint_a)
        with self.assertRaises(AccessError):
            self.complaint_b.with_user(self.portal_a).read(["title"])
        with self.assertRaises(AccessError):
            self.complaint_a.with_user(self.portal_a).write({"title": "Changed"})

    def test_customer_a_cannot_read_customer_b_with_or_without_token(self):
        self.authenticate("cr_portal_a", "cr_portal_a")
        own = self._page(self.complaint_a)
        self.assertEqual(own.status_code, 200)
        self.assertIn("Door seal of A", own.text)
        listing = self.url_open("/my/complaints")
        self.assertIn("Door seal of A", listing.text)
        self.assertNotIn("Secret drum issue of B", listing.text)
        for token in (None, "wrong-token", self.complaint_a.access_token, self.complaint_b.access_token):
            response = self._page(self.complaint_b, token)
            self.assertNotIn("Secret drum issue of B", response.text, f"token {token!r} must not open B's complaint")
            self.assertTrue(response.url.endswith("/my"), "redirected to the portal home")

    def test_token_alone_opens_a_shared_link_but_nothing_else(self):
        response = self._page(self.complaint_b, self.complaint_b.access_token)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Secret drum issue of B", response.text)
        response = self._page(self.complaint_b, self.complaint_a.access_token)
        self.assertNotIn("Secret drum issue of B", response.text)
        response = self._page(self.complaint_b)
        self.assertNotIn("Secret drum issue of B", response.text)

    def test_portal_submission(self):
        self.authenticate("cr_portal_a", "cr_portal_a")
        form = self.url_open("/my/complaints/new")
        self.assertEqual(form.status_code, 200)
        self.assertIn("Product quality", form.text)
        before = self.env["customer.complaint"].search_count([])
        refused = self.url_open(
            "/my/complaints/new",
            data={"category_id": self.category.id, "description": "", "csrf_token": http.Request.csrf_token(self)},
        )
        self.assertIn("Describe the problem", refused.text)
        self.assertEqual(self.env["customer.complaint"].search_count([]), before, "nothing half-created")
        response = self.url_open(
            "/my/complaints/new",
            data={
                "category_id": self.category.id,
                "title": "滚筒生锈 Rusty drum",
                "description": "The drum rusts after a month.\nPhotos attached.",
                "csrf_token": http.Request.csrf_token(self),
            },
            files={"attachments": ("drum.jpg", b"\xff\xd8\xff fake jpeg", "image/jpeg")},
        )
        self.assertEqual(response.status_code, 200)
        complaint = self.env["customer.complaint"].search([("title", "=", "滚筒生锈 Rusty drum")])
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.partner_id, self.customer_a)
        self.assertEqual(complaint.contact_id, self.portal_a.partner_id)
        self.assertEqual(complaint.channel, "portal")
        self.assertEqual(complaint.state, "new")
        self.assertIn("Photos attached", complaint.description)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "customer.complaint"), ("res_id", "=", complaint.id)]
        )
        self.assertEqual(attachments.mapped("name"), ["drum.jpg"])
        self.assertTrue(response.url.endswith(f"/my/complaints/{complaint.id}"))


@tagged("post_install", "-at_install", "is_tour")
class TestComplaintTour(HttpCase):
    def test_complaint_from_intake_to_closure_in_the_web_client(self):
        env = self.env
        admin = env.ref("base.user_admin")
        department = env["hr.department"].create({"name": "Tour Service Department"})
        department.manager_id = admin.employee_ids[:1] or env["hr.employee"].create(
            {"name": "Tour Head", "user_id": admin.id}
        )
        env["customer.complaint.routing.rule"].create(
            {
                "name": "Tour rule",
                "sequence": 0,
                "category_ids": [Command.create({"name": "Tour Delivery"})],
                "department_id": department.id,
            }
        )
        env["res.partner"].create({"name": "Tour Laundry Co", "is_company": True, "email": "tour@laundry.example"})
        self.start_tour("/odoo", "customer_relations_complaint_tour", login="admin")
        complaint = env["customer.complaint"].search([("partner_id.name", "=", "Tour Laundry Co")])
        self.assertEqual(complaint.state, "closed")
        self.assertEqual(complaint.department_id, department)
        self.assertEqual(complaint.department_confirmed_by_id, admin)
        self.assertEqual(complaint.remedy_type, "repair")
        self.assertEqual(
            complaint.transition_ids.mapped("to_state"),
            ["routing", "investigating", "handling", "feedback", "replied", "closed"],
        )
