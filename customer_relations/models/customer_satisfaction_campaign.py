import io

import numpy as np
import pandas as pd
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, formatLang
from odoo.tools.safe_eval import safe_eval

from ..engine import pgcopy, workbook
from ..engine import satisfaction as engine
from .tiering_constants import ACCOUNT_CLASS, CUSTOMER_TIER


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
    analysis_fingerprint = fields.Char(readonly=True, copy=False)
    results_outdated = fields.Boolean(
        compute="_compute_results_outdated",
        help="The answers or the scoring settings changed since the results were computed.",
    )

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

    @api.depends("analysis_fingerprint")
    def _compute_results_outdated(self):
        for campaign in self:
            campaign.results_outdated = bool(
                campaign.id
                and campaign.analysis_date
                and campaign.analysis_fingerprint != campaign._results_fingerprint()
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

    def _check_can_run(self):
        """Running a campaign (invitations, reminders, results, closing) writes it: Quality and
        Managers. Checked before anything is sent, whatever the entry point."""
        self.check_access("write")

    def action_start(self):
        self._check_can_run()
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
        self._check_can_run()
        for campaign in self:
            if campaign.state != "running":
                raise UserError(self.env._("Reminders go out while the campaign runs."))
            pending = campaign.user_input_ids.filtered(lambda a: a.state != "done")
            campaign._send_invitations(pending, reminder=True)
            campaign.message_post(body=self.env._("Reminder sent to %(count)s customers.", count=len(pending)))
        return True

    def action_close(self):
        self._check_can_run()
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
    # Analysis: reading the answers (a few set-based queries)
    # ------------------------------------------------------------------
    def _results_fingerprint(self):
        """A digest of what the results depend on: the campaign's completed answers and their
        scores, and the survey's scoring settings (roles, dimensions, weights, reverse flags,
        scale ends, choice values) and the dimension weights. One SQL statement."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT md5(
                COALESCE((SELECT string_agg(concat_ws(':', u.id, u.satisfaction_index, u.satisfaction_overall,
                                                      u.satisfaction_recommend, u.satisfaction_scored), ','
                                            ORDER BY u.id)
                            FROM survey_user_input u
                           WHERE u.satisfaction_campaign_id = %(campaign)s AND u.state = 'done'), '')
                || '|' ||
                COALESCE((SELECT string_agg(concat_ws(':', q.id, q.satisfaction_role, q.satisfaction_dimension_id,
                                                      q.satisfaction_item_weight, q.satisfaction_reverse,
                                                      q.scale_min, q.scale_max), ',' ORDER BY q.id)
                            FROM survey_question q WHERE q.survey_id = %(survey)s), '')
                || '|' ||
                COALESCE((SELECT string_agg(concat_ws(':', o.id, o.satisfaction_value, o.satisfaction_skip), ','
                                            ORDER BY o.id)
                            FROM survey_question_answer o
                            JOIN survey_question q ON q.id = o.question_id
                           WHERE q.survey_id = %(survey)s), '')
                || '|' ||
                COALESCE((SELECT string_agg(concat_ws(':', d.id, d.weight, d.active), ',' ORDER BY d.id)
                            FROM customer_satisfaction_dimension d), '')
            )
            """,
            {"campaign": self.id, "survey": self.survey_id.id},
        )
        return self.env.cr.fetchone()[0]

    def _copy_floats(self, query, params, width):
        """Run ``query`` (rows of an int4 id and ``width`` float8 figures, no NULL) as a binary
        COPY and return (ids, figures) as numpy arrays."""
        buffer = io.BytesIO()
        inner = SQL(query, **params) if isinstance(params, dict) else SQL(query, *params)
        self.env.cr.copy_expert(
            self.env.cr.mogrify(SQL("COPY (%s) TO STDOUT WITH (FORMAT binary)", inner)).decode(), buffer
        )
        return pgcopy.read_float_table(buffer.getvalue(), width)

    @staticmethod
    def _pivot(rows, columns, values, shape):
        """Mean of ``values`` per (row, column) position in a ``shape`` matrix, NaN where empty."""
        flat = rows * shape[1] + columns
        size = shape[0] * shape[1]
        sums = np.bincount(flat, weights=values, minlength=size)
        counts = np.bincount(flat, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan).reshape(shape)

    def _analysis_frames(self, answer_ids):
        """Everything the engine's analysis reads, for the completed, scored answers among
        ``answer_ids``, in four set-based queries: the answers with their customer's segments;
        every scored line (binary COPY); the dimension scores (binary COPY); the labels.

        :return: dict with index, recommend, overall (None without an overall question),
            items, dimensions, dimension_items, segments (all indexed by answer id)
        """
        cr = self.env.cr
        self.env.flush_all()
        company = self.company_id or self.env.company
        lang = self.env.lang or "en_US"
        cr.execute(
            """
            SELECT u.id, u.satisfaction_index,
                   CASE WHEN u.satisfaction_nps_category IS NOT NULL THEN u.satisfaction_recommend END,
                   p.customer_tier ->> %(company)s, p.account_class ->> %(company)s,
                   COALESCE(r.name ->> %(lang)s, r.name ->> 'en_US'), COALESCE(i.name ->> %(lang)s, i.name ->> 'en_US')
              FROM survey_user_input u
         LEFT JOIN res_partner p ON p.id = u.satisfaction_partner_id
         LEFT JOIN customer_region r ON r.id = p.region_id
         LEFT JOIN res_partner_industry i ON i.id = p.industry_id
             WHERE u.id = ANY(%(ids)s) AND u.state = 'done' AND u.satisfaction_scored
          ORDER BY u.id
            """,
            {"ids": list(answer_ids), "company": str(company.id), "lang": lang},
        )
        rows = cr.fetchall()
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        index = pd.Series([row[1] for row in rows], index=ids, dtype="float64")
        recommend = pd.Series([row[2] for row in rows], index=ids, dtype="float64")
        tiers = dict(CUSTOMER_TIER) | dict(
            self.env["res.partner"]._fields["customer_tier"]._description_selection(self.env)
        )
        classes = dict(ACCOUNT_CLASS) | dict(
            self.env["res.partner"]._fields["account_class"]._description_selection(self.env)
        )
        segments = pd.DataFrame(
            {
                "tier": [tiers.get(row[3], "-") if row[3] else "-" for row in rows],
                "class": [classes.get(row[4], "-") if row[4] else "-" for row in rows],
                "region": [row[5] or "-" for row in rows],
                "industry": [row[6] or "-" for row in rows],
            },
            index=ids,
        )
        # Every scored line: role (1 item, 2 overall, 3 recommend, 4 repurchase), question, matrix
        # row, dimension, value 0-100 (and the raw answer for recommend).
        Input = self.env["survey.user_input"]
        line_ids, lines = self._copy_floats(
            Input._SATISFACTION_LINES_SQL
            + """
            SELECT response,
                   (CASE role WHEN 'item' THEN 1 WHEN 'overall' THEN 2 WHEN 'recommend' THEN 3 ELSE 4 END)::float8,
                   question::float8, row_id::float8, COALESCE(dimension, 0)::float8, value::float8
              FROM lines
            """,
            {"ids": ids.tolist()},
            5,
        )
        known = np.isin(line_ids, ids)
        line_ids, lines = line_ids[known], lines[known]
        positions = np.searchsorted(ids, line_ids)
        role, question, row, dimension, value = lines.T
        is_item = role == 1
        keys = question[is_item].astype(np.int64) * (1 << 31) + row[is_item].astype(np.int64)
        item_keys, columns = np.unique(keys, return_inverse=True)
        item_matrix = self._pivot(positions[is_item], columns, value[is_item], (len(ids), len(item_keys)))
        item_dimension = np.zeros(len(item_keys), dtype=np.int64)
        item_dimension[columns] = dimension[is_item].astype(np.int64)
        is_overall = role == 2
        overall = None
        if is_overall.any():
            overall = pd.Series(
                self._pivot(
                    positions[is_overall], np.zeros(is_overall.sum(), dtype=np.int64), value[is_overall], (len(ids), 1)
                )[:, 0],
                index=ids,
            )
        # Dimension scores as stored by the scoring (full precision).
        score_ids, scores = self._copy_floats(
            "SELECT u.id, d.key::float8, d.value::float8 FROM survey_user_input u "
            "CROSS JOIN LATERAL jsonb_each_text(u.satisfaction_dimension_scores) d WHERE u.id = ANY(%s)",
            [ids.tolist()],
            2,
        )
        known = np.isin(score_ids, ids)
        score_ids, scores = score_ids[known], scores[known]
        dimension_keys, dimension_columns = np.unique(scores[:, 0].astype(np.int64), return_inverse=True)
        dimension_matrix = self._pivot(
            np.searchsorted(ids, score_ids), dimension_columns, scores[:, 1], (len(ids), len(dimension_keys))
        )
        # Labels: dimension names (made unique), item titles (question / matrix row).
        dimensions = (
            self.env["customer.satisfaction.dimension"]
            .with_context(active_test=False)
            .browse(sorted(set(dimension_keys.tolist()) | set(item_dimension.tolist()) - {0}))
        )
        seen = {}
        for dimension_record in dimensions.sorted("id"):
            seen.setdefault(dimension_record.name, []).append(dimension_record.id)
        names = {d.id: d.name if len(seen[d.name]) == 1 else f"{d.name} ({d.id})" for d in dimensions}
        questions = self.env["survey.question"].browse(sorted({int(k >> 31) for k in item_keys.tolist()}))
        matrix_rows = {r.id: r.value for r in questions.matrix_row_ids}
        title = {q.id: q.title for q in questions}
        labels = []
        for key in item_keys.tolist():
            question_id, row_id = key >> 31, key & ((1 << 31) - 1)
            labels.append(title[question_id] + (f" / {matrix_rows.get(row_id, row_id)}" if row_id else ""))
        dimension_items = {}
        for label, dimension_id in zip(labels, item_dimension.tolist(), strict=True):
            if dimension_id:
                dimension_items.setdefault(names[dimension_id], []).append(label)
        return {
            "ids": ids,
            "index": index,
            "recommend": recommend,
            "overall": overall,
            "items": pd.DataFrame(item_matrix, index=ids, columns=labels),
            "dimensions": pd.DataFrame(
                dimension_matrix, index=ids, columns=[names[int(d)] for d in dimension_keys.tolist()]
            ),
            "dimension_items": dimension_items,
            "segments": segments,
        }

    def _previous_answers(self):
        """(index, recommend) Series of the previous campaign's completed, scored answers."""
        previous = self.previous_id
        if not previous:
            return None, None
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT satisfaction_index,
                   CASE WHEN satisfaction_nps_category IS NOT NULL THEN satisfaction_recommend END
              FROM survey_user_input
             WHERE satisfaction_campaign_id = %s AND state = 'done' AND satisfaction_scored
            """,
            [previous.id],
        )
        rows = self.env.cr.fetchall()
        return (
            pd.Series([r[0] for r in rows], dtype="float64"),
            pd.Series([r[1] for r in rows], dtype="float64"),
        )

    def _analyse(self, answers, previous=None):
        """The engine's analysis of the completed, scored ``answers`` (with names, not ids),
        as true as the database is now. ``previous``: compare with the previous campaign."""
        frames = self._analysis_frames(answers.ids)
        previous_index = previous_recommend = None
        if previous and self:
            previous_index, previous_recommend = self._previous_answers()
        result = engine.analyse(
            frames["items"],
            frames["dimensions"],
            frames["overall"],
            frames["recommend"],
            frames["segments"],
            frames["dimension_items"],
            previous=previous_index,
            index=frames["index"],
            previous_recommend=previous_recommend,
        )
        result["response"] = self._response_counts(len(frames["ids"]))
        return result

    def _response_counts(self, answered):
        """Invited (every invitation of the campaign, answered or not) and answered."""
        if not self:
            return {"invited": None, "answered": answered}
        self.env.flush_all()
        self.env.cr.execute("SELECT COUNT(*) FROM survey_user_input WHERE satisfaction_campaign_id = %s", [self.id])
        return {"invited": self.env.cr.fetchone()[0], "answered": answered}

    def action_compute_results(self):
        self._check_can_run()
        Input = self.env["survey.user_input"]
        for campaign in self:
            done = [("satisfaction_campaign_id", "=", campaign.id), ("state", "=", "done")]
            answers = Input.search(done, order="id")
            if not answers:
                raise UserError(self.env._("%(name)s has no completed answer yet.", name=campaign.name))
            Input.search([*done, ("satisfaction_scored", "=", False)]).sudo()._compute_satisfaction()
            result = campaign._analyse(answers, campaign.previous_id)
            campaign.write(
                {
                    "analysis": result,
                    "analysis_date": fields.Datetime.now(),
                    "analysis_fingerprint": campaign._results_fingerprint(),
                    "index_value": (result.get("index") or {}).get("mean") or 0.0,
                    "nps_value": (result.get("nps") or {}).get("nps") or 0.0,
                }
            )
        return True

    # ------------------------------------------------------------------
    # Display: findings in words, the result tabs
    # ------------------------------------------------------------------
    @staticmethod
    def _fmt(value, pattern="{:.1f}"):
        return "-" if value is None else pattern.format(value)

    def _statistic_name(self, key):
        return {
            "alpha": self.env._("Cronbach's alpha"),
            "kmo": self.env._("KMO"),
            "bartlett": self.env._("Bartlett's test"),
            "factors": self.env._("The factor analysis"),
        }.get(key, key)

    def _finding_text(self, flag):
        """One engine finding (a code and its numbers) in the reader's language."""
        if isinstance(flag, str):  # analyses stored before findings were codes
            return flag
        code = flag.get("code")
        fmt = self._fmt
        statistic = self._statistic_name(flag.get("statistic"))
        texts = {
            "too_few_to_estimate": lambda: self.env._(
                "Only %(n)s answers: the intervals are clipped to the scale; reliability, sampling adequacy, "
                "factors, drivers and segment tests cannot be estimated.",
                n=flag["n"],
            ),
            "few_answers": lambda: self.env._(
                "Only %(n)s answers (fewer than %(needed)s): read the statistics with care.",
                n=flag["n"],
                needed=flag["needed"],
            ),
            "fewer_than_two_items": lambda: self.env._("Fewer than two items: no reliability or factor analysis."),
            "too_few_complete": lambda: self.env._(
                "%(statistic)s needs at least %(needed)s complete answers; there are %(n)s: not estimated.",
                statistic=statistic,
                needed=flag["needed"],
                n=flag["n"],
            ),
            "listwise": lambda: self.env._(
                "%(statistic)s and the other scale statistics use the %(n)s answers that answered every item, "
                "of %(total)s (listwise deletion); item means use every answer.",
                statistic=statistic,
                n=flag["n"],
                total=flag["total"],
            ),
            "sparse_item": lambda: self.env._(
                "Item \u201c%(item)s\u201d was answered by %(n)s of %(total)s respondents: it reduces the complete "
                "answers of every scale statistic.",
                item=flag["item"],
                n=flag["n"],
                total=flag["total"],
            ),
            "small_sample": lambda: self.env._(
                "%(statistic)s rests on %(n)s complete answers; at least %(needed)s are advised: read it with care.",
                statistic=statistic,
                n=flag["n"],
                needed=flag["needed"],
            ),
            "no_variance": lambda: self.env._("The answers do not vary: no reliability can be computed."),
            "alpha_low": lambda: self.env._(
                "Cronbach's alpha %(alpha)s is below 0.7: the scale is not reliable.",
                alpha=fmt(flag["alpha"], "{:.2f}"),
            ),
            "constant_items": lambda: self.env._(
                "Items answered identically by everyone: %(items)s; KMO, Bartlett and factors cannot be computed.",
                items=", ".join(flag["items"]),
            ),
            "fewer_answers_than_items": lambda: self.env._(
                "%(n)s complete answers for %(k)s items: KMO, Bartlett's test and the factor analysis need more "
                "complete answers than items.",
                n=flag["n"],
                k=flag["k"],
            ),
            "kmo_low": lambda: self.env._(
                "KMO %(kmo)s is below 0.6: the items share too little for a factor analysis to be meaningful.",
                kmo=fmt(flag["kmo"], "{:.2f}"),
            ),
            "bartlett_not_significant": lambda: self.env._(
                "Bartlett's test is not significant (p = %(p)s): the items may be uncorrelated, so no factor is "
                "retained.",
                p=fmt(flag["p"], "{:.3f}"),
            ),
            "no_overall": lambda: self.env._(
                "The survey asks no overall-satisfaction question: the drivers (correlations, regression, "
                "importance-performance) are not computed, since the index would only explain itself by its "
                "own weights."
            ),
            "too_few_for_regression": lambda: self.env._(
                "%(n)s answers for %(k)s dimensions: too few for the driver regression.", n=flag["n"], k=flag["k"]
            ),
            "constant_dimensions": lambda: self.env._(
                "Dimensions that do not vary: %(dimensions)s; no driver regression.",
                dimensions=", ".join(flag["dimensions"]),
            ),
            "overall_constant": lambda: self.env._("Overall satisfaction does not vary: no driver regression."),
            "collinear": lambda: self.env._("The dimensions are collinear: the regression's p-values are missing."),
            "recommend_out_of_scale": lambda: self.env._(
                "Intent-to-recommend answers run from %(low)s to %(high)s instead of 0-10: no NPS.",
                low=fmt(flag["low"], "{:g}"),
                high=fmt(flag["high"], "{:g}"),
            ),
        }
        text = texts.get(code)
        return text() if text else str(code)

    def _findings(self, data, *sections, top=True):
        """Worded findings of the analysis' top level (unless ``top`` is False) and of the
        given sections, once each."""
        texts = []
        for flag in list(data.get("flags") or [] if top else []) + [
            flag for section in sections for flag in ((data.get(section) or {}).get("flags") or [])
        ]:
            text = self._finding_text(flag)
            if text not in texts:
                texts.append(text)
        return texts

    def _html_table(self, headers, rows, caption=None):
        head = Markup("").join(Markup("<th>{}</th>").format(h) for h in headers)
        body = Markup("").join(
            Markup("<tr>{}</tr>").format(Markup("").join(Markup("<td>{}</td>").format(c) for c in row)) for row in rows
        )
        title = Markup("<h5 class='mt-3'>{}</h5>").format(caption) if caption else Markup("")
        return title + Markup(
            "<table class='table table-sm table-striped'><thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
        ).format(head, body)

    def _html_findings(self, texts):
        if not texts:
            return Markup("")
        return Markup("<div class='alert alert-info' role='status'><ul class='mb-0'>{}</ul></div>").format(
            Markup("").join(Markup("<li>{}</li>").format(t) for t in texts)
        )

    def _interval(self, row, pattern="{:.1f}"):
        if not row or row.get("low") is None:
            return "-"
        return f"{self._fmt(row.get('low'), pattern)} - {self._fmt(row.get('high'), pattern)}"

    def _quadrant_svg(self, data, width=640, height=360):
        """Importance-performance scatter as inline SVG: importance (|r| with overall
        satisfaction) across, performance (mean score) up; the axes cross at the means,
        both axes carry ticks with values, and labels are moved apart so none collides."""
        importance = {row["dimension"]: abs(row["r"]) for row in data.get("correlations", []) if row["r"] is not None}
        performance = {row["dimension"]: row["mean"] for row in data.get("dimensions", []) if row["mean"] is not None}
        keys = [k for k in importance if k in performance]
        if not keys:
            return Markup("")
        left, right, top, bottom = 56, 210, 20, 46
        xs = [importance[k] for k in keys]
        ys = [performance[k] for k in keys]
        x_low, x_high = engine.chart_range(min(xs), max(xs), 0.0, 1.0)
        y_low, y_high = engine.chart_range(min(ys), max(ys), 0.0, 100.0)

        def px(x):
            return left + (x - x_low) / (x_high - x_low) * (width - left - right)

        def py(y):
            return height - bottom - (y - y_low) / (y_high - y_low) * (height - top - bottom)

        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        grey = "#6c757d"
        parts = [
            Markup(
                "<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' viewBox='0 0 {w} {h}' "
                "class='o_cr_ipa' font-family='sans-serif' font-size='11'>"
            ).format(w=width, h=height),
            # plot frame
            Markup("<rect x='{}' y='{}' width='{}' height='{}' fill='none' stroke='#ced4da'/>").format(
                left, top, width - left - right, height - top - bottom
            ),
        ]
        for tick in engine.chart_ticks(x_low, x_high):
            parts.append(
                Markup(
                    "<line x1='{x:.1f}' y1='{y1}' x2='{x:.1f}' y2='{y2}' stroke='{c}'/>"
                    "<text x='{x:.1f}' y='{ty}' text-anchor='middle' fill='{c}'>{label}</text>"
                ).format(
                    x=px(tick),
                    y1=height - bottom,
                    y2=height - bottom + 4,
                    ty=height - bottom + 16,
                    c=grey,
                    label=f"{tick:.2f}",
                )
            )
        for tick in engine.chart_ticks(y_low, y_high):
            parts.append(
                Markup(
                    "<line x1='{x1}' y1='{y:.1f}' x2='{x2}' y2='{y:.1f}' stroke='{c}'/>"
                    "<text x='{tx}' y='{ty:.1f}' text-anchor='end' fill='{c}'>{label}</text>"
                ).format(x1=left - 4, x2=left, y=py(tick), tx=left - 6, ty=py(tick) + 4, c=grey, label=f"{tick:.0f}")
            )
        # the axes of the quadrants, at the means
        parts += [
            Markup(
                "<line x1='{x:.1f}' y1='{y1}' x2='{x:.1f}' y2='{y2}' stroke='#495057' stroke-dasharray='5,3'/>"
            ).format(x=px(mean_x), y1=top, y2=height - bottom),
            Markup(
                "<line x1='{x1}' y1='{y:.1f}' x2='{x2}' y2='{y:.1f}' stroke='#495057' stroke-dasharray='5,3'/>"
            ).format(x1=left, x2=width - right, y=py(mean_y)),
            Markup("<text x='{}' y='{}' text-anchor='middle'>{}</text>").format(
                (left + width - right) / 2, height - 8, self.env._("Importance (|r| with overall satisfaction)")
            ),
            Markup("<text x='14' y='{y}' text-anchor='middle' transform='rotate(-90 14 {y})'>{t}</text>").format(
                y=(top + height - bottom) / 2, t=self.env._("Performance (mean score)")
            ),
            Markup("<text x='{}' y='{}' text-anchor='end' fill='{}'>{}</text>").format(
                width - right - 4, top + 13, grey, self.env._("Keep up the good work")
            ),
            Markup("<text x='{}' y='{}' text-anchor='end' fill='{}'>{}</text>").format(
                width - right - 4, height - bottom - 6, grey, self.env._("Concentrate here")
            ),
            Markup("<text x='{}' y='{}' fill='{}'>{}</text>").format(
                left + 4, top + 13, grey, self.env._("Possible overkill")
            ),
            Markup("<text x='{}' y='{}' fill='{}'>{}</text>").format(
                left + 4, height - bottom - 6, grey, self.env._("Low priority")
            ),
        ]
        # labels in the right margin, ordered like the points and at least 14 px apart
        points = sorted(((py(performance[k]), px(importance[k]), k) for k in keys), key=lambda p: p[0])
        label_y = engine.spread_labels([p[0] for p in points], 14.0, top + 8, height - bottom)
        for (y, x, key), ly in zip(points, label_y, strict=True):
            parts.append(
                Markup(
                    "<circle cx='{x:.1f}' cy='{y:.1f}' r='5' fill='#1E6E8C'/>"
                    "<line x1='{x:.1f}' y1='{y:.1f}' x2='{lx}' y2='{ly:.1f}' stroke='#adb5bd'/>"
                    "<text x='{tx}' y='{ty:.1f}'>{label}</text>"
                ).format(
                    x=x,
                    y=y,
                    lx=width - right + 6,
                    ly=ly,
                    tx=width - right + 9,
                    ty=ly + 4,
                    label=key if len(key) <= 32 else key[:31] + "\u2026",
                )
            )
        parts.append(Markup("</svg>"))
        return Markup("").join(parts)

    @api.depends("analysis")
    def _compute_html(self):
        for campaign in self:
            data = campaign.analysis or {}
            if not data:
                campaign.summary_html = campaign.dimensions_html = campaign.segments_html = False
                campaign.drivers_html = campaign.reliability_html = False
                continue
            campaign.summary_html = campaign._summary_html(data)
            campaign.dimensions_html = campaign._dimensions_html(data)
            campaign.segments_html = campaign._segments_html(data)
            campaign.drivers_html = campaign._drivers_html(data)
            campaign.reliability_html = campaign._reliability_html(data)

    def _summary_html(self, data):
        fmt = self._fmt
        index = data.get("index") or {}
        npsd = data.get("nps") or {}
        comparison = data.get("comparison") or {}
        response = data.get("response") or {}
        rows = [
            (self.env._("Answers"), data.get("n"), "", ""),
            (self.env._("Invited"), response.get("invited") if response.get("invited") is not None else "-", "", ""),
            (self.env._("Satisfaction index"), fmt(index.get("mean")), self._interval(index), index.get("n", 0)),
            (self.env._("Target"), fmt(self.target_index), "", ""),
            (self.env._("NPS"), fmt(npsd.get("nps")), self._interval(npsd), npsd.get("n", 0)),
        ]
        if comparison:
            rows.append(
                (
                    self.env._("Against the previous campaign"),
                    fmt(comparison.get("difference"), "{:+.1f}"),
                    self.env._("p = %(p)s", p=fmt(comparison.get("p"), "{:.3f}")),
                    "",
                )
            )
        headers = [self.env._("Measure"), self.env._("Value"), self.env._("95 % interval"), "n"]
        return self._html_table(headers, rows) + self._html_findings(self._findings(data, "nps"))

    def _dimensions_html(self, data):
        fmt = self._fmt
        return self._html_table(
            [
                self.env._("Dimension"),
                "n",
                self.env._("Mean"),
                self.env._("95 % interval"),
                self.env._("Std. dev."),
                self.env._("Top-2-box"),
            ],
            [
                (
                    d["dimension"],
                    d["n"],
                    fmt(d["mean"]),
                    self._interval(d),
                    fmt(d["std"]),
                    fmt(d["top2"] * 100 if d["top2"] is not None else None, "{:.0f} %"),
                )
                for d in data.get("dimensions", [])
            ],
        )

    def _segments_html(self, data):
        fmt = self._fmt
        names = {
            "tier": self.env._("Tier"),
            "class": self.env._("Account class"),
            "region": self.env._("Sales Region"),
            "industry": self.env._("Industry"),
        }
        rows = []
        for segment, content in (data.get("segments") or {}).items():
            test = content.get("test") or {}
            for group in content.get("groups", []):
                rows.append(
                    (
                        names.get(segment, segment),
                        group["segment"],
                        group["n"],
                        fmt(group["index"]),
                        fmt(test.get("anova_p"), "{:.3f}"),
                        fmt(test.get("kruskal_p"), "{:.3f}"),
                        self.env._("significant") if test.get("significant") else "",
                    )
                )
        return self._html_table(
            [
                self.env._("Segment"),
                self.env._("Group"),
                "n",
                self.env._("Index"),
                self.env._("ANOVA p"),
                self.env._("Kruskal-Wallis p"),
                "",
            ],
            rows,
        ) + Markup("<p class='text-muted'>{}</p>").format(
            self.env._("Groups of fewer than 5 answers are left out of the tests.")
        )

    def _drivers_html(self, data):
        fmt = self._fmt
        quadrant_labels = {
            "keep_up": self.env._("Keep up the good work"),
            "concentrate": self.env._("Concentrate here"),
            "low_priority": self.env._("Low priority"),
            "overkill": self.env._("Possible overkill"),
        }
        regression = data.get("regression") or {}
        coefficients = {c["dimension"]: c for c in regression.get("coefficients", [])}
        findings = self._html_findings(
            self._findings(data, "regression", top=False)
            + [
                self._finding_text(f)
                for f in data.get("flags", [])
                if isinstance(f, dict) and f.get("code") == "no_overall"
            ]
        )
        if not data.get("correlations"):
            return findings
        table = self._html_table(
            [
                self.env._("Dimension"),
                "n",
                "r",
                "p",
                self.env._("Beta"),
                self.env._("Importance"),
                self.env._("Quadrant"),
            ],
            [
                (
                    row["dimension"],
                    row["n"],
                    fmt(row["r"], "{:.2f}"),
                    fmt(row["p"], "{:.3f}"),
                    fmt(coefficients.get(row["dimension"], {}).get("beta"), "{:.2f}"),
                    fmt((coefficients.get(row["dimension"], {}).get("importance") or 0) * 100, "{:.0f} %"),
                    quadrant_labels.get((data.get("quadrants") or {}).get(row["dimension"]), "-"),
                )
                for row in data.get("correlations", [])
            ],
        )
        r2 = Markup("<p>{}</p>").format(
            self.env._("R² = %(r2)s (n = %(n)s)", r2=fmt(regression.get("r2"), "{:.2f}"), n=regression.get("n", 0))
        )
        return table + r2 + findings + self._quadrant_svg(data)

    def _reliability_html(self, data):
        """The Reliability tab: what README promises, each statistic with its n."""
        fmt = self._fmt
        reliability = data.get("reliability") or {}
        kmo = data.get("kmo") or {}
        bartlett = data.get("bartlett") or {}
        factors = data.get("factors") or {}
        by_dimension = data.get("reliability_by_dimension") or []
        if isinstance(by_dimension, dict):  # analyses stored before the intervals
            by_dimension = [{"dimension": k, "alpha": v} for k, v in by_dimension.items()]
        count = factors.get("n_factors") or 0
        cumulative = factors.get("cumulative") or []
        scale = self._html_table(
            [self.env._("Statistic"), self.env._("Value"), self.env._("95 % interval"), "n"],
            [
                (
                    self.env._("Cronbach's alpha (all items)"),
                    fmt(reliability.get("alpha"), "{:.3f}"),
                    self._interval(reliability, "{:.3f}"),
                    self.env._(
                        "%(n)s of %(total)s", n=reliability.get("n", 0), total=reliability.get("n_total", data.get("n"))
                    ),
                ),
                (self.env._("KMO"), fmt(kmo.get("kmo"), "{:.3f}"), "", kmo.get("n", 0)),
                (
                    self.env._("Bartlett's test of sphericity"),
                    self.env._(
                        "chi² = %(chi2)s, df = %(df)s, p = %(p)s",
                        chi2=fmt(bartlett.get("chi2"), "{:.1f}"),
                        df=fmt(bartlett.get("df"), "{:.0f}"),
                        p=fmt(bartlett.get("p"), "{:.4f}"),
                    ),
                    "",
                    bartlett.get("n", 0),
                ),
                (
                    self.env._("Factors retained (eigenvalue > 1)"),
                    count,
                    self.env._(
                        "%(share)s of the variance",
                        share=fmt(cumulative[count - 1] * 100 if count and cumulative else None, "{:.0f} %"),
                    ),
                    factors.get("n", 0),
                ),
            ],
            caption=self.env._("Scale"),
        ) + Markup("<p class='text-muted'>{}</p>").format(
            self.env._(
                "Missing answers: alpha, alpha if item deleted, item-total correlations, KMO, Bartlett and the "
                "factor analysis use the answers that answered every item (listwise deletion, as SPSS does for "
                "item-total statistics); item means and n use every answer."
            )
        )
        dimensions = self._html_table(
            [self.env._("Dimension"), self.env._("Items"), "n", self.env._("Alpha"), self.env._("95 % interval")],
            [
                (
                    row["dimension"],
                    row.get("k", "-"),
                    row.get("n", "-"),
                    fmt(row.get("alpha"), "{:.3f}"),
                    self._interval(row, "{:.3f}"),
                )
                for row in by_dimension
            ],
            caption=self.env._("Alpha per dimension"),
        )
        per_item = {row["item"]: row for row in reliability.get("items", [])}
        msa = kmo.get("msa") or {}
        loadings = factors.get("loadings") or {}
        items = self._html_table(
            [
                self.env._("Item"),
                "n",
                self.env._("Mean"),
                self.env._("Alpha if deleted"),
                self.env._("Item-total r"),
                self.env._("MSA"),
                *[self.env._("Loading F%(factor)s", factor=i + 1) for i in range(count)],
            ],
            [
                (
                    row["item"],
                    row["n"],
                    fmt(row["mean"]),
                    fmt(per_item.get(row["item"], {}).get("alpha_if_deleted"), "{:.3f}"),
                    fmt(per_item.get(row["item"], {}).get("item_total"), "{:.2f}"),
                    fmt(msa.get(row["item"]), "{:.2f}"),
                    *[fmt(v, "{:.2f}") for v in (loadings.get(row["item"]) or [None] * count)],
                )
                for row in data.get("items", [])
            ],
            caption=self.env._("Items"),
        )
        eigen = self._html_table(
            [self.env._("Factor"), self.env._("Eigenvalue"), self.env._("Cumulative variance")],
            [
                (i + 1, fmt(value, "{:.2f}"), fmt(total * 100, "{:.1f} %"))
                for i, (value, total) in enumerate(zip(factors.get("eigenvalues", []), cumulative, strict=False))
            ],
            caption=self.env._("Eigenvalues"),
        )
        findings = self._html_findings(self._findings(data, "reliability", "kmo", "factors", top=False))
        return findings + scale + dimensions + items + eigen

    # ------------------------------------------------------------------
    # Excel
    # ------------------------------------------------------------------
    def action_export_xlsx(self):
        """The leadership workbook of the campaign as it is now (re-analysed, not the last
        stored results). Users read campaigns and may export them: the file goes to a private
        attachment of the exporting user, the campaign is not written."""
        self.ensure_one()
        self.check_access("read")
        answers = self.env["survey.user_input"].search(
            [("satisfaction_campaign_id", "=", self.id), ("state", "=", "done"), ("satisfaction_scored", "=", True)],
            order="id",
        )
        if not answers:
            raise UserError(self.env._("%(name)s has no completed answer yet.", name=self.name))
        analysis = self._analyse(answers, self.previous_id)
        content = self._export_workbook(answers, analysis)
        return self._download(content, f"{self.name}.xlsx")

    def _download(self, content, filename):
        attachment = self.env["ir.attachment"].create(
            {
                "name": filename,
                "raw": content,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _export_workbook(self, answers, analysis, subtitle=None):
        """The leadership workbook for ``answers`` (done survey answers) and an analysis, in
        the language of the person exporting (sheets, headers, findings, labels, dates)."""
        reader_lang = self.env.user.lang or self.env.lang
        if reader_lang and self.env.lang != reader_lang:
            return self.with_context(lang=reader_lang)._export_workbook(
                answers.with_context(lang=reader_lang), analysis, subtitle
            )
        buffer = io.BytesIO()
        if self and not subtitle:
            subtitle = self.env._(
                "%(survey)s, %(start)s to %(end)s",
                survey=self.survey_id.title,
                start=format_date(self.env, self.date_start),
                end=format_date(self.env, self.date_end),
            )
        workbook.write_summary(
            buffer,
            analysis,
            title=self.name or self.env._("Satisfaction summary"),
            target_index=self.target_index if self else None,
            comments=self._iter_comments(answers),
            customers=self._iter_customers(answers),
            findings=self._findings(analysis, "nps", "reliability", "kmo", "factors", "regression"),
            subtitle=subtitle,
            previous_name=self.previous_id.name if self else None,
            translate=self._workbook_text,
            number=lambda value, digits=0: formatLang(self.env, value, digits=digits),
            extra_sheets=self._workbook_extra_sheets(),
        )
        return buffer.getvalue()

    def _workbook_text(self, text):
        """The engine's literals (``engine/workbook.py``, extracted into the .pot) in the
        language of the person exporting."""
        return self.env._(text)

    def _iter_comments(self, answers, batch=2000):
        """Open answers, streamed in batches of SQL rows (constant memory for the export)."""
        lang = self.env.lang or "en_US"
        for start in range(0, len(answers.ids), batch):
            self.env.cr.execute(
                """
                SELECT p.name, COALESCE(q.title ->> %s, q.title ->> 'en_US'),
                       COALESCE(l.value_text_box, l.value_char_box)
                  FROM survey_user_input_line l
                  JOIN survey_user_input u ON u.id = l.user_input_id
                  JOIN survey_question q ON q.id = l.question_id
             LEFT JOIN res_partner p ON p.id = u.satisfaction_partner_id
                 WHERE l.user_input_id = ANY(%s) AND l.answer_type IN ('text_box', 'char_box')
                   AND COALESCE(l.value_text_box, l.value_char_box) IS NOT NULL
              ORDER BY p.name, l.id
                """,
                [lang, answers.ids[start : start + batch]],
            )
            yield from self.env.cr.fetchall()

    def _iter_customers(self, answers, batch=2000):
        """Per answer, best index first over ALL the answers: customer, index, recommend
        (blank without a recommend answer), tier and class (labels), salesperson, region.
        The order is read once (ids only), the rows in batches (constant memory)."""
        company = str(self.company_id.id or self.env.company.id)
        lang = self.env.lang or "en_US"
        Partner = self.env["res.partner"]
        tiers = dict(Partner._fields["customer_tier"]._description_selection(self.env))
        classes = dict(Partner._fields["account_class"]._description_selection(self.env))
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM survey_user_input WHERE id = ANY(%s) ORDER BY satisfaction_index DESC NULLS LAST, id",
            [answers.ids],
        )
        ordered = [row[0] for row in self.env.cr.fetchall()]
        for start in range(0, len(ordered), batch):
            ids = ordered[start : start + batch]
            self.env.cr.execute(
                """
                SELECT u.id, p.name, u.satisfaction_index,
                       CASE WHEN u.satisfaction_nps_category IS NOT NULL THEN u.satisfaction_recommend END,
                       p.customer_tier ->> %s, p.account_class ->> %s, sp.name,
                       COALESCE(r.name ->> %s, r.name ->> 'en_US')
                  FROM survey_user_input u
             LEFT JOIN res_partner p ON p.id = u.satisfaction_partner_id
             LEFT JOIN res_users su ON su.id = p.user_id
             LEFT JOIN res_partner sp ON sp.id = su.partner_id
             LEFT JOIN customer_region r ON r.id = p.region_id
                 WHERE u.id = ANY(%s)
                """,
                [company, company, lang, ids],
            )
            rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
            for answer_id in ids:
                name, index, recommend, tier, account_class, salesperson, region = rows[answer_id]
                yield (
                    name,
                    index,
                    recommend,
                    tiers.get(tier, tier or ""),
                    classes.get(account_class, account_class or ""),
                    salesperson,
                    region,
                )
