"""The closed loop's evaluation against scipy directly, on hand-built samples."""

import math

import pytest
from cr_engine.improvement import (
    evaluate_customer,
    evaluate_dimension,
    needs_follow_up,
    weak_dimensions,
)
from cr_engine.satisfaction import importance_performance
from scipy import stats

BEFORE = [40.0, 45.0, 50.0, 35.0, 55.0, 42.5, 47.5, 38.0]
AFTER = [70.0, 75.0, 65.0, 80.0, 72.5, 68.0, 77.5, 71.0, 74.0]


def test_improved_dimension_is_welch_t_test():
    result = evaluate_dimension(BEFORE, AFTER)
    expected = stats.ttest_ind(AFTER, BEFORE, equal_var=False)
    assert result["test"] == "welch"
    assert result["n_before"] == 8 and result["n_after"] == 9
    assert result["mean_before"] == pytest.approx(sum(BEFORE) / 8)
    assert result["mean_after"] == pytest.approx(sum(AFTER) / 9)
    assert result["difference"] == pytest.approx(sum(AFTER) / 9 - sum(BEFORE) / 8)
    assert result["t"] == pytest.approx(expected.statistic)
    assert result["p"] == pytest.approx(expected.pvalue)
    assert result["p"] < 0.05
    assert result["status"] == "improved"


def test_higher_but_not_significant_is_not_improved():
    before = [50.0, 70.0, 40.0, 80.0, 60.0]
    after = [55.0, 75.0, 45.0, 85.0, 62.0]
    result = evaluate_dimension(before, after)
    expected = stats.ttest_ind(after, before, equal_var=False)
    assert result["difference"] > 0
    assert result["p"] == pytest.approx(expected.pvalue)
    assert result["p"] > 0.05
    assert result["status"] == "not_improved"


def test_significantly_worse_is_not_improved():
    result = evaluate_dimension(AFTER, BEFORE)
    assert result["p"] < 0.05 and result["difference"] < 0
    assert result["status"] == "not_improved"


def test_unanswered_scores_are_left_out_not_zero():
    with_gaps = [*BEFORE, None, math.nan]
    result = evaluate_dimension(with_gaps, AFTER)
    assert result["n_before"] == 8
    assert result["mean_before"] == pytest.approx(sum(BEFORE) / 8)
    assert result["p"] == pytest.approx(stats.ttest_ind(AFTER, BEFORE, equal_var=False).pvalue)


@pytest.mark.parametrize(
    ("before", "after"),
    [([50.0, 60.0], []), ([50.0, 60.0], [70.0]), ([50.0], [70.0, 80.0]), ([], []), ([None, None], [70.0, 80.0])],
)
def test_too_few_scores_is_not_measured(before, after):
    result = evaluate_dimension(before, after)
    assert result["status"] == "not_measured"
    assert result["p"] is None


def test_samples_without_spread_are_judged_on_the_means_without_p():
    result = evaluate_dimension([60.0, 60.0, 60.0], [60.0, 60.0])
    assert result["status"] == "not_improved"
    assert result["p"] is None
    assert result["difference"] == 0
    risen = evaluate_dimension([60.0, 60.0], [75.0, 75.0])
    assert risen["status"] == "improved" and risen["p"] is None


def test_weak_dimensions_are_the_concentrate_quadrant():
    importance = {"Quality": 0.8, "Delivery": 0.7, "Price": 0.2, "Staff": 0.3}
    performance = {"Quality": 50.0, "Delivery": 85.0, "Price": 40.0, "Staff": 90.0}
    quadrants = importance_performance(importance, performance)
    assert weak_dimensions(quadrants) == ["Quality"]
    assert weak_dimensions({}) == [] and weak_dimensions(None) == []


@pytest.mark.parametrize(
    ("level", "category", "expected"),
    [
        ("dissatisfied", "promoter", True),
        ("satisfied", "detractor", True),
        ("average", "passive", False),
        ("fully_satisfied", None, False),
        (None, None, False),
    ],
)
def test_needs_follow_up(level, category, expected):
    assert needs_follow_up(level, category) is expected


def test_customer_no_longer_dissatisfied_is_improved():
    before = [{"index": 40.0, "level": "dissatisfied", "nps_category": "detractor"}]
    after = [{"index": 78.0, "level": "satisfied", "nps_category": "passive"}]
    result = evaluate_customer(before, after)
    assert result == {
        "index_before": 40.0,
        "index_after": 78.0,
        "difference": 38.0,
        "n_after": 1,
        "status": "improved",
    }


def test_customer_still_detractor_is_not_improved():
    before = [{"index": 70.0, "level": "average", "nps_category": "detractor"}]
    after = [
        {"index": 80.0, "level": "satisfied", "nps_category": "promoter"},
        {"index": 74.0, "level": "average", "nps_category": "detractor"},
    ]
    result = evaluate_customer(before, after)
    assert result["status"] == "not_improved"
    assert result["index_after"] == pytest.approx(77.0)
    assert result["n_after"] == 2


@pytest.mark.parametrize("after", [[], None, [{"index": None, "level": None, "nps_category": None}]])
def test_customer_without_a_scored_answer_is_not_measured(after):
    before = [{"index": 40.0, "level": "dissatisfied", "nps_category": None}]
    result = evaluate_customer(before, after)
    assert result["status"] == "not_measured"
    assert result["index_after"] is None and result["difference"] is None


def test_improvement_sheet_is_appended_with_translated_literals_and_numbers():
    import io

    import openpyxl
    from cr_engine.workbook import write_improvement_sheet, write_summary

    row = {
        "plan": "Plan 2026",
        "line": "Quality",
        "kind": "Weak dimension",
        "department": "Workshop 1",
        "owner": "Wang Wei",
        "deadline": "2026-06-30",
        "state": "Done",
        "reply_date": "",
        "evaluation": "Improved",
        "score_before": 31.25,
        "score_after": 82.1,
        "n_before": 8,
        "n_after": 7,
        "p": 0.0043,
    }
    buffer = io.BytesIO()
    translated = {"Improvement plan": "改进计划", "Evaluation": "改进效果评估"}

    def writer(book, formats, *, _, number):
        write_improvement_sheet(book, formats, rows=[row], _=_, number=number)

    write_summary(buffer, {}, translate=lambda text: translated.get(text, text), extra_sheets=[writer])
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames[-1] == "改进计划"
    sheet = book["改进计划"]
    assert sheet["N1"].value == "改进效果评估"
    assert [cell.value for cell in sheet[2]][8:] == [31.25, 82.1, 8, 7, 0.0043, "Improved"]
