"""Complaints: business-hours arithmetic for SLA clocks, warning levels and rule matching.

Plain Python on naive UTC datetimes (what Odoo stores). Documented choices:

* A :class:`WorkCalendar` is a weekly timetable in a time zone (attendances: weekday 0 =
  Monday, hours as floats, optionally only on even / odd weeks like Odoo's two-week
  calendars) minus holidays given as UTC intervals. Local times are converted with the
  time zone's own rules, so daylight-saving days are 23 or 25 hours long where the zone has
  them. ``None`` as the calendar means round the clock.
* Pauses (the complaint waits for the customer) are UTC intervals cut out of working time;
  a pause with no end runs "for ever" and stops the clock.
* A milestone's deadline is the moment its target hours of working time have elapsed after
  the start; the yellow and orange marks are the moments the configured shares of that time
  have elapsed. A milestone reached at or before its deadline is met.
* The warning level at a moment is red once the deadline has passed (breached: strictly after
  it, since a milestone reached at the deadline is met), orange from the orange mark (inclusive)
  up to and including the deadline, yellow from the yellow mark, green before.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

LEVELS = ("green", "yellow", "orange", "red")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}

_CHUNK_DAYS = 14
_HORIZON_DAYS = 3 * 366


@dataclass(frozen=True)
class WorkCalendar:
    """A weekly timetable in ``tz`` minus ``holidays``.

    :param attendances: tuples ``(weekday, hour_from, hour_to)`` or ``(weekday, hour_from,
        hour_to, week_type)`` with ``week_type`` 0 / 1 for Odoo's alternating weeks, None for
        every week
    :param holidays: tuples ``(start, end)`` of naive UTC datetimes
    """

    tz: str = "UTC"
    attendances: tuple = ()
    holidays: tuple = field(default=())

    def __post_init__(self):
        ZoneInfo(self.tz)  # an unknown zone fails here, not in the middle of a computation
        for attendance in self.attendances:
            weekday, hour_from, hour_to = attendance[:3]
            if not 0 <= int(weekday) <= 6 or not 0 <= hour_from < hour_to <= 24:
                raise ValueError(f"Invalid attendance: {attendance!r}")


def _week_type(day):
    """Odoo's parity of a week (resource.calendar_attendance.get_week_type)."""
    return int(math.floor((day.toordinal() - 1) / 7) % 2)


def _local_to_utc(day, hours, zone):
    """UTC moment of ``hours`` (to the minute; 24 is the midnight that ends ``day``) on the local
    ``day``. Adding to an aware datetime is wall-clock arithmetic, as Odoo's calendars mean it."""
    local = datetime.combine(day, time(0), tzinfo=zone) + timedelta(minutes=round(hours * 60))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def merge(intervals):
    """Sorted, non-overlapping union of ``(start, end)`` intervals (empty ones dropped)."""
    merged = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(intervals, removed):
    """``intervals`` minus ``removed`` (both lists of (start, end); ``end`` None = open)."""
    cuts = merge([(start, end or datetime.max) for start, end in removed])
    result = []
    for start, end in merge(intervals):
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                result.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def work_intervals(calendar, start, end):
    """Working intervals of ``calendar`` between ``start`` and ``end`` (naive UTC)."""
    if end <= start:
        return []
    if calendar is None:
        return [(start, end)]
    zone = ZoneInfo(calendar.tz)
    utc = ZoneInfo("UTC")
    first = start.replace(tzinfo=utc).astimezone(zone).date() - timedelta(days=1)
    last = end.replace(tzinfo=utc).astimezone(zone).date() + timedelta(days=1)
    raw = []
    day = first
    while day <= last:
        weekday, parity = day.weekday(), _week_type(day)
        for attendance in calendar.attendances:
            if int(attendance[0]) != weekday:
                continue
            if len(attendance) > 3 and attendance[3] is not None and int(attendance[3]) != parity:
                continue
            raw.append((_local_to_utc(day, attendance[1], zone), _local_to_utc(day, attendance[2], zone)))
        day += timedelta(days=1)
    clipped = [(max(s, start), min(e, end)) for s, e in raw]
    return subtract(clipped, list(calendar.holidays))


def _available(calendar, start, end, pauses):
    return subtract(work_intervals(calendar, start, end), pauses)


def elapsed_hours(start, end, calendar=None, pauses=()):
    """Working hours between ``start`` and ``end`` outside the pauses (0 if end <= start)."""
    if end <= start:
        return 0.0
    return sum((e - s).total_seconds() for s, e in _available(calendar, start, end, pauses)) / 3600.0


def add_hours(start, hours, calendar=None, pauses=()):
    """The moment ``hours`` of working time outside the pauses have elapsed after ``start``.

    :return: a naive UTC datetime, or None when the time never elapses within three years (an
        open pause, or a calendar with no working time)
    """
    if hours < 0:
        raise ValueError("Target hours cannot be negative.")
    remaining = timedelta(hours=hours)
    if not remaining:
        return start
    cursor = start
    limit = start + timedelta(days=_HORIZON_DAYS)
    while cursor < limit:
        chunk_end = min(cursor + timedelta(days=_CHUNK_DAYS), limit)
        for s, e in _available(calendar, cursor, chunk_end, pauses):
            if e - s >= remaining:
                return s + remaining
            remaining -= e - s
        cursor = chunk_end
    return None


def schedule(start, target_hours, calendar=None, pauses=(), yellow=0.5, orange=0.8):
    """Deadline and warning marks of a milestone.

    :return: dict with ``deadline``, ``yellow_at`` and ``orange_at`` (naive UTC or None)
    """
    if not 0 < yellow <= orange <= 1:
        raise ValueError("Warning shares must satisfy 0 < yellow <= orange <= 1.")
    return {
        "deadline": add_hours(start, target_hours, calendar, pauses),
        "yellow_at": add_hours(start, target_hours * yellow, calendar, pauses),
        "orange_at": add_hours(start, target_hours * orange, calendar, pauses),
    }


def level_at(moment, marks):
    """Warning level at ``moment`` for the marks of :func:`schedule` (red strictly after the
    deadline: at the deadline itself the milestone can still be met)."""
    if marks.get("deadline") and moment > marks["deadline"]:
        return "red"
    if marks.get("orange_at") and moment >= marks["orange_at"]:
        return "orange"
    if marks.get("yellow_at") and moment >= marks["yellow_at"]:
        return "yellow"
    return "green"


def level_from_share(elapsed, target, yellow=0.5, orange=0.8):
    """Warning level for ``elapsed`` of ``target`` hours (the same rule as :func:`level_at`)."""
    if target <= 0 or elapsed > target:
        return "red"
    share = elapsed / target
    if share >= orange:
        return "orange"
    if share >= yellow:
        return "yellow"
    return "green"


def strictest(*hours):
    """The smallest positive promise among ``hours`` (None, 0 and False mean no promise)."""
    promised = [h for h in hours if h and h > 0]
    return min(promised) if promised else None


def match_rule(rules, facts):
    """Index of the first rule whose conditions all hold for ``facts``, or None.

    A rule is a dict of condition name -> allowed values (a set or tuple); an empty or missing
    set means "any". ``facts`` maps the same names to the complaint's value. A fact that is a
    set (the product categories of several lines) matches when it meets the allowed values.
    """
    for index, rule in enumerate(rules):
        for name, allowed in rule.items():
            if not allowed:
                continue
            value = facts.get(name)
            if isinstance(value, set | frozenset | list | tuple):
                if not set(value) & set(allowed):
                    break
            elif value not in allowed:
                break
        else:
            return index
    return None
