"""The complaint controls tried from outside as real clients: JSON-RPC with session cookies
(any context a client likes), the portal chatter with another customer's token, the portal form
with ids it should not know."""

import json

from odoo import Command, http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestComplaintHttp(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        prefix = "customer_relations.group_customer_relations_"
        cls.handler = new_test_user(env, login="cr_http_handler", password="cr_http_handler", groups=prefix + "handler")
        cls.head = new_test_user(env, login="cr_http_head", password="cr_http_head", groups=prefix + "handler")
        cls.sales = new_test_user(env, login="cr_http_sales", password="cr_http_sales", groups=prefix + "user")
        cls.department = env["hr.department"].create({"name": "HTTP Quality Inspection"})
        env["hr.employee"].create({"name": "Handler", "user_id": cls.handler.id, "department_id": cls.department.id})
        cls.department.manager_id = env["hr.employee"].create(
            {"name": "Head", "user_id": cls.head.id, "department_id": cls.department.id}
        )
        cls.category = env.ref("customer_relations.customer_complaint_category_quality")
        env["customer.complaint.routing.rule"].create(
            {
                "name": "HTTP rule",
                "sequence": 0,
                "category_ids": [Command.link(cls.category.id)],
                "department_id": cls.department.id,
            }
        )
        Partner = env["res.partner"]
        cls.customer_a = Partner.create({"name": "海尔酒店 Haier Hotel HTTP", "is_company": True})
        cls.customer_b = Partner.create({"name": "Railway Laundry HTTP", "is_company": True})
        cls.portal_a = new_test_user(
            env, login="cr_http_portal_a", password="cr_http_portal_a", groups="base.group_portal"
        )
        cls.portal_b = new_test_user(
            env, login="cr_http_portal_b", password="cr_http_portal_b", groups="base.group_portal"
        )
        cls.portal_a.partner_id.parent_id = cls.customer_a
        cls.portal_b.partner_id.parent_id = cls.customer_b
        Complaint = env["customer.complaint"]
        cls.complaint_a = Complaint.create(
            {
                "title": "Door seal of A",
                "partner_id": cls.customer_a.id,
                "category_id": cls.category.id,
                "description": "<p>A</p>",
            }
        )
        cls.complaint_b = Complaint.create(
            {
                "title": "Drum of B",
                "partner_id": cls.customer_b.id,
                "category_id": cls.category.id,
                "description": "<p>B</p>",
            }
        )
        cls.complaint_a._portal_ensure_token()
        cls.complaint_b._portal_ensure_token()
        # A complaint of the department in handling.
        cls.complaint_b.action_submit()
        cls.complaint_b.with_user(cls.head).action_confirm_department()
        cls.complaint_b.with_user(cls.handler).write(
            {
                "root_cause_id": env.ref("customer_relations.customer_complaint_root_cause_method").id,
                "cause_analysis": "<p>Internal: torque tool out of calibration.</p>",
            }
        )
        cls.complaint_b.with_user(cls.handler).action_start_handling()
        cls.product_bought = env["product.product"].create({"name": "Drum washer 30 kg", "sale_ok": True})
        cls.product_secret = env["product.product"].create({"name": "Prototype X9 secret", "sale_ok": False})
        order = env["sale.order"].create(
            {"partner_id": cls.customer_a.id, "order_line": [Command.create({"product_id": cls.product_bought.id})]}
        )
        order.action_confirm()

    def _call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    @mute_logger("odoo.http")
    def test_context_key_over_rpc_does_not_close_the_complaint(self):
        self.authenticate("cr_http_handler", "cr_http_handler")
        with self.assertRaises(JsonRpcException) as refusal:
            self._call_kw(
                "customer.complaint",
                "write",
                [[self.complaint_b.id], {"state": "closed"}],
                {"context": {"complaint_transition": True}},
            )
        self.assertIn("UserError", str(refusal.exception))
        with self.assertRaises(JsonRpcException):
            self._call_kw("customer.complaint", "write", [[self.complaint_b.id], {"effectiveness": "effective"}])
        self.complaint_b.invalidate_recordset()
        self.assertEqual(self.complaint_b.state, "handling")
        self.assertFalse(self.complaint_b.closed_at)
        self.assertFalse(self.complaint_b.effectiveness)
        self.assertEqual(self.complaint_b.transition_ids[-1].to_state, "handling", "nothing was logged")

    @mute_logger("odoo.http")
    def test_portal_reads_only_portal_safe_fields_over_rpc(self):
        self.authenticate("cr_http_portal_b", "cr_http_portal_b")
        rows = self._call_kw("customer.complaint", "read", [[self.complaint_b.id], ["title", "state"]])
        self.assertEqual(rows[0]["title"], "Drum of B")
        for name in ("cause_analysis", "department_id", "routing_note", "customer_tier"):
            with self.subTest(field=name), self.assertRaises(JsonRpcException):
                self._call_kw("customer.complaint", "read", [[self.complaint_b.id], [name]])

    def _post(self, complaint, token, body):
        return self.url_open(
            "/mail/message/post",
            data=json.dumps(
                {
                    "params": {
                        "thread_model": "customer.complaint",
                        "thread_id": complaint.id,
                        "post_data": {"body": body, "message_type": "comment", "subtype_xmlid": "mail.mt_comment"},
                        "token": token,
                    }
                }
            ),
            headers={"Content-Type": "application/json"},
        )

    @mute_logger("odoo.http")
    def test_another_customers_token_does_not_post_on_its_complaint(self):
        self.authenticate("cr_http_portal_a", "cr_http_portal_a")
        response = self._post(self.complaint_b, self.complaint_b.access_token, "Posted by A on B")
        self.assertIn("error", response.json())
        self.assertFalse(
            self.complaint_b.message_ids.filtered(lambda m: "Posted by A on B" in (m.body or "")),
            "nothing posted on B's complaint as A's contact",
        )
        response = self._post(self.complaint_a, self.complaint_a.access_token, "Posted by A on A")
        self.assertNotIn("error", response.json())
        own = self.complaint_a.message_ids.filtered(lambda m: "Posted by A on A" in (m.body or ""))
        self.assertEqual(own.author_id, self.portal_a.partner_id, "the own complaint still works")

    def _submit(self, **values):
        return self.url_open(
            "/my/complaints/new",
            data={
                "category_id": self.category.id,
                "description": "The drum rusts.",
                "csrf_token": http.Request.csrf_token(self),
                **values,
            },
        )

    def test_portal_form_refuses_unknown_ids_without_telling(self):
        self.authenticate("cr_http_portal_a", "cr_http_portal_a")
        Complaint = self.env["customer.complaint"]
        before = Complaint.search_count([])
        response = self._submit(title="Probe", product_id=str(self.product_secret.id))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Choose one of the products you bought", response.text)
        self.assertNotIn("Prototype X9", response.text, "no product name leaks")
        for field in ("product_id", "category_id", "sale_order_id"):
            with self.subTest(field=field):
                response = self._submit(title="Probe", **{field: "1 OR 1=1"})
                self.assertEqual(response.status_code, 200, "a clean form error, not a server error")
        self.assertEqual(Complaint.search_count([]), before, "nothing created")

    def test_portal_complaint_reaches_the_intake(self):
        self.company.complaint_portal_intake_user_id = self.sales
        self.authenticate("cr_http_portal_a", "cr_http_portal_a")
        response = self._submit(title="Rusty drum HTTP", product_id=str(self.product_bought.id))
        self.assertEqual(response.status_code, 200)
        complaint = self.env["customer.complaint"].search([("title", "=", "Rusty drum HTTP")])
        self.assertEqual(complaint.product_id, self.product_bought, "a product the customer bought is accepted")
        self.assertEqual(complaint.intake_user_id, self.sales)
        self.assertIn(self.sales.partner_id, complaint.message_partner_ids, "sales service follows it")
        self.assertEqual(complaint.activity_ids.user_id, self.sales, "and is asked to take it in")
