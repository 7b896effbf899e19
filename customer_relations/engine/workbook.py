"""The leadership Excel summary of a satisfaction analysis (xlsxwriter, constant memory).

``write_summary`` takes the JSON-safe analysis produced by ``satisfaction.analyse`` and two
iterables of rows (open comments, per-customer results) that may come straight from a
database cursor: rows are written as they arrive, in xlsxwriter's constant-memory mode, so
exporting 50,000 answers does not hold them in memory.

The first sheet is a one-page summary for a director (headline index and NPS with the trend
against the previous campaign, best and worst dimensions, the importance-performance chart,
segments that differ significantly, the findings); the other sheets hold the detail. Every
sheet is set up to print (A4 landscape, one page wide, header row repeated).
Findings arrive already worded by the caller (in the reader's language).

Language: ``write_summary(..., translate=..., number=...)``. ``translate(text)`` returns a
literal in the reader's language (the caller's gettext; default: as written); ``number(value,
digits)`` writes a number as text for the reader (default ``1,234.5``). Every sheet writer
receives them as the keyword-only parameters ``_`` and ``number``, where ``_(source, **params)``
translates the literal ``source`` then fills its ``%(name)s`` placeholders, and writes every
literal a person reads as ``_("literal")`` so that Odoo's .pot extractor finds it. Cells that
hold numbers stay numbers (Excel shows them in the reader's locale).
"""

import xlsxwriter

A4 = 9


def translator(translate=None):
    """The ``_`` handed to every sheet writer: ``_(source, **params)`` is ``source`` in the
    reader's language (``translate``, or as written without one) with ``params`` filled in."""

    def _(source, **params):
        text = translate(source) if translate else source
        return text % params if params else text

    return _


