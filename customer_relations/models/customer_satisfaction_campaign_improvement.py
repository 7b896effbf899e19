from functools import partial

from odoo import api, fields, models

from ..engine import workbook


class CustomerSatisfactionCampaign(models.Model):
    """The closed loop on the campaign: its improvement plan, the evaluation of the previous
    campaign's plan when this campaign's results are computed, and the plan in the Excel
    summary and the PDF."""

    _inherit = "customer.satisfaction.campaign"

    improvement_plan_ids = fields.One2many("customer.improvement.plan", "campaign_id", string="Improvement plans")
    improvement_plan_count = fields.Integer(compute="_compute_improvement_plan_count", string="Improvement plan")
    improvement_line_report_ids = fields.Many2many(
        "customer.improvement.plan.line",
        compute="_compute_improvement_line_report_ids",
        string="Improvement lines",
        help="The lines of this campaign's plan and of the plan evaluated at this campaign.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_improvement_plan_count(self):
        counts = dict(
            self.env["customer.improvement.plan"]
            .with_context(active_test=False)
            ._read_group([("campaign_id", "in", self.ids)], ["campaign_id"], ["__count"])
        )
        for campaign in self:
            campaign.improvement_plan_count = counts.get(campaign, 0)

    def _compute_improvement_line_report_ids(self):
        for campaign in self:
            campaign.improvement_line_report_ids = campaign._improvement_lines()

    def _improvement_lines(self):
        """The lines of this campaign's plan and of the plan evaluated at this campaign."""
        self.ensure_one()
        plans = (
            self.env["customer.improvement.plan"]
            .with_context(active_test=False)
            .search(["|", ("campaign_id", "=", self.id), ("evaluation_campaign_id", "=", self.id)])
        )
        return self.env["customer.improvement.plan.line"].search(
            [("plan_id", "in", plans.ids)], order="plan_id, kind, id"
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_improvement_plan(self):
        """Open the campaign's improvement plan, made from its results the first time
        (Quality and Managers: they may create plans)."""
        self.ensure_one()
        Plan = self.env["customer.improvement.plan"]
        plan = self.with_context(active_test=False).improvement_plan_ids[:1]
        if not plan:
            Plan.check_access("create")
            values = Plan._prepare_from_campaign(self)
            # lines carry protected values (what they are about): written by this checked action
            plan = Plan.sudo().create(values).sudo(False)
            self.invalidate_recordset(["improvement_line_report_ids", "improvement_plan_count"])
            plan.message_post(
                body=self.env._("Made from the results of %(campaign)s.", campaign=self.name),
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.improvement.plan",
            "res_id": plan.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_compute_results(self):
        result = super().action_compute_results()
        self._evaluate_previous_plans()
        return result

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _analyse(self, answers, previous=None):
        """The analysis, plus {dimension label: dimension id} so that the plan can find the
        records behind the importance-performance quadrants in any language."""
        result = super()._analyse(answers, previous)
        if self:
            result["dimension_ids"] = self._dimension_ids_by_label(answers, result)
        return result

    @api.model
    def _dimension_ids_by_label(self, answers, analysis):
        """The analysis' dimension columns are the dimensions scored by the completed, scored
        answers, in ascending id order (``_analysis_frames``): pair them with their labels."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT DISTINCT d.key::int
              FROM survey_user_input u
        CROSS JOIN LATERAL jsonb_each_text(u.satisfaction_dimension_scores) d
             WHERE u.id = ANY(%s) AND u.state = 'done' AND u.satisfaction_scored
          ORDER BY 1
            """,
            [answers.ids],
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        labels = [row["dimension"] for row in analysis.get("dimensions") or []]
        if len(ids) != len(labels):
            return {}
        return dict(zip(labels, ids, strict=True))

    def _evaluate_previous_plans(self):
        """Evaluate the plans of which this campaign is the next one on the survey."""
        Plan = self.env["customer.improvement.plan"].sudo()
        for campaign in self:
            if not campaign.previous_id:
                continue
            plans = Plan.search(
                [("campaign_id", "=", campaign.previous_id.id), ("state", "in", ("in_progress", "done"))]
            )
            for plan in plans.filtered(lambda p, c=campaign: p._next_campaign() == c):
                plan._evaluate(campaign)

    def _workbook_extra_sheets(self):
        """Sheet writers appended to the Excel summary: the improvement plan and its evaluation."""
        lines = self._improvement_lines() if self else self.env["customer.improvement.plan.line"]
        if not lines:
            return []
        Line = self.env["customer.improvement.plan.line"]
        kinds = dict(Line._fields["kind"]._description_selection(self.env))
        states = dict(Line._fields["state"]._description_selection(self.env))
        evaluations = dict(Line._fields["evaluation"]._description_selection(self.env))
        rows = [
            {
                "plan": line.plan_id.name,
                "line": line.name,
                "kind": kinds.get(line.kind, ""),
                "department": line.department_id.name or "",
                "owner": line.user_id.name or "",
                "deadline": fields.Date.to_string(line.date_deadline) if line.date_deadline else "",
                "state": states.get(line.state, ""),
                "reply_date": fields.Datetime.to_string(line.reply_date) if line.reply_date else "",
                "evaluation": evaluations.get(line.evaluation, ""),
                "score_before": line.score_before if line.evaluation else None,
                "score_after": line.score_after if line.evaluation and line.n_after else None,
                "n_before": line.n_before if line.evaluation else None,
                "n_after": line.n_after if line.evaluation else None,
                "p": line.p_value if line.has_test else None,
            }
            for line in lines
        ]
        return [partial(workbook.write_improvement_sheet, rows=rows)]
