from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class CustomerRelationsCase(TransactionCase):
    """Shared data: one user per role of the addon, and a second company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Northwest Steel Works"})
        prefix = "customer_relations.group_customer_relations_"
        cls.handler = new_test_user(cls.env, login="cr_handler", groups=prefix + "handler")
        cls.user = new_test_user(cls.env, login="cr_user", groups=prefix + "user")
        cls.quality = new_test_user(cls.env, login="cr_quality", groups=prefix + "quality")
        cls.manager = new_test_user(cls.env, login="cr_manager", groups=prefix + "manager")
        cls.employee = new_test_user(cls.env, login="cr_employee", groups="base.group_user")
        cls.region_east = cls.env.ref("customer_relations.customer_region_east")
        cls.region_northwest = cls.env.ref("customer_relations.customer_region_northwest")

    @classmethod
    def _use_own_company(cls, name):
        """Switch the test to a company of its own (demo data stays out) and give every role
        user access to it."""
        cls.company = cls.env["res.company"].create({"name": name})
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        for user in cls.handler | cls.user | cls.quality | cls.manager:
            user.write({"company_ids": [Command.link(cls.company.id)], "company_id": cls.company.id})

    @classmethod
    def _product(cls, name, price, cost, category):
        """A product without taxes at this price and cost, in a new category of that name."""
        return cls.env["product.product"].create(
            {
                "name": name,
                "list_price": price,
                "standard_price": cost,
                "categ_id": cls.env["product.category"].create({"name": category}).id,
                "taxes_id": False,
            }
        )
