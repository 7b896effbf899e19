import json

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import file_open

from .common import CustomerRelationsCase

DASHBOARD = "customer_relations.spreadsheet_dashboard_customer_relations"
SAMPLE_PATH = "customer_relations/data/files/customer_relations_sample_dashboard.json"


def data_sources(snapshot):
    """Every query the dashboard makes, as (label, model, domain, groupby, measures, columns,
    order, region_chain): its pivots (read_group), its lists (search_read) and its Odoo charts
    (read_group of the graph view)."""
    sources = []
    for pivot in snapshot["pivots"].values():
        dimensions = pivot["rows"] + pivot["columns"]
        groupby = [d["fieldName"] + (f":{d['granularity']}" if d.get("granularity") else "") for d in dimensions]
        measures = [m["fieldName"] + (f":{m['aggregator']}" if m.get("aggregator") else "") for m in pivot["measures"]]
        sources.append((f"pivot {pivot['name']}", pivot["model"], pivot["domain"], groupby, measures, [], None, pivot))
    for sheet_list in snapshot["lists"].values():
        order = ", ".join(f"{o['name']} {'asc' if o['asc'] else 'desc'}" for o in sheet_list["orderBy"])
        sources.append(
            (
                f"list {sheet_list['name']}",
                sheet_list["model"],
                sheet_list["domain"],
                [],
                [],
                sheet_list["columns"],
                order,
                sheet_list,
            )
        )
    for sheet in snapshot["sheets"]:
        for figure in sheet["figures"]:
            chart = figure["data"]
            if not chart["type"].startswith("odoo_"):
                continue
            meta = chart["metaData"]
            sources.append(
                (
                    f"chart {chart['title']['text']}",
                    meta["resModel"],
                    chart["searchParams"]["domain"],
                    meta["groupBy"],
                    [meta["measure"]],
                    [],
                    None,
                    chart,
                )
            )
    return sources


