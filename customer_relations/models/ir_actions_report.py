import functools
import logging
import subprocess

from odoo import models
from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

from ..engine.pdf_stamp import stamp_pages

_logger = logging.getLogger(__name__)

REPORT_PREFIX = "customer_relations."


@functools.cache
def wkhtmltopdf_prints_headers():
    """Whether the installed wkhtmltopdf prints Odoo's header and footer: only the build with
    patched Qt does (its ``--version`` says so); Debian's build drops them silently."""
    try:
        version = subprocess.run(
            [_get_wkhtmltopdf_bin(), "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "patched qt" in version.lower()


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """Where wkhtmltopdf prints no header and footer, stamp the company, the document
        reference and the page number on every page of the addon's reports."""
        streams = super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        report = self._get_report(report_ref)
        if not (report.report_name or "").startswith(REPORT_PREFIX) or self._cr_prints_headers():
            return streams
        records = self.env[report.model].browse([res_id for res_id in streams if res_id])
        for res_id, stream_data in streams.items():
            stream = stream_data.get("stream")
            if not stream or stream_data.get("attachment"):
                continue
            record = records.browse(res_id) if res_id else records
            stamped = stamp_pages(stream.getvalue(), functools.partial(self._cr_stamp_line, report, record))
            stream.seek(0)
            stream.truncate()
            stream.write(stamped)
            stream.seek(0)
        return streams

    def _cr_prints_headers(self):
        return wkhtmltopdf_prints_headers()

    def _cr_stamp_line(self, report, records, page, page_count):
        """The footer line of a page: company, reference, page / pages (no words to translate)."""
        company = records[:1].company_id if records and "company_id" in records else self.env.company
        reference = ", ".join(records.mapped("display_name")) if records else report.name
        return f"{(company or self.env.company).name} · {reference} · {page} / {page_count}"
