"""The risk warning's protected fields tried from outside as a real client: JSON-RPC with a
session cookie and any context it likes."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestRiskHttp(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.manager = new_test_user(
            env,
            login="cr_risk_http_manager",
            password="cr_risk_http_manager",
            groups="customer_relations.group_customer_relations_manager",
        )
        customer = env["res.partner"].create({"name": "RPC Steel Distribution", "is_company": True})
        for index in range(3):
            env["customer.complaint"].create(
                {
                    "title": f"Complaint {index}",
                    "partner_id": customer.id,
                    "category_id": env.ref("customer_relations.customer_complaint_category_service").id,
                    "description": "<p>Late</p>",
                    "received_at": fields.Datetime.now() - timedelta(days=1, minutes=index),
                }
            )
        env["customer.risk.warning"].sudo()._evaluate_company(env.company, customer.ids, fields.Datetime.now())
        cls.warning = env["customer.risk.warning"].sudo().search([("partner_id", "=", customer.id)])

    def _call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    @mute_logger("odoo.http")
    def test_writing_the_level_or_closing_over_rpc_is_refused(self):
        self.assertEqual(self.warning.level, "yellow")
        self.authenticate("cr_risk_http_manager", "cr_risk_http_manager")
        for values in ({"level": "red"}, {"state": "closed"}, {"figures_text": "all fine"}):
            with self.assertRaises(JsonRpcException) as refusal:
                self._call_kw(
                    "customer.risk.warning",
                    "write",
                    [self.warning.ids, values],
                    {"context": {"risk_signal_job": True, "default_level": "red"}},
                )
            self.assertIn("UserError", str(refusal.exception))
        with self.assertRaises(JsonRpcException):
            self._call_kw(
                "customer.risk.warning",
                "create",
                [{"partner_id": self.warning.partner_id.id, "kind": "quality", "level": "red"}],
            )
        self.warning.invalidate_recordset()
        self.assertEqual((self.warning.level, self.warning.state), ("yellow", "open"))
        # What a manager may do over RPC: the description of the risk.
        self._call_kw("customer.risk.warning", "write", [self.warning.ids, {"cause": "<p>Wrong packing</p>"}])
        self.warning.invalidate_recordset()
        self.assertIn("Wrong packing", self.warning.cause)
