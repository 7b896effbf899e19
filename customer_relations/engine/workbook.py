"""The leadership Excel summary of a satisfaction analysis (xlsxwriter, constant memory).

``write_summary`` takes the JSON-safe analysis produced by ``satisfaction.analyse`` and two
iterables of rows (open comments, per-customer results) that may come straight from a
database cursor: rows are written as they arrive, in xlsxwriter's constant-memory mode, so
exporting 50,000 answers does not hold them in memory.
"""

import xlsxwriter

QUADRANT_LABELS = {
    "keep_up": "Keep up the good work",
    "concentrate": "Concentrate here",
    "low_priority": "Low priority",
    "overkill": "Possible overkill",
}


def _value(value):
    return "" if value is None else value


class _Sheet:
    """A worksheet with a bold header row, frozen panes, an autofilter and widths."""

    def __init__(self, book, name, headers, widths, formats):
        self.sheet = book.add_worksheet(name)
        self.formats = formats
        self.row = 0
        self.columns = len(headers)
        for column, (header, width) in enumerate(zip(headers, widths, strict=True)):
            self.sheet.set_column(column, column, width)
            self.sheet.write(0, column, header, formats["header"])
        self.sheet.freeze_panes(1, 0)

    def add(self, values, styles=()):
        self.row += 1
        for column, value in enumerate(values):
            style = self.formats.get(styles[column]) if column < len(styles) and styles[column] else None
            self.sheet.write(self.row, column, _value(value), style)

    def finish(self):
        self.sheet.autofilter(0, 0, max(self.row, 1), self.columns - 1)


