import pandas as pd

from odoo import api, fields, models

from ..engine import improvement
from ..engine import satisfaction as engine
from .customer_job import notify_progress, run_batch

#: answers re-scored per committed transaction by the background jobs
RESCORE_BATCH = 5000

SATISFACTION_LEVEL = [
    ("dissatisfied", "Dissatisfied"),
    ("average", "Average"),
    ("satisfied", "Satisfied"),
    ("fully_satisfied", "Fully satisfied"),
]
NPS_CATEGORY = [("promoter", "Promoter"), ("passive", "Passive"), ("detractor", "Detractor")]
#: account classes whose unhappy answers alert the account manager at once
FOLLOW_UP_CLASSES = ("strategic", "key")


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    complaint_id = fields.Many2one(
        "customer.complaint",
        index="btree_not_null",
        readonly=True,
        help="The complaint this callback is about.",
    )
    satisfaction_partner_id = fields.Many2one(
        "res.partner",
        string="Customer (company)",
        compute="_compute_satisfaction_partner_id",
        store=True,
        index=True,
        help="The commercial entity of the respondent: satisfaction counts for the customer company.",
    )
    satisfaction_campaign_id = fields.Many2one("customer.satisfaction.campaign", string="Campaign", index=True)
    satisfaction_index = fields.Float(aggregator="avg", readonly=True)
    satisfaction_level = fields.Selection(SATISFACTION_LEVEL, readonly=True)
    satisfaction_overall = fields.Float("Overall satisfaction", aggregator="avg", readonly=True)
    satisfaction_recommend = fields.Float("Intent to recommend (0-10)", aggregator="avg", readonly=True)
    satisfaction_nps_category = fields.Selection(NPS_CATEGORY, string="NPS category", readonly=True)
    satisfaction_repurchase = fields.Float("Intent to repurchase", aggregator="avg", readonly=True)
    satisfaction_scored = fields.Boolean(readonly=True, copy=False)
    satisfaction_dimension_scores = fields.Json(
        readonly=True, copy=False, help="{dimension id: score 0-100} of this answer (full precision)."
    )
    satisfaction_score_ids = fields.One2many("customer.satisfaction.score", "user_input_id", string="Dimension scores")
    satisfaction_alerted = fields.Boolean(
        "Account manager alerted", readonly=True, copy=False, help="The follow-up alert of this answer was raised."
    )

    @api.depends("partner_id")
    def _compute_satisfaction_partner_id(self):
        for answer in self:
            answer.satisfaction_partner_id = answer.partner_id.commercial_partner_id

    def init(self):
        result = super().init()
        self.env["customer.satisfaction.score"]._create_view()
        return result

    def _mark_done(self):
        result = super()._mark_done()
        self.sudo()._compute_satisfaction()
        self._alert_account_managers()
        return result

    # ------------------------------------------------------------------
    # Scoring (set-based SQL: the hot path of survey submission and re-scoring)
    # ------------------------------------------------------------------
    # The item value of an answered line on 0-100, one row per scored line of the answers
    # %(ids)s. A scale answer maps between the scale's ends, a choice (or matrix column)
    # between the lowest and highest value of its question's scored choices; "not scored"
    # choices and choices without a value are left out, never counted as 0. This mirrors
    # engine.satisfaction.scale_to_100 / score_answers (the reference, compared in the tests).
    _SATISFACTION_LINES_SQL = """
        WITH scored_questions AS (
            SELECT q.id, q.satisfaction_role AS role, q.satisfaction_dimension_id AS dimension,
                   COALESCE(q.satisfaction_item_weight, 1.0) AS item_weight,
                   COALESCE(q.satisfaction_reverse, FALSE) AS reverse,
                   q.scale_min::float8 AS scale_low, q.scale_max::float8 AS scale_high, b.low, b.high
              FROM survey_question q
         LEFT JOIN (SELECT o.question_id, MIN(o.satisfaction_value) AS low, MAX(o.satisfaction_value) AS high
                      FROM survey_question_answer o
                     WHERE NOT COALESCE(o.satisfaction_skip, FALSE) AND o.satisfaction_value IS NOT NULL
                  GROUP BY o.question_id) b ON b.question_id = q.id
             WHERE q.satisfaction_role IS NOT NULL
        ), raw_lines AS (
            SELECT l.user_input_id AS response, q.id AS question, COALESCE(l.matrix_row_id, 0) AS row_id,
                   q.role, q.dimension, q.item_weight, q.reverse,
                   CASE WHEN l.answer_type = 'scale' THEN l.value_scale::float8 ELSE a.satisfaction_value END AS raw,
                   CASE WHEN l.answer_type = 'scale' THEN q.scale_low ELSE q.low END AS low,
                   CASE WHEN l.answer_type = 'scale' THEN q.scale_high ELSE q.high END AS high
              FROM survey_user_input_line l
              JOIN scored_questions q ON q.id = l.question_id
         LEFT JOIN survey_question_answer a
                ON a.id = l.suggested_answer_id AND NOT COALESCE(a.satisfaction_skip, FALSE)
             WHERE l.user_input_id = ANY(%(ids)s) AND l.answer_type IN ('scale', 'suggestion')
        ), lines AS (
            SELECT response, question, row_id, role, dimension, item_weight, raw,
                   CASE WHEN reverse THEN 100.0 - LEAST(GREATEST((raw - low) / (high - low) * 100.0, 0.0), 100.0)
                        ELSE LEAST(GREATEST((raw - low) / (high - low) * 100.0, 0.0), 100.0) END AS value
              FROM raw_lines
             WHERE raw IS NOT NULL AND high > low
        )
    """

    @api.model
    def _satisfaction_rescore_committed(self, ids):
        """Re-score the completed answers ``ids`` in committed batches of ``RESCORE_BATCH``
        with the cron's progress (each answer is scored whole in one statement, so a batch left
        over by a failure is simply re-scored by the next run). False when a batch kept meeting
        other people's changes: the caller tells it and the next run tries again."""
        answers = self.sudo()
        for start in range(0, len(ids), RESCORE_BATCH):
            chunk = ids[start : start + RESCORE_BATCH]
            done, _result = run_batch(
                self.env, lambda chunk=chunk: answers.browse(chunk)._compute_satisfaction(), "satisfaction re-score"
            )
            if not done:
                return False
            notify_progress(self.env, start + len(chunk), len(ids) - start - len(chunk))
        return True

    def _compute_satisfaction(self, batch=10000):
        """Score these answers: item values, dimension scores (weighted means of their items,
        full precision, kept as one JSON object per answer), the index (weighted mean of the
        active dimensions), level, overall, recommend (0-10), NPS category and repurchase; one
        SQL statement per batch that updates the answers.

        Raw SQL on an ORM table, a documented hot path (scoring 10,000 answers through the ORM
        took a minute, inserting a row per dimension score several seconds): the caches are
        invalidated after, the score view reads the JSON.
        """
        self.env.flush_all()
        low, mid, high = engine.LEVEL_BANDS
        for start in range(0, len(self.ids), batch):
            ids = self.ids[start : start + batch]
            self.env.cr.execute(
                self._SATISFACTION_LINES_SQL
                + """
                , per_role AS (
                    SELECT response, role, dimension,
                           SUM(value * item_weight) FILTER (WHERE item_weight > 0) AS weighted,
                           SUM(item_weight) FILTER (WHERE item_weight > 0) AS weight,
                           AVG(value) AS value, AVG(raw) AS raw
                      FROM lines
                  GROUP BY response, role, dimension
                ), dimension_scores AS (
                    SELECT response, dimension, weighted / weight AS score
                      FROM per_role
                     WHERE role = 'item' AND dimension IS NOT NULL AND weight > 0
                ), indexes AS (
                    SELECT s.response, SUM(s.score * d.weight) / SUM(d.weight) AS idx
                      FROM dimension_scores s
                      JOIN customer_satisfaction_dimension d ON d.id = s.dimension AND d.active AND d.weight > 0
                  GROUP BY s.response
                ), roles AS (
                    SELECT response,
                           MAX(value) FILTER (WHERE role = 'overall') AS overall,
                           MAX(raw) FILTER (WHERE role = 'recommend') AS recommend,
                           MAX(value) FILTER (WHERE role = 'repurchase') AS repurchase
                      FROM per_role
                  GROUP BY response
                ), dimension_sets AS (
                    SELECT response, jsonb_object_agg(dimension::text, score) AS scores
                      FROM dimension_scores
                  GROUP BY response
                )
                UPDATE survey_user_input u
                   SET satisfaction_index = i.idx,  -- NULL where no dimension could be scored
                       satisfaction_level = CASE
                           WHEN i.idx IS NULL THEN NULL
                           WHEN i.idx < %(low)s THEN 'dissatisfied'
                           WHEN i.idx < %(mid)s THEN 'average'
                           WHEN i.idx < %(high)s THEN 'satisfied'
                           ELSE 'fully_satisfied' END,
                       satisfaction_overall = COALESCE(r.overall, 0),
                       satisfaction_recommend = COALESCE(r.recommend, 0),
                       satisfaction_nps_category = CASE
                           WHEN r.recommend IS NULL THEN NULL
                           WHEN r.recommend >= %(promoter)s THEN 'promoter'
                           WHEN r.recommend >= %(passive)s THEN 'passive'
                           ELSE 'detractor' END,
                       satisfaction_repurchase = COALESCE(r.repurchase, 0),
                       satisfaction_scored = r.response IS NOT NULL,
                       satisfaction_dimension_scores = ds.scores
                  FROM unnest(%(ids)s::int4[]) AS a(id)
             LEFT JOIN indexes i ON i.response = a.id
             LEFT JOIN roles r ON r.response = a.id
             LEFT JOIN dimension_sets ds ON ds.response = a.id
                 WHERE u.id = a.id
                """,
                {
                    "ids": ids,
                    "low": low,
                    "mid": mid,
                    "high": high,
                    "promoter": engine.NPS_PROMOTER,
                    "passive": engine.NPS_PASSIVE,
                },
            )
        self.invalidate_recordset(
            [
                "satisfaction_index",
                "satisfaction_level",
                "satisfaction_overall",
                "satisfaction_recommend",
                "satisfaction_nps_category",
                "satisfaction_repurchase",
                "satisfaction_scored",
                "satisfaction_score_ids",
                "satisfaction_dimension_scores",
            ]
        )
        self.env["customer.satisfaction.score"].invalidate_model()
        # The scores were written in SQL: complaints whose callback these answers are re-read them.
        complaints = self.sudo().complaint_id
        if complaints:
            self.env.add_to_compute(complaints._fields["callback_score"], complaints)

    @api.model
    def _rescore_surveys(self, surveys):
        """Re-score every completed answer of ``surveys`` after a scoring setting changed
        (dimension weight, item weight, reverse flag, role, choice value...): at once for a
        survey up to the background threshold, by a cron worker above it (survey.survey)."""
        if surveys:
            surveys._satisfaction_rescore()

    @api.model
    def _rescore_all(self):
        """Re-score every completed answer (after an upgrade of the scoring's storage)."""
        self.env.cr.execute("SELECT id FROM survey_user_input WHERE state = 'done' ORDER BY id")
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            self.browse(ids).sudo()._compute_satisfaction()

    def _satisfaction_lines(self):
        """One row per scored answered item of these answers (one SQL read): response, item
        key (question or question-row), dimension, item weight, role, value (0-100) and raw
        answer. The frame ``engine.satisfaction.score_answers`` scores."""
        columns = ["response", "item", "dimension", "item_weight", "role", "value", "raw"]
        if not self.ids:
            return pd.DataFrame(columns=columns)
        self.env.flush_all()
        self.env.cr.execute(
            self._SATISFACTION_LINES_SQL
            + """
            SELECT response, CASE WHEN row_id <> 0 THEN question || '-' || row_id ELSE question::text END,
                   dimension, item_weight, role, value, raw
              FROM lines ORDER BY response, question, row_id
            """,
            {"ids": self.ids},
        )
        return pd.DataFrame(self.env.cr.fetchall(), columns=columns)

    @api.model
    def _latest_satisfaction(self, partners, on_date=None, company=None):
        """{commercial partner id: {index, recommend, repurchase}} of each customer's latest
        scored answer in ``company`` (the current company by default; an answer belongs to
        the company of its campaign or complaint, answers of other companies never show)."""
        if not partners:
            return {}
        company = company or self.env.company
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (u.satisfaction_partner_id) u.satisfaction_partner_id, u.satisfaction_index,
                   u.satisfaction_recommend, u.satisfaction_repurchase
              FROM survey_user_input u
         LEFT JOIN customer_satisfaction_campaign c ON c.id = u.satisfaction_campaign_id
         LEFT JOIN customer_complaint cc ON cc.id = u.complaint_id
             WHERE u.satisfaction_partner_id = ANY(%s) AND u.state = 'done' AND u.satisfaction_scored
               AND COALESCE(c.company_id, cc.company_id) = %s
               AND (%s::timestamp IS NULL OR u.end_datetime <= %s::timestamp)
          ORDER BY u.satisfaction_partner_id, u.end_datetime DESC, u.id DESC
            """,
            [partners.ids, company.id, on_date, on_date],
        )
        return {
            row[0]: {"index": row[1] or 0.0, "recommend": row[2] or 0.0, "repurchase": row[3] or 0.0}
            for row in self.env.cr.fetchall()
        }

    # ------------------------------------------------------------------
    # The closed loop: an unhappy strategic or key customer alerts its account manager at once
    # ------------------------------------------------------------------
    def _alert_account_managers(self):
        """One follow-up call activity per dissatisfied or detractor campaign answer of a
        strategic or key customer (class in the campaign's company), for its account manager,
        once per answer. Runs as the respondent (portal or public): the checks are here."""
        answers = self.sudo().filtered(
            lambda a: a.satisfaction_campaign_id
            and a.satisfaction_scored
            and not a.satisfaction_alerted
            and a.satisfaction_partner_id
            and improvement.needs_follow_up(a.satisfaction_level, a.satisfaction_nps_category)
        )
        if not answers:
            return
        Line = self.env["customer.improvement.plan.line"].sudo()
        activity_type = self.env.ref("customer_relations.mail_activity_type_satisfaction_follow_up")
        today = fields.Date.context_today(self)
        alerted = self.browse()
        for company, company_answers in answers.grouped(lambda a: a.satisfaction_campaign_id.company_id).items():
            customers = company_answers.satisfaction_partner_id.with_company(company)
            managers = Line._account_managers(customers, company)
            for answer in company_answers:
                customer = answer.satisfaction_partner_id.with_company(company)
                manager = managers.get(customer.commercial_partner_id)
                if customer.account_class not in FOLLOW_UP_CLASSES or not manager:
                    continue
                env = answer.with_context(lang=manager.lang or "en_US").env
                levels = dict(answer._fields["satisfaction_level"]._description_selection(env))
                categories = dict(answer._fields["satisfaction_nps_category"]._description_selection(env))
                classes = dict(customer._fields["account_class"]._description_selection(env))
                customer.with_context(mail_activity_quick_update=True).activity_schedule(
                    activity_type_id=activity_type.id,
                    date_deadline=today,
                    user_id=manager.id,
                    summary=env._(
                        "Call %(customer)s: unhappy in %(campaign)s",
                        customer=customer.name,
                        campaign=answer.satisfaction_campaign_id.name,
                    ),
                    note=env._(
                        "%(account_class)s customer, answer of %(contact)s: %(level)s (index %(index)s), %(category)s "
                        "(recommend %(recommend)s). Call the customer and mark this activity done with what "
                        "was said: it is logged as a call.",
                        account_class=classes.get(customer.account_class, ""),
                        contact=answer.partner_id.name or "-",
                        level=levels.get(answer.satisfaction_level, "-"),
                        index=format(answer.satisfaction_index, ".1f"),
                        category=categories.get(answer.satisfaction_nps_category, "-"),
                        recommend=format(answer.satisfaction_recommend, "g")
                        if answer.satisfaction_nps_category
                        else "-",
                    ),
                )
                alerted |= answer
        alerted.write({"satisfaction_alerted": True})
