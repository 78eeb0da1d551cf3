"""Statistics in real time: applications by service, channel, department and period; outcomes
of the document check; refusals, automatic decisions and time per stage by department and by
service; overdue. Exported as CSV and XLSX.

The rules:

- The period is whole local days, both ends included; by default the 30 days up to and
  including today.
- Every figure except "Overdue now" is about the applications *submitted* in the period.
- "Overdue now" is a snapshot, not a figure of the period: every open application of the
  staff's departments past its term and not suspended — the same rule as the desk's overdue
  filter (``selectors.desk(overdue_only=True)``), so the two always agree.
- A decision is automatic when the service's rule took it without a decision maker (the
  decision event's ``data["automatic"]``, written by ``services.stages``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from cityhall.accounts.models import Organisation

from .definition import text_in
from .models import Application, ApplicationEvent, Consultation, Service, StandardRequest

__all__ = ["Period", "report", "overdue_now", "as_csv", "as_xlsx"]


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    #: The default period: this many days up to and including today.
    DEFAULT_DAYS = 30

    @classmethod
    def from_query(cls, query) -> Period:
        today = timezone.localdate()
        try:
            start = dt.date.fromisoformat(query.get("start", ""))
        except ValueError:
            start = today - dt.timedelta(days=cls.DEFAULT_DAYS - 1)
        try:
            end = dt.date.fromisoformat(query.get("end", ""))
        except ValueError:
            end = today
        if end < start:
            start, end = end, start
        return cls(start, end)


def _of_departments(departments: QuerySet | None) -> QuerySet[Application]:
    qs = Application.objects.exclude(status=Application.Status.DRAFT)
    if departments is not None:
        qs = qs.filter(department__in=departments)
    return qs


def _submitted(period: Period, departments: QuerySet | None) -> QuerySet[Application]:
    return _of_departments(departments).filter(
        submitted_at__date__gte=period.start, submitted_at__date__lte=period.end
    )


def overdue_now(departments: QuerySet | None = None) -> int:
    """Open applications past their term and not suspended, whenever they were submitted: the
    desk's overdue rule (see the module's docstring)."""
    return (
        _of_departments(departments)
        .filter(status__in=Application.OPEN, due_at__lt=timezone.now(), suspended_at__isnull=True)
        .count()
    )


DECIDED = (Application.Status.RESULT_ISSUED, Application.Status.REFUSED)


def _outcomes(qs: QuerySet[Application], field: str, labels: dict) -> list[dict]:
    """Applications, decisions, refusals and automatic decisions per department or service."""
    automatic = ApplicationEvent.objects.filter(
        application=OuterRef("pk"), kind__in=("approved", "refused"), data__automatic=True
    )
    rows = (
        qs.annotate(automatic=Exists(automatic))
        .values(field)
        .annotate(
            applications=Count("pk"),
            decided=Count("pk", filter=Q(status__in=DECIDED)),
            refused=Count("pk", filter=Q(status=Application.Status.REFUSED)),
            automatic_count=Count("pk", filter=Q(automatic=True)),
        )
        .order_by("-applications", field)
    )
    return [
        {
            "label": labels.get(r[field], "?"),
            "applications": r["applications"],
            "decided": r["decided"],
            "refused": r["refused"],
            "refused_share": _share(r["refused"], r["decided"]),
            "automatic": r["automatic_count"],
            "automatic_share": _share(r["automatic_count"], r["decided"]),
        }
        for r in rows
    ]


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def report(period: Period, departments: QuerySet | None = None) -> dict:
    qs = _submitted(period, departments)
    names = {s.pk: s.title() for s in Service.objects.all()}
    department_names = {
        o.pk: o.short_name or o.name
        for o in Organisation.objects.filter(pk__in=qs.values("department").distinct().order_by())
    }
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
    by_department_outcomes = _outcomes(qs, "department", department_names)
    decided = sum(r["decided"] for r in by_department_outcomes)
    automatic = sum(r["automatic"] for r in by_department_outcomes)
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
        "stage_hours_by_department": _stage_hours(
            events, "application__department", department_names
        ),
        "stage_hours_by_service": _stage_hours(events, "application__service", names),
        "outcomes_by_department": by_department_outcomes,
        "outcomes_by_service": _outcomes(qs, "service", names),
        "automatic": {
            "decided": decided,
            "automatic": automatic,
            "share": _share(automatic, decided),
        },
        "overdue": overdue_now(departments),
        "requests": list(requests.values("status").annotate(count=Count("pk")).order_by("status")),
        "consultations": Consultation.objects.filter(
            created_at__date__gte=period.start, created_at__date__lte=period.end
        ).count(),
        "refused": qs.filter(status=Application.Status.REFUSED).count(),
        "issued": qs.filter(status=Application.Status.RESULT_ISSUED).count(),
    }


def _stage_hours(
    events: QuerySet[ApplicationEvent], group: str = "", group_labels: dict | None = None
) -> list[dict]:
    """Average hours an application spent in each status (from consecutive events); with
    ``group`` (``application__department`` or ``application__service``), per group and
    status, the group's name in ``group``."""
    labels = dict(Application.Status.choices)
    totals: dict[tuple, list[float]] = {}
    last: dict[int, tuple[str, dt.datetime]] = {}
    fields = ["application_id", "to_status", "created_at"] + ([group] if group else [])
    for row in (
        events.exclude(to_status="")
        .filter(~Q(from_status="") | Q(kind="submitted"))
        .order_by("application_id", "created_at", "pk")
        .values_list(*fields)
        .iterator(chunk_size=5000)
    ):
        app_id, to_status, created_at = row[:3]
        key = row[3] if group else None
        previous = last.get(app_id)
        if previous and previous[0] != to_status:
            totals.setdefault((key, previous[0]), []).append(
                (created_at - previous[1]).total_seconds() / 3600
            )
        if not previous or previous[0] != to_status:
            last[app_id] = (to_status, created_at)
    order = {s: i for i, s in enumerate(Application.OPEN)}
    rows = [
        {
            "group": (group_labels or {}).get(key, "?") if group else "",
            "label": str(labels.get(s, s)),
            "status": s,
            "hours": round(sum(v) / len(v), 1),
            "count": len(v),
        }
        for (key, s), v in totals.items()
        if s in Application.OPEN
    ]
    if group:
        rows.sort(key=lambda r: (str(r["group"]), order[r["status"]]))
    return rows


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
    for key, title in (
        ("outcomes_by_department", _("Refusals by department")),
        ("outcomes_by_service", _("Refusals by service")),
    ):
        for r in data[key]:
            rows.append([title, r["label"], r["refused"]])
            rows.append([title, f"{r['label']}: " + _("refused, %"), r["refused_share"]])
            rows.append([title, f"{r['label']}: " + _("automatic decisions"), r["automatic"]])
    for key, title in (
        ("stage_hours_by_department", _("Hours per stage by department")),
        ("stage_hours_by_service", _("Hours per stage by service")),
    ):
        rows += [[title, f"{r['group']}: {r['label']}", r["hours"]] for r in data[key]]
    auto = data["automatic"]
    rows.append([_("Decisions"), _("All"), auto["decided"]])
    rows.append([_("Decisions"), _("Automatic"), auto["automatic"]])
    rows.append([_("Decisions"), _("Automatic, %"), auto["share"]])
    rows.append([_("Overdue now"), _("Applications"), data["overdue"]])
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