@tagged("post_install", "-at_install")
class TestDashboard(CustomerRelationsCase):
    """The "Customer Relations" spreadsheet dashboard: who sees it, what each of its pivots, lists
    and charts asks of the database, and the sample shown where there is nothing to show yet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref(DASHBOARD)
        cls.snapshot = json.loads(cls.dashboard.spreadsheet_data)
        module = cls.env["ir.module.module"].search([("name", "=", "customer_relations")])
        cls.with_demo = module.demo

    def test_only_leadership_sees_the_dashboard(self):
        Dashboard = self.env["spreadsheet.dashboard"]
        self.assertEqual(Dashboard.with_user(self.manager).search([("id", "=", self.dashboard.id)]), self.dashboard)
        for user in (self.employee, self.handler, self.user, self.quality):
            self.assertFalse(
                Dashboard.with_user(user).search([("id", "=", self.dashboard.id)]),
                f"{user.login} should not see the leadership dashboard",
            )
        # Dashboards > Sales lists it for the manager, and the app's Reporting menu opens it.
        groups = self.env["spreadsheet.dashboard.group"].with_user(self.manager).search([])
        self.assertIn(self.dashboard, groups.published_dashboard_ids)
        menu = self.env.ref("customer_relations.menu_customer_relations_dashboard")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menu.with_user(self.manager)._visible_menu_ids())
        self.assertNotIn(menu.id, Menu.with_user(self.quality)._visible_menu_ids())
        self.assertEqual(menu.action.params, {"dashboard_id": self.dashboard.id})

    def test_every_field_exists_and_can_be_grouped_or_aggregated(self):
        """A renamed or unstored field breaks the dashboard in the browser only: check each one
        the pivots, lists and charts (and the region filter's paths) name, as the manager."""
        sources = data_sources(self.snapshot)
        self.assertEqual(
            {label.split()[0] for label, *_rest in sources}, {"pivot", "list", "chart"}, "every kind is checked"
        )
        for label, model_name, _domain, groupby, measures, columns, order, definition in sources:
            fields = self.env[model_name].with_user(self.manager).fields_get(attributes=["groupable", "aggregator"])
            for spec in groupby:
                name = spec.split(":")[0]
                self.assertIn(name, fields, f"{label}: no field {name} on {model_name}")
                self.assertTrue(fields[name]["groupable"], f"{label}: {model_name}.{name} cannot be grouped")
            for spec in measures:
                name, _sep, aggregator = spec.partition(":")
                if name == "__count":
                    continue
                self.assertIn(name, fields, f"{label}: no field {name} on {model_name}")
                self.assertTrue(
                    aggregator or fields[name].get("aggregator"), f"{label}: {model_name}.{name} has no aggregator"
                )
            for name in columns + [part.split()[0] for part in (order or "").split(",") if part]:
                self.assertIn(name, fields, f"{label}: no field {name} on {model_name}")
            for matching in definition.get("fieldMatching", {}).values():
                model = self.env[model_name]
                for step in matching["chain"].split("."):
                    self.assertIn(step, model._fields, f"{label}: filter path {matching['chain']} breaks at {step}")
                    model = self.env[model._fields[step].comodel_name or model._name]
                self.assertEqual(model._name, "customer.region", f"{label}: the region filter reaches {model._name}")

    def test_each_query_returns_data_on_the_demo_database(self):
        """What the web client asks when the manager opens the dashboard: each pivot and chart
        as a read_group with its domain, group-bys and measures, each list as a search_read."""
        if not self.with_demo:
            self.skipTest("the data checks need the demo data (without it, Odoo serves the sample)")
        data = self.dashboard.with_user(self.manager).get_readonly_dashboard()
        self.assertFalse(data.get("is_sample"), "the demo database has customer values: the real dashboard")
        sources = data_sources(data["snapshot"])
        self.assertGreaterEqual(len(sources), 9)
        for label, model_name, domain, groupby, measures, columns, order, _definition in sources:
            model = self.env[model_name].with_user(self.manager)
            if columns:
                records = model.search_read(domain, columns, order=order, limit=10)
                self.assertTrue(records, f"{label}: no record")
                for column in columns:
                    self.assertTrue(any(record[column] for record in records), f"{label}: {column} always empty")
                continue
            groups = model.read_group(domain, measures, groupby, lazy=False)
            self.assertTrue(groups, f"{label}: no group")
            self.assertGreater(sum(group["__count"] for group in groups), 0, label)
            names = [spec.split(":")[0] for spec in measures if spec != "__count"]
            for name in names:
                self.assertIn(name, groups[0], f"{label}: {name} not computed")
            if names:
                self.assertTrue(
                    any(group[name] for group in groups for name in names), f"{label}: every figure is empty"
                )

    def test_oldest_red_complaints_come_first(self):
        """The list of complaints past their SLA deadline: open ones only, oldest first, and the
        same complaints a manager finds with the complaints' own red filter."""
        red = next(source for source in data_sources(self.snapshot) if source[1] == "customer.complaint" and source[5])
        _label, model_name, domain, _groupby, _measures, columns, order, _definition = red
        Complaint = self.env[model_name].with_user(self.manager)
        partner = self.env["res.partner"].create({"name": "Dashboard Test Laundry", "is_company": True})
        category = self.env.ref("customer_relations.customer_complaint_category_delivery")
        old, new, closed = Complaint.sudo().create(
            [
                {
                    "title": title,
                    "partner_id": partner.id,
                    "category_id": category.id,
                    "description": "<p>Late</p>",
                    "received_at": received,
                }
                for title, received in (
                    ("Old", "2020-01-06 08:00:00"),
                    ("New", "2020-01-08 08:00:00"),
                    ("Done", "2020-01-02 08:00:00"),
                )
            ]
        )
        (old | new | closed).sudo().write({"sla_warning_level": "red"})
        closed.sudo().write({"state": "closed"})
        rows = Complaint.search_read(domain, columns, order=order)
        ids = [row["id"] for row in rows]
        self.assertNotIn(closed.id, ids)
        self.assertLess(ids.index(old.id), ids.index(new.id))

    def test_sample_for_a_company_without_customer_values(self):
        """A manager of a company with no customer value yet gets Odoo's sample dashboard (made-up
        figures, no query); the first value turns it into the real one."""
        company = self.env["res.company"].create({"name": "Dashboard Sample Co"})
        manager = new_test_user(
            self.env,
            login="cr_sample_manager",
            groups="customer_relations.group_customer_relations_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        dashboard = self.dashboard.with_user(manager).with_context(allowed_company_ids=company.ids)
        with file_open(SAMPLE_PATH) as sample_file:
            sample = json.load(sample_file)
        data = dashboard.get_readonly_dashboard()
        self.assertTrue(data.get("is_sample"))
        self.assertEqual(data["snapshot"], sample)
        self.assertFalse(sample["pivots"] or sample["lists"], "the sample queries nothing")
        partner = self.env["res.partner"].create({"name": "Sample Co Customer", "is_company": True})
        policy = self.env["customer.tier.policy"].sudo()._get_for_company(company)
        self.env["customer.value"].sudo().create(
            {"partner_id": partner.id, "company_id": company.id, "policy_id": policy.id, "date": "2026-06-30"}
        )
        data = dashboard.get_readonly_dashboard()
        self.assertFalse(data.get("is_sample"))
        self.assertEqual(set(data["snapshot"]["pivots"]), set(self.snapshot["pivots"]))


@tagged("post_install", "-at_install")
class TestDashboardBrowser(CustomerRelationsCase, HttpCase):
    """The manager opens the dashboard from the app's Reporting menu: the spreadsheet client
    loads the generated file (the real one on the demo database, else the sample) and draws its
    scorecards and charts without an error."""

    def test_manager_opens_the_dashboard(self):
        action = self.env.ref("customer_relations.customer_relations_dashboard_action")
        # The spreadsheet draws the figures in view: the scorecards and the first two charts.
        figures = len([figure for figure in self.snapshot_figures() if figure["y"] < 600])
        code = """
            const expected = EXPECTED;
            const start = Date.now();
            (function check() {
                const figures = document.querySelectorAll(".o-spreadsheet .o-figure").length;
                if (figures >= expected) {
                    // let the pivots, lists and charts load: a failing query shows an error
                    setTimeout(() => {
                        if (document.querySelector(".o_error_dialog")) {
                            console.error("an error dialog opened");
                        } else {
                            console.log("test successful");
                        }
                    }, 3000);
                } else if (Date.now() - start > 30000) {
                    console.error("the dashboard drew " + figures + " of " + expected + " figures");
                } else {
                    setTimeout(check, 250);
                }
            })();
        """.replace("EXPECTED", str(figures))
        self.assertGreaterEqual(figures, 5)
        self.browser_js(f"/odoo/action-{action.id}", code, ready="odoo.isReady", login=self.manager.login)

    def snapshot_figures(self):
        snapshot = json.loads(self.env.ref(DASHBOARD).spreadsheet_data)
        return [figure for sheet in snapshot["sheets"] for figure in sheet["figures"]]
