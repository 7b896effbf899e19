"""Customer risk warnings engine: levels per class, trends and decisions (raise, escalate,
update, keep, propose closing, reopen; never close)."""

import pandas as pd
import pytest
from cr_engine import risk

THRESHOLDS = [
    # signal, class, yellow, orange, red
    {"signal": "late_line_share", "account_class": "strategic", "yellow": 5.0, "orange": 10.0, "red": 20.0},
    {"signal": "late_line_share", "account_class": "general", "yellow": 10.0, "orange": 25.0, "red": 40.0},
    {"signal": "complaint_count", "account_class": "general", "yellow": 2.0, "orange": 4.0, "red": None},
]


def _figures(rows):
    return pd.DataFrame(rows, columns=["partner_id", "account_class", "signal", "value"])


def _warnings(rows):
    return pd.DataFrame(rows, columns=["warning_id", "partner_id", "kind", "level", "state", "pressure", "figures"])


def test_level_is_the_highest_threshold_reached_each_mark_inclusive():
    levels = {"yellow": 10.0, "orange": 25.0, "red": 40.0}
    assert risk.level_of(9.99, levels) == "none"
    assert risk.level_of(10.0, levels) == "yellow"
    assert risk.level_of(24.9, levels) == "yellow"
    assert risk.level_of(25.0, levels) == "orange"
    assert risk.level_of(40.0, levels) == "red"
    assert risk.level_of(None, levels) == "none"


def test_an_empty_threshold_leaves_the_level_out():
    assert risk.level_of(100.0, {"yellow": 2.0, "orange": 4.0, "red": None}) == "orange"


def test_a_strategic_customer_turns_orange_sooner_than_a_general_one():
    frame = risk.evaluate(
        _figures([(1, "strategic", "late_line_share", 12.0), (2, "general", "late_line_share", 12.0)]),
        THRESHOLDS,
    )
    levels = dict(zip(frame["partner_id"], frame["level"], strict=True))
    assert levels == {1: "orange", 2: "yellow"}


def test_a_class_without_own_thresholds_uses_the_next_more_lenient_class():
    """Key has no row: it takes the general thresholds; potential none at all: no level."""
    frame = risk.evaluate(
        _figures([(1, "key", "late_line_share", 26.0), (2, "potential", "late_line_share", 90.0)]), THRESHOLDS
    )
    levels = dict(zip(frame["partner_id"], frame["level"], strict=True))
    assert levels == {1: "orange", 2: "none"}


def test_a_strategic_threshold_set_looser_than_general_is_not_followed():
    loose = [
        {"signal": "complaint_count", "account_class": "strategic", "yellow": 9.0, "orange": 9.0, "red": 9.0},
        {"signal": "complaint_count", "account_class": "general", "yellow": 2.0, "orange": 4.0, "red": 6.0},
    ]
    frame = risk.evaluate(_figures([(1, "strategic", "complaint_count", 4.0)]), loose)
    assert frame.loc[0, "level"] == "orange"


def test_the_kind_takes_its_worst_signal_and_keeps_every_figure():
    thresholds = [
        *THRESHOLDS,
        {"signal": "days_late", "account_class": "general", "yellow": 3.0, "orange": 7.0, "red": 14.0},
    ]
    frame = risk.evaluate(
        _figures([(1, "general", "late_line_share", 11.0), (1, "general", "days_late", 15.0)]), thresholds
    )
    row = frame.iloc[0]
    assert (row["kind"], row["level"]) == ("fulfilment", "red")
    assert row["figures"] == {"late_line_share": 11.0, "days_late": 15.0}
    assert row["signal_levels"] == {"late_line_share": "yellow", "days_late": "red"}


def test_an_unknown_class_counts_as_general():
    frame = risk.evaluate(_figures([(1, None, "late_line_share", 26.0)]), THRESHOLDS)
    assert (frame.loc[0, "account_class"], frame.loc[0, "level"]) == ("general", "orange")


