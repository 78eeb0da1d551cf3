"""The report constructor's files: CSV (with a byte-order mark, so spreadsheet programs read
it as UTF-8), Excel, JSON and PDF (fpdf2 with the Roboto font, as the discussions' documents).

Every file carries the same header row and says when its figures were computed ("as of").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from typing import Any

import font_roboto
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF

from .selectors import ReportRow

__all__ = ["FORMATS", "REPORT_HEADER", "render_file"]

REPORT_HEADER = [
    "slice",
    "requests",
    "open",
    "done",
    "confirmed",
    "rejected",
    "merged",
    "closed",
    "closed_on_time",
    "on_time_percent",
    "overdue",
    "reopened",
    "reopen_percent",
    "average_hours_to_close",
    "average_hours_awaiting_dispatcher",
    "average_hours_to_accept",
    "average_hours_to_start",
    "average_hours_of_work",
]

#: The file formats the constructor offers: extension → content type. Anything else is 404.
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
}

#: A cell a spreadsheet would run as a formula (CSV/formula injection): such text gets a
#: leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def report_lines(rows: Iterable[ReportRow]) -> list[list[Any]]:
    return [
        [
            r.label,
            r.total,
            r.open,
            r.done,
            r.confirmed,
            r.rejected,
            r.merged,
            r.closed,
            r.closed_on_time,
            r.on_time_share,
            r.overdue,
            r.reopened,
            r.reopen_share,
            r.average_hours,
            *r.stage_averages,
        ]
        for r in rows
    ]


def _safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _as_csv(lines: list[list[Any]], meta: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADER)
    writer.writerows([_safe_text(c) for c in line] for line in lines)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _as_xlsx(lines: list[list[Any]], meta: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("report")
    sheet.append(REPORT_HEADER)
    for line in lines:
        sheet.append([_safe_text(c) for c in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _as_json(lines: list[list[Any]], meta: dict[str, Any]) -> bytes:
    data = {**meta, "rows": [dict(zip(REPORT_HEADER, line, strict=True)) for line in lines]}
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()


#: Columns of the PDF (landscape A4 is too narrow for all 18): the slice and the main figures.
_PDF_COLUMNS = (
    ("slice", lambda: _("Slice"), 52),
    ("requests", lambda: _("Requests"), 17),
    ("open", lambda: pgettext("requests status", "Open"), 15),
    ("closed", lambda: pgettext("requests status", "Closed"), 15),
    ("rejected", lambda: _("Rejected"), 17),
    # "%%": the catalogue's msgid, shared with the page's template.
    ("on_time_percent", lambda: _("On time, %%") % (), 17),
    ("overdue", lambda: _("Overdue"), 17),
    ("reopen_percent", lambda: _("Reopened, %%") % (), 18),
    ("average_hours_to_close", lambda: _("Average hours to close"), 22),
    ("average_hours_awaiting_dispatcher", lambda: _("Hours awaiting dispatcher"), 22),
    ("average_hours_to_accept", lambda: _("Hours to accept"), 20),
    ("average_hours_to_start", lambda: _("Hours to start work"), 20),
    ("average_hours_of_work", lambda: _("Hours of work"), 20),
)


def _number(value: Any) -> str:
    return "—" if value is None else formats.localize(value)


def _as_pdf(lines: list[list[Any]], meta: dict[str, Any]) -> bytes:
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("Roboto", "", font_roboto.Roboto)
    pdf.add_font("Roboto", "B", font_roboto.RobotoBold)
    pdf.set_title(meta["title"])
    pdf.set_creation_date(meta["generated_at"])
    pdf.add_page()
    pdf.set_font("Roboto", "B", 14)
    pdf.multi_cell(0, 7, meta["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "", 9)
    for line in meta["description"]:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    index = {name: i for i, name in enumerate(REPORT_HEADER)}
    pdf.set_font("Roboto", "", 8)
    with pdf.table(
        col_widths=[w for _n, _t, w in _PDF_COLUMNS],
        text_align=["LEFT"] + ["RIGHT"] * (len(_PDF_COLUMNS) - 1),
        line_height=4.5,
        first_row_as_headings=True,
    ) as table:
        head = table.row()
        for _name, title, _w in _PDF_COLUMNS:
            head.cell(str(title()))
        for line in lines:
            row = table.row()
            for name, _t, _w in _PDF_COLUMNS:
                row.cell(_number(line[index[name]]))
    if not lines:
        pdf.ln(2)
        pdf.cell(0, 5, _("No data for these filters."))
    return bytes(pdf.output())


_WRITERS = {"csv": _as_csv, "xlsx": _as_xlsx, "json": _as_json, "pdf": _as_pdf}


def render_file(fmt: str, rows: list[ReportRow], meta: dict[str, Any]) -> bytes:
    """The report in one of :data:`FORMATS`. ``meta``: ``title``, ``description`` (lines of
    text: period, filters, "as of"), ``as_of`` and the filters, for the JSON file."""
    meta = {"generated_at": timezone.now(), **meta}
    if isinstance(meta.get("as_of"), dt.datetime):
        meta["as_of"] = timezone.localtime(meta["as_of"])
    return _WRITERS[fmt](report_lines(rows), meta)
