from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import CustomerRelationsCase


@tagged("post_install", "-at_install")
class TestMenus(CustomerRelationsCase):
    """Every window action under the app opens for the roles that see its menu: its views load
    and its records can be listed, as the web client does."""

    def _open_menus_as(self, user):
        root = self.env.ref("customer_relations.menu_customer_relations_root")
        visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        menus = self.env["ir.ui.menu"].search([("id", "child_of", root.id), ("id", "in", list(visible))])
        # Reachable in the web client: the menu and every ancestor up to the app are visible.
        menus = menus.filtered(lambda m: all(int(i) in visible for i in m.parent_path.strip("/").split("/")))
        opened = []
        for menu in menus.filtered(lambda m: m.action and m.action._name == "ir.actions.act_window"):
            action = menu.action.sudo()
            model = self.env[action.res_model].with_user(user)
            context = safe_eval(action.context or "{}", {"uid": user.id, "active_id": False})
            model = model.with_context(**context)
            view_types = [mode if mode != "tree" else "list" for mode in action.view_mode.split(",")]
            views = model.get_views([(False, view_type) for view_type in view_types] + [(False, "search")])
            self.assertTrue(views["views"], menu.complete_name)
            if action.target != "new" and "list" in view_types:
                domain = safe_eval(action.domain or "[]", {"uid": user.id})
                fields = list(views["models"][action.res_model]["fields"])[:20]
                model.search_read(domain, fields, limit=5)
            opened.append(menu.complete_name)
        return opened

    def test_a_user_opens_every_menu_he_sees(self):
        opened = self._open_menus_as(self.user)
        self.assertTrue(any("Customer Value" in name for name in opened))
        self.assertTrue(any("Agreements" in name for name in opened))
        self.assertTrue(any("Campaigns" in name for name in opened))
        self.assertFalse(any("Configuration" in name for name in opened))
        self.assertTrue(any("SLA Compliance" in name for name in opened))

    def test_a_handler_opens_the_complaints_and_their_form(self):
        opened = self._open_menus_as(self.handler)
        self.assertTrue(any(name.replace(" ", "").endswith("Complaints/Complaints") for name in opened), opened)
        self.assertTrue(any("Corrective Actions" in name for name in opened))
        self.assertFalse(any("Reporting" in name for name in opened))
        arch = self.env["customer.complaint"].with_user(self.handler).get_views([(False, "form")])["views"]["form"]
        self.assertIn("no_open", arch["arch"], "handlers read the customer without opening its Sales file")

    def test_a_manager_opens_every_menu_including_configuration(self):
        opened = self._open_menus_as(self.manager)
        self.assertTrue(any("Tier Policies" in name for name in opened))
        self.assertTrue(any("Satisfaction Dimensions" in name for name in opened))
        self.assertTrue(any("Complaint Routing Rules" in name for name in opened))
        self.assertTrue(any("SLA Policies" in name for name in opened))

    def test_customer_form_opens_for_each_role(self):
        partner = self.env["res.partner"].create({"name": "上海锦江 Jinjiang", "is_company": True})
        for user in (self.user, self.manager):
            views = self.env["res.partner"].with_user(user).get_views([(False, "form")])
            fields = [
                name for name in views["models"]["res.partner"]["fields"] if name in self.env["res.partner"]._fields
            ]
            self.assertTrue(partner.with_user(user).read(fields), user.login)
