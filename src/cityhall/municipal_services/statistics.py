"""Statistics in real time: applications by service, channel, department and period; outcomes
of the document check; time per stage; overdue. Exported as CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from .definition import text_in
from .models import Application, ApplicationEvent, Consultation, Service, StandardRequest

__all__ = ["Period", "report", "as_csv", "as_xlsx"]


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def from_query(cls, query) -> Period:
        today = timezone.localdate()
        try:
            start = dt.date.fromisoformat(query.get("start", ""))
        except ValueError:
            start = today - dt.timedelta(days=30)
        try:
            end = dt.date.fromisoformat(query.get("end", ""))
        except ValueError:
            end = today
        if end < start:
            start, end = end, start
        return cls(start, end)


def _submitted(period: Period, departments: QuerySet | None) -> QuerySet[Application]:
    qs = Application.objects.exclude(status=Application.Status.DRAFT).filter(
        submitted_at__date__gte=period.start, submitted_at__date__lte=period.end
    )
    if departments is not None:
        qs = qs.filter(department__in=departments)
    return qs


def report(period: Period, departments: QuerySet | None = None) -> dict:
    qs = _submitted(period, departments)
    names = {s.pk: s.title() for s in Service.objects.all()}
    by_service = [
        {"label": names.get(r["service"], "?"), "count": r["count"]}
        for r in qs.values("service").annotate(count=Count("pk")).order_by("-count")
    ]
    channels = dict(Application.Channel.choices)
    by_channel = [
        {"label": str(channels.get(r["channel"], r["channel"])), "count": r["count"]}
        for r in qs.values("channel").annotate(count=Count("pk")).order_by("-count")
    ]
    by_department = [
        {"label": r["department__short_name"] or r["department__name"], "count": r["count"]}
        for r in qs.values("department__name", "department__short_name")
        .annotate(count=Count("pk"))
        .order_by("-count")
    ]
    by_day = [
        {"label": r["day"].isoformat(), "count": r["count"]}
        for r in qs.annotate(day=TruncDate("submitted_at"))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    ]
    statuses = dict(Application.Status.choices)
    by_status = [
        {"label": str(statuses.get(r["status"], r["status"])), "count": r["count"]}
        for r in qs.values("status").annotate(count=Count("pk")).order_by("status")
    ]
    events = ApplicationEvent.objects.filter(application__in=qs)
    accepted = events.filter(kind="accepted").values("application").distinct().count()
    returned = events.filter(kind="returned").values("application").distinct().count()
    checked = accepted + returned
    now = timezone.now()
    overdue = qs.filter(
        status__in=Application.OPEN, due_at__lt=now, suspended_at__isnull=True
    ).count()
    requests = StandardRequest.objects.filter(application__in=qs)
    return {
        "period": period,
        "total": qs.count(),
        "by_service": by_service,
        "by_channel": by_channel,
        "by_department": by_department,
        "by_day": by_day,
        "by_status": by_status,
        "document_check": {
            "accepted": accepted,
            "returned": returned,
            "returned_share": round(100 * returned / checked, 1) if checked else 0.0,
        },
        "stage_hours": _stage_hours(events),
        "overdue": overdue,
        "requests": list(requests.values("status").annotate(count=Count("pk")).order_by("status")),
        "consultations": Consultation.objects.filter(
            created_at__date__gte=period.start, created_at__date__lte=period.end
        ).count(),
        "refused": qs.filter(status=Application.Status.REFUSED).count(),
        "issued": qs.filter(status=Application.Status.RESULT_ISSUED).count(),
    }


def _stage_hours(events: QuerySet[ApplicationEvent]) -> list[dict]:
    """Average hours an application spent in each status (from consecutive events)."""
    labels = dict(Application.Status.choices)
    totals: dict[str, list[float]] = {}
    last: dict[int, tuple[str, dt.datetime]] = {}
    for app_id, to_status, created_at in (
        events.exclude(to_status="")
        .filter(~Q(from_status="") | Q(kind="submitted"))
        .order_by("application_id", "created_at", "pk")
        .values_list("application_id", "to_status", "created_at")
        .iterator(chunk_size=5000)
    ):
        previous = last.get(app_id)
        if previous and previous[0] != to_status:
            totals.setdefault(previous[0], []).append(
                (created_at - previous[1]).total_seconds() / 3600
            )
        if not previous or previous[0] != to_status:
            last[app_id] = (to_status, created_at)
    return [
        {
            "label": str(labels.get(s, s)),
            "status": s,
            "hours": round(sum(v) / len(v), 1),
            "count": len(v),
        }
        for s, v in totals.items()
        if s in Application.OPEN
    ]


def _rows(data: dict) -> list[list]:
    rows = [[_("Section"), pgettext("statistics", "Item"), _("Value")]]
    rows.append([_("Total"), _("Applications"), data["total"]])
    for key, title in (
        ("by_service", _("By service")),
        ("by_channel", _("By channel")),
        ("by_department", _("By department")),
        ("by_status", _("By status")),
        ("by_day", _("By day")),
    ):
        rows += [[title, r["label"], r["count"]] for r in data[key]]
    check = data["document_check"]
    rows.append([_("Document check"), pgettext("documents", "Accepted"), check["accepted"]])
    rows.append([_("Document check"), _("Returned"), check["returned"]])
    rows.append([_("Document check"), _("Returned, %"), check["returned_share"]])
    rows += [[_("Hours per stage"), r["label"], r["hours"]] for r in data["stage_hours"]]
    rows.append([_("Overdue"), _("Applications"), data["overdue"]])
    rows.append([_("Consultations"), _("Logged"), data["consultations"]])
    return rows


def as_csv(data: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _rows(data):
        writer.writerow([str(c) for c in row])
    return out.getvalue()


def as_xlsx(data: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "statistics"
    for row in _rows(data):
        sheet.append([c if isinstance(c, int | float) else str(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def label(value) -> str:
    return text_in(value)
