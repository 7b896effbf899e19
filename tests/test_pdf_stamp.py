"""Chinese in the PDF reports stays searchable: the report font stack and the page stamp.

wkhtmltopdf and pdftotext are the tools Odoo and a reader use; the tests that need them are
skipped where they are missing (``make setup`` installs both).
"""

import pathlib
import re
import shutil
import subprocess

import pytest
from cr_engine.pdf_stamp import stamp_font, stamp_pages

ADDON = pathlib.Path(__file__).resolve().parent.parent / "customer_relations"
NAME = "上海白玉兰洗涤设备有限公司"

needs_tools = pytest.mark.skipif(
    not (shutil.which("wkhtmltopdf") and shutil.which("pdftotext")), reason="wkhtmltopdf/pdftotext missing"
)


def report_font_stack():
    """The font-family the addon's reports use, read from the report stylesheet."""
    scss = (ADDON / "static" / "src" / "scss" / "report.scss").read_text(encoding="utf-8")
    return re.search(r"\.o_cr_report\s*\{[^}]*font-family:\s*([^;]+);", scss).group(1)


def pdf_text(path):
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def render(tmp_path, font_stack, body):
    html = tmp_path / "report.html"
    html.write_text(
        f"<html><head><meta charset=\"utf-8\"/></head><body><div style='font-family: {font_stack};'>{body}</div>"
        "</body></html>",
        encoding="utf-8",
    )
    pdf = tmp_path / "report.pdf"
    subprocess.run(["wkhtmltopdf", "--quiet", str(html), str(pdf)], check=True, timeout=120)
    return pdf


@needs_tools
def test_report_font_keeps_chinese_searchable(tmp_path):
    """白 and 玉 come out as themselves, not as the Kangxi radicals ⽩ (U+2F69) and ⽟ (U+2F5F)."""
    pdf = render(tmp_path, report_font_stack(), f"<h2>大客户协议评审</h2><p>{NAME} 客户投诉</p>")
    text = pdf_text(pdf)
    assert NAME in text
    assert "客户投诉" in text
    assert not re.search("[\u2e80-\u2fdf]", text), "radical look-alikes in the text layer"


@needs_tools
def test_stamp_names_company_reference_and_pages(tmp_path):
    """Every page carries the company, the reference and 'page / pages' in its text layer."""
    rows = "".join(f"<p>第 {n} 行</p>" for n in range(120))
    pdf = render(tmp_path, report_font_stack(), rows)
    stamped = stamp_pages(pdf.read_bytes(), lambda page, count: f"{NAME} · CC/2026/00001 · {page} / {count}")
    out = tmp_path / "stamped.pdf"
    out.write_bytes(stamped)
    pages = pdf_text(out).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"{NAME} · CC/2026/00001 · {number} / {len(pages)}" in page


def test_stamp_font_is_embeddable():
    """A registered font name comes back even when no TrueType CJK font is installed."""
    assert stamp_font()
    assert stamp_font(candidates=()) == "STSong-Light"
