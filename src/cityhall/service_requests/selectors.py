"""Read queries for resident requests, used by pages, the API, Open311 and reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from cityhall.accounts.models import Organisation, Role, User
from cityhall.accounts.selectors import has_role, organisations_where

from .models import (
    OPEN_STATUSES,
    BuildingManagement,
    Category,
    DailyStat,
    DispatchCentre,
    OrganisationRating,
    ResponsibilityArea,
    ServiceRequest,
    Status,
)
from .routing import MANAGING, RoutingFacts

__all__ = [
    "committee",
    "routing_facts",
    "active_categories",
    "likely_duplicates",
    "requests_of",
    "queue",
    "QueueFilters",
    "public_requests",
    "organisation_figures",
    "report",
    "REPORT_DIMENSIONS",
    "is_dispatcher",
    "staff_organisations",
]

DUPLICATE_WINDOW = dt.timedelta(days=14)


def committee() -> Organisation | None:
    """The committee whose dispatchers take the unroutable requests (None: any dispatcher)."""
    row = DispatchCentre.objects.select_related("organisation").first()
    return row.organisation if row else None


def is_dispatcher(user: User) -> bool:
    return has_role(user, Role.DISPATCHER, committee())


def staff_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations whose request queue ``user`` works in."""
    return organisations_where(user, [Role.EXECUTOR, Role.DISPATCHER, Role.OPERATOR]).distinct()


def routing_facts(*, category: Category, building: Any) -> RoutingFacts:
    if building is None:
        return RoutingFacts(responsible_type=category.responsible_type, building_id=None)
    if category.responsible_type == MANAGING:
        manager = (
            BuildingManagement.objects.filter(building=building)
            .values_list("organisation_id", flat=True)
            .first()
        )
        return RoutingFacts(
            responsible_type=MANAGING, building_id=building.pk, building_manager_id=manager
        )
    rows = dict(
        ResponsibilityArea.objects.filter(category=category)
        .filter(Q(building=building) | Q(district_id=building.district_id, building__isnull=True))
        .values_list("building_id", "organisation_id")
    )
    return RoutingFacts(
        responsible_type=category.responsible_type,
        building_id=building.pk,
        building_area_organisation_id=rows.get(building.pk),
        district_area_organisation_id=rows.get(None),
    )


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True, current_version__isnull=False).select_related(
        "current_version"
    )


def likely_duplicates(
    *,
    building_id: int | None,
    category_id: int | None,
    exclude_id: int | None = None,
    now: dt.datetime | None = None,
    limit: int = 5,
) -> list[ServiceRequest]:
    """Open requests about the same building and category from the last two weeks."""
    if not building_id or not category_id:
        return []
    since = (now or timezone.now()) - DUPLICATE_WINDOW
    qs = ServiceRequest.objects.filter(
        building_id=building_id,
        category_id=category_id,
        status__in=OPEN_STATUSES,
        created_at__gte=since,
    ).select_related("category")
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("created_at")[:limit])


def requests_of(user: User) -> QuerySet[ServiceRequest]:
    return (
        ServiceRequest.objects.filter(author=user)
        .select_related("category", "parent", "organisation")
        .order_by("-created_at", "-pk")
    )


