"""Benchmark: satisfaction scoring, analysis and the leadership Excel export.

Generates (seeded, in the scratch database, through the tables the survey module writes) a
campaign with 10,000 completed answers of 30 scale items in 6 dimensions, an overall
question and a 0-10 recommend question (about 2 % of items unanswered), for 2,000 customers
with tiers and regions, then times:

  (s) scoring every answer: ``survey.user_input._compute_satisfaction`` (one SQL statement
      per batch of 5,000 answers: item values, dimension scores, index, level, NPS)
  (a) the end-to-end analysis from the database: ``campaign.action_compute_results`` (reads
      the answers, lines and scores in a few set-based queries, runs the statistics, stores)
  (t) the statistics alone: ``engine.satisfaction.analyse`` on the frames (a) reads
  (c) the bare SQL read of the campaign's answer lines (the floor any implementation pays)
  (r) where pingouin / factor_analyzer are importable: the same reliability, KMO and
      Bartlett statistics computed with them, for the ratio t'/r
  (x) the Excel export of 50,000 answers (engine level) in constant-memory mode, with peak
      Python memory, against xlsxwriter's in-memory mode

and prints the times and the ratios. Aims: s <= 2 s; a <= 2 s and a/c <= 3; t <= 0.3 s.
Usage (through ``make bench``): python bench/bench_satisfaction.py <odoo options> -d DB
Settings (environment): BENCH_ANSWERS, BENCH_REPEAT (medians of that many runs).
"""

import io
import os
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))

from common import clone_rows, odoo_env, repeated

ANSWERS = int(os.environ.get("BENCH_ANSWERS", "10000"))
ITEMS, DIMENSIONS, CUSTOMERS, EXPORT_ROWS = 30, 6, 2000, 50_000
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
CAMPAIGN_NAME = "Bench satisfaction campaign"


def unit(expression):
    """A deterministic pseudo-random number in [0, 1) from an integer SQL expression."""
    return f"((((({expression})::bigint * 2654435761) % 1000003) + 1000003) % 1000003 / 1000003.0)"


def generate(env):
    cr = env.cr
    print(f"Generating {ANSWERS} completed answers x {ITEMS} items for {CUSTOMERS} customers ...", flush=True)
    company = env.company
    dims = env["customer.satisfaction.dimension"].create(
        [{"name": f"Bench dimension {d + 1}", "weight": 1.0 + d % 3} for d in range(DIMENSIONS)]
    )
    survey = env["survey.survey"].create({"title": "Bench satisfaction survey", "access_mode": "token"})
    Question = env["survey.question"]
    likert = {"survey_id": survey.id, "question_type": "scale", "scale_min": 1, "scale_max": 5}
    items = Question.create(
        [
            {
                **likert,
                "title": f"Bench item {i + 1}",
                "satisfaction_role": "item",
                "satisfaction_dimension_id": dims[i % DIMENSIONS].id,
                "satisfaction_reverse": i % 10 == 9,
            }
            for i in range(ITEMS)
        ]
    )
    overall = Question.create({**likert, "title": "Bench overall", "satisfaction_role": "overall"})
    recommend = Question.create(
        {**likert, "scale_min": 0, "scale_max": 10, "title": "Bench recommend", "satisfaction_role": "recommend"}
    )
    questions = items | overall | recommend
    regions = env["customer.region"].search([], limit=6)
    template_partner = env["res.partner"].create({"name": "Bench sat template", "is_company": True})
    env.flush_all()
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner")
    first_partner = cr.fetchone()[0] + 1
    region_ids = "ARRAY[" + ",".join(str(r) for r in regions.ids or [0]) + "]"
    clone_rows(
        cr,
        "res_partner",
        template_partner.id,
        CUSTOMERS,
        {
            "name": "'Bench sat customer ' || g",
            "complete_name": "'Bench sat customer ' || g",
            "region_id": f"({region_ids})[1 + g % {max(len(regions), 1)}]" if regions else "NULL",
        },
    )
    cr.execute(
        """
        UPDATE res_partner
           SET commercial_partner_id = id, customer_rank = 1,
               customer_tier = jsonb_build_object(%s, (ARRAY['a', 'b', 'c'])[1 + id %% 3]),
               account_class = jsonb_build_object(%s, (ARRAY['key', 'general'])[1 + id %% 2])
         WHERE id >= %s
        """,
        [str(company.id), str(company.id), first_partner],
    )
    campaign = env["customer.satisfaction.campaign"].create(
        {"name": CAMPAIGN_NAME, "survey_id": survey.id, "audience_domain": "[('id', '=', 0)]"}
    )
    template = survey._create_answer(partner=template_partner, check_attempts=False)
    template._save_lines(items[0], "3")
    env.flush_all()
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM survey_user_input")
    first_input = cr.fetchone()[0] + 1
    clone_rows(
        cr,
        "survey_user_input",
        template.id,
        ANSWERS,
        {
            "partner_id": f"{first_partner} + g % {CUSTOMERS}",
            "satisfaction_partner_id": f"{first_partner} + g % {CUSTOMERS}",
            "satisfaction_campaign_id": str(campaign.id),
            "access_token": "md5('bench-sat-' || g)",
            "state": "'done'",
            "end_datetime": "now() at time zone 'UTC' - (g % 300) * interval '1 hour'",
            "satisfaction_scored": "FALSE",
        },
    )
    line = template.user_input_line_ids[0]
    per_answer = len(questions)
    question_ids = "ARRAY[" + ",".join(str(q) for q in questions.ids) + "]"
    respondent = f"((g - 1) / {per_answer})"
    position = f"((g - 1) % {per_answer})"
    # An item's answer: the respondent's general mood, the mood on the item's dimension, noise.
    latent = (
        f"(0.45 * {unit(respondent + ' * 7 + 1')} + 0.35 * {unit(respondent + ' * 13 + ' + position + ' % 6')}"
        f" + 0.20 * {unit('g * 3 + 5')})"
    )
    scale_value = (
        f"CASE WHEN {position} = {per_answer - 1} THEN LEAST(10, GREATEST(0, round(10 * {latent})))::int"
        f" WHEN {position} % 10 = 9 AND {position} < {ITEMS}"
        f" THEN (6 - LEAST(5, GREATEST(1, round(1 + 4 * {latent}))))::int"
        f" ELSE LEAST(5, GREATEST(1, round(1 + 4 * {latent})))::int END"
    )
    missing = f"({position} < {ITEMS} AND {unit('g * 11 + 3')} < 0.02)"
    clone_rows(
        cr,
        "survey_user_input_line",
        line.id,
        ANSWERS * per_answer,
        {
            "user_input_id": f"{first_input} + {respondent}",
            "question_id": f"({question_ids})[1 + {position}]",
            "skipped": missing,
            "answer_type": f"CASE WHEN {missing} THEN NULL ELSE 'scale' END",
            "value_scale": f"CASE WHEN {missing} THEN NULL ELSE {scale_value} END",
        },
    )
    cr.execute("ANALYZE res_partner; ANALYZE survey_user_input; ANALYZE survey_user_input_line")
    env.cr.commit()
    env.invalidate_all()
    return campaign


