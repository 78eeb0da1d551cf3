"""The report constructor: counts, timeliness and reopen rate by district, suburb,
organisation, organisation type, category, channel and period, on the page and as CSV, Excel,
JSON or PDF files.

Who sees what is one rule, in :mod:`cityhall.service_requests.reporting`: the public sees the
city-wide figures at ``/requests/reports/``; staff open ``/requests/staff/reports/`` and see the
whole city (the committee's overseers) or their own organisations' figures (everyone else).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.models import Organisation
from cityhall.accounts.permissions import otp_required
from cityhall.geo import selectors as geo

from .. import selectors, services
from ..models import ApplicantKind, Category, Channel
from ..report_files import FORMATS, REPORT_HEADER, render_file
from ..reporting import PUBLIC, ReportScope, figures_as_of, report_scope
from .pages import int_or_none

__all__ = [
    "REPORT_HEADER",
    "public_reports",
    "public_reports_export",
    "refresh_figures",
    "reports",
    "reports_export",
]


def _report_params(request: HttpRequest, scope: ReportScope) -> dict:
    def day(name):
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    def choice(name, allowed):
        value = request.GET.get(name, "")
        return value if value in allowed else ""

    by = request.GET.get("by", "district")
    return {
        "by": by if by in selectors.REPORT_DIMENSIONS else "district",
        "start": day("start"),
        "end": day("end"),
        "district_id": int_or_none(request.GET.get("district")),
        "suburb_id": int_or_none(request.GET.get("suburb")),
        "organisation_id": int_or_none(request.GET.get("organisation")),
        "organisation_type": choice("organisation_type", Organisation.Type.values),
        "organisation_ids": scope.organisation_ids,
        "category_id": int_or_none(request.GET.get("category")),
        "channel": choice("channel", Channel.values),
        "applicant_kind": choice("applicant_kind", ApplicantKind.values),
    }


def _dimensions() -> list[tuple[str, str]]:
    return [
        ("district", _("District")),
        ("suburb", _("Suburb")),
        ("organisation", _("Organisation")),
        ("organisation_type", _("Type of organisation")),
        ("category", _("Category")),
        ("channel", _("Channel")),
        ("applicant_kind", _("Applicant")),
        ("month", _("Month")),
    ]


def _title(scope: ReportScope) -> str:
    if scope.is_city_wide:
        return _("Requests: reports") if scope.is_staff else _("Requests: city statistics")
    return _("Requests: reports of my organisations")


def _page(request: HttpRequest, scope: ReportScope, export_url: str):
    params = _report_params(request, scope)
    rows = selectors.report(**params)
    peak = max((r.total for r in rows), default=0)
    query = request.GET.urlencode()
    return render(
        request,
        "service_requests/reports.html",
        {
            "title": _title(scope),
            "scope": scope,
            "rows": rows,
            "peak": peak or 1,
            "params": params,
            "as_of": figures_as_of(params["start"], params["end"]),
            "dimensions": _dimensions(),
            "channels": Channel.choices,
            "kinds": ApplicantKind.choices,
            "categories": Category.objects.order_by("code"),
            "districts": geo.districts_with_counts(),
            "suburbs": geo.suburbs_with_counts().select_related("district"),
            "organisations": scope.organisations(),
            "organisation_types": Organisation.Type.choices,
            "query": query,
            "export_links": [
                (label, f"{reverse(export_url, args=[fmt])}?{query}")
                for fmt, label in (
                    ("csv", _("Download CSV")),
                    ("xlsx", _("Download Excel (XLSX)")),
                    ("json", _("Download JSON")),
                    ("pdf", _("Download PDF")),
                )
            ],
        },
    )


def _describe(params: dict, scope: ReportScope, as_of: dt.datetime | None) -> list[str]:
    """Lines printed at the top of a file: what it covers and when it was computed."""

    def day(value):
        return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "…"

    period = {"start": day(params["start"]), "end": day(params["end"])}
    lines = [_("Period: %(start)s – %(end)s") % period]
    if not scope.is_city_wide:
        names = ", ".join(str(o) for o in scope.organisations())
        lines.append(_("Organisations: %(names)s") % {"names": names or "—"})
    if as_of:
        when = formats.date_format(timezone.localtime(as_of), "SHORT_DATETIME_FORMAT")
        lines.append(_("Figures as of %(time)s") % {"time": when})
    return lines


def _export(request: HttpRequest, scope: ReportScope, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    params = _report_params(request, scope)
    as_of = figures_as_of(params["start"], params["end"])
    meta = {
        "title": _title(scope),
        "description": _describe(params, scope, as_of),
        "as_of": as_of,
        "by": params["by"],
        "filters": {k: v for k, v in params.items() if k not in ("by", "organisation_ids") and v},
        "organisations": None if scope.is_city_wide else sorted(scope.organisation_ids or ()),
    }
    body = render_file(fmt, selectors.report(**params), meta)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="requests-report.{fmt}"'
    return response


@otp_required
def reports(request):
    """Staff report: the whole city or the viewer's organisations (``reporting``); people
    without a staff role are sent to the public city-wide report."""
    scope = report_scope(request.user)
    if not scope.is_staff:
        return redirect(f"{reverse('service_requests:public_reports')}?{request.GET.urlencode()}")
    return _page(request, scope, "service_requests:reports_export")


@otp_required
def reports_export(request, fmt: str):
    scope = report_scope(request.user)
    if not scope.is_staff:
        scope = PUBLIC
    return _export(request, scope, fmt)


def public_reports(request):
    """The city-wide figures for everyone (``reporting``: the public's view)."""
    return _page(request, PUBLIC, "service_requests:public_reports_export")


def public_reports_export(request, fmt: str):
    return _export(request, PUBLIC, fmt)


@require_POST
@otp_required
def refresh_figures(request):
    """Recompute today's figures now (staff; at most once a minute — see the service)."""
    if services.refresh_todays_figures(actor=request.user):
        messages.success(request, _("Today's figures have been recomputed."))
    else:
        messages.info(request, _("Today's figures were recomputed less than a minute ago."))
    # The report's own filters only, re-encoded: never a redirect to somewhere else.
    query = QueryDict(request.POST.get("query", "")).urlencode()
    target = reverse("service_requests:reports")
    return redirect(f"{target}?{query}" if query else target)
