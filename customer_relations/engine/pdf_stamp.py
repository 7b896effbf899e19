"""A footer line stamped on every page of a PDF: company, document reference, page x of n.

Odoo prints its letterhead and page numbers through wkhtmltopdf's ``--header-html`` /
``--footer-html``, which only the build with patched Qt honours; Debian's build drops them and a
printed report becomes anonymous. The reports of the addon are stamped afterwards with a line
drawn by reportlab in the bottom margin.

Chinese in the stamp: reportlab embeds a subset of a TrueType font that maps each character to
its own glyph (WenQuanYi Micro Hei, Droid Sans Fallback, AR PL UMing), so the text layer stays
searchable. Noto CJK (OpenType/CFF) cannot be embedded by reportlab; without any of these fonts
the stamp falls back to the standard Adobe CJK font STSong-Light (not embedded: viewers
substitute it).
"""

import io
import os

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen import canvas

try:  # Odoo 18 runs with either
    from pypdf import PdfReader, PdfWriter
except ImportError:  # pragma: no cover - depends on the installed library
    from PyPDF2 import PdfReader, PdfWriter

# TrueType fonts (file, index in a collection) whose characters map one-to-one to glyphs.
STAMP_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)
FALLBACK_FONT = "STSong-Light"
FONT_SIZE = 8


def stamp_font(candidates=STAMP_FONTS):
    """Register and return the name of the font the stamp is written in."""
    for index, (path, subfont) in enumerate(candidates):
        if not os.path.exists(path):
            continue
        name = f"CustomerRelationsStamp{index}"
        if name not in pdfmetrics.getRegisteredFontNames():
            try:
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=subfont))
            except (TTFError, OSError):  # an unreadable font file: try the next one
                continue
        return name
    if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def stamp_pages(pdf_content, line_for_page, font_name=None):
    """Return ``pdf_content`` with ``line_for_page(page_number, page_count)`` written centred
    in the bottom margin of every page (page numbers start at 1)."""
    reader = PdfReader(io.BytesIO(pdf_content))
    writer = PdfWriter()
    count = len(reader.pages)
    font_name = font_name or stamp_font()
    for number, page in enumerate(reader.pages, start=1):
        width = float(page.mediabox.width)
        height = float(page.mediabox.height)
        overlay = io.BytesIO()
        sheet = canvas.Canvas(overlay, pagesize=(width, height))
        sheet.setFont(font_name, FONT_SIZE)
        sheet.setFillGray(0.35)
        sheet.drawCentredString(width / 2.0, 8 * mm, line_for_page(number, count))
        sheet.save()
        overlay.seek(0)
        page.merge_page(PdfReader(overlay).pages[0])
        writer.add_page(page)
    result = io.BytesIO()
    writer.write(result)
    return result.getvalue()