def bare_read(env, answer_ids):
    env.cr.execute(
        """
        SELECT user_input_id, question_id, matrix_row_id, value_scale, suggested_answer_id
          FROM survey_user_input_line
         WHERE user_input_id = ANY(%s)
        """,
        [answer_ids],
    )
    return env.cr.fetchall()


def reference_statistics(items):
    """Alpha, KMO and Bartlett with pingouin / factor_analyzer, or None when not installed.
    They may live beside the bench (not in the addon's virtualenv), e.g.
    ``pip install --target .run/bench-ref pingouin factor_analyzer ...``: that directory is
    appended to the path (after the virtualenv, so its numpy / pandas win)."""
    beside = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".run", "bench-ref")
    if os.path.isdir(beside) and beside not in sys.path:
        sys.path.append(beside)
    try:
        import pingouin
        from factor_analyzer.factor_analyzer import calculate_bartlett_sphericity, calculate_kmo
    except ImportError:
        return None
    complete = items.dropna()

    def run():
        pingouin.cronbach_alpha(complete)
        calculate_kmo(complete)
        calculate_bartlett_sphericity(complete)

    return run


def export_bench(analysis, workbook):
    rng = np.random.default_rng(1)

    def customers():
        for row in range(EXPORT_ROWS):
            yield (
                f"客户 {row} Customer {row}",
                float(rng.uniform(40, 100)),
                float(rng.integers(0, 11)),
                "A",
                "Key",
                "王伟",
                "华东",
            )

    def comments():
        for row in range(EXPORT_ROWS // 5):
            yield (f"客户 {row}", "意见与建议 Comments", "交货及时，服务很好。Deliveries on time, good service.")

    def export(constant):
        buffer = io.BytesIO()
        original = workbook.xlsxwriter.Workbook

        def factory(target, options):
            return original(target, {**options, "constant_memory": constant})

        workbook.xlsxwriter.Workbook = factory
        try:
            workbook.write_summary(buffer, analysis, comments=comments(), customers=customers())
        finally:
            workbook.xlsxwriter.Workbook = original
        return len(buffer.getvalue())

    def traced(constant):
        start = time.perf_counter()
        size = export(constant)
        elapsed = time.perf_counter() - start
        tracemalloc.start()
        export(constant)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return size, elapsed, peak / 2**20

    size, t_export, m_export = traced(True)
    _size, t_memory, m_memory = traced(False)
    print(
        f"  {'(x) Excel export of ' + str(EXPORT_ROWS) + ' answers, constant memory':<58} {t_export:9.3f} s, "
        f"peak {m_export:6.1f} MiB, {size / 2**20:.1f} MiB file"
    )
    print(f"  {'(m) the same in in-memory mode':<58} {t_memory:9.3f} s, peak {m_memory:6.1f} MiB")
    print(f"      peak memory m/x = {m_memory / m_export:.1f}")


def main():
    registry, env = odoo_env()
    try:
        from odoo.addons.customer_relations.engine import satisfaction as engine
        from odoo.addons.customer_relations.engine import workbook

        Campaign = env["customer.satisfaction.campaign"]
        campaign = Campaign.search([("name", "=", CAMPAIGN_NAME)], limit=1)
        if not campaign:
            campaign = generate(env)
        Input = env["survey.user_input"]
        answers = Input.search([("satisfaction_campaign_id", "=", campaign.id), ("state", "=", "done")], order="id")
        answer_ids = answers.ids
        env.cr.execute("SELECT COUNT(*) FROM survey_user_input_line WHERE user_input_id = ANY(%s)", [answer_ids])
        lines = env.cr.fetchone()[0]
        print(f"{len(answer_ids)} answers, {lines} answer lines")
        results = {}
        print(f"Timings (median of {REPEAT} runs, min-max in brackets):", flush=True)
        bare_read(env, answer_ids)  # warm-up
        repeated("(c) bare SQL read of the answer lines", results, lambda: bare_read(env, answer_ids))

        def first_scoring():
            """Scoring answers submitted unscored (the scores of the previous run are wiped
            first, untimed)."""
            env.cr.execute(
                "UPDATE survey_user_input SET satisfaction_scored = FALSE, satisfaction_dimension_scores = NULL "
                "WHERE id = ANY(%s)",
                [answer_ids],
            )
            env.cr.commit()
            start = time.perf_counter()
            Input.browse(answer_ids)._compute_satisfaction()
            env.cr.commit()
            return time.perf_counter() - start

        first_scoring()  # warm-up
        runs = sorted(first_scoring() for _run in range(REPEAT))
        results[f"(s) scoring {len(answer_ids)} answers"] = runs[len(runs) // 2]
        print(
            f"  {'(s) scoring ' + str(len(answer_ids)) + ' submitted answers':<58} {runs[len(runs) // 2]:9.3f} s"
            f"  [{runs[0]:.3f}-{runs[-1]:.3f}]",
            flush=True,
        )
        dimension = env["customer.satisfaction.dimension"].search([("name", "=", "Bench dimension 1")], limit=1)

        def reweight():
            dimension.weight = 3.0 if dimension.weight != 3.0 else 1.0  # re-scores every answer
            env.flush_all()
            env.cr.commit()

        repeated("(s2) a dimension weight changed: every answer re-scored", results, reweight)

        def analyse():
            campaign.action_compute_results()
            env.cr.commit()
            env.invalidate_all()

        repeated("(a) end-to-end analysis from the database", results, analyse)
        frames = campaign._analysis_frames(answer_ids)
        repeated("(a1) reading the frames alone", results, lambda: campaign._analysis_frames(answer_ids))

        def statistics():
            return engine.analyse(
                frames["items"],
                frames["dimensions"],
                frames["overall"],
                frames["recommend"],
                frames["segments"],
                frames["dimension_items"],
                index=frames["index"],
            )

        analysis = repeated("(t) statistics only (engine.analyse)", results, statistics)

        def scale_statistics():
            scale = engine.Scale(frames["items"])
            engine.reliability(scale)
            engine.kmo(scale)
            engine.bartlett(scale)

        repeated("(t') alpha, alpha if deleted, item-total, KMO, Bartlett", results, scale_statistics)
        reference = reference_statistics(frames["items"])
        if reference:
            repeated("(r) the same with pingouin + factor_analyzer", results, reference)
        export_bench(analysis, workbook)
        s = results[f"(s) scoring {len(answer_ids)} answers"]
        a = results["(a) end-to-end analysis from the database"]
        c = results["(c) bare SQL read of the answer lines"]
        t = results["(t) statistics only (engine.analyse)"]
        print()
        print(f"scoring s = {s:.2f} s (aim <= 2 s); analysis a = {a:.2f} s (aim <= 2 s); statistics t = {t:.3f} s")
        print(f"a/c = {a / c:.2f}   (aim: under 3)")
        if reference:
            ratio = (
                results["(t') alpha, alpha if deleted, item-total, KMO, Bartlett"]
                / results["(r) the same with pingouin + factor_analyzer"]
            )
            print(f"t'/r = {ratio:.2f}   (aim: at most 1.5)")
        else:
            print("pingouin / factor_analyzer not installed: no reference timing")
        reliability = analysis["reliability"]
        print(
            f"alpha {reliability['alpha']:.4f} on {reliability['n']} complete of {reliability['n_total']} answers; "
            f"KMO {analysis['kmo']['kmo']:.3f}; factors {analysis['factors']['n_factors']}"
        )
    finally:
        env.cr.rollback()
        env.cr.close()


if __name__ == "__main__":
    main()
