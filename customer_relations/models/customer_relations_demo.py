import random
from collections import defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models

from ..engine.demo_data import CATALOG, DEFAULT_SEED, INDUSTRY_CATEGORIES, build_demo_plan


class CustomerRelationsDemo(models.AbstractModel):
    """Writes the engine's deterministic demo plan into the database.

    Called from ``demo/customer_relations_demo.xml`` at install time with demo data; tests
    call it with a small plan. Everything is written in batches (one ``create`` per model).
    """

    _name = "customer.relations.demo"
    _description = "Customer Relations Demo Data Generator"

    @api.model
    def _generate_demo_company(self, user_xmlids=()):
        """The demo company is a Chinese manufacturer (a fictitious one). Its name, address and
        renminbi come from ``customer_relations_demo_company``, loaded before the accounting
        demo; here its working hours move to Asia/Shanghai and the demo users read Chinese.
        Admin keeps English, so both languages show after ``make run``."""
        # Other modules' demo data (stock) renamed the company since it got its identity.
        company = self.env["res.company"]._customer_relations_demo_identity()
        if company.resource_calendar_id:
            company.resource_calendar_id.tz = "Asia/Shanghai"
        self.env["res.lang"]._activate_lang("zh_CN")
        users = self.env["res.users"]
        for xmlid in user_xmlids:
            users |= self.env.ref(xmlid)
        users.write({"lang": "zh_CN", "tz": "Asia/Shanghai"})
        return company

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
        director = self.env.ref("customer_relations.user_manager_liu", raise_if_not_found=False) or self.env.user
        # the director makes the two customers of the strategic agreements strategic accounts
        annual.line_ids.filtered(lambda line: line.partner_id.ref in ("CR013", "CR031")).with_user(director).write(
            {"final_tier": "a", "final_class": "strategic", "reason": "签订战略合作协议 Strategic agreement signed"}
        )
        annual.action_submit()
        # approved by the demo director, so the tier history names who decided, on the day
        annual.with_user(director).action_approve()
        self.env["customer.tier.history"].search([("review_id", "=", annual.id)]).write(
            {"date": fields.Datetime.to_datetime(annual.date).replace(hour=2)}
        )
        # reviews only snapshot: the live customer values come from the policy's recompute
        policy._compute_customer_values()
        half_year = Review.create({"review_type": "half_year", "date": today, "company_id": company.id})
        half_year.action_compute()
        half_year.action_submit()
        return annual | half_year

    @api.model
    def _generate_demo_agreements(self, manager_xmlid, member_xmlids=()):
        """Agreements with the largest demo customers: two active ones measured from their
        orders, an expired one with its done review."""
        today = fields.Date.context_today(self)
        manager = self.env.ref(manager_xmlid)
        members = [self.env.ref(xmlid) for xmlid in member_xmlids]
        strategic = self.env.ref("customer_relations.customer_agreement_type_strategic")
        framework = self.env.ref("customer_relations.customer_agreement_type_framework")
        partners = {
            p.ref: p for p in self.env["res.partner"].search([("ref", "in", ["CR013", "CR007", "CR031", "CR001"])])
        }
        meeting = self.env.ref("mail.mail_activity_data_meeting")
        roles = ["technical", "production", "finance", "quality"]
        Agreement = self.env["customer.agreement"]

        def baseline(partner, start):
            """What the customer bought in the 12 months before ``start`` (annualised where
            the history is shorter): revenue a year, orders a half-year, and its main product
            category by revenue with the units a quarter. Targets are set from it, as an
            account manager would, so achievements land near 100 %, not at 1,000 %."""
            since = start - relativedelta(months=12)
            lines = self.env["sale.order.line"].search(
                [
                    ("order_partner_id", "=", partner.id),
                    ("state", "=", "sale"),
                    ("order_id.date_order", ">=", fields.Datetime.to_datetime(since)),
                    ("order_id.date_order", "<", fields.Datetime.to_datetime(start)),
                ]
            )
            if not lines:
                return 0.0, 0.0, self.env["product.category"], 0.0
            first = min(lines.order_id.mapped("date_order")).date()
            months = min(12, max(1, (start.year - first.year) * 12 + start.month - first.month))
            revenue, units = {}, {}
            for line in lines:
                category = line.product_id.categ_id
                revenue[category] = revenue.get(category, 0.0) + line.price_subtotal
                units[category] = units.get(category, 0.0) + line.product_uom_qty
            category = max(revenue, key=revenue.get)
            scale = 12.0 / months
            return sum(revenue.values()) * scale, len(lines.order_id) * scale / 2, category, units[category] * scale / 4

        def make(partner, agreement_type, start, years, uplift, title):
            revenue, orders, category, units = baseline(partner, start)
            targets = [
                Command.create(
                    {
                        "measure": "revenue",
                        "period": "year",
                        "target_value": max(100000.0, round(revenue * uplift, -4)),
                    }
                ),
                Command.create({"measure": "orders", "period": "half", "target_value": max(2, round(orders))}),
            ]
            if category:
                targets.append(
                    Command.create(
                        {
                            "measure": "quantity",
                            "categ_id": category.id,
                            "period": "quarter",
                            "target_value": max(1, round(units * uplift)),
                        }
                    )
                )
            return Agreement.create(
                {
                    "partner_id": partner.id,
                    "type_id": agreement_type.id,
                    "title": title,
                    "date_start": start,
                    "date_end": start + relativedelta(years=years, days=-1),
                    "date_signed": start - relativedelta(days=10),
                    "manager_id": manager.id,
                    "member_ids": [
                        Command.create({"user_id": user.id, "role": roles[i % len(roles)]})
                        for i, user in enumerate(members)
                    ],
                    "target_ids": targets,
                    "rebate_step_ids": [
                        Command.create({"threshold": 80.0, "rate": 1.0}),
                        Command.create({"threshold": 100.0, "rate": 2.0}),
                    ],
                    "response_hours": 1.0,
                    "onsite_hours": 6.0,
                    "resolution_hours": 48.0,
                    "engagement_target": 3,
                    "engagement_activity_type_ids": [Command.set(meeting.ids)],
                }
            )

        first_of_month = today.replace(day=1)
        created = Agreement
        if partners.get("CR013"):
            created |= make(
                partners["CR013"],
                strategic,
                first_of_month - relativedelta(months=10),
                2,
                1.15,
                "战略合作协议 Strategic cooperation 2026-2027",
            )
        if partners.get("CR007"):
            created |= make(
                partners["CR007"],
                framework,
                first_of_month - relativedelta(months=4),
                1,
                1.1,
                "年度框架协议 Annual framework",
            )
        expired = Agreement
        if partners.get("CR031"):
            expired = make(
                partners["CR031"],
                strategic,
                first_of_month - relativedelta(months=26),
                2,
                1.1,
                "战略合作协议 Strategic cooperation (previous term)",
            )
        (created | expired).action_activate()
        if expired:
            expired.write({"state": "expired"})
            review = self.env["customer.agreement.review"].create(
                {
                    "agreement_id": expired.id,
                    "date_from": expired.date_start,
                    "date_to": expired.date_end,
                    "date": expired.date_end,
                    "decision": "renew",
                    "customer_feedback": "<p>交货及时，售后响应快。Deliveries on time, fast after-sales response.</p>",
                    "followup_actions": "<p>Quarterly business review with the plant manager.</p>",
                }
            )
            review.action_snapshot()
            review.action_done()
        return created | expired

    @api.model
    def _generate_demo_satisfaction(self, seed=20240601):
        """A key-customer satisfaction survey with weighted items in five dimensions, a closed
        campaign last year and a running one this year, answered by a seeded generator."""
        rng = random.Random(seed)
        ref = self.env.ref
        dims = {
            key: ref(f"customer_relations.satisfaction_dimension_{key}")
            for key in ("quality", "delivery", "service", "price", "staff")
        }
        survey = self.env["survey.survey"].create(
            {
                "title": "重点客户满意度调查 Key-customer satisfaction survey",
                "access_mode": "token",
                "questions_layout": "one_page",
            }
        )
        Question = self.env["survey.question"]
        likert = {"question_type": "scale", "scale_min": 1, "scale_max": 5, "survey_id": survey.id}
        items = [
            ("quality", "产品质量稳定 Product quality is consistent", 2.0, False),
            ("quality", "设备故障率低 Machines rarely break down", 1.0, False),
            ("delivery", "按时交货 Deliveries arrive on time", 1.0, False),
            ("delivery", "交货等待时间过长 We wait too long for deliveries", 1.0, True),
            ("service", "售后响应及时 After-sales service responds quickly", 1.0, False),
            ("service", "维修人员专业 Service engineers are competent", 1.0, False),
            ("price", "价格合理 Prices are fair", 1.0, False),
            ("staff", "销售人员沟通顺畅 Sales staff communicate well", 1.0, False),
        ]
        questions = Question.create(
            [
                {
                    **likert,
                    "title": title,
                    "satisfaction_role": "item",
                    "satisfaction_dimension_id": dims[key].id,
                    "satisfaction_item_weight": weight,
                    "satisfaction_reverse": reverse,
                }
                for key, title, weight, reverse in items
            ]
        )
        overall = Question.create(
            {**likert, "title": "总体满意度 Overall satisfaction", "satisfaction_role": "overall"}
        )
        recommend = Question.create(
            {
                **likert,
                "scale_min": 0,
                "scale_max": 10,
                "title": "推荐意愿 Would you recommend us? (0-10)",
                "satisfaction_role": "recommend",
            }
        )
        repurchase = Question.create(
            {**likert, "title": "再次购买意愿 Will you buy from us again?", "satisfaction_role": "repurchase"}
        )
        comment = Question.create({"survey_id": survey.id, "title": "意见与建议 Comments", "question_type": "text_box"})
        customers = self.env["res.partner"].search(
            [("ref", "=like", "CR%"), ("is_company", "=", True), ("customer_rank", ">", 0)], order="ref"
        )
        comments = [
            "设备运行稳定，希望备件更快到货。Stable machines; spare parts could arrive faster.",
            "服务工程师很专业。The service engineers are very professional.",
            "价格偏高。Prices are on the high side.",
            "",
            "",
        ]
        today = fields.Date.context_today(self)
        Campaign = self.env["customer.satisfaction.campaign"]
        campaigns = Campaign
        for year_offset, answer_share, mood in ((1, 0.8, -0.3), (0, 0.6, 0.0)):
            year = today.year - year_offset
            campaign = Campaign.create(
                {
                    "name": f"{year} 重点客户满意度 Key-customer satisfaction {year}",
                    "survey_id": survey.id,
                    "date_start": fields.Date.to_date(f"{year}-01-01"),
                    "date_end": fields.Date.to_date(f"{year}-12-31"),
                    "audience_domain": str([("id", "in", customers.ids)]),
                    "target_index": 85.0,
                }
            )
            campaign.with_context(satisfaction_no_mail=True).action_start()  # demo: no e-mail queue
            # answers come in during the spring survey round of the campaign's own year
            spring = date(year, 3, 1)
            if year == today.year and (today - spring).days < 30:
                spring = date(year, 1, 1)  # early in the year: the answers so far
            window_start = fields.Datetime.to_datetime(spring)
            window_days = max(1, min(120, (fields.Datetime.to_datetime(today) - window_start).days - 1))
            for answer in campaign.user_input_ids:
                if rng.random() > answer_share:
                    continue
                base = 3.6 + mood + rng.uniform(-1.0, 1.0)
                for question in questions:
                    value = base + rng.uniform(-0.8, 0.8)
                    if question.satisfaction_reverse:
                        value = 6 - value
                    answer._save_lines(question, str(min(5, max(1, round(value)))))
                answer._save_lines(overall, str(min(5, max(1, round(base)))))
                answer._save_lines(recommend, str(min(10, max(0, round(base * 2 + rng.uniform(-1, 1))))))
                answer._save_lines(repurchase, str(min(5, max(1, round(base + rng.uniform(-0.5, 0.5))))))
                text = rng.choice(comments)
                if text:
                    answer._save_lines(comment, text)
                answer._mark_done()
                answered_at = window_start + relativedelta(
                    days=rng.randrange(window_days), hours=rng.randint(1, 9), minutes=rng.randint(0, 59)
                )
                answer.write({"start_datetime": answered_at - relativedelta(minutes=12), "end_datetime": answered_at})
            if year_offset:
                campaign.action_close()
            else:
                campaign.action_compute_results()
            campaigns |= campaign
        return campaigns

    @api.model
    def _generate_demo_complaints(self, seed=20240601):
        """Routing rules, an emergency team, a callback survey and about thirty complaints of
        the demo customers in every state, with a plausible timeline written afterwards."""
        rng = random.Random(seed)
        ref = self.env.ref
        company = self.env.company
        dept = {
            key: ref(f"customer_relations.hr_department_{key}")
            for key in (
                "sales_service",
                "quality_inspection",
                "production_planning",
                "chief_engineer_office",
                "workshop_1",
            )
        }
        cats = {
            key: ref(f"customer_relations.customer_complaint_category_{key}")
            for key in ("quality", "delivery", "service", "price", "documentation")
        }
        Rule = self.env["customer.complaint.routing.rule"]
        Rule.create(
            [
                {
                    "name": "质量投诉 Quality to inspection",
                    "sequence": 1,
                    "department_id": dept["quality_inspection"].id,
                    "category_ids": [Command.link(cats["quality"].id)],
                },
                {
                    "name": "交货投诉 Delivery to planning",
                    "sequence": 2,
                    "department_id": dept["production_planning"].id,
                    "category_ids": [Command.link(cats["delivery"].id)],
                },
                {
                    "name": "服务投诉 Service to workshop 1",
                    "sequence": 3,
                    "department_id": dept["workshop_1"].id,
                    "category_ids": [Command.link(cats["service"].id)],
                },
            ]
        )
        callback = self.env["survey.survey"].create(
            {"title": "投诉回访 Complaint callback", "access_mode": "token", "questions_layout": "one_page"}
        )
        self.env["survey.question"].create(
            {
                "survey_id": callback.id,
                "title": "您对投诉处理满意吗？ Are you satisfied with the handling?",
                "question_type": "scale",
                "scale_min": 1,
                "scale_max": 5,
                "satisfaction_role": "overall",
            }
        )
        company.write(
            {
                "complaint_default_department_id": dept["sales_service"].id,
                "complaint_emergency_department_ids": [
                    Command.set((dept["chief_engineer_office"] | dept["production_planning"]).ids)
                ],
                "complaint_emergency_user_ids": [Command.set(ref("customer_relations.user_quality_zhang").ids)],
                "complaint_callback_survey_id": callback.id,
            }
        )
        customers = self.env["res.partner"].search(
            [("ref", "=like", "CR%"), ("is_company", "=", True), ("customer_rank", ">", 0)], order="ref"
        )
        if not customers:
            return self.env["customer.complaint"]
        titles = {
            "quality": ["轴承异响 Bearing noise", "门封漏水 Door seal leaks", "烘干不均 Uneven drying"],
            "delivery": ["交货延迟 Late delivery", "包装破损 Damaged packaging"],
            "service": ["维修响应慢 Slow repair visit", "安装不规范 Sloppy installation"],
            "price": ["发票价格不符 Invoice price differs"],
            "documentation": ["说明书缺页 Manual pages missing"],
        }
        stories = {
            "轴承异响 Bearing noise": {
                "description": "<p>酒店洗衣房 2 号洗衣机运行约 200 个循环后主轴承异响，脱水时振动明显。"
                "The washer in the hotel laundry makes bearing noise after about 200 cycles.</p>",
                "cause": "<p>5 个为什么：轴承游隙超差，来料抽检漏检；总装未做扭矩复核。"
                "Bearing clearance out of tolerance; torque not rechecked at final assembly.</p>",
                "handling": "<p>服务工程师到现场更换主轴承并做 50 次空载试运行。"
                "Bearing replaced on site, 50 test cycles.</p>",
                "action": "总装工序增加主轴扭矩复核 Torque check of the main shaft at final assembly",
                "reply": "<p>已更换主轴承，设备运行正常；我们在总装工序增加了扭矩复核。"
                "The bearing is replaced and we added a torque check at final assembly.</p>",
            },
            "门封漏水 Door seal leaks": {
                "description": "<p>新装 100 kg 洗脱机门封处漏水，地面积水影响洗衣房作业。"
                "The door seal of a new 100 kg washer-extractor leaks.</p>",
                "cause": "<p>门封胶条批次硬度偏高，低温下回弹不足。Seal batch too hard, poor rebound when cold.</p>",
                "handling": "<p>更换同型号新批次门封并调整门铰链。Seal replaced from a new batch, hinge adjusted.</p>",
                "action": "门封胶条来料增加硬度检验 Hardness inspection of incoming door seals",
                "reply": "<p>门封已更换，漏水问题已解决。The seal is replaced and the leak is fixed.</p>",
            },
            "烘干不均 Uneven drying": {
                "description": "<p>烘干机同一批床单干湿不均，部分需二次烘干，能耗增加。"
                "The dryer leaves part of each load damp.</p>",
                "cause": "<p>排风管道过长且风门开度设定不当。Exhaust duct too long, damper set wrongly.</p>",
                "handling": "<p>现场调整风门并清理绒毛过滤网，重新设定烘干程序。Damper and program reset on site.</p>",
                "action": "安装验收单增加排风风量测量 Exhaust air-flow measurement in the installation checklist",
                "reply": "<p>烘干程序已重新设定，烘干均匀。The drying program is reset; loads now dry evenly.</p>",
            },
            "交货延迟 Late delivery": {
                "description": "<p>合同约定交货期已过 10 天，酒店开业在即。"
                "Delivery is 10 days late; the hotel opens soon.</p>",
                "cause": "<p>控制器芯片供应短缺，生产计划未及时预警。Controller chips short, no early warning.</p>",
                "handling": "<p>调拨库存控制器优先装配，安排专车发货。"
                "Stock controllers used, dedicated truck sent.</p>",
                "action": "关键外购件安全库存与缺料预警 Safety stock and shortage alert for key bought parts",
                "reply": "<p>设备已专车送达并完成安装，对延误深表歉意。Delivered and installed; we apologise.</p>",
            },
            "包装破损 Damaged packaging": {
                "description": "<p>到货时木箱破损，烫平机外壳有划痕。"
                "Crate broken on arrival, ironer panel scratched.</p>",
                "cause": "<p>运输途中木箱固定不牢。Crate not fastened in transport.</p>",
                "handling": "<p>更换外壳面板并补偿运输损失。Panel replaced, transport loss compensated.</p>",
                "action": "发运前木箱加固检查 Crate fastening check before shipping",
                "reply": "<p>面板已更换，运输损失已补偿。The panel is replaced and the loss compensated.</p>",
            },
            "维修响应慢 Slow repair visit": {
                "description": "<p>报修后 8 小时工程师仍未到场，超出服务承诺。"
                "No engineer on site 8 hours after the call.</p>",
                "cause": "<p>当地服务站人员不足，派工未升级。Local service station understaffed, no escalation.</p>",
                "handling": "<p>由邻近服务站派工程师到场修复。Engineer sent from the next service station.</p>",
                "action": "派工超 4 小时未到场自动升级 Escalation when no engineer is on site within 4 hours",
                "reply": "<p>设备已修复，我们已调整派工升级规则。Repaired; dispatch escalation changed.</p>",
            },
            "安装不规范 Sloppy installation": {
                "description": "<p>设备安装后水平未调好，运行时整机移位。"
                "Machine not levelled, it walks while running.</p>",
                "cause": "<p>安装人员未按作业指导书调平并固定地脚螺栓。Work instruction not followed.</p>",
                "handling": "<p>重新调平并固定地脚螺栓。Machine levelled and anchored again.</p>",
                "action": "安装人员作业指导书再培训 Retraining of installers on the work instruction",
                "reply": "<p>设备已重新安装固定。The machine is reinstalled and anchored.</p>",
            },
            "发票价格不符 Invoice price differs": {
                "description": "<p>发票单价与大客户协议价不一致。Invoice price differs from the agreement price.</p>",
                "cause": "<p>报价单未套用协议价格表。Quotation did not use the agreement pricelist.</p>",
                "handling": "<p>开具红字发票并按协议价重开。Credit note and new invoice at the agreement price.</p>",
                "action": "协议客户报价自动套用协议价格表 Agreement pricelist applied to quotations",
                "reply": "<p>发票已按协议价重开。The invoice is reissued at the agreement price.</p>",
            },
            "说明书缺页 Manual pages missing": {
                "description": "<p>随机说明书缺少电气原理图页。The manual lacks the wiring diagram pages.</p>",
                "cause": "<p>印刷装订漏页，出厂未核对。Pages missed in binding, not checked at dispatch.</p>",
                "handling": "<p>补寄完整说明书并提供电子版。Complete manual and a PDF sent.</p>",
                "action": "出厂资料清单核对 Document checklist at dispatch",
                "reply": "<p>完整说明书已寄出。The complete manual is on its way.</p>",
            },
        }
        now = fields.Datetime.now()
        intake = ref("customer_relations.user_sales_service_li")
        complaints = self.env["customer.complaint"]
        finals = ["new", "routing", "investigating", "handling", "feedback", "replied", "closed", "closed", "closed"]
        for index in range(30):
            key = rng.choice(
                ["quality", "quality", "quality", "delivery", "delivery", "service", "price", "documentation"]
            )
            customer = rng.choice(customers)
            final = finals[index % len(finals)] if index < 27 else "rejected"
            if final in ("new", "routing", "investigating", "handling", "feedback"):
                # open complaints came in over the last days: their SLA clocks show every level
                received = now - relativedelta(hours=rng.randint(1, 120))
            else:
                received = now - relativedelta(days=rng.randint(6, 330), hours=rng.randint(0, 23))
            title = rng.choice(titles[key])
            complaint = complaints.create(
                {
                    "title": title,
                    "partner_id": customer.id,
                    "contact_id": customer.child_ids[:1].id,
                    "category_id": cats[key].id,
                    "severity": rng.choice(["minor", "normal", "normal", "normal", "major", "critical"]),
                    "channel": rng.choice(["phone", "phone", "email", "visit", "portal"]),
                    "description": stories[title]["description"],
                    "received_at": received,
                    "intake_user_id": intake.id,
                    "first_response_at": received + relativedelta(minutes=rng.randint(10, 300)),
                }
            )
            self._demo_walk(complaint, final, rng, stories[title])
            complaints |= complaint
        self._demo_timeline(complaints, rng)
        self.env["customer.complaint.sla"]._update_warning_levels()
        return complaints

    def _demo_walk(self, complaint, final, rng, story):
        order = ["new", "routing", "investigating", "handling", "feedback", "replied", "closed"]
        causes = self.env["customer.complaint.root.cause"].search([("is_material", "=", False)])
        handler_fallback = self.env.ref("customer_relations.user_handler_zhao")
        if final == "rejected":
            complaint.action_submit()
            complaint._action_reject("不属于产品问题 Misuse, not a product defect")
            return
        target = order.index(final)
        steps = [
            (1, lambda c: c.action_submit()),
            (
                2,
                lambda c: (
                    c.action_confirm_department(),
                    c.write({"user_id": (c.department_id.manager_id.user_id or handler_fallback).id}),
                ),
            ),
            (
                3,
                lambda c: (
                    c.write({"root_cause_id": rng.choice(causes).id, "cause_analysis": story["cause"]}),
                    self.env["customer.complaint.action"].create(
                        {
                            "complaint_id": c.id,
                            "name": story["action"],
                            "action_type": "corrective",
                            "user_id": c.user_id.id,
                            "date_deadline": (c.received_at + relativedelta(days=14)).date(),
                        }
                    ),
                    c.action_start_handling(),
                ),
            ),
            (
                4,
                lambda c: (
                    c.write(
                        {
                            "handling_description": story["handling"],
                            "remedy_type": rng.choice(["repair", "replacement", "compensation"]),
                            "remedy_exemption": "演示数据：在 Odoo 之外处理 Demo data: settled outside Odoo",
                            "cost": rng.randint(2, 60) * 100.0,
                            "onsite_at": min(
                                c.received_at + relativedelta(hours=rng.randint(2, 30)), fields.Datetime.now()
                            ),
                        }
                    ),
                    c.action_send_feedback(),
                ),
            ),
            (
                5,
                lambda c: (
                    c.write({"reply": story["reply"]}),
                    c.with_context(mail_notify_force_send=False).action_reply(),
                ),
            ),
            (
                6,
                lambda c: (
                    c.action_ids.filtered(lambda a: a.state == "open").action_done(),
                    c.is_quality
                    and c._action_check_effectiveness("effective", "跟踪30天无复发 No recurrence in 30 days"),
                    c.action_close(),
                ),
            ),
        ]
        for rank, step in steps:
            if rank <= target:
                step(complaint)

    def _demo_timeline(self, complaints, rng):
        """Spread each demo complaint's transitions after its receipt, as if handled over days."""
        now = fields.Datetime.now()
        for complaint in complaints:
            moment = complaint.received_at
            transitions = complaint.transition_ids.sorted("id")
            steps = [rng.uniform(0.5, 30.0) for _transition in transitions]
            # a complaint that came in recently went through its steps in the time it had
            available = (now - complaint.received_at).total_seconds() / 3600.0 * 0.9
            scale = min(1.0, available / sum(steps)) if steps else 1.0
            for transition, step in zip(transitions, steps, strict=True):
                hours = step * scale
                moment = moment + relativedelta(seconds=int(hours * 3600))
                transition.write(
                    {
                        "date": moment,
                        "hours_in_state": hours,
                        "hours_from_receipt": (moment - complaint.received_at).total_seconds() / 3600.0,
                    }
                )
                if transition.to_state == "replied":
                    complaint.write({"replied_at": moment, "hours_to_reply": transition.hours_from_receipt})
                elif transition.to_state == "closed":
                    complaint.write({"closed_at": moment, "hours_to_close": transition.hours_from_receipt})
            for sla in complaint.sla_ids.filtered(lambda s: s.milestone == "resolution" and s.reached_at):
                sla._reach(complaint.replied_at)
            complaint.action_ids.filtered(lambda a: a.state == "done").write(
                {"date_done": (complaint.closed_at or moment).date()}
            )

    @api.model
    def _generate_demo_relationship(self, seed=20240601):
        """The customer file of the demo customers, a year and a half of interactions, share of
        wallet estimates, referrals, the plan against done, care moments and a forecast."""
        rng = random.Random(seed)
        customers = self.env["res.partner"].search(
            [("ref", "=like", "CR%"), ("is_company", "=", True), ("customer_rank", ">", 0)], order="ref"
        )
        if not customers:
            return
        channels = self.env["customer.acquisition.channel"].search([])
        referral = channels.filtered("is_referral")[:1]
        today = fields.Date.context_today(self)
        for index, customer in enumerate(customers):
            channel = rng.choice(channels)
            values = {
                "market_status": rng.choice(["main", "main", "developing"]),
                "employee_count": rng.choice([80, 150, 400, 1200, 5000]),
                "revenue_band": rng.choice(["lt10m", "10m_50m", "50m_200m", "200m_1b", "gt1b"]),
                "development_potential": rng.choice(["high", "medium", "low"]),
                "market_position": rng.choice(["leader", "challenger", "follower", "niche"]),
                "credit_rating": rng.choice(["aaa", "aa", "a", "bbb"]),
                "acquisition_channel_id": channel.id,
                "company_anniversary": date(today.year - rng.randint(5, 40), 1, 1)
                + relativedelta(days=rng.randint(0, 364)),
            }
            if channel == referral and index:
                values["referred_by_id"] = customers[rng.randrange(index)].id
            customer.write(values)
            for contact in customer.child_ids[:2]:
                contact.write(
                    {
                        "purchase_role": rng.choice(["decision_maker", "influencer", "user", "purchaser"]),
                        "preferred_channel": rng.choice(["phone", "wechat", "email", "visit"]),
                        "contact_frequency": rng.choice(["monthly", "quarterly"]),
                        "birthday": date(1970 + rng.randint(0, 25), 1, 1) + relativedelta(days=rng.randint(0, 364)),
                    }
                )
        kinds = ["call", "call", "call", "visit", "visit", "seminar", "greeting", "service"]
        labels = dict(self.env["customer.interaction"]._fields["interaction_type"]._description_selection(self.env))
        interactions = []
        for customer in customers:
            for _count in range(rng.randint(0, 14)):
                kind = rng.choice(kinds)
                interactions.append(
                    {
                        "name": labels[kind],
                        "partner_id": customer.id,
                        "contact_id": customer.child_ids[:1].id,
                        "interaction_type": kind,
                        "date": today - relativedelta(days=rng.randint(0, 540)),
                        "user_id": customer.user_id.id or self.env.uid,
                        "outcome": rng.choice(
                            [
                                "客户满意 Satisfied",
                                "询价新设备 Asked for a quote",
                                "抱怨交期 Complained about lead times",
                                "",
                            ]
                        )
                        or False,
                    }
                )
        self.env["customer.interaction"].create(interactions)
        self._demo_wallet(customers, today, rng)
        self.env["customer.contact.status"]._rebuild(self.env.company, today.year)
        self.env["customer.care.moment"]._create_care_moments(today)
        self.env["customer.forecast.segment"].create(
            {"industry_id": customers[0].industry_id.id, "growth_adjustment": 5.0, "note": "Demo: new hotels opening"}
        )
        self.env["customer.forecast.wizard"].create(
            {"period_type": "quarter", "history_periods": 10, "horizon": 2}
        )._forecast()

    def _demo_wallet(self, customers, today, rng):
        """Share-of-wallet estimates by each customer's account manager: on the categories the
        customer buys from us (part of the need supplied by competitors) and on one category
        its industry uses that it does not buy from us yet, the cross-sell gap."""
        since = fields.Datetime.to_datetime(today - relativedelta(months=12))
        bought = defaultdict(dict)
        for partner, category, revenue in self.env["sale.report"]._read_group(
            [("partner_id", "in", customers.ids), ("state", "=", "sale"), ("date", ">=", since)],
            ["partner_id", "categ_id"],
            ["price_subtotal:sum"],
        ):
            if category and revenue > 0:
                bought[partner][category] = revenue
        Category = self.env["product.category"]
        by_name = {c.name: c for c in Category.search([("name", "in", [name for name, _items in CATALOG.values()])])}
        industry_keys = {
            self.env.ref(f"customer_relations.res_partner_industry_{key}", raise_if_not_found=False): key
            for key in INDUSTRY_CATEGORIES
        }
        estimates = []
        for customer in customers.filtered(lambda c: c in bought)[:14]:
            author = customer.user_id.id or self.env.uid
            for category, revenue in bought[customer].items():
                share = rng.choice([0.35, 0.5, 0.6, 0.75, 0.9, 1.0])
                estimates.append(
                    {
                        "partner_id": customer.id,
                        "categ_id": category.id,
                        "estimated_need": round(revenue / share, -3) or 1000.0,
                        "estimate_date": today,
                        "estimated_by_id": author,
                        "note": "另从竞争对手采购 Also buys from competitors" if share < 1 else False,
                    }
                )
            usual = [
                by_name.get(CATALOG[key][0])
                for key in INDUSTRY_CATEGORIES.get(industry_keys.get(customer.industry_id), [])
            ]
            missing = [category for category in usual if category and category not in bought[customer]]
            if missing:
                estimates.append(
                    {
                        "partner_id": customer.id,
                        "categ_id": missing[0].id,
                        "estimated_need": rng.randint(8, 60) * 10000.0,
                        "estimate_date": today,
                        "estimated_by_id": author,
                        "note": "尚未从我司采购 Not bought from us yet",
                    }
                )
        return self.env["customer.wallet.share"].create(estimates)

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
