from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models

from ..engine.demo_data import DEFAULT_SEED, build_demo_plan


class CustomerRelationsDemo(models.AbstractModel):
    """Writes the engine's deterministic demo plan into the database.

    Called from ``demo/customer_relations_demo.xml`` at install time with demo data; tests
    call it with a small plan. Everything is written in batches (one ``create`` per model).
    """

    _name = "customer.relations.demo"
    _description = "Customer Relations Demo Data Generator"

    @api.model
    def _generate_demo_data(
        self,
        seed=DEFAULT_SEED,
        n_customers=None,
        months=30,
        end=None,
        company_id=None,
        salesperson_xmlids=(),
    ):
        """Create customers, contacts, products and confirmed sale orders from the plan.

        :return: the created commercial partners (``res.partner``)
        """
        end = fields.Date.to_date(end) if end else fields.Date.context_today(self)
        company = self.env["res.company"].browse(company_id) if company_id else self.env.company
        plan = build_demo_plan(end, seed=seed, n_customers=n_customers, months=months)
        products = self._demo_products(plan["catalog"], company)
        salespeople = self.env["res.users"]
        for xmlid in salesperson_xmlids:
            salespeople |= self.env.ref(xmlid)
        salespeople = salespeople or self.env.user
        china = self.env.ref("base.cn")

        partner_vals = []
        for index, customer in enumerate(plan["customers"]):
            partner_vals.append(
                {
                    "name": customer["name"],
                    "ref": customer["ref"],
                    "is_company": True,
                    "company_id": company.id if company_id else False,
                    "city": customer["city"],
                    "country_id": china.id,
                    "customer_rank": 1,
                    "industry_id": self.env.ref(f"customer_relations.res_partner_industry_{customer['industry']}").id,
                    "region_id": self.env.ref(f"customer_relations.customer_region_{customer['region']}").id,
                    "user_id": salespeople[index % len(salespeople)].id,
                    "child_ids": [
                        Command.create(
                            {
                                "name": contact["name"],
                                "function": contact["function"],
                                "phone": contact["phone"],
                                "type": "contact",
                            }
                        )
                        for contact in customer["contacts"]
                    ],
                }
            )
        partners = self.env["res.partner"].with_context(tracking_disable=True).create(partner_vals)

        order_vals = []
        for partner, customer in zip(partners, plan["customers"], strict=True):
            for order in customer["orders"]:
                order_vals.append(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "user_id": partner.user_id.id,
                        "date_order": fields.Datetime.to_datetime(order["date"]).replace(hour=9),
                        "state": "sale",
                        "order_line": [
                            Command.create({"product_id": products[code].id, "product_uom_qty": quantity})
                            for code, quantity in order["lines"]
                        ],
                    }
                )
        if order_vals:
            self.env["sale.order"].with_company(company).with_context(
                tracking_disable=True, mail_create_nolog=True
            ).create(order_vals)
        return partners

    @api.model
    def _generate_demo_tiering(self, reviewer_xmlids=()):
        """Ratings by the demo reviewers, an approved annual review six months ago and a
        half-year review waiting for approval today, so tiers, classes and history show."""
        company = self.env.company
        policy = self.env["customer.tier.policy"]._get_for_company(company)
        rated = policy.criterion_ids.filtered(lambda c: c.kind == "rated")
        partners = self.env["res.partner"].search(
            [("ref", "=like", "CR%"), ("is_company", "=", True), ("customer_rank", ">", 0)], order="ref"
        )
        reviewers = [self.env.ref(xmlid) for xmlid in reviewer_xmlids] or [self.env.user]
        today = fields.Date.context_today(self)
        ratings = []
        for index, partner in enumerate(partners):
            for position, criterion in enumerate(rated):
                reviewer = reviewers[(index + position) % len(reviewers)]
                ratings.append(
                    {
                        "partner_id": partner.id,
                        "criterion_id": criterion.id,
                        "user_id": reviewer.id,
                        "company_id": company.id,
                        "rating": str(1 + (index * 7 + position * 3) % 5),
                        "date": today - relativedelta(months=7),
                    }
                )
        self.env["customer.tier.rating"].create(ratings)
        Review = self.env["customer.tier.review"]
        annual = Review.create(
            {"review_type": "annual", "date": today - relativedelta(months=6), "company_id": company.id}
        )
        annual.action_compute()
        annual.action_submit()
        annual.action_approve()
        half_year = Review.create({"review_type": "half_year", "date": today, "company_id": company.id})
        half_year.action_compute()
        half_year.action_submit()
        return annual | half_year

    def _demo_products(self, catalog, company):
        """Return {default_code: product.product}, creating what the catalogue lacks."""
        codes = [code for _name, items in catalog.values() for code, *_rest in items]
        Product = self.env["product.product"].with_company(company)
        existing = {p.default_code: p for p in Product.search([("default_code", "in", codes)])}
        parent = self.env.ref("product.product_category_all")
        Category = self.env["product.category"]
        to_create = []
        for category_name, items in catalog.values():
            category = Category.search([("name", "=", category_name), ("parent_id", "=", parent.id)], limit=1)
            if not category:
                category = Category.create({"name": category_name, "parent_id": parent.id})
            for code, name, price, cost in items:
                if code not in existing:
                    to_create.append(
                        {
                            "name": name,
                            "default_code": code,
                            "categ_id": category.id,
                            "list_price": price,
                            "standard_price": cost,
                            "type": "consu",
                            "sale_ok": True,
                        }
                    )
        for product in Product.create(to_create):
            existing[product.default_code] = product
        return existing
