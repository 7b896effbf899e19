"""Customer risk warnings: levels from signal figures, trends and the decision per warning.

Plain pandas, no Odoo. The models measure the signals in the database (one row per customer
and signal), hand them here with the thresholds and the open warnings, and write back what
:func:`decide` returns.

* Every signal is a figure where more is worse (a share of late lines, a number of complaints,
  a drop in revenue in %...). A signal reaches a level when its figure is at least the level's
  threshold; its level is the highest level reached (so a larger figure never gives a lower
  level). A threshold left empty means the level is not used for that signal and class.
* Thresholds are set per signal, level and account class. A stricter class never gets a
  lower level than a more lenient one for the same figure: the effective threshold of a class
  is the lowest of its own and those of every more lenient class (a strategic customer turns
  orange no later than a general one, whatever is configured).
* A warning kind (fulfilment, quality, ...) takes the highest level of its signals, and a
  ``pressure``: the largest figure / first-threshold ratio of its signals, which tells the
  trend within one level.
* Decisions per customer and kind, against the warning already open (at most one):
  ``raise`` (none open, a level now), ``escalate`` (the level rose), ``update`` (same or lower
  level, figures changed: the level stays, the trend tells), ``keep`` (nothing changed),
  ``propose_closing`` (the figures recovered: no level any more), ``reopen`` (a warning that
  proposed closing is measured at a level again). Nothing is ever closed here: only the
  acceptance step closes a warning.
"""

import math

import pandas as pd

LEVELS = ("none", "yellow", "orange", "red")
RANK = {level: rank for rank, level in enumerate(LEVELS)}
# From the strictest to the most lenient.
CLASSES = ("strategic", "key", "general", "potential")
DEFAULT_CLASS = "general"
KINDS = ("fulfilment", "quality", "logistics", "complaint", "commercial")
TRENDS = ("better", "same", "worse")
DECISIONS = ("raise", "escalate", "update", "keep", "propose_closing", "reopen")

# signal -> kind
SIGNALS = {
    "late_line_share": "fulfilment",
    "days_late": "fulfilment",
    "quality_complaints": "quality",
    "return_share": "quality",
    "late_delivery_share": "logistics",
    "logistics_complaints": "logistics",
    "complaint_count": "complaint",
    "major_complaints": "complaint",
    "repeat_complaints": "complaint",
    "sla_misses": "complaint",
    "revenue_drop": "commercial",
    "agreement_shortfall": "commercial",
    "satisfaction_drop": "commercial",
    "detractors": "commercial",
}

# A relative change of the pressure below this counts as the same.
TREND_TOLERANCE = 0.05
FIGURE_TOLERANCE = 1e-6


def _threshold_value(value):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def effective_thresholds(thresholds):
    """{(signal, class): {level: threshold or None}} with the class ordering enforced.

    :param thresholds: DataFrame with columns ``signal``, ``account_class``, ``yellow``,
        ``orange``, ``red`` (NaN/None: level not used), or the same as a list of dicts
    """
    frame = pd.DataFrame(thresholds, columns=["signal", "account_class", "yellow", "orange", "red"])
    given = {}
    for row in frame.itertuples(index=False):
        given[(row.signal, row.account_class)] = {level: _threshold_value(getattr(row, level)) for level in LEVELS[1:]}
    result = {}
    for signal in {key[0] for key in given}:
        for position, account_class in enumerate(CLASSES):
            levels = {}
            for level in LEVELS[1:]:
                candidates = [
                    given[(signal, lenient)][level]
                    for lenient in CLASSES[position:]
                    if (signal, lenient) in given and given[(signal, lenient)][level] is not None
                ]
                levels[level] = min(candidates) if candidates else None
            result[(signal, account_class)] = levels
    return result


def level_of(value, levels):
    """The highest level whose threshold ``value`` reaches (``none`` below every one)."""
    reached = "none"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return reached
    for level in LEVELS[1:]:
        threshold = levels.get(level)
        if threshold is not None and value >= threshold:
            reached = level
    return reached


def pressure_of(value, levels):
    """Figure over the first threshold set (0 when none is set or the figure is not positive)."""
    for level in LEVELS[1:]:
        threshold = levels.get(level)
        if threshold is not None:
            if threshold <= 0:
                return float(value > 0) + max(float(value), 0.0)
            return max(float(value), 0.0) / threshold
    return 0.0


