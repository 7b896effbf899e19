"""Property-based tests of the risk warnings engine: whatever the thresholds and figures, a
larger figure never gives a lower level, a stricter class never a lower level than a more
lenient one for the same figure, and deciding again after applying the decisions changes
nothing (no duplicate, no second escalation)."""

import pandas as pd
from cr_engine import risk
from hypothesis import given
from hypothesis import strategies as st

marks = st.one_of(st.none(), st.floats(0.5, 100.0, allow_nan=False))
figures = st.one_of(st.integers(0, 20).map(float), st.floats(0.0, 150.0, allow_nan=False))
signals = st.sampled_from(sorted(risk.SIGNALS))


@st.composite
def threshold_sets(draw):
    rows = []
    for signal in draw(st.lists(signals, min_size=1, max_size=4, unique=True)):
        for account_class in draw(st.lists(st.sampled_from(risk.CLASSES), min_size=1, max_size=4, unique=True)):
            rows.append(
                {
                    "signal": signal,
                    "account_class": account_class,
                    "yellow": draw(marks),
                    "orange": draw(marks),
                    "red": draw(marks),
                }
            )
    return rows


@st.composite
def measured(draw, thresholds):
    signal_names = sorted({row["signal"] for row in thresholds})
    rows = []
    for partner_id in range(1, draw(st.integers(1, 12)) + 1):
        account_class = draw(st.sampled_from(risk.CLASSES))
        for signal in draw(st.lists(st.sampled_from(signal_names), min_size=1, unique=True)):
            rows.append((partner_id, account_class, signal, draw(figures)))
    return pd.DataFrame(rows, columns=["partner_id", "account_class", "signal", "value"])


@given(threshold_sets(), st.sampled_from(risk.CLASSES), signals, figures, figures)
def test_a_larger_figure_never_gives_a_lower_level(thresholds, account_class, signal, low, high):
    low, high = sorted((low, high))
    limits = risk.effective_thresholds(thresholds).get((signal, account_class), {})
    assert risk.RANK[risk.level_of(high, limits)] >= risk.RANK[risk.level_of(low, limits)]


@given(threshold_sets(), signals, figures)
def test_a_stricter_class_never_gets_a_lower_level(thresholds, signal, value):
    limits = risk.effective_thresholds(thresholds)
    ranks = [risk.RANK[risk.level_of(value, limits.get((signal, klass), {}))] for klass in risk.CLASSES]
    assert ranks == sorted(ranks, reverse=True)


@given(st.data())
def test_deciding_again_after_applying_changes_nothing(data):
    thresholds = data.draw(threshold_sets())
    first = risk.evaluate(data.draw(measured(thresholds)), thresholds)
    warnings = risk.apply([], risk.decide(first, []))
    # One warning per customer and kind with a level, none below yellow.
    with_level = first[first["level"] != "none"]
    assert len(warnings) == len(with_level)
    assert not warnings.duplicated(["partner_id", "kind"]).any()
    again = risk.decide(first, warnings)
    assert set(again["decision"]) <= {"keep"}


@given(st.data())
def test_a_warning_level_never_goes_down_and_nothing_closes(data):
    thresholds = data.draw(threshold_sets())
    first = risk.evaluate(data.draw(measured(thresholds)), thresholds)
    warnings = risk.apply([], risk.decide(first, []))
    second = risk.evaluate(data.draw(measured(thresholds)), thresholds)
    decisions = risk.decide(second, warnings)
    after = risk.apply(warnings, decisions)
    before_levels = {row.warning_id: row.level for row in warnings.itertuples()}
    for row in after.itertuples():
        if row.warning_id in before_levels:
            assert risk.RANK[row.level] >= risk.RANK[before_levels[row.warning_id]]
        assert row.state in ("open", "recovered")
    assert not after.duplicated(["partner_id", "kind"]).any()
    assert set(risk.decide(second, after)["decision"]) <= {"keep"}
