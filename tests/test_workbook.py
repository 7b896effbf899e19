"""The leadership workbook: a one-page director's summary first, numbers as numbers, print setup."""

import io
import zipfile
from itertools import pairwise

import numpy as np
import openpyxl
import pandas as pd
from cr_engine import satisfaction, workbook


def _analysis(previous=True):
    rng = np.random.default_rng(8)
    n = 60
    f1, f2 = rng.normal(size=n), rng.normal(size=n)
    items = pd.DataFrame(
        {f"q{i}": np.clip(50 + 15 * ((f1 if i < 3 else f2) + 0.5 * rng.normal(size=n)), 0, 100) for i in range(6)}
    )
    dims = pd.DataFrame(
        {"Quality": items[["q0", "q1", "q2"]].mean(axis=1), "Delivery": items[["q3", "q4"]].mean(axis=1)}
    )
    overall = dims.mean(axis=1) + rng.normal(size=n)
    segments = pd.DataFrame({"tier": ["A"] * 30 + ["C"] * 30})
    index = pd.Series(list(np.full(30, 85.0) + rng.normal(size=30)) + list(np.full(30, 55.0) + rng.normal(size=30)))
    result = satisfaction.analyse(
        items,
        dims,
        overall,
        pd.Series(rng.integers(0, 11, size=n), dtype=float),
        segments,
        {"Quality": ["q0", "q1", "q2"], "Delivery": ["q3", "q4"]},
        previous=index - 3 if previous else None,
        index=index,
        previous_recommend=pd.Series([5.0] * 10) if previous else None,
    )
    result["response"] = {"invited": 80, "answered": n}
    return result


def _write(analysis, customers=()):
    return openpyxl.load_workbook(io.BytesIO(_raw(analysis, customers)))


def _raw(analysis, customers=()):
    buffer = io.BytesIO()
    workbook.write_summary(
        buffer,
        analysis,
        title="2026 Satisfaction",
        target_index=85.0,
        customers=customers,
        findings=["Only a few answers."],
        subtitle="Survey, 2026",
        previous_name="2025 Satisfaction",
    )
    return buffer.getvalue()


def test_first_sheet_is_a_one_page_directors_summary():
    book = _write(_analysis())
    assert book.sheetnames[0] == "Summary"
    sheet = book["Summary"]
    values = {row[0]: row[1:] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert values["Answers"][0] == 60
    assert values["Response rate"][0] == 60 / 80, "answered of invited, not 100 %"
    assert isinstance(values["Satisfaction index"][0], float)
    assert (
        values["Index against the previous campaign"][0] == 3.0
        or abs(values["Index against the previous campaign"][0] - 3.0) < 1e-9
    )
    assert "NPS against the previous campaign" in values
    assert values["Best dimension"][1] in {"Quality", "Delivery"}
    assert values["Weakest dimension"][1] in {"Quality", "Delivery"}
    assert "Tier" in values, "the tier segments differ significantly (85 vs 55)"
    assert "Only a few answers." in [row[0] for row in sheet.iter_rows(values_only=True)]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight in (None, 1)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    with zipfile.ZipFile(io.BytesIO(_raw(_analysis()))) as archive:
        relations = archive.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    assert "drawing" in relations, "the importance-performance chart is on the summary"


def test_every_sheet_prints_and_numbers_stay_numbers():
    book = _write(_analysis(), customers=[("Customer", 88.25, None, "A", "Key", "Wang", "East")])
    for name in book.sheetnames:
        assert book[name].page_setup.orientation == "landscape"
    reliability = list(book["Reliability"].iter_rows(min_row=2, values_only=True))
    factor_rows = [row for row in reliability if str(row[0]).startswith("Factor ")]
    assert factor_rows and all(
        isinstance(row[2], int | float) for row in factor_rows
    ), "cumulative variance is a number"
    customer = next(book["Customers"].iter_rows(min_row=2, values_only=True))
    assert customer[1] == 88.25 and customer[2] is None, "no recommend answer: blank, not 0"
    assert book["Customers"].print_title_rows == "$1:$1"


def test_chart_labels_never_collide_and_axes_have_round_ticks():
    positions = [100.0, 101.0, 102.0, 150.0, 300.0, 301.0]
    placed = satisfaction.spread_labels(positions, 14.0, 20.0, 320.0)
    assert all(b - a >= 14.0 - 1e-9 for a, b in pairwise(placed))
    assert placed[0] >= 20.0 and placed[-1] <= 320.0
    crowded = satisfaction.spread_labels([300.0] * 5, 14.0, 20.0, 310.0)
    assert crowded[-1] <= 310.0 and all(b - a >= 14.0 - 1e-9 for a, b in pairwise(crowded))
    low, high = satisfaction.chart_range(0.41, 0.47, 0.0, 1.0)
    assert 0.0 <= low < 0.41 and 0.47 < high <= 1.0 and high - low < 0.5, "points spread, not bunched"
    ticks = satisfaction.chart_ticks(low, high)
    assert len(ticks) >= 3 and all(low - 1e-9 <= t <= high + 1e-9 for t in ticks)


def test_every_sheet_name_header_and_note_goes_through_the_translate_function():
    def translate(text):
        return f"ZH·{text}"

    buffer = io.BytesIO()
    workbook.write_summary(
        buffer,
        _analysis(),
        target_index=85.0,
        customers=[("Customer", 88.25, 9, "A", "Key", "Wang", "East")],
        comments=[("Customer", "Why?", "Fast delivery")],
        findings=["Only a few answers."],
        translate=translate,
        number=lambda value, digits=0: f"<{value:.{digits}f}>",
    )
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert len(book.sheetnames) == 8
    assert all(name.startswith("ZH·") for name in book.sheetnames), book.sheetnames
    for sheet in book.worksheets[1:]:
        headers = [cell for cell in next(sheet.iter_rows(max_row=1, values_only=True)) if cell]
        english = [
            cell for cell in headers if not cell.startswith("ZH·") and cell not in {"n", "r", "p", "Beta", "MSA"}
        ]
        assert not english, f"{sheet.title}: {english}"
    summary = book.worksheets[0]
    labels = [row[0] for row in summary.iter_rows(min_row=3, values_only=True) if row[0]]
    assert "ZH·Answers" in labels and "ZH·Findings" in labels
    assert summary.cell(1, 1).value == "ZH·Satisfaction summary", "the default title is translated too"
    notes = [row[2] for row in summary.iter_rows(min_row=3, values_only=True) if row[2]]
    assert "ZH·of %(invited)s invited" not in notes
    assert any(str(note).startswith("ZH·of ") and "<80>" in str(note) for note in notes), notes
    assert "ZH·Page" in summary.oddFooter.right.text, "the page footer is in the reader's language"
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        charts = " ".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/"))
    assert "'ZH·Drivers'!" in charts and "<c:f>Drivers!" not in charts, "the charts refer to the translated sheets"
    assert "ZH·Importance - performance" in charts


def test_a_translation_excel_refuses_as_sheet_name_still_gives_a_workbook():
    buffer = io.BytesIO()
    workbook.write_summary(buffer, _analysis(), translate=lambda text: f"[{text}]: a very long translated name?")
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert len(set(book.sheetnames)) == 8
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in book.sheetnames)


def test_two_sheets_translated_alike_both_get_a_name():
    buffer = io.BytesIO()
    workbook.write_summary(
        buffer, _analysis(), translate=lambda text: "客户" if text in {"Comments", "Customers"} else text
    )
    names = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).sheetnames
    assert names[-2:] == ["客户", "客户 (2)"]