def requests_by_phone(phone: str, limit: int = 20) -> list[ServiceRequest]:
    """The caller's earlier requests (call centre): by the phone they left or their account's."""
    phone = (phone or "").strip()
    if not phone:
        return []
    return list(
        ServiceRequest.objects.filter(Q(contact_phone=phone) | Q(author__phone=phone))
        .select_related("category")
        .order_by("-created_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    building_id: int | None = None
    category_id: int | None = None
    overdue: bool = False
    organisation_id: int | None = None
    unrouted: bool = False


def queue(
    *, organisations: list[int] | None, filters: QueueFilters, now: dt.datetime | None = None
) -> QuerySet[ServiceRequest]:
    """A work queue: an organisation's requests (``organisations``) or, for the dispatcher
    board (None), every request. Oldest due first."""
    now = now or timezone.now()
    qs = ServiceRequest.objects.select_related("category", "building", "organisation", "executor")
    if organisations is not None:
        qs = qs.filter(organisation_id__in=organisations)
    if filters.organisation_id:
        qs = qs.filter(organisation_id=filters.organisation_id)
    if filters.unrouted:
        qs = qs.filter(status=Status.NEW)
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif not filters.unrouted:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.building_id:
        qs = qs.filter(building_id=filters.building_id)
    if filters.category_id:
        qs = qs.filter(category_id=filters.category_id)
    if filters.overdue:
        qs = qs.filter(stage_due_at__lt=now, status__in=OPEN_STATUSES)
    return qs.order_by(F("stage_due_at").asc(nulls_last=True), "pk")


def public_requests(
    *,
    status: str = "",
    category_code: str = "",
    district_id: int | None = None,
    organisation_id: int | None = None,
) -> QuerySet[ServiceRequest]:
    """Requests as the public sees them: no personal data (pages show only what they pick)."""
    qs = ServiceRequest.objects.exclude(status=Status.MERGED).select_related(
        "category", "building", "organisation", "district"
    )
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        qs = qs.exclude(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if category_code:
        qs = qs.filter(category__code=category_code)
    if district_id:
        qs = qs.filter(district_id=district_id)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by("-created_at", "-pk")


def organisation_figures() -> QuerySet[OrganisationRating]:
    return OrganisationRating.objects.select_related("organisation").order_by("-score", "pk")


REPORT_DIMENSIONS: dict[str, str] = {
    "district": "district_id",
    "suburb": "suburb_id",
    "organisation": "organisation_id",
    "category": "category_id",
    "channel": "channel",
    "applicant_kind": "applicant_kind",
    "status": "status",
    "month": "month",
    "day": "day",
}


@dataclass(frozen=True)
class ReportRow:
    key: Any
    label: str
    total: int
    closed: int
    closed_on_time: int
    overdue: int
    reopened: int
    average_hours: float | None

    @property
    def on_time_share(self) -> float | None:
        return round(100 * self.closed_on_time / self.closed, 1) if self.closed else None

    @property
    def reopen_share(self) -> float | None:
        return round(100 * self.reopened / self.total, 1) if self.total else None


def report(
    *,
    by: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    district_id: int | None = None,
    organisation_id: int | None = None,
    category_id: int | None = None,
    channel: str = "",
    applicant_kind: str = "",
) -> list[ReportRow]:
    """The report constructor: totals from the daily roll-up grouped by one dimension."""
    from django.db.models.functions import TruncMonth

    qs = DailyStat.objects.all()
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    if district_id:
        qs = qs.filter(district_id=district_id)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if channel:
        qs = qs.filter(channel=channel)
    if applicant_kind:
        qs = qs.filter(applicant_kind=applicant_kind)
    field = REPORT_DIMENSIONS.get(by, "district_id")
    if field == "month":
        qs = qs.annotate(month=TruncMonth("day"))
    rows = (
        qs.values(field)
        .annotate(
            n=Sum("total"),
            c=Sum("closed"),
            ot=Sum("closed_on_time"),
            od=Sum("overdue"),
            ro=Sum("reopened"),
            secs=Sum("resolution_seconds"),
        )
        .order_by(field)
    )
    labels = _labels(by, [r[field] for r in rows])
    return [
        ReportRow(
            key=r[field],
            label=labels.get(r[field], str(r[field]) if r[field] is not None else "—"),
            total=r["n"] or 0,
            closed=r["c"] or 0,
            closed_on_time=r["ot"] or 0,
            overdue=r["od"] or 0,
            reopened=r["ro"] or 0,
            average_hours=round(r["secs"] / r["c"] / 3600, 1) if r["c"] else None,
        )
        for r in rows
    ]


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    from cityhall.geo.models import District, Suburb

    from .models import ApplicantKind, Channel

    ids = [k for k in keys if k is not None]
    if by == "district":
        return {d.pk: d.display_name for d in District.objects.filter(pk__in=ids)}
    if by == "suburb":
        return {s.pk: s.display_name for s in Suburb.objects.filter(pk__in=ids)}
    if by == "organisation":
        return {o.pk: str(o) for o in Organisation.objects.filter(pk__in=ids)}
    if by == "category":
        return {c.pk: c.name for c in Category.objects.filter(pk__in=ids)}
    if by == "channel":
        return {k: str(v) for k, v in Channel.choices}
    if by == "applicant_kind":
        return {k: str(v) for k, v in ApplicantKind.choices}
    if by == "status":
        return {k: str(v) for k, v in Status.choices}
    if by in ("month", "day"):
        return {k: (k.strftime("%Y-%m") if by == "month" else k.isoformat()) for k in ids}
    return {}


def counts_by_status() -> dict[str, int]:
    return dict(ServiceRequest.objects.values_list("status").annotate(n=Count("id")).order_by())
