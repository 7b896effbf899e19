from odoo.tests import Form, tagged

from .common import CustomerRelationsCase


@tagged("post_install", "-at_install")
class TestPartnerRegion(CustomerRelationsCase):
    def test_contacts_follow_their_company_region(self):
        company = (
            self.env["res.partner"]
            .with_user(self.user)
            .create({"name": "宁夏银川宾馆 Yinchuan Hotel", "is_company": True, "region_id": self.region_northwest.id})
        )
        contact = self.env["res.partner"].with_user(self.user).create({"name": "马丽", "parent_id": company.id})
        self.assertEqual(contact.region_id, self.region_northwest)
        company.region_id = self.region_east
        self.assertEqual(contact.region_id, self.region_east, "changing the company's region moves its contacts")

    def test_region_on_the_customer_form_and_region_count(self):
        with Form(self.env["res.partner"].with_user(self.user)) as form:
            form.name = "甘肃兰州饭店 Lanzhou Hotel"
            form.company_type = "company"
            form.region_id = self.region_northwest
        partner = form.save()
        self.assertEqual(partner.region_id, self.region_northwest)
        before = self.region_northwest.partner_count
        self.env["res.partner"].create({"name": "Another", "region_id": self.region_northwest.id})
        self.region_northwest.invalidate_recordset(["partner_count"])
        self.assertEqual(self.region_northwest.partner_count, before + 1)
        action = self.region_northwest.action_view_partners()
        self.assertIn(partner, self.env["res.partner"].search(action["domain"]))