def evaluate(figures, thresholds):
    """Level and pressure per customer and kind.

    :param figures: DataFrame ``partner_id``, ``account_class``, ``signal``, ``value`` (one row
        per customer and signal measured; an unknown class counts as general)
    :param thresholds: see :func:`effective_thresholds`
    :return: DataFrame ``partner_id``, ``kind``, ``account_class``, ``level``, ``pressure``,
        ``figures`` ({signal: value}) and ``signal_levels`` ({signal: level}), one row per
        customer and kind measured (level ``none`` when no threshold is reached)
    """
    columns = ["partner_id", "kind", "account_class", "level", "pressure", "figures", "signal_levels"]
    frame = pd.DataFrame(figures, columns=["partner_id", "account_class", "signal", "value"])
    if frame.empty:
        return pd.DataFrame(columns=columns)
    limits = effective_thresholds(thresholds)
    frame = frame[frame["signal"].isin(list(SIGNALS))].copy()
    frame["account_class"] = frame["account_class"].where(frame["account_class"].isin(CLASSES), DEFAULT_CLASS)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").fillna(0.0)
    frame["kind"] = frame["signal"].map(SIGNALS)
    empty = {}
    frame["level"] = [
        level_of(value, limits.get((signal, klass), empty))
        for signal, klass, value in zip(frame["signal"], frame["account_class"], frame["value"], strict=True)
    ]
    frame["pressure"] = [
        pressure_of(value, limits.get((signal, klass), empty))
        for signal, klass, value in zip(frame["signal"], frame["account_class"], frame["value"], strict=True)
    ]
    frame["rank"] = frame["level"].map(RANK)
    grouped = frame.groupby(["partner_id", "kind"], sort=True).agg(
        account_class=("account_class", "first"), rank=("rank", "max"), pressure=("pressure", "max")
    )
    figures_of, levels_of = {}, {}
    for partner_id, kind, signal, value, level in zip(
        frame["partner_id"], frame["kind"], frame["signal"], frame["value"], frame["level"], strict=True
    ):
        figures_of.setdefault((partner_id, kind), {})[signal] = float(value)
        levels_of.setdefault((partner_id, kind), {})[signal] = level
    result = grouped.reset_index()
    result["level"] = [LEVELS[int(rank)] for rank in result["rank"]]
    keys = list(zip(result["partner_id"], result["kind"], strict=True))
    result["figures"] = [figures_of[key] for key in keys]
    result["signal_levels"] = [levels_of[key] for key in keys]
    return result[columns]


def trend_of(old_level, old_pressure, new_level, new_pressure, tolerance=TREND_TOLERANCE):
    """``worse`` / ``same`` / ``better``: the level first, then the pressure within a level."""
    old_rank, new_rank = RANK[old_level], RANK[new_level]
    if new_rank != old_rank:
        return "worse" if new_rank > old_rank else "better"
    old_pressure, new_pressure = float(old_pressure or 0.0), float(new_pressure or 0.0)
    scale = max(abs(old_pressure), 1e-9)
    if new_pressure > old_pressure and (new_pressure - old_pressure) / scale > tolerance:
        return "worse"
    if new_pressure < old_pressure and (old_pressure - new_pressure) / scale > tolerance:
        return "better"
    return "same"


def _same_figures(old, new):
    old, new = old or {}, new or {}
    if set(old) != set(new):
        return False
    return all(abs(float(old[key]) - float(new[key])) <= FIGURE_TOLERANCE for key in new)


