import pandas as pd

from odoo import api, fields, models

from ..engine import satisfaction as engine

SATISFACTION_LEVEL = [
    ("dissatisfied", "Dissatisfied"),
    ("average", "Average"),
    ("satisfied", "Satisfied"),
    ("fully_satisfied", "Fully satisfied"),
]
NPS_CATEGORY = [("promoter", "Promoter"), ("passive", "Passive"), ("detractor", "Detractor")]


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
    satisfaction_index = fields.Float(aggregator="avg", digits=(16, 1), readonly=True)
    satisfaction_level = fields.Selection(SATISFACTION_LEVEL, readonly=True)
    satisfaction_overall = fields.Float("Overall satisfaction", aggregator="avg", readonly=True)
    satisfaction_recommend = fields.Float("Intent to recommend (0-10)", aggregator="avg", readonly=True)
    satisfaction_nps_category = fields.Selection(NPS_CATEGORY, string="NPS category", readonly=True)
    satisfaction_repurchase = fields.Float("Intent to repurchase", aggregator="avg", readonly=True)
    satisfaction_scored = fields.Boolean(readonly=True, copy=False)
    satisfaction_score_ids = fields.One2many("customer.satisfaction.score", "user_input_id", string="Dimension scores")

    @api.depends("partner_id")
    def _compute_satisfaction_partner_id(self):
        for answer in self:
            answer.satisfaction_partner_id = answer.partner_id.commercial_partner_id

    def _mark_done(self):
        result = super()._mark_done()
        self.sudo()._compute_satisfaction()
        return result

    def _satisfaction_lines(self):
        """One row per scored answered item of these answers (a grouped read of the lines)."""
        self.env.flush_all()
        if not self.ids:
            return pd.DataFrame(columns=["response", "item", "dimension", "item_weight", "role", "value", "raw"])
        self.env.cr.execute(
            """
            SELECT l.user_input_id, q.id, l.matrix_row_id, q.satisfaction_dimension_id, q.satisfaction_item_weight,
                   q.satisfaction_role, q.satisfaction_reverse, l.answer_type, l.value_scale, q.scale_min,
                   q.scale_max, a.satisfaction_value, a.satisfaction_skip, rng.low, rng.high
              FROM survey_user_input_line l
              JOIN survey_question q ON q.id = l.question_id
         LEFT JOIN survey_question_answer a ON a.id = l.suggested_answer_id
         LEFT JOIN LATERAL (
                   SELECT MIN(o.satisfaction_value) AS low, MAX(o.satisfaction_value) AS high
                     FROM survey_question_answer o
                    WHERE o.question_id = q.id AND NOT COALESCE(o.satisfaction_skip, FALSE)
                   ) rng ON TRUE
             WHERE l.user_input_id = ANY(%s)
               AND q.satisfaction_role IS NOT NULL
               AND NOT l.skipped
               AND l.answer_type IN ('scale', 'suggestion')
            """,
            [self.ids],
        )
        rows = []
        for (
            response,
            question,
            row,
            dimension,
            weight,
            role,
            reverse,
            answer_type,
            scale_value,
            scale_min,
            scale_max,
            choice_value,
            skip,
            low,
            high,
        ) in self.env.cr.fetchall():
            if answer_type == "scale":
                raw, low, high = scale_value, scale_min, scale_max
            else:
                if skip or choice_value is None:
                    continue
                raw = choice_value
            value = engine.scale_to_100(raw, low, high, reverse=bool(reverse)) if high and high > (low or 0) else None
            rows.append(
                {
                    "response": response,
                    "item": f"{question}-{row}" if row else str(question),
                    "dimension": dimension,
                    "item_weight": weight if weight is not None else 1.0,
                    "role": role,
                    "value": value,
                    "raw": raw,
                }
            )
        return pd.DataFrame(rows, columns=["response", "item", "dimension", "item_weight", "role", "value", "raw"])

    def _compute_satisfaction(self):
        """Score these answers with the engine and store the results and dimension scores."""
        dimensions = self.env["customer.satisfaction.dimension"].search([])
        weights = {d.id: d.weight for d in dimensions}
        responses, dimension_scores = engine.score_answers(self._satisfaction_lines(), weights)
        self.satisfaction_score_ids.unlink()
        self.env["customer.satisfaction.score"].create(
            [
                {"user_input_id": int(row.response), "dimension_id": int(row.dimension), "score": float(row.score)}
                for row in dimension_scores.itertuples()
            ]
        )
        # One set-based update for all answers (an answer without any scored item gets zeros).
        scored = responses.reindex(self.ids)

        def column(name, empty=None):
            return [empty if value is None or value != value else value for value in scored[name].tolist()]

        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE survey_user_input u
               SET satisfaction_index = COALESCE(v.index, 0), satisfaction_level = v.level,
                   satisfaction_overall = COALESCE(v.overall, 0), satisfaction_recommend = COALESCE(v.recommend, 0),
                   satisfaction_nps_category = v.nps, satisfaction_repurchase = COALESCE(v.repurchase, 0),
                   satisfaction_scored = v.scored
              FROM unnest(%s::int4[], %s::float8[], %s::varchar[], %s::float8[], %s::float8[], %s::varchar[],
                          %s::float8[], %s::bool[])
                   AS v(id, index, level, overall, recommend, nps, repurchase, scored)
             WHERE u.id = v.id
            """,
            [
                self.ids,
                column("index"),
                column("level"),
                column("overall"),
                column("recommend"),
                column("nps_category"),
                column("repurchase"),
                [answer_id in responses.index for answer_id in self.ids],
            ],
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
            ]
        )
        # The scores were written in SQL: complaints whose callback these answers are re-read them.
        complaints = self.sudo().complaint_id
        if complaints:
            self.env.add_to_compute(complaints._fields["callback_score"], complaints)

    @api.model
    def _latest_satisfaction(self, partners, on_date=None):
        """{commercial partner id: {index, recommend, repurchase}} of each customer's latest
        scored answer (one query)."""
        if not partners:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (satisfaction_partner_id) satisfaction_partner_id, satisfaction_index,
                   satisfaction_recommend, satisfaction_repurchase
              FROM survey_user_input
             WHERE satisfaction_partner_id = ANY(%s) AND state = 'done' AND satisfaction_scored
               AND (%s::timestamp IS NULL OR end_datetime <= %s::timestamp)
          ORDER BY satisfaction_partner_id, end_datetime DESC, id DESC
            """,
            [partners.ids, on_date, on_date],
        )
        return {
            row[0]: {"index": row[1] or 0.0, "recommend": row[2] or 0.0, "repurchase": row[3] or 0.0}
            for row in self.env.cr.fetchall()
        }