def write_summary(target, analysis, title="Satisfaction summary", target_index=None, comments=(), customers=()):
    """Write the workbook to ``target`` (a path or a binary file object).

    Sheets: Summary, Dimensions (with a bar chart), Segments, Drivers (with the
    importance-performance scatter chart), Reliability, Items, Comments, Customers.
    """
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False, "nan_inf_to_errors": True})
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#1E6E8C", "font_color": "#FFFFFF", "border": 1}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "num1": book.add_format({"num_format": "0.0"}),
        "num2": book.add_format({"num_format": "0.00"}),
        "num3": book.add_format({"num_format": "0.000"}),
        "pct": book.add_format({"num_format": "0.0%"}),
        "int": book.add_format({"num_format": "0"}),
    }
    index = analysis.get("index") or {}
    nps = analysis.get("nps") or {}
    response = analysis.get("response") or {}
    comparison = analysis.get("comparison") or {}

    summary = _Sheet(book, "Summary", ["Measure", "Value", "Low", "High"], [36, 14, 12, 12], formats)
    invited = response.get("invited") or 0
    rate = (response.get("answered") or 0) / invited if invited else None
    summary.add(["Title", title])
    summary.add(["Answers", analysis.get("n")], ("", "int"))
    summary.add(["Response rate", rate], ("", "pct"))
    summary.add(
        ["Satisfaction index", index.get("mean"), index.get("low"), index.get("high")], ("", "num1", "num1", "num1")
    )
    summary.add(["Target index", target_index], ("", "num1"))
    summary.add(["Net promoter score", nps.get("nps"), nps.get("low"), nps.get("high")], ("", "num1", "num1", "num1"))
    summary.add(["Promoters", nps.get("promoters")], ("", "pct"))
    summary.add(["Detractors", nps.get("detractors")], ("", "pct"))
    summary.add(["Difference with the previous campaign", comparison.get("difference")], ("", "num1"))
    summary.add(["p-value of the difference", comparison.get("p")], ("", "num3"))
    for flag in analysis.get("flags", []):
        summary.add(["Note", flag])
    summary.finish()

    dimensions = analysis.get("dimensions", [])
    dim_sheet = _Sheet(
        book,
        "Dimensions",
        ["Dimension", "n", "Mean", "Std. dev.", "Low", "High", "Top-2-box"],
        [30, 8, 10, 10, 10, 10, 12],
        formats,
    )
    for row in dimensions:
        dim_sheet.add(
            [row["dimension"], row["n"], row["mean"], row["std"], row["low"], row["high"], row["top2"]],
            ("", "int", "num1", "num1", "num1", "num1", "pct"),
        )
    dim_sheet.finish()
    if dimensions:
        chart = book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "Mean score",
                "categories": ["Dimensions", 1, 0, len(dimensions), 0],
                "values": ["Dimensions", 1, 2, len(dimensions), 2],
            }
        )
        chart.set_title({"name": "Satisfaction by dimension"})
        chart.set_x_axis({"min": 0, "max": 100})
        chart.set_legend({"none": True})
        dim_sheet.sheet.insert_chart(1, 8, chart)

    segments = _Sheet(
        book,
        "Segments",
        ["Segment", "Group", "n", "Index", "ANOVA p", "Kruskal-Wallis p"],
        [16, 28, 8, 10, 10, 16],
        formats,
    )
    for segment, content in (analysis.get("segments") or {}).items():
        test = content.get("test") or {}
        for group in content.get("groups", []):
            segments.add(
                [segment, group["segment"], group["n"], group["index"], test.get("anova_p"), test.get("kruskal_p")],
                ("", "", "int", "num1", "num3", "num3"),
            )
    segments.finish()

    regression = {c["dimension"]: c for c in (analysis.get("regression") or {}).get("coefficients", [])}
    performance = {row["dimension"]: row["mean"] for row in dimensions}
    quadrants = analysis.get("quadrants") or {}
    correlations = analysis.get("correlations", [])
    drivers = _Sheet(
        book,
        "Drivers",
        ["Dimension", "Importance (|r|)", "Performance", "r", "p", "Beta", "Beta p", "Relative importance", "Quadrant"],
        [28, 16, 12, 8, 8, 8, 8, 18, 24],
        formats,
    )
    for row in correlations:
        coefficient = regression.get(row["dimension"], {})
        drivers.add(
            [
                row["dimension"],
                abs(row["r"]) if row["r"] is not None else None,
                performance.get(row["dimension"]),
                row["r"],
                row["p"],
                coefficient.get("beta"),
                coefficient.get("p"),
                coefficient.get("importance"),
                QUADRANT_LABELS.get(quadrants.get(row["dimension"]), ""),
            ],
            ("", "num2", "num1", "num2", "num3", "num2", "num3", "pct", ""),
        )
    drivers.add(["R-squared", (analysis.get("regression") or {}).get("r2")], ("", "num2"))
    drivers.finish()
    if correlations:
        scatter = book.add_chart({"type": "scatter"})
        scatter.add_series(
            {
                "name": "Dimensions",
                "categories": ["Drivers", 1, 1, len(correlations), 1],
                "values": ["Drivers", 1, 2, len(correlations), 2],
                "marker": {"type": "circle", "size": 8},
                "data_labels": {"value": False, "custom": [{"value": row["dimension"]} for row in correlations]},
            }
        )
        scatter.set_title({"name": "Importance - performance"})
        scatter.set_x_axis({"name": "Importance (|r| with overall satisfaction)"})
        scatter.set_y_axis({"name": "Performance (mean score)"})
        scatter.set_legend({"none": True})
        drivers.sheet.insert_chart(1, 10, scatter)

    reliability = analysis.get("reliability") or {}
    kmo = analysis.get("kmo") or {}
    bartlett = analysis.get("bartlett") or {}
    factors = analysis.get("factors") or {}
    rel = _Sheet(book, "Reliability", ["Check", "Value", "Note"], [34, 14, 60], formats)
    rel.add(["Cronbach's alpha (all items)", reliability.get("alpha")], ("", "num3"))
    for dimension, alpha in (analysis.get("reliability_by_dimension") or {}).items():
        rel.add([f"Cronbach's alpha: {dimension}", alpha], ("", "num3"))
    rel.add(["KMO", kmo.get("kmo")], ("", "num3"))
    rel.add(["Bartlett chi-square", bartlett.get("chi2")], ("", "num1"))
    rel.add(["Bartlett p-value", bartlett.get("p")], ("", "num3"))
    rel.add(["Factors retained", factors.get("n_factors")], ("", "int"))
    for position, (eigen, cumulative) in enumerate(
        zip(factors.get("eigenvalues", []), factors.get("cumulative", []), strict=False), 1
    ):
        rel.add([f"Factor {position}: eigenvalue / cumulative variance", eigen, f"{cumulative:.1%}"], ("", "num2", ""))
    for flag in reliability.get("flags", []) + kmo.get("flags", []) + factors.get("flags", []):
        rel.add(["Finding", None, flag])
    rel.finish()

    msa = kmo.get("msa") or {}
    item_rel = {row["item"]: row for row in reliability.get("items", [])}
    loadings = factors.get("loadings") or {}
    factor_headers = [f"Loading F{i + 1}" for i in range(factors.get("n_factors") or 0)]
    items = _Sheet(
        book,
        "Items",
        ["Item", "n", "Mean", "Std. dev.", "Top-2-box", "Alpha if deleted", "Item-total r", "MSA", *factor_headers],
        [44, 8, 10, 10, 10, 14, 12, 8, *[11] * len(factor_headers)],
        formats,
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

    comment_sheet = _Sheet(book, "Comments", ["Customer", "Question", "Comment"], [36, 40, 90], formats)
    for row in comments:
        comment_sheet.add(list(row))
    comment_sheet.finish()

    customer_sheet = _Sheet(
        book,
        "Customers",
        ["Customer", "Satisfaction index", "Recommend (0-10)", "Tier", "Class", "Salesperson", "Region"],
        [40, 16, 16, 8, 12, 24, 18],
        formats,
    )
    for row in customers:
        customer_sheet.add(list(row), ("", "num1", "num1", "", "", "", ""))
    customer_sheet.finish()
    book.close()
