from datetime import date

from odoo.tests import tagged

from ..engine.demo_data import build_demo_plan
from .common import CustomerRelationsCase


@tagged("post_install", "-at_install")
class TestDemoGenerator(CustomerRelationsCase):
    def _generate(self, seed):
        return self.env["customer.relations.demo"]._generate_demo_data(
            seed=seed, n_customers=3, months=6, end=date(2026, 6, 30), company_id=self.other_company.id
        )

    def _snapshot(self, partners):
        orders = self.env["sale.order"].search([("partner_id", "in", partners.ids)], order="date_order, id")
        return [
            (
                order.partner_id.ref,
                order.date_order.date(),
                sorted((line.product_id.default_code, line.product_uom_qty) for line in order.order_line),
            )
            for order in orders
        ]

    def test_generator_writes_the_plan_as_confirmed_orders(self):
        partners = self._generate(seed=11)
        plan = build_demo_plan(date(2026, 6, 30), seed=11, n_customers=3, months=6)
        self.assertEqual(partners.mapped("ref"), ["CR001", "CR002", "CR003"])
        self.assertTrue(all(p.region_id and p.industry_id and p.child_ids for p in partners))
        orders = self.env["sale.order"].search([("partner_id", "in", partners.ids)])
        self.assertEqual(len(orders), sum(len(c["orders"]) for c in plan["customers"]))
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        self.assertEqual(orders.company_id, self.other_company)
        expected = sorted((c["ref"], o["date"], sorted(o["lines"])) for c in plan["customers"] for o in c["orders"])
        self.assertEqual(sorted(self._snapshot(partners)), expected)

    def test_generator_is_deterministic(self):
        first = self._snapshot(self._generate(seed=5))
        second = self._snapshot(self._generate(seed=5))
        self.assertEqual(first, second)
        self.assertNotEqual(first, self._snapshot(self._generate(seed=6)))
