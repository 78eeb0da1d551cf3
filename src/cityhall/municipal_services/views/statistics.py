"""Statistics of the staff's departments: the page with charts and its CSV/XLSX export."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cityhall.accounts.permissions import staff_required
from cityhall.core.charts import bar_chart

from .. import selectors
from .. import statistics as stats
from .common import STAFF


@staff_required(STAFF + ("administrator",))
def statistics(request):
    period = stats.Period.from_query(request.GET)
    report = stats.report(period, departments=selectors.staff_departments(request.user))
    charts = {
        "by_service": bar_chart(
            _("Applications by service"), [(r["label"], r["count"]) for r in report["by_service"]]
        ),
        "by_channel": bar_chart(
            _("Applications by channel"), [(r["label"], r["count"]) for r in report["by_channel"]]
        ),
        "by_day": bar_chart(
            _("Applications by day"), [(r["label"], r["count"]) for r in report["by_day"]]
        ),
    }
    outcome_tables = [
        (_("Refusals and automatic decisions by department"), report["outcomes_by_department"]),
        (_("Refusals and automatic decisions by service"), report["outcomes_by_service"]),
    ]
    stage_tables = [
        (_("Average time per stage by department, hours"), report["stage_hours_by_department"]),
        (_("Average time per stage by service, hours"), report["stage_hours_by_service"]),
    ]
    return render(
        request,
        "municipal_services/statistics.html",
        {
            "report": report,
            "period": period,
            "charts": charts,
            "outcome_tables": outcome_tables,
            "stage_tables": stage_tables,
        },
    )


@staff_required(STAFF + ("administrator",))
def statistics_export(request, fmt):
    period = stats.Period.from_query(request.GET)
    report = stats.report(period, departments=selectors.staff_departments(request.user))
    if fmt == "csv":
        return HttpResponse(
            stats.as_csv(report),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="municipal-services.csv"'},
        )
    if fmt == "xlsx":
        return HttpResponse(
            stats.as_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="municipal-services.xlsx"'},
        )
    raise Http404
