from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CustomerRelationsCase


@tagged("post_install", "-at_install")
class TestSecurity(CustomerRelationsCase):
    def test_groups_form_one_chain(self):
        ref = self.env.ref
        handler = ref("customer_relations.group_customer_relations_handler")
        user = ref("customer_relations.group_customer_relations_user")
        quality = ref("customer_relations.group_customer_relations_quality")
        manager = ref("customer_relations.group_customer_relations_manager")
        self.assertIn(handler, user.implied_ids)
        self.assertIn(user, quality.implied_ids)
        self.assertIn(quality, manager.implied_ids)
        # A manager holds every role below; a handler holds none above.
        self.assertTrue(self.manager.has_group("customer_relations.group_customer_relations_handler"))
        self.assertTrue(self.manager.has_group("customer_relations.group_customer_relations_quality"))
        self.assertFalse(self.handler.has_group("customer_relations.group_customer_relations_user"))
        # Account managers can work sale orders.
        self.assertTrue(self.user.has_group("sales_team.group_sale_salesman"))

    def test_admin_is_manager(self):
        self.assertTrue(
            self.env.ref("base.user_admin").has_group("customer_relations.group_customer_relations_manager")
        )

    def _visible_menus(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_configuration_menu_only_for_managers(self):
        config = self.env.ref("customer_relations.menu_customer_relations_configuration")
        settings = self.env.ref("customer_relations.menu_customer_relations_settings")
        root = self.env.ref("customer_relations.menu_customer_relations_root")
        customers = self.env.ref("customer_relations.menu_customer_relations_customer_list")
        user_menus = self._visible_menus(self.user)
        self.assertIn(root.id, user_menus)
        self.assertIn(customers.id, user_menus)
        self.assertNotIn(config.id, user_menus)
        self.assertNotIn(settings.id, user_menus)
        manager_menus = self._visible_menus(self.manager)
        self.assertIn(config.id, manager_menus)
        # The settings page itself is Odoo's: only administrators reach it.
        self.assertNotIn(settings.id, manager_menus)
        self.assertIn(settings.id, self._visible_menus(self.env.ref("base.user_admin")))

    def test_app_hidden_from_employees_without_a_role(self):
        root = self.env.ref("customer_relations.menu_customer_relations_root")
        self.assertNotIn(root.id, self._visible_menus(self.employee))
        self.assertIn(root.id, self._visible_menus(self.user))

    def test_only_managers_configure_regions(self):
        Region = self.env["customer.region"]
        self.assertTrue(Region.with_user(self.user).search([("id", "=", self.region_east.id)]))
        with self.assertRaises(AccessError):
            Region.with_user(self.user).create({"name": "Hainan", "code": "HN"})
        with self.assertRaises(AccessError):
            self.region_east.with_user(self.quality).write({"name": "East"})
        region = Region.with_user(self.manager).create({"name": "Hainan", "code": "HN"})
        self.assertEqual(region.name, "Hainan")

    def test_region_of_another_company_is_invisible(self):
        private = self.env["customer.region"].create(
            {"name": "Xinjiang", "code": "XJ", "company_id": self.other_company.id}
        )
        self.assertFalse(self.env["customer.region"].with_user(self.manager).search([("id", "=", private.id)]))
        self.manager.write({"company_ids": [(4, self.other_company.id)]})
        visible = (
            self.env["customer.region"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=[self.company.id, self.other_company.id])
            .search([("id", "=", private.id)])
        )
        self.assertEqual(visible, private)

    def test_settings_page_has_the_addon_section(self):
        admin = self.env.ref("base.user_admin")
        arch = self.env["res.config.settings"].with_user(admin).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="customer_relations"', arch)
        settings = self.env["res.config.settings"].with_user(admin).create({})
        self.assertEqual(settings.customer_region_count, self.env["customer.region"].search_count([]))
        self.assertGreaterEqual(settings.customer_region_count, 7)
