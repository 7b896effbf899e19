"""The importance-performance chart's layout (engine.satisfaction.chart_range, chart_ticks,
spread_labels): axes on round steps around the data, never outside the scale, ticks on those
steps, labels readable. Hand-worked cases, then properties over any data (Hypothesis)."""

import math
from itertools import pairwise

import pytest
from cr_engine.satisfaction import _step, chart_range, chart_ticks, spread_labels
from hypothesis import assume, given
from hypothesis import strategies as st

NICE = (1.0, 2.0, 2.5, 5.0)


def _is_nice(value):
    """1, 2, 2.5 or 5 times a power of ten (up to rounding)."""
    mantissa = value / 10.0 ** math.floor(math.log10(value) + 1e-12)
    return any(math.isclose(mantissa, f, rel_tol=1e-9) for f in (*NICE, 10.0))


# --- hand-worked cases ---------------------------------------------------------------------
def test_step_is_the_smallest_round_step_covering_a_fifth_of_the_span():
    # span / 5 = 0.104 -> 0.2 ; 16 -> 20 ; 3.2 -> 5 ; 0.02 -> 0.02 ; 0.6 -> 1 ; 45 -> 50
    assert _step(0.52) == pytest.approx(0.2)
    assert _step(80.0) == pytest.approx(20.0)
    assert _step(16.0) == pytest.approx(5.0)
    assert _step(0.1) == pytest.approx(0.02)
    assert _step(3.0) == pytest.approx(1.0)
    assert _step(225.0) == pytest.approx(50.0)
    assert _step(12.0) == pytest.approx(2.5)  # 2.4 -> 2.5, not 5
    assert _step(7.0, count=1) == pytest.approx(10.0)  # one step for the whole span
    assert _step(7.0, count=7) == pytest.approx(1.0)


def test_axis_range_pads_the_data_by_15_percent_and_rounds_outward():
    # |r| 0.2-0.6: pad 0.06, step 0.2 (0.52 / 5 = 0.104), floor(0.14 / 0.2) = 0, ceil(0.66 / 0.2) = 4
    assert chart_range(0.2, 0.6, 0.0, 1.0) == pytest.approx((0.0, 0.8))
    # scores 50-60: pad 1.5, step 5 (13 / 5 = 2.6): 45 .. 65, not the 40 .. 70 of a fixed pad
    assert chart_range(50.0, 60.0, 0.0, 100.0) == pytest.approx((45.0, 65.0))
    # scores 30-90: pad 9, step 20 (78 / 5 = 15.6): 20 .. 100 (ceil(99 / 20) * 20 = 100)
    assert chart_range(30.0, 90.0, 0.0, 100.0) == pytest.approx((20.0, 100.0))


def test_axis_range_never_leaves_the_scale():
    # 5-98: pad 13.95, step 25 (120.9 / 5 = 24.18): -25 .. 125, clipped to 0 .. 100
    low, high = chart_range(5.0, 98.0, 0.0, 100.0)
    assert (low, high) == pytest.approx((0.0, 100.0))
    # |r| 0.9-1.0: the padded range would pass 1
    assert chart_range(0.9, 1.0, 0.0, 1.0)[1] == pytest.approx(1.0)


def test_one_value_gets_a_range_around_it():
    # all dimensions at 80: pad max(8, 5) = 8, step 5 (16 / 5 = 3.2): 70 .. 90
    assert chart_range(80.0, 80.0, 0.0, 100.0) == pytest.approx((70.0, 90.0))
    # |r| all 0.02: pad max(0.002, 0.05) = 0.05 (5 % of the scale), step 0.02: 0 .. 0.08
    assert chart_range(0.02, 0.02, 0.0, 1.0) == pytest.approx((0.0, 0.08))


def test_data_beyond_the_scale_still_gets_a_range_of_positive_width():
    # a mean of 120 on a 0-100 axis: the range clipped to the ceiling would be 105 .. 100
    low, high = chart_range(120.0, 120.0, 0.0, 100.0)
    assert high > low
    assert high - low == pytest.approx(5.0)  # one step (24 / 5 = 4.8 -> 5)


def test_ticks_on_round_steps_within_the_axis():
    assert chart_ticks(0.0, 0.8) == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8])
    assert chart_ticks(15.0, 95.0) == pytest.approx([20.0, 40.0, 60.0, 80.0])
    # the first tick is the first multiple of the step at or above the axis start
    assert chart_ticks(45.0, 95.0) == pytest.approx([50.0, 60.0, 70.0, 80.0, 90.0])
    assert chart_ticks(0.35, 0.85) == pytest.approx([0.4, 0.5, 0.6, 0.7, 0.8])


def test_labels_already_apart_stay_at_their_points():
    assert spread_labels([20.0, 50.0, 80.0], 14.0, 10.0, 300.0) == [20.0, 50.0, 80.0]
    assert spread_labels([], 14.0, 10.0, 300.0) == []


