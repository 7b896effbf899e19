import base64
import io
from collections import defaultdict

import pandas as pd
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval

from ..engine import satisfaction as engine
from ..engine import workbook


class CustomerSatisfactionCampaign(models.Model):
    """A satisfaction survey sent to a chosen set of customers for a period, with its
    response tracking, the composite index and the statistical analysis of the answers."""

    _name = "customer.satisfaction.campaign"
    _description = "Satisfaction Campaign"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, tracking=True)
    survey_id = fields.Many2one("survey.survey", required=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    period_type = fields.Selection([("year", "Year"), ("half", "Half-year")], default="year", required=True)
    date_start = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self).replace(month=1, day=1)
    )
    date_end = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self).replace(month=12, day=31)
    )
    audience_domain = fields.Char(
        "Audience",
        default="[('is_company', '=', True), ('customer_rank', '>', 0)]",
        help="Customers to survey: filter by tier, class, region, industry, salesperson...",
    )
    target_index = fields.Float("Target index", default=85.0)
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("closed", "Closed")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    user_input_ids = fields.One2many("survey.user_input", "satisfaction_campaign_id", string="Answers")
    invited_count = fields.Integer(compute="_compute_progress", string="Invited")
    answered_count = fields.Integer(compute="_compute_progress", string="Answered")
    response_rate = fields.Float(compute="_compute_progress", string="Response rate %")
    index_value = fields.Float("Satisfaction index", readonly=True, copy=False, aggregator="avg")
    nps_value = fields.Float("NPS", readonly=True, copy=False)
    analysis = fields.Json(readonly=True, copy=False)
    analysis_date = fields.Datetime(readonly=True, copy=False)
    previous_id = fields.Many2one(
        "customer.satisfaction.campaign",
        compute="_compute_previous_id",
        string="Previous campaign",
        help="The latest earlier campaign of the same survey, for the comparison.",
    )
    summary_html = fields.Html(compute="_compute_html", sanitize=False)
    dimensions_html = fields.Html(compute="_compute_html", sanitize=False)
    segments_html = fields.Html(compute="_compute_html", sanitize=False)
    drivers_html = fields.Html(compute="_compute_html", sanitize=False)
    reliability_html = fields.Html(compute="_compute_html", sanitize=False)
    export_file = fields.Binary(readonly=True, copy=False, attachment=False)
    export_filename = fields.Char(readonly=True, copy=False)

    _sql_constraints = [("dates", "CHECK(date_end >= date_start)", "The campaign ends before it starts.")]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("user_input_ids.state")
    def _compute_progress(self):
        Input = self.env["survey.user_input"]
        invited = dict(
            Input._read_group([("satisfaction_campaign_id", "in", self.ids)], ["satisfaction_campaign_id"], ["__count"])
        )
        done = dict(
            Input._read_group(
                [("satisfaction_campaign_id", "in", self.ids), ("state", "=", "done")],
                ["satisfaction_campaign_id"],
                ["__count"],
            )
        )
        for campaign in self:
            campaign.invited_count = invited.get(campaign, 0)
            campaign.answered_count = done.get(campaign, 0)
            campaign.response_rate = (
                campaign.answered_count / campaign.invited_count * 100.0 if campaign.invited_count else 0.0
            )

    @api.depends("survey_id", "date_start")
    def _compute_previous_id(self):
        for campaign in self:
            campaign.previous_id = self.search(
                [
                    ("survey_id", "=", campaign.survey_id.id),
                    ("date_start", "<", campaign.date_start),
                    ("id", "!=", campaign.id or 0),
                ],
                order="date_start desc",
                limit=1,
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _audience(self):
        self.ensure_one()
        try:
            domain = safe_eval(self.audience_domain or "[]")
        except Exception as error:
            raise UserError(self.env._("The audience filter cannot be read: %(error)s", error=error)) from error
        return self.env["res.partner"].search([*domain, ("parent_id", "=", False)])

    def _contact_for(self, customer):
        """The person to invite: a contact of the customer with an e-mail, or the customer."""
        contacts = customer.child_ids.filtered(lambda c: c.email and c.type == "contact")
        return contacts[:1] or customer

    def action_start(self):
        for campaign in self:
            if campaign.state != "draft":
                raise UserError(self.env._("Only a draft campaign can be started."))
            customers = campaign._audience()
            if not customers:
                raise UserError(self.env._("The audience of %(name)s has no customer.", name=campaign.name))
            campaign._invite(customers)
            campaign.state = "running"
        return True

    def _invite(self, customers):
        """Create one survey answer per customer (its contact) and send the invitation."""
        self.ensure_one()
        survey = self.survey_id
        answers = self.env["survey.user_input"]
        for customer in customers:
            contact = self._contact_for(customer)
            answers |= survey.sudo()._create_answer(
                partner=contact, check_attempts=False, satisfaction_campaign_id=self.id
            )
        self._send_invitations(answers)
        self.message_post(body=self.env._("%(count)s customers invited.", count=len(answers)))
        return answers

    def _send_invitations(self, answers, reminder=False):
        template = self.env.ref("survey.mail_template_user_input_invite", raise_if_not_found=False)
        if not template or self.env.context.get("satisfaction_no_mail"):
            return
        for answer in answers.filtered(lambda a: a.partner_id.email or a.email):
            template.sudo().with_context(satisfaction_reminder=reminder).send_mail(
                answer.id, email_layout_xmlid="mail.mail_notification_light"
            )

    def action_remind(self):
        for campaign in self:
            if campaign.state != "running":
                raise UserError(self.env._("Reminders go out while the campaign runs."))
            pending = campaign.user_input_ids.filtered(lambda a: a.state != "done")
            campaign._send_invitations(pending, reminder=True)
            campaign.message_post(body=self.env._("Reminder sent to %(count)s customers.", count=len(pending)))
        return True

    def action_close(self):
        for campaign in self:
            if campaign.state != "running":
                raise UserError(self.env._("Only a running campaign can be closed."))
        self.action_compute_results()
        self.state = "closed"
        return True

    def action_view_answers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_relations.survey_user_input_action_satisfaction"
        )
        action["domain"] = [("satisfaction_campaign_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # Analysis
    # ------------------------------------------------------------------
    def _answer_frames(self, answers):
        """Respondents x items and respondents x dimensions (0-100), the item keys of each
        dimension and the overall-satisfaction answers (0-100), read in bulk."""
        lines = answers._satisfaction_lines()
        overall = lines[lines["role"] == "overall"].groupby("response")["value"].mean()
        items = lines[lines["role"] == "item"]
        if items.empty:
            return pd.DataFrame(), pd.DataFrame(), {}, overall
        item_matrix = items.pivot_table(index="response", columns="item", values="value", aggfunc="mean")
        dimension_items = defaultdict(list)
        for item, dimension in items.drop_duplicates("item")[["item", "dimension"]].itertuples(index=False):
            dimension_items[int(dimension)].append(item)
        scores = self.env["customer.satisfaction.score"].search_read(
            [("user_input_id", "in", answers.ids)], ["user_input_id", "dimension_id", "score"], load=False
        )
        dims = pd.DataFrame(scores)
        dimension_matrix = (
            dims.pivot_table(index="user_input_id", columns="dimension_id", values="score", aggfunc="mean")
            if not dims.empty
            else pd.DataFrame()
        )
        return item_matrix, dimension_matrix, dict(dimension_items), overall

    def _analyse(self, answers, previous=None):
        """The engine's analysis of ``answers`` with names instead of ids."""
        answers = answers.filtered(lambda a: a.state == "done" and a.satisfaction_scored)
        item_matrix, dimension_matrix, dimension_items, overall_answers = self._answer_frames(answers)
        index = pd.Series({a.id: a.satisfaction_index for a in answers}, dtype="float64")
        # Drivers explain the answer to the overall-satisfaction question where it was asked;
        # the composite index stands in otherwise (then R² is 1 by construction).
        overall = overall_answers.reindex(index.index) if overall_answers.notna().sum() >= 3 else index
        recommend_answers = answers.filtered(lambda a: a.satisfaction_nps_category)
        recommend = pd.Series({a.id: a.satisfaction_recommend for a in recommend_answers}, dtype="float64")
        rows = index.index
        segments = pd.DataFrame(
            {
                "tier": [a.satisfaction_partner_id.with_company(self.company_id).customer_tier or "-" for a in answers],
                "class": [
                    a.satisfaction_partner_id.with_company(self.company_id).account_class or "-" for a in answers
                ],
                "region": [a.satisfaction_partner_id.region_id.name or "-" for a in answers],
                "industry": [a.satisfaction_partner_id.industry_id.name or "-" for a in answers],
            },
            index=[a.id for a in answers],
        )
        previous_index = None
        if previous:
            done = previous.user_input_ids.filtered(lambda a: a.state == "done" and a.satisfaction_scored)
            previous_index = pd.Series([a.satisfaction_index for a in done], dtype="float64")
        dimensions = self.env["customer.satisfaction.dimension"].browse([int(c) for c in dimension_matrix.columns])
        counts = defaultdict(int)
        for dimension in dimensions:
            counts[dimension.name] += 1
        names = {d.id: d.name if counts[d.name] == 1 else f"{d.name} ({d.id})" for d in dimensions}
        dimension_matrix = dimension_matrix.reindex(rows).rename(columns=lambda c: names.get(int(c), str(c)))
        questions = self.env["survey.question"].browse({int(key.split("-")[0]) for key in item_matrix.columns})
        rows_by_id = {r.id: r for r in questions.matrix_row_ids}
        titles = {}
        for key in item_matrix.columns:
            question_id, _sep, row_id = key.partition("-")
            question = questions.browse(int(question_id))
            titles[key] = question.title + (f" / {rows_by_id[int(row_id)].value}" if row_id else "")
        item_matrix = item_matrix.reindex(rows).rename(columns=titles)
        result = engine.analyse(
            item_matrix,
            dimension_matrix,
            overall,
            recommend,
            segments.reindex(rows),
            {names.get(d, str(d)): [titles[k] for k in keys] for d, keys in dimension_items.items()},
            previous=previous_index,
            index=index,
        )
        result["response"] = {
            "invited": len(self.user_input_ids) if self else 0,
            "answered": len(answers),
        }
        return result

    def action_compute_results(self):
        for campaign in self:
            answers = campaign.user_input_ids.filtered(lambda a: a.state == "done")
            if not answers:
                raise UserError(self.env._("%(name)s has no completed answer yet.", name=campaign.name))
            unscored = answers.filtered(lambda a: not a.satisfaction_scored)
            unscored.sudo()._compute_satisfaction()
            result = campaign._analyse(answers, campaign.previous_id)
            campaign.write(
                {
                    "analysis": result,
                    "analysis_date": fields.Datetime.now(),
                    "index_value": (result.get("index") or {}).get("mean") or 0.0,
                    "nps_value": (result.get("nps") or {}).get("nps") or 0.0,
                }
            )
        return True

    # ------------------------------------------------------------------
    # Display
    # ------------------------------------------------------------------
    @staticmethod
    def _fmt(value, pattern="{:.1f}"):
        return "-" if value is None else pattern.format(value)

    def _html_table(self, headers, rows):
        head = Markup("").join(Markup("<th>{}</th>").format(h) for h in headers)
        body = Markup("").join(
            Markup("<tr>{}</tr>").format(Markup("").join(Markup("<td>{}</td>").format(c) for c in row)) for row in rows
        )
        return Markup(
            "<table class='table table-sm table-striped'><thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
        ).format(head, body)

    @staticmethod
    def _cumulative_variance(factors):
        cumulative = factors.get("cumulative") or []
        count = factors.get("n_factors") or 0
        return cumulative[count - 1] if cumulative and count else None

    def _quadrant_svg(self, data):
        """Importance-performance scatter as inline SVG: importance (|r|) across, performance
        (mean score) up, split at the means into the four quadrants."""
        importance = {row["dimension"]: abs(row["r"]) for row in data.get("correlations", []) if row["r"] is not None}
        performance = {row["dimension"]: row["mean"] for row in data.get("dimensions", []) if row["mean"] is not None}
        keys = [k for k in importance if k in performance]
        if not keys:
            return Markup("")
        width, height, pad = 520, 320, 40
        xs = [importance[k] for k in keys]
        ys = [performance[k] for k in keys]
        x_low, x_high = min([*xs, 0.0]), max([*xs, 1.0])
        y_low, y_high = min([*ys, 50.0]) - 5, max([*ys, 100.0])

        def px(x):
            return pad + (x - x_low) / ((x_high - x_low) or 1) * (width - 2 * pad)

        def py(y):
            return height - pad - (y - y_low) / ((y_high - y_low) or 1) * (height - 2 * pad)

        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        parts = [
            Markup("<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' class='o_cr_ipa'>").format(
                width, height
            ),
            Markup("<line x1='{}' y1='{}' x2='{}' y2='{}' stroke='#999' stroke-dasharray='4'/>").format(
                px(mean_x), pad / 2, px(mean_x), height - pad
            ),
            Markup("<line x1='{}' y1='{}' x2='{}' y2='{}' stroke='#999' stroke-dasharray='4'/>").format(
                pad, py(mean_y), width - pad / 2, py(mean_y)
            ),
            Markup("<text x='{}' y='{}' font-size='11'>{}</text>").format(pad, height - 8, self.env._("Importance")),
            Markup("<text x='4' y='{}' font-size='11'>{}</text>").format(pad / 2, self.env._("Performance")),
        ]
        for key in keys:
            parts.append(
                Markup(
                    "<circle cx='{:.1f}' cy='{:.1f}' r='5' fill='#1E6E8C'/>"  # the dimension
                    "<text x='{:.1f}' y='{:.1f}' font-size='11'>{}</text>"
                ).format(
                    px(importance[key]), py(performance[key]), px(importance[key]) + 7, py(performance[key]) + 4, key
                )
            )
        parts.append(Markup("</svg>"))
        return Markup("").join(parts)

    @api.depends("analysis")
    def _compute_html(self):
        quadrant_labels = {
            "keep_up": self.env._("Keep up the good work"),
            "concentrate": self.env._("Concentrate here"),
            "low_priority": self.env._("Low priority"),
            "overkill": self.env._("Possible overkill"),
        }
        for campaign in self:
            data = campaign.analysis or {}
            if not data:
                campaign.summary_html = campaign.dimensions_html = campaign.segments_html = False
                campaign.drivers_html = campaign.reliability_html = False
                continue
            fmt = self._fmt
            index = data.get("index") or {}
            npsd = data.get("nps") or {}
            comparison = data.get("comparison") or {}
            campaign.summary_html = self._html_table(
                [self.env._("Measure"), self.env._("Value")],
                [
                    (self.env._("Answers"), data.get("n")),
                    (
                        self.env._("Satisfaction index"),
                        f"{fmt(index.get('mean'))} ({fmt(index.get('low'))} - {fmt(index.get('high'))})",
                    ),
                    (self.env._("Target"), fmt(campaign.target_index)),
                    (self.env._("NPS"), f"{fmt(npsd.get('nps'))} ({fmt(npsd.get('low'))} - {fmt(npsd.get('high'))})"),
                    (
                        self.env._("Against the previous campaign"),
                        f"{fmt(comparison.get('difference'), '{:+.1f}')} (p = {fmt(comparison.get('p'), '{:.3f}')})",
                    ),
                ]
                + [(self.env._("Note"), flag) for flag in data.get("flags", [])],
            )
            campaign.dimensions_html = self._html_table(
                [self.env._("Dimension"), "n", self.env._("Mean"), self.env._("Std. dev."), self.env._("Top-2-box")],
                [
                    (
                        d["dimension"],
                        d["n"],
                        fmt(d["mean"]),
                        fmt(d["std"]),
                        fmt(d["top2"] * 100 if d["top2"] is not None else None, "{:.0f} %"),
                    )
                    for d in data.get("dimensions", [])
                ],
            )
            segment_rows = []
            for segment, content in (data.get("segments") or {}).items():
                test = content.get("test") or {}
                for group in content.get("groups", []):
                    segment_rows.append(
                        (segment, group["segment"], group["n"], fmt(group["index"]), fmt(test.get("anova_p"), "{:.3f}"))
                    )
            campaign.segments_html = self._html_table(
                [self.env._("Segment"), self.env._("Group"), "n", self.env._("Index"), self.env._("ANOVA p")],
                segment_rows,
            )
            regression = {c["dimension"]: c for c in (data.get("regression") or {}).get("coefficients", [])}
            campaign.drivers_html = (
                self._html_table(
                    [
                        self.env._("Dimension"),
                        "r",
                        "p",
                        self.env._("Beta"),
                        self.env._("Importance"),
                        self.env._("Quadrant"),
                    ],
                    [
                        (
                            row["dimension"],
                            fmt(row["r"], "{:.2f}"),
                            fmt(row["p"], "{:.3f}"),
                            fmt(regression.get(row["dimension"], {}).get("beta"), "{:.2f}"),
                            fmt((regression.get(row["dimension"], {}).get("importance") or 0) * 100, "{:.0f} %"),
                            quadrant_labels.get((data.get("quadrants") or {}).get(row["dimension"]), "-"),
                        )
                        for row in data.get("correlations", [])
                    ],
                )
                + Markup("<p>R² = {}</p>").format(fmt((data.get("regression") or {}).get("r2"), "{:.2f}"))
                + self._quadrant_svg(data)
            )
            reliability = data.get("reliability") or {}
            kmo = data.get("kmo") or {}
            bartlett = data.get("bartlett") or {}
            factors = data.get("factors") or {}
            campaign.reliability_html = self._html_table(
                [self.env._("Check"), self.env._("Value")],
                [
                    ("Cronbach's alpha", fmt(reliability.get("alpha"), "{:.3f}")),
                    ("KMO", fmt(kmo.get("kmo"), "{:.3f}")),
                    (
                        "Bartlett chi²",
                        f"{fmt(bartlett.get('chi2'), '{:.1f}')} (p = {fmt(bartlett.get('p'), '{:.4f}')})",
                    ),
                    (self.env._("Factors (eigenvalue > 1)"), factors.get("n_factors")),
                    (
                        self.env._("Cumulative explained variance"),
                        fmt(
                            (factors.get("cumulative") or [None])[max((factors.get("n_factors") or 1) - 1, 0)]
                            if factors.get("cumulative")
                            else None,
                            "{:.2f}",
                        ),
                    ),
                ]
                + [
                    (self.env._("Finding"), flag)
                    for flag in reliability.get("flags", []) + kmo.get("flags", []) + factors.get("flags", [])
                ],
            )

    # ------------------------------------------------------------------
    # Excel
    # ------------------------------------------------------------------
    def action_export_xlsx(self):
        self.ensure_one()
        if not self.analysis:
            self.action_compute_results()
        content = self._export_workbook(self.user_input_ids.filtered(lambda a: a.state == "done"), self.analysis)
        self.write({"export_file": base64.b64encode(content), "export_filename": f"{self.name}.xlsx"})
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/customer.satisfaction.campaign/{self.id}/export_file/{self.export_filename}"
            "?download=true",
            "target": "self",
        }

    def _export_workbook(self, answers, analysis):
        """The leadership workbook for ``answers`` (done survey answers) and an analysis."""
        buffer = io.BytesIO()
        workbook.write_summary(
            buffer,
            analysis,
            title=self.name or self.env._("Satisfaction summary"),
            target_index=self.target_index if self else None,
            comments=self._iter_comments(answers),
            customers=self._iter_customers(answers),
        )
        return buffer.getvalue()

    def _iter_comments(self, answers, batch=2000):
        """Open answers, streamed in batches of SQL rows (constant memory for the export)."""
        for start in range(0, len(answers.ids), batch):
            self.env.cr.execute(
                """
                SELECT p.name, q.title ->> 'en_US', COALESCE(l.value_text_box, l.value_char_box)
                  FROM survey_user_input_line l
                  JOIN survey_user_input u ON u.id = l.user_input_id
                  JOIN survey_question q ON q.id = l.question_id
             LEFT JOIN res_partner p ON p.id = u.satisfaction_partner_id
                 WHERE l.user_input_id = ANY(%s) AND l.answer_type IN ('text_box', 'char_box')
                   AND COALESCE(l.value_text_box, l.value_char_box) IS NOT NULL
                """,
                [answers.ids[start : start + batch]],
            )
            yield from self.env.cr.fetchall()

    def _iter_customers(self, answers, batch=2000):
        """Per answer: customer, index, NPS answer, tier, class, salesperson (batched SQL)."""
        key = str(self.company_id.id or self.env.company.id)
        for start in range(0, len(answers.ids), batch):
            self.env.cr.execute(
                """
                SELECT p.name, u.satisfaction_index, u.satisfaction_recommend, p.customer_tier ->> %s,
                       p.account_class ->> %s, sp.name, r.name ->> 'en_US'
                  FROM survey_user_input u
             LEFT JOIN res_partner p ON p.id = u.satisfaction_partner_id
             LEFT JOIN res_users su ON su.id = p.user_id
             LEFT JOIN res_partner sp ON sp.id = su.partner_id
             LEFT JOIN customer_region r ON r.id = p.region_id
                 WHERE u.id = ANY(%s)
              ORDER BY u.satisfaction_index DESC NULLS LAST
                """,
                [key, key, answers.ids[start : start + batch]],
            )
            yield from self.env.cr.fetchall()