def test_trend_follows_the_level_then_the_pressure():
    assert risk.trend_of("yellow", 1.0, "orange", 1.0) == "worse"
    assert risk.trend_of("orange", 3.0, "yellow", 3.0) == "better"
    assert risk.trend_of("yellow", 1.0, "yellow", 1.5) == "worse"
    assert risk.trend_of("yellow", 1.5, "yellow", 1.0) == "better"
    assert risk.trend_of("yellow", 1.0, "yellow", 1.01) == "same"


def _current(rows):
    thresholds = THRESHOLDS
    return risk.evaluate(_figures(rows), thresholds)


def test_a_new_level_raises_a_warning_and_nothing_is_raised_below_yellow():
    decisions = risk.decide(
        _current([(1, "general", "late_line_share", 30.0), (2, "general", "late_line_share", 1.0)]), _warnings([])
    )
    assert decisions[["partner_id", "kind", "decision", "level", "trend"]].values.tolist() == [
        [1, "fulfilment", "raise", "orange", "worse"]
    ]


def test_worse_figures_escalate_the_open_warning():
    before = {"late_line_share": 12.0}
    decisions = risk.decide(
        _current([(1, "general", "late_line_share", 45.0)]),
        _warnings([(7, 1, "fulfilment", "yellow", "open", 1.2, before)]),
    )
    row = decisions.iloc[0]
    assert (row["warning_id"], row["decision"], row["level"], row["previous_level"], row["trend"]) == (
        7,
        "escalate",
        "red",
        "yellow",
        "worse",
    )


def test_better_figures_above_yellow_keep_the_level_and_say_better():
    decisions = risk.decide(
        _current([(1, "general", "late_line_share", 11.0)]),
        _warnings([(7, 1, "fulfilment", "red", "open", 4.5, {"late_line_share": 45.0})]),
    )
    row = decisions.iloc[0]
    assert (row["decision"], row["level"], row["measured_level"], row["trend"]) == ("update", "red", "yellow", "better")


def test_recovered_figures_propose_closing_and_never_close():
    decisions = risk.decide(
        _current([(1, "general", "late_line_share", 2.0)]),
        _warnings([(7, 1, "fulfilment", "orange", "open", 2.6, {"late_line_share": 26.0})]),
    )
    assert decisions["decision"].tolist() == ["propose_closing"]
    assert "close" not in risk.DECISIONS
    after = risk.apply(_warnings([(7, 1, "fulfilment", "orange", "open", 2.6, {})]), decisions)
    assert after["state"].tolist() == ["recovered"]


def test_a_customer_no_longer_measured_proposes_closing_too():
    decisions = risk.decide(_current([]), _warnings([(7, 1, "complaint", "yellow", "open", 1.0, {})]))
    assert decisions["decision"].tolist() == ["propose_closing"]


def test_a_recovered_warning_measured_again_reopens():
    decisions = risk.decide(
        _current([(1, "general", "late_line_share", 11.0)]),
        _warnings([(7, 1, "fulfilment", "orange", "recovered", 0.2, {"late_line_share": 2.0})]),
    )
    assert decisions[["decision", "level"]].values.tolist() == [["reopen", "orange"]]


def test_same_figures_twice_is_keep():
    figures = {"late_line_share": 30.0}
    current = _current([(1, "general", "late_line_share", 30.0)])
    decisions = risk.decide(current, _warnings([(7, 1, "fulfilment", "orange", "open", 3.0, figures)]))
    assert decisions["decision"].tolist() == ["keep"]


def test_two_open_warnings_for_one_customer_and_kind_are_refused():
    with pytest.raises(ValueError):
        risk.decide(
            _current([]),
            _warnings([(7, 1, "complaint", "yellow", "open", 1.0, {}), (8, 1, "complaint", "red", "open", 1.0, {})]),
        )


def test_evaluate_of_nothing_is_empty():
    assert risk.evaluate(_figures([]), THRESHOLDS).empty
    assert risk.decide(risk.evaluate(_figures([]), THRESHOLDS), _warnings([])).empty
