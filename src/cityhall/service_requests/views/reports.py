"""Staff reports on requests: counts, timeliness and reopen rate by district, organisation,
category, channel and period, on the page and as CSV or Excel files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cityhall.accounts.models import Role
from cityhall.accounts.permissions import staff_required
from cityhall.geo import selectors as geo

from .. import selectors
from ..models import (
    ApplicantKind,
    Category,
    Channel,
)
from .pages import int_or_none

__all__ = [
    "REPORT_HEADER",
    "REPORT_ROLES",
    "reports",
    "reports_export",
]


REPORT_ROLES = [Role.DISPATCHER, Role.DECISION_MAKER, Role.ADMINISTRATOR]


def _report_params(request) -> dict:
    def day(name):
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    by = request.GET.get("by", "district")
    return {
        "by": by if by in selectors.REPORT_DIMENSIONS else "district",
        "start": day("start"),
        "end": day("end"),
        "district_id": int_or_none(request.GET.get("district")),
        "organisation_id": int_or_none(request.GET.get("organisation")),
        "category_id": int_or_none(request.GET.get("category")),
        "channel": request.GET.get("channel", "")
        if request.GET.get("channel") in Channel.values
        else "",
        "applicant_kind": request.GET.get("applicant_kind", "")
        if request.GET.get("applicant_kind") in ApplicantKind.values
        else "",
    }


@staff_required(REPORT_ROLES)
def reports(request):
    params = _report_params(request)
    rows = selectors.report(**params)
    peak = max((r.total for r in rows), default=0)
    return render(
        request,
        "service_requests/reports.html",
        {
            "title": _("Requests: reports"),
            "rows": rows,
            "peak": peak or 1,
            "params": params,
            "dimensions": [
                ("district", _("District")),
                ("suburb", _("Suburb")),
                ("organisation", _("Organisation")),
                ("category", _("Category")),
                ("channel", _("Channel")),
                ("applicant_kind", _("Applicant")),
                ("month", _("Month")),
            ],
            "channels": Channel.choices,
            "kinds": ApplicantKind.choices,
            "categories": Category.objects.order_by("code"),
            "districts": geo.districts_with_counts(),
            "query": request.GET.urlencode(),
        },
    )


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


def _report_lines(rows):
    for r in rows:
        yield [
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


@staff_required(REPORT_ROLES)
def reports_export(request, fmt: str):
    rows = selectors.report(**_report_params(request))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(REPORT_HEADER)
        writer.writerows(_report_lines(rows))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="requests-report.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("report")
    sheet.append(REPORT_HEADER)
    for line in _report_lines(rows):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="requests-report.xlsx"'
    return response