def sheet_name(text, book=None):
    """A worksheet name Excel accepts whatever the translation: no ``[]:*?/\\``, 31
    characters, and (given the ``book``) not taken by another sheet."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in text).strip(" '")[:31] or "Sheet"
    name, count = cleaned, 1
    taken = {sheet.name.lower() for sheet in book.worksheets()} if book else set()
    while name.lower() in taken:
        count += 1
        suffix = f" ({count})"
        name = cleaned[: 31 - len(suffix)] + suffix
    return name


def add_sheet(book, text):
    """A new worksheet named after ``text`` (see ``sheet_name``)."""
    return book.add_worksheet(sheet_name(text, book))


def default_number(value, digits=0):
    return f"{value:,.{digits}f}"


def quadrant_labels(_):
    return {
        "keep_up": _("Keep up the good work"),
        "concentrate": _("Concentrate here"),
        "low_priority": _("Low priority"),
        "overkill": _("Possible overkill"),
    }


def segment_labels(_):
    return {
        "tier": _("Tier"),
        "class": _("Account class"),
        "region": _("Sales region"),
        "industry": _("Industry"),
    }


def _value(value):
    return "" if value is None else value


def _print_setup(sheet, _, header_rows=1, one_page=False):
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    sheet.hide_gridlines(0)
    if one_page:
        sheet.fit_to_pages(1, 1)
    else:
        sheet.fit_to_pages(1, 0)
        if header_rows:
            sheet.repeat_rows(0, header_rows - 1)
    sheet.set_footer("&L&A&R" + _("Page %(page)s of %(pages)s", page="&P", pages="&N"))


class _Sheet:
    """A worksheet with a bold header row, frozen panes, an autofilter, widths and print setup."""

    def __init__(self, book, name, headers, widths, formats, _):
        self.sheet = add_sheet(book, name)
        self.name = self.sheet.name
        self.formats = formats
        self.row = 0
        self.columns = len(headers)
        for column, (header, width) in enumerate(zip(headers, widths, strict=True)):
            self.sheet.set_column(column, column, width)
            self.sheet.write(0, column, header, formats["header"])
        self.sheet.freeze_panes(1, 0)
        _print_setup(self.sheet, _)

    def add(self, values, styles=()):
        self.row += 1
        for column, value in enumerate(values):
            style = self.formats.get(styles[column]) if column < len(styles) and styles[column] else None
            self.sheet.write(self.row, column, _value(value), style)

    def finish(self):
        self.sheet.autofilter(0, 0, max(self.row, 1), self.columns - 1)


def _trend_text(difference, p, *, _, number):
    if difference is None:
        return ""
    signed = ("+" if difference >= 0 else "-") + number(abs(difference), 1)
    if p is None:
        return _("%(difference)s points", difference=signed)
    if p < 0.05:
        return _("%(difference)s points (significant, p = %(p)s)", difference=signed, p=number(p, 3))
    return _("%(difference)s points (not significant, p = %(p)s)", difference=signed, p=number(p, 2))


def _director_sheet(book, formats, analysis, title, target_index, subtitle, previous_name, findings, *, _, number):
    """The one-page summary: headline figures in columns A-D, the importance-performance
    chart beside them, segments and findings below. Returns the sheet."""
    sheet = add_sheet(book, _("Summary"))
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 3, 12)
    sheet.set_column(4, 4, 2)
    sheet.set_column(5, 12, 10)
    _print_setup(sheet, _, one_page=True)
    index = analysis.get("index") or {}
    nps = analysis.get("nps") or {}
    response = analysis.get("response") or {}
    comparison = analysis.get("comparison") or {}
    nps_comparison = analysis.get("nps_comparison") or {}
    invited = response.get("invited")
    answered = response.get("answered", analysis.get("n"))
    rows = []  # (label, value, style, low, high, note)
    invited_note = _("of %(invited)s invited", invited=number(invited)) if invited else ""
    rows.append((_("Answers"), answered, "int", None, None, invited_note))
    rows.append((_("Response rate"), answered / invited if invited else None, "pct", None, None, ""))
    rows.append((_("Satisfaction index"), index.get("mean"), "big", index.get("low"), index.get("high"), "0-100"))
    rows.append((_("Target index"), target_index, "num1", None, None, ""))
    if comparison:
        rows.append(
            (
                _("Index against the previous campaign"),
                comparison.get("difference"),
                "num1",
                None,
                None,
                _trend_text(comparison.get("difference"), comparison.get("p"), _=_, number=number),
            )
        )
    rows.append((_("Net promoter score"), nps.get("nps"), "big", nps.get("low"), nps.get("high"), "-100..100"))
    if nps_comparison:
        rows.append(
            (
                _("NPS against the previous campaign"),
                nps_comparison.get("difference"),
                "num1",
                None,
                None,
                _("previous %(value)s", value=number(nps_comparison["previous"], 1))
                if nps_comparison.get("previous") is not None
                else "",
            )
        )
    dimensions = [d for d in analysis.get("dimensions", []) if d.get("mean") is not None]
    if dimensions:
        best = max(dimensions, key=lambda d: d["mean"])
        worst = min(dimensions, key=lambda d: d["mean"])
        rows.append((_("Best dimension"), best["mean"], "num1", None, None, best["dimension"]))
        rows.append((_("Weakest dimension"), worst["mean"], "num1", None, None, worst["dimension"]))
    sheet.write(0, 0, title, formats["title"])
    sheet.write(1, 0, subtitle or "", formats["muted"])
    if previous_name:
        sheet.write(1, 1, _("Previous campaign: %(name)s", name=previous_name), formats["muted"])
    row = 2
    for label, value, style, low, high, note in rows:
        sheet.write(row, 0, label, formats["label"])
        sheet.write(row, 1, _value(value), formats.get(style))
        if low is not None:
            sheet.write(row, 2, low, formats["num1"])
            sheet.write(row, 3, high, formats["num1"])
        elif note:
            sheet.write(row, 2, note, formats["muted"])
        row += 1
    row += 1
    sheet.write(row, 0, _("Segments that differ significantly"), formats["section"])
    row += 1
    significant = [
        (segment, content)
        for segment, content in (analysis.get("segments") or {}).items()
        if (content.get("test") or {}).get("significant")
    ]
    if not significant:
        sheet.write(row, 0, _("No difference significant at p < 0.05"), formats["muted"])
        row += 1
    for segment, content in significant:
        groups = sorted((g for g in content.get("groups", []) if g.get("index") is not None), key=lambda g: -g["index"])
        text = ", ".join(
            _("%(group)s %(index)s (n=%(n)s)", group=g["segment"], index=number(g["index"], 1), n=number(g["n"]))
            for g in groups
        )
        sheet.write(row, 0, segment_labels(_).get(segment, segment), formats["label"])
        sheet.write(row, 1, (content.get("test") or {}).get("anova_p"), formats["num3"])
        sheet.write(row, 2, text)
        row += 1
    row += 1
    sheet.write(row, 0, _("Findings"), formats["section"])
    row += 1
    for text in (findings or [])[:8]:
        sheet.write(row, 0, text, formats["wrap_muted"])
        row += 1
    sheet.print_area(0, 0, max(row, 24), 12)
    return sheet


def _ipa_chart(book, analysis, rows, drivers, *, _):
    """Importance-performance scatter from the Drivers sheet, its axes crossing at the means."""
    correlations = [r for r in analysis.get("correlations", []) if r.get("r") is not None]
    performance = {d["dimension"]: d["mean"] for d in analysis.get("dimensions", []) if d.get("mean") is not None}
    points = [r for r in correlations if r["dimension"] in performance]
    if not points:
        return None
    mean_x = sum(abs(r["r"]) for r in points) / len(points)
    mean_y = sum(performance[r["dimension"]] for r in points) / len(points)
    scatter = book.add_chart({"type": "scatter"})
    scatter.add_series(
        {
            "name": _("Dimensions"),
            "categories": [drivers, 1, 1, rows, 1],
            "values": [drivers, 1, 2, rows, 2],
            "marker": {"type": "circle", "size": 8},
            "data_labels": {
                "value": False,
                "position": "right",
                "custom": [{"value": row["dimension"]} for row in analysis.get("correlations", [])],
            },
        }
    )
    scatter.set_title({"name": _("Importance - performance"), "name_font": {"size": 11}})
    scatter.set_x_axis(
        {
            "name": _("Importance (|r| with overall satisfaction)"),
            "crossing": mean_y,
            "label_position": "low",
            "num_format": "0.00",
            "major_gridlines": {"visible": False},
        }
    )
    scatter.set_y_axis(
        {
            "name": _("Performance (mean score)"),
            "crossing": mean_x,
            "label_position": "low",
            "num_format": "0",
            "major_gridlines": {"visible": False},
        }
    )
    scatter.set_legend({"none": True})
    return scatter


def _dimensions_sheet(book, formats, analysis, *, _, number):
    """Dimensions with a bar chart of their means."""
    dimensions = analysis.get("dimensions", [])
    sheet = _Sheet(
        book,
        _("Dimensions"),
        [_("Dimension"), "n", _("Mean"), _("Std. dev."), _("Low"), _("High"), _("Top-2-box")],
        [30, 8, 10, 10, 10, 10, 12],
        formats,
        _,
    )
    for row in dimensions:
        sheet.add(
            [row["dimension"], row["n"], row["mean"], row["std"], row["low"], row["high"], row["top2"]],
            ("", "int", "num1", "num1", "num1", "num1", "pct"),
        )
    sheet.finish()
    if dimensions:
        chart = book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": _("Mean score"),
                "categories": [sheet.name, 1, 0, len(dimensions), 0],
                "values": [sheet.name, 1, 2, len(dimensions), 2],
            }
        )
        chart.set_title({"name": _("Satisfaction by dimension")})
        chart.set_x_axis({"min": 0, "max": 100})
        chart.set_legend({"none": True})
        sheet.sheet.insert_chart(1, 8, chart)


def _segments_sheet(book, formats, analysis, *, _, number):
    labels = segment_labels(_)
    sheet = _Sheet(
        book,
        _("Segments"),
        [_("Segment"), _("Group"), "n", _("Index"), _("ANOVA p"), _("Kruskal-Wallis p"), _("Significant")],
        [16, 28, 8, 10, 10, 16, 12],
        formats,
        _,
    )
    for segment, content in (analysis.get("segments") or {}).items():
        test = content.get("test") or {}
        for group in content.get("groups", []):
            sheet.add(
                [
                    labels.get(segment, segment),
                    group["segment"],
                    group["n"],
                    group["index"],
                    test.get("anova_p"),
                    test.get("kruskal_p"),
                    _("yes") if test.get("significant") else "",
                ],
                ("", "", "int", "num1", "num3", "num3", ""),
            )
    sheet.finish()


def _drivers_sheet(book, formats, analysis, *, _, number):
    """Importance and performance per dimension; returns the sheet (the chart goes beside)."""
    dimensions = analysis.get("dimensions", [])
    regression = {c["dimension"]: c for c in (analysis.get("regression") or {}).get("coefficients", [])}
    performance = {row["dimension"]: row["mean"] for row in dimensions}
    quadrants = analysis.get("quadrants") or {}
    labels = quadrant_labels(_)
    sheet = _Sheet(
        book,
        _("Drivers"),
        [
            _("Dimension"),
            _("Importance (|r|)"),
            _("Performance"),
            "n",
            "r",
            "p",
            "Beta",
            _("Beta p"),
            _("Relative importance"),
            _("Quadrant"),
        ],
        [28, 16, 12, 8, 8, 8, 8, 8, 18, 24],
        formats,
        _,
    )
    for row in analysis.get("correlations", []):
        coefficient = regression.get(row["dimension"], {})
        sheet.add(
            [
                row["dimension"],
                abs(row["r"]) if row["r"] is not None else None,
                performance.get(row["dimension"]),
                row.get("n"),
                row["r"],
                row["p"],
                coefficient.get("beta"),
                coefficient.get("p"),
                coefficient.get("importance"),
                labels.get(quadrants.get(row["dimension"]), ""),
            ],
            ("", "num2", "num1", "int", "num2", "num3", "num2", "num3", "pct", ""),
        )
    sheet.add([_("R-squared"), (analysis.get("regression") or {}).get("r2")], ("", "num2"))
    sheet.add([_("n (regression)"), (analysis.get("regression") or {}).get("n")], ("", "int"))
    sheet.finish()
    return sheet


def _reliability_sheet(book, formats, analysis, findings, *, _, number):
    reliability = analysis.get("reliability") or {}
    kmo = analysis.get("kmo") or {}
    bartlett = analysis.get("bartlett") or {}
    factors = analysis.get("factors") or {}
    rel = _Sheet(
        book,
        _("Reliability"),
        [_("Statistic"), _("Value"), _("Low"), _("High"), "n", _("Note")],
        [36, 12, 10, 10, 8, 70],
        formats,
        _,
    )
    total = reliability.get("n_total")
    rel.add(
        [
            _("Cronbach's alpha (all items)"),
            reliability.get("alpha"),
            reliability.get("low"),
            reliability.get("high"),
            reliability.get("n"),
            _(
                "complete answers of %(total)s (listwise deletion)",
                total=number(total) if total is not None else "",
            ),
        ],
        ("", "num3", "num3", "num3", "int", ""),
    )
    for row in analysis.get("reliability_by_dimension") or []:
        rel.add(
            [
                _("Cronbach's alpha: %(dimension)s", dimension=row["dimension"]),
                row.get("alpha"),
                row.get("low"),
                row.get("high"),
                row.get("n"),
                _("%(count)s items", count=row.get("k")),
            ],
            ("", "num3", "num3", "num3", "int", ""),
        )
    rel.add(["KMO", kmo.get("kmo"), None, None, kmo.get("n")], ("", "num3", "", "", "int"))
    rel.add(
        [_("Bartlett chi-square"), bartlett.get("chi2"), None, None, bartlett.get("n")], ("", "num1", "", "", "int")
    )
    rel.add([_("Bartlett degrees of freedom"), bartlett.get("df")], ("", "int"))
    rel.add([_("Bartlett p-value"), bartlett.get("p")], ("", "num3"))
    rel.add([_("Factors retained"), factors.get("n_factors"), None, None, factors.get("n")], ("", "int", "", "", "int"))
    for position, (eigen, cumulative) in enumerate(
        zip(factors.get("eigenvalues", []), factors.get("cumulative", []), strict=False), 1
    ):
        rel.add(
            [_("Factor %(position)s: eigenvalue, cumulative variance", position=position), eigen, cumulative],
            ("", "num2", "pct"),
        )
    for text in findings or []:
        rel.add([_("Finding"), None, None, None, None, text])
    rel.finish()


def _items_sheet(book, formats, analysis, *, _, number):
    reliability = analysis.get("reliability") or {}
    factors = analysis.get("factors") or {}
    msa = (analysis.get("kmo") or {}).get("msa") or {}
    item_rel = {row["item"]: row for row in reliability.get("items", [])}
    loadings = factors.get("loadings") or {}
    factor_headers = [_("Loading F%(position)s", position=i + 1) for i in range(factors.get("n_factors") or 0)]
    items = _Sheet(
        book,
        _("Items"),
        [
            _("Item"),
            "n",
            _("Mean"),
            _("Std. dev."),
            _("Top-2-box"),
            _("Alpha if deleted"),
            _("Item-total r"),
            "MSA",
            *factor_headers,
        ],
        [44, 8, 10, 10, 10, 14, 12, 8, *[11] * len(factor_headers)],
        formats,
        _,
    )
    for row in analysis.get("items", []):
        extra = item_rel.get(row["item"], {})
        items.add(
            [
                row["item"],
                row["n"],
                row["mean"],
                row["std"],
                row["top2"],
                extra.get("alpha_if_deleted"),
                extra.get("item_total"),
                msa.get(row["item"]),
                *(loadings.get(row["item"]) or [None] * len(factor_headers)),
            ],
            ("", "int", "num1", "num1", "pct", "num3", "num2", "num2", *["num2"] * len(factor_headers)),
        )
    items.finish()


def _comments_sheet(book, formats, comments, *, _, number):
    sheet = _Sheet(book, _("Comments"), [_("Customer"), _("Question"), _("Comment")], [36, 40, 90], formats, _)
    for row in comments:
        sheet.add(list(row))
    sheet.finish()


def _customers_sheet(book, formats, customers, *, _, number):
    sheet = _Sheet(
        book,
        _("Customers"),
        [
            _("Customer"),
            _("Satisfaction index"),
            _("Recommend (0-10)"),
            _("Tier"),
            _("Class"),
            _("Salesperson"),
            _("Region"),
        ],
        [40, 16, 16, 8, 12, 24, 18],
        formats,
        _,
    )
    for row in customers:
        sheet.add(list(row), ("", "num1", "int", "", "", "", ""))
    sheet.finish()


def _formats(book):
    return {
        "header": book.add_format(
            {"bold": True, "bg_color": "#1E6E8C", "font_color": "#FFFFFF", "border": 1, "text_wrap": True}
        ),
        "title": book.add_format({"bold": True, "font_size": 16}),
        "section": book.add_format({"bold": True, "font_size": 12, "bottom": 1}),
        "label": book.add_format({"bold": True}),
        "muted": book.add_format({"font_color": "#6C757D"}),
        "wrap_muted": book.add_format({"font_color": "#495057"}),
        "big": book.add_format({"num_format": "0.0", "bold": True, "font_size": 14}),
        "num1": book.add_format({"num_format": "0.0"}),
        "num2": book.add_format({"num_format": "0.00"}),
        "num3": book.add_format({"num_format": "0.000"}),
        "pct": book.add_format({"num_format": "0.0%"}),
        "int": book.add_format({"num_format": "0"}),
    }


def write_summary(
    target,
    analysis,
    title=None,
    target_index=None,
    comments=(),
    customers=(),
    findings=None,
    subtitle=None,
    previous_name=None,
    translate=None,
    number=None,
    extra_sheets=(),
):
    """Write the workbook to ``target`` (a path or a binary file object).

    Sheets: Summary (one page for a director), Dimensions (with a bar chart), Segments,
    Drivers (with the importance-performance scatter chart), Reliability, Items, Comments,
    Customers (rows as given: the caller sorts them).
    :param findings: the analysis' findings, worded by the caller
    :param translate: ``translate(text)``, the literal in the reader's language
    :param number: ``number(value, digits)``, a number written as text for the reader
    :param extra_sheets: sheet writers ``writer(book, formats, *, _, number)`` adding sheets at the end
    """
    _ = translator(translate)
    words = {"_": _, "number": number or default_number}
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False, "nan_inf_to_errors": True})
    formats = _formats(book)
    summary = _director_sheet(
        book,
        formats,
        analysis,
        title or _("Satisfaction summary"),
        target_index,
        subtitle,
        previous_name,
        findings,
        **words,
    )
    _dimensions_sheet(book, formats, analysis, **words)
    _segments_sheet(book, formats, analysis, **words)
    drivers = _drivers_sheet(book, formats, analysis, **words)
    rows = len(analysis.get("correlations", []))
    scatter = _ipa_chart(book, analysis, rows, drivers.name, _=_)
    if scatter:
        drivers.sheet.insert_chart(1, 11, scatter)
        summary_chart = _ipa_chart(book, analysis, rows, drivers.name, _=_)
        summary_chart.set_size({"width": 620, "height": 400})
        summary.insert_chart(2, 5, summary_chart)
    _reliability_sheet(book, formats, analysis, findings, **words)
    _items_sheet(book, formats, analysis, **words)
    _comments_sheet(book, formats, comments, **words)
    _customers_sheet(book, formats, customers, **words)
    for writer in extra_sheets:
        writer(book, formats, **words)
    book.close()


def write_improvement_sheet(book, formats, rows, *, _, number=None):
    """The sheet "Improvement plan": each line of the campaign's improvement plan (and of the
    plan evaluated at this campaign) with its department, owner, deadline, state, reply and
    evaluation (scores before and after, n, Welch's p).

    :param rows: dicts with plan, line, kind, department, owner, deadline, state, reply_date,
        evaluation (labels, already in the reader's language), score_before, score_after,
        n_before, n_after, p (numbers or None)
    :param _: translates a literal into the reader's language
    """
    sheet = _Sheet(
        book,
        _("Improvement plan"),
        [
            _("Plan"),
            _("Line"),
            _("Kind"),
            _("Responsible department"),
            _("Owner"),
            _("Deadline"),
            _("State"),
            _("Reply sent on"),
            _("Score before"),
            _("Score after"),
            _("n before"),
            _("n after"),
            _("p (Welch t-test)"),
            _("Evaluation"),
        ],
        [30, 30, 18, 22, 18, 12, 10, 18, 12, 12, 9, 9, 14, 14],
        formats,
        _,
    )
    for row in rows:
        sheet.add(
            [
                row["plan"],
                row["line"],
                row["kind"],
                row["department"],
                row["owner"],
                row["deadline"],
                row["state"],
                row["reply_date"],
                row["score_before"],
                row["score_after"],
                row["n_before"],
                row["n_after"],
                row["p"],
                row["evaluation"],
            ],
            ("", "", "", "", "", "", "", "", "num1", "num1", "int", "int", "num3", ""),
        )
    sheet.finish()