def decide(current, warnings):
    """What to do with each customer and kind.

    :param current: the result of :func:`evaluate`
    :param warnings: DataFrame of the warnings not closed: ``warning_id``, ``partner_id``,
        ``kind``, ``level``, ``state`` (``open`` / ``recovered``), ``pressure``, ``figures``
        ({signal: value} of the last evaluation)
    :return: DataFrame ``partner_id``, ``kind``, ``warning_id`` (None for ``raise``),
        ``decision``, ``level`` (the warning's level afterwards), ``measured_level`` (the
        level of the figures), ``previous_level``, ``trend``, ``pressure``, ``figures``,
        ``account_class``; sorted by customer and kind
    """
    columns = [
        "partner_id",
        "kind",
        "warning_id",
        "decision",
        "level",
        "measured_level",
        "previous_level",
        "trend",
        "pressure",
        "figures",
        "account_class",
    ]
    current = pd.DataFrame(current, columns=["partner_id", "kind", "account_class", "level", "pressure", "figures"])
    warnings = pd.DataFrame(
        warnings, columns=["warning_id", "partner_id", "kind", "level", "state", "pressure", "figures"]
    )
    if warnings.duplicated(["partner_id", "kind"]).any():
        raise ValueError("At most one warning per customer and kind may be open.")
    merged = current.merge(
        warnings.rename(
            columns={"level": "old_level", "pressure": "old_pressure", "figures": "old_figures"},
        ),
        on=["partner_id", "kind"],
        how="outer",
    )
    rows = []
    for row in merged.itertuples(index=False):
        measured = row.level if isinstance(row.level, str) else "none"
        pressure = 0.0 if pd.isna(row.pressure) else float(row.pressure)
        figures = row.figures if isinstance(row.figures, dict) else {}
        has_warning = not pd.isna(row.warning_id)
        if not has_warning:
            if measured == "none":
                continue
            rows.append(
                (
                    row.partner_id,
                    row.kind,
                    None,
                    "raise",
                    measured,
                    measured,
                    "none",
                    "worse",
                    pressure,
                    figures,
                    row.account_class,
                )
            )
            continue
        old_level = row.old_level
        old_pressure = 0.0 if pd.isna(row.old_pressure) else float(row.old_pressure)
        old_figures = row.old_figures if isinstance(row.old_figures, dict) else {}
        klass = row.account_class if isinstance(row.account_class, str) else None
        if measured == "none":
            if row.state == "recovered":
                decision, trend = "keep", "same"
                pressure, figures = old_pressure, old_figures
            else:
                decision, trend = "propose_closing", "better"
            rows.append(
                (
                    row.partner_id,
                    row.kind,
                    int(row.warning_id),
                    decision,
                    old_level,
                    "none",
                    old_level,
                    trend,
                    pressure,
                    figures,
                    klass,
                )
            )
            continue
        # The level the figures point at, compared with the last evaluation's.
        last_measured = "none" if row.state == "recovered" else old_level
        trend = trend_of(last_measured, old_pressure, measured, pressure)
        if RANK[measured] > RANK[old_level]:
            decision, level = "escalate", measured
        elif row.state == "recovered":
            decision, level = "reopen", old_level
        elif _same_figures(old_figures, figures) and abs(pressure - old_pressure) <= FIGURE_TOLERANCE:
            decision, level, trend = "keep", old_level, "same"
        else:
            decision, level = "update", old_level
        rows.append(
            (
                row.partner_id,
                row.kind,
                int(row.warning_id),
                decision,
                level,
                measured,
                old_level,
                trend,
                pressure,
                figures,
                klass,
            )
        )
    result = pd.DataFrame(rows, columns=columns)
    return result.sort_values(["partner_id", "kind"], kind="stable").reset_index(drop=True)


def apply(warnings, decisions, next_id=None):
    """The warnings after ``decisions`` (what the models write, as a frame), for tests and
    the benchmark: raised warnings get new ids from ``next_id`` (default: after the largest)."""
    warnings = pd.DataFrame(
        warnings, columns=["warning_id", "partner_id", "kind", "level", "state", "pressure", "figures"]
    ).copy()
    by_id = {int(row.warning_id): row._asdict() for row in warnings.itertuples(index=False)}
    next_id = next_id or (max(by_id) + 1 if by_id else 1)
    for row in pd.DataFrame(decisions).itertuples(index=False):
        if row.decision == "raise":
            by_id[next_id] = {
                "warning_id": next_id,
                "partner_id": row.partner_id,
                "kind": row.kind,
                "level": row.level,
                "state": "open",
                "pressure": row.pressure,
                "figures": row.figures,
            }
            next_id += 1
            continue
        record = by_id[int(row.warning_id)]
        record.update({"level": row.level, "pressure": row.pressure, "figures": row.figures})
        if row.decision == "propose_closing":
            record["state"] = "recovered"
        elif row.decision in ("reopen", "escalate"):
            record["state"] = "open"
    return pd.DataFrame(
        list(by_id.values()), columns=["warning_id", "partner_id", "kind", "level", "state", "pressure", "figures"]
    )