def test_crowded_labels_move_down_one_gap_apart():
    # points at 100, 101, 102 with 14 px per label: 100, 114, 128
    assert spread_labels([100.0, 101.0, 102.0], 14.0, 10.0, 300.0) == [100.0, 114.0, 128.0]
    # a label above the plot is brought down to its top
    assert spread_labels([2.0, 40.0], 14.0, 10.0, 300.0) == [10.0, 40.0]


def test_labels_pushed_past_the_bottom_are_stacked_back_up():
    # 90, 95, 100 with a gap of 10 and the bottom at 100: 90, 100, 110 -> 80, 90, 100
    assert spread_labels([90.0, 95.0, 100.0], 10.0, 0.0, 100.0) == [80.0, 90.0, 100.0]
    # only the crowded tail moves up: 10 keeps its place
    assert spread_labels([10.0, 96.0, 97.0, 98.0], 10.0, 0.0, 100.0) == [10.0, 80.0, 90.0, 100.0]


# --- properties ------------------------------------------------------------------------------
@given(st.floats(0.001, 1e5, allow_nan=False), st.integers(1, 10))
def test_step_is_round_covers_the_share_and_is_the_smallest_such(span, count):
    step = _step(span, count)
    share = span / count
    assert _is_nice(step)
    assert step >= share * (1 - 1e-9)
    # the round step just below is too small: 5 -> 2.5 -> 2 -> 1 -> 0.5 (x 10^e)
    exponent = math.floor(math.log10(step) + 1e-12)
    mantissa = step / 10.0**exponent
    below = {1.0: 0.5, 2.0: 1.0, 2.5: 2.0, 5.0: 2.5, 10.0: 5.0}[min((*NICE, 10.0), key=lambda f: abs(f - mantissa))]
    assert below * 10.0**exponent < share * (1 + 1e-9)


@st.composite
def data_on_scale(draw):
    floor, ceiling = draw(st.sampled_from([(0.0, 1.0), (0.0, 100.0), (-100.0, 100.0)]))
    width = ceiling - floor
    low = draw(st.floats(floor, ceiling))
    high = draw(st.floats(low, ceiling))
    assume(high - low == 0 or high - low >= width * 1e-4)  # a spread a chart could show
    return low, high, floor, ceiling


@given(data_on_scale())
def test_axis_range_holds_the_data_within_the_scale_and_spreads_it(case):
    low, high, floor, ceiling = case
    start, end = chart_range(low, high, floor, ceiling)
    assert floor <= start <= low + 1e-9
    assert high - 1e-9 <= end <= ceiling
    assert end > start
    if high > low and start > floor and end < ceiling:
        # neither end clipped: the data fill at least 40 % of the axis (15 % padding each side,
        # then at most one round step more each side), never bunched in a corner
        assert (high - low) / (end - start) >= 0.4


@given(data_on_scale())
def test_ticks_are_evenly_spaced_round_values_covering_the_axis(case):
    low, high, floor, ceiling = case
    start, end = chart_range(low, high, floor, ceiling)
    ticks = chart_ticks(start, end)
    assert len(ticks) >= 2
    assert all(start - 1e-9 <= t <= end + 1e-9 for t in ticks)
    gaps = [b - a for a, b in pairwise(ticks)]
    step = gaps[0]
    assert _is_nice(step)
    assert all(g == pytest.approx(step, rel=1e-6) for g in gaps)
    assert all(math.isclose(t / step, round(t / step), abs_tol=1e-6) for t in ticks)
    assert ticks[0] - start < step + 1e-9 and end - ticks[-1] < step + 1e-9


@given(
    st.lists(st.floats(-50.0, 400.0), max_size=12).map(sorted),
    st.floats(4.0, 20.0),
)
def test_labels_keep_their_order_a_gap_apart_and_inside_the_plot(points, gap):
    low, high = 10.0, 300.0
    assume(len(points) * gap <= high - low)  # they fit
    placed = spread_labels(points, gap, low, high)
    assert len(placed) == len(points)
    assert all(low - 1e-9 <= y <= high + 1e-9 for y in placed)
    assert all(b - a >= gap - 1e-9 for a, b in pairwise(placed))
    # a label moves only to make room: below its point (or the top of the plot), unless the
    # stack was pushed back up from the bottom of the plot
    pushed_back = bool(placed) and placed[-1] == pytest.approx(high)
    assert pushed_back or all(y >= max(p, low) - 1e-9 for y, p in zip(placed, points, strict=True))
    uncrowded = all(low <= p <= high for p in points) and all(b - a >= gap for a, b in pairwise(points))
    if uncrowded:
        assert placed == points


def test_a_narrow_spread_of_correlations_is_padded_by_its_own_size():
    # |r| 0.31-0.39: pad 0.012 (15 % of 0.08), not the 0.05 used for a single value;
    # step 0.025 (0.104 / 5 = 0.0208): floor(0.298 / 0.025) = 11, ceil(0.402 / 0.025) = 17
    assert chart_range(0.31, 0.39, 0.0, 1.0) == pytest.approx((0.275, 0.425))
