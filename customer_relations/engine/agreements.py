"""Key-account agreements: period slicing, achievement, run-rate forecast and rebates.

Plain Python on dates and numbers. Documented choices:

* Periods are calendar periods (years, half-years, quarters) clipped to the agreement's
  dates; an agreement that starts on 1 July has a first "year" from 1 July to 31 December.
  A clipped period's target is the full-period target prorated by days, so a half-filled
  quarter asks for about half the quarterly target.
* Achievement is actual / target x 100; it is undefined (None) for a target of zero.
* Overall achievement of an agreement (``overall_achievement``): the mean of its targets'
  achievements in the period containing the date, each target counting at most
  ``ACHIEVEMENT_CAP`` (100 %): a quantity target exceeded twenty times cannot hide a missed
  revenue target, and 100 % means every target is met. Targets without a target value are
  left out. The form, kanban, review and PDF all show this one figure; rebate steps read it.
* The forecast extrapolates the run rate: actual / elapsed days x days of the period. Before
  a period starts the forecast is 0; once it has ended the forecast is the actual.
* Rebate steps: the rate of the highest step whose achievement threshold is reached applies
  to the whole revenue of the period (1 % above 80 %, 2 % above 100 % -> 2 % at 105 %).
* Refunds and cancelled orders lower the actual (negative lines are summed as they are).
"""

from datetime import date, timedelta

PERIODS = ("whole", "year", "half", "quarter")
ACHIEVEMENT_CAP = 100.0


def _period_bounds(day, period):
    """Calendar period containing ``day``: (first day, last day)."""
    if period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    if period == "half":
        if day.month <= 6:
            return date(day.year, 1, 1), date(day.year, 6, 30)
        return date(day.year, 7, 1), date(day.year, 12, 31)
    if period == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first_month, 1)
        end_month = first_month + 2
        end = (date(day.year + 1, 1, 1) if end_month == 12 else date(day.year, end_month + 1, 1)) - timedelta(days=1)
        return start, end
    raise ValueError(f"Unknown period: {period}")


def period_label(start, period):
    if period == "year":
        return f"{start.year}"
    if period == "half":
        return f"{start.year} H{1 if start.month <= 6 else 2}"
    if period == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return "whole"


def slice_periods(start, end, period):
    """Slices of the agreement [start, end] for ``period``.

    :return: list of dicts with ``label``, ``start``, ``end`` (inclusive) and ``share`` (the
        part of a full calendar period the slice covers, 1.0 for full periods and 'whole')
    """
    if end < start:
        raise ValueError("The end date is before the start date.")
    if period == "whole":
        return [{"label": "whole", "start": start, "end": end, "share": 1.0}]
    slices = []
    cursor = start
    while cursor <= end:
        full_start, full_end = _period_bounds(cursor, period)
        slice_end = min(full_end, end)
        share = ((slice_end - cursor).days + 1) / ((full_end - full_start).days + 1)
        slices.append({"label": period_label(full_start, period), "start": cursor, "end": slice_end, "share": share})
        cursor = slice_end + timedelta(days=1)
    return slices


def achievement(actual, target):
    """Percent of the target reached, or None when there is no target."""
    if not target:
        return None
    return actual / target * 100.0


def overall_achievement(items, cap=ACHIEVEMENT_CAP):
    """Overall achievement in percent (see the module notes), or None without any target.

    :param items: iterable of (achievement percent or None, target value)
    """
    capped = [min(float(achieved or 0.0), cap) for achieved, target in items if target]
    if not capped:
        return None
    return sum(capped) / len(capped)


def prorated_target(target, share):
    """A period's target: the full-period target times the share of the period covered,
    rounded to the cent (a full period keeps the target exactly)."""
    return round(float(target) * share, 2)


def forecast(actual, start, end, as_of):
    """Run-rate forecast of the period's total on ``as_of``."""
    if as_of < start:
        return 0.0
    if as_of >= end:
        return float(actual)
    elapsed = (as_of - start).days + 1
    total = (end - start).days + 1
    return float(actual) / elapsed * total


def rebate(revenue, achieved, steps):
    """Rebate earned: the rate (%) of the highest step whose threshold (%) is reached.

    :param steps: iterable of (threshold percent, rate percent)
    :return: (rebate amount, rate applied in percent)
    """
    if achieved is None:
        return 0.0, 0.0
    rate = 0.0
    for threshold, step_rate in sorted(steps):
        if achieved >= threshold:
            rate = step_rate
    return max(revenue, 0.0) * rate / 100.0, rate


def current_slice(slices, as_of):
    """The slice containing ``as_of``; the last one after the end, the first before the start."""
    if not slices:
        return None
    for item in slices:
        if item["start"] <= as_of <= item["end"]:
            return item
    return slices[-1] if as_of > slices[-1]["end"] else slices[0]
