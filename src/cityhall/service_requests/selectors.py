"""Read queries for resident requests, used by pages, the API, Open311 and reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation, Role, User
from cityhall.accounts.phones import normalise_phone
from cityhall.accounts.selectors import has_role, organisations_where

from .models import (
    OPEN_STATUSES,
    BuildingManagement,
    Category,
    DailyStat,
    DispatchCentre,
    Escalation,
    HandoverPartner,
    OrganisationRating,
    ResponsibilityArea,
    ServiceRequest,
    Status,
)
from .routing import MANAGING, RoutingFacts

__all__ = [
    "committee",
    "dispatch_line",
    "routing_facts",
    "routing_facts_many",
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
    "requests_by_phone",
    "split_period",
    "counts_by_status",
    "ReportRow",
    "unreached_escalations",
    "handover_partner_ids",
    "handover_partners",
]

DUPLICATE_WINDOW = dt.timedelta(days=14)


def committee() -> Organisation | None:
    """The committee whose dispatchers take the unroutable requests (None: any dispatcher)."""
    row = DispatchCentre.objects.select_related("organisation").first()
    return row.organisation if row else None


def dispatch_line() -> str:
    """The dispatch centre's round-the-clock phone ("" when none is set)."""
    return DispatchCentre.objects.values_list("phone", flat=True).first() or ""


def is_dispatcher(user: User) -> bool:
    return has_role(user, Role.DISPATCHER, committee())


def staff_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations whose request queue ``user`` works in."""
    return organisations_where(user, [Role.EXECUTOR, Role.DISPATCHER, Role.OPERATOR]).distinct()


def routing_facts(*, category: Category, building: Any) -> RoutingFacts:
    return routing_facts_many([(category, building)])[0]


def routing_facts_many(cases: list[tuple[Category, Any]]) -> list[RoutingFacts]:
    """The routing facts of each (category, building) — for a whole intake batch with one
    query for the buildings' managers and one for the areas of responsibility."""
    managed = {b.pk for c, b in cases if b is not None and c.responsible_type == MANAGING}
    managers: dict[int, int] = {}
    if managed:
        rows = BuildingManagement.objects.filter(building_id__in=managed).order_by("pk")
        for building_id, organisation_id in rows.values_list("building_id", "organisation_id"):
            managers.setdefault(building_id, organisation_id)
    others = [(c, b) for c, b in cases if b is not None and c.responsible_type != MANAGING]
    areas: dict[tuple[int, int | None, int | None], int] = {}
    if others:
        rows = ResponsibilityArea.objects.filter(category_id__in={c.pk for c, _b in others}).filter(
            Q(building_id__in={b.pk for _c, b in others})
            | Q(district_id__in={b.district_id for _c, b in others}, building__isnull=True)
        )
        for category_id, building_id, district_id, organisation_id in rows.order_by(
            "pk"
        ).values_list("category_id", "building_id", "district_id", "organisation_id"):
            key = (category_id, building_id, None if building_id else district_id)
            areas.setdefault(key, organisation_id)
    facts = []
    for category, building in cases:
        if building is None:
            facts.append(RoutingFacts(responsible_type=category.responsible_type, building_id=None))
        elif category.responsible_type == MANAGING:
            facts.append(
                RoutingFacts(
                    responsible_type=MANAGING,
                    building_id=building.pk,
                    building_manager_id=managers.get(building.pk),
                )
            )
        else:
            facts.append(
                RoutingFacts(
                    responsible_type=category.responsible_type,
                    building_id=building.pk,
                    building_area_organisation_id=areas.get((category.pk, building.pk, None)),
                    district_area_organisation_id=areas.get(
                        (category.pk, None, building.district_id)
                    ),
                )
            )
    return facts


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
    phone = normalise_phone(phone) or ""
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
    # Summed by organisation, then regrouped by each organisation's type (see ``report``).
    "organisation_type": "organisation_id",
    "category": "category_id",
    "channel": "channel",
    "applicant_kind": "applicant_kind",
    "month": "month",
    "day": "day",
}
STAGE_KINDS = ("new", "routed", "accepted", "in_work")
_MEASURES = (
    "total",
    "open",
    "done",
    "confirmed",
    "rejected",
    "merged",
    "closed_on_time",
    "overdue",
    "reopened",
    "resolution_seconds",
    *(f"{k}_{m}" for k in STAGE_KINDS for m in ("seconds", "count")),
)


@dataclass
class ReportRow:
    key: Any
    label: str = ""
    total: int = 0
    open: int = 0
    done: int = 0
    confirmed: int = 0
    rejected: int = 0
    merged: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    reopened: int = 0
    resolution_seconds: int = 0
    new_seconds: int = 0
    new_count: int = 0
    routed_seconds: int = 0
    routed_count: int = 0
    accepted_seconds: int = 0
    accepted_count: int = 0
    in_work_seconds: int = 0
    in_work_count: int = 0

    @property
    def closed(self) -> int:
        return self.done + self.confirmed

    @property
    def on_time_share(self) -> float | None:
        return round(100 * self.closed_on_time / self.closed, 1) if self.closed else None

    @property
    def reopen_share(self) -> float | None:
        return round(100 * self.reopened / self.total, 1) if self.total else None

    @property
    def average_hours(self) -> float | None:
        return round(self.resolution_seconds / self.closed / 3600, 1) if self.closed else None

    def stage_hours(self, kind: str) -> float | None:
        """Average hours a request spent in one stage (finished stages only)."""
        count = getattr(self, f"{kind}_count")
        return round(getattr(self, f"{kind}_seconds") / count / 3600, 1) if count else None

    @property
    def stage_averages(self) -> list[float | None]:
        return [self.stage_hours(kind) for kind in STAGE_KINDS]


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def split_period(
    start: dt.date | None, end: dt.date | None
) -> tuple[tuple[dt.date | None, dt.date | None] | None, list[tuple[dt.date, dt.date]]]:
    """Whole months of ``[start, end]`` (read from the monthly roll-up) and the day ranges at
    its edges (read from the daily one). Pure."""
    first_full = None if start is None else (start if start.day == 1 else _next_month(start))
    after_last_full = (
        None
        if end is None
        else (
            _next_month(end)
            if _next_month(end) - dt.timedelta(days=1) == end
            else _month_start(end)
        )
    )
    if first_full is not None and after_last_full is not None and first_full >= after_last_full:
        return None, [(start, end)]
    edges = []
    if start is not None and first_full is not None and start < first_full:
        edges.append((start, first_full - dt.timedelta(days=1)))
    if end is not None and after_last_full is not None and after_last_full <= end:
        edges.append((after_last_full, end))
    return (first_full, after_last_full), edges


def report(
    *,
    by: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    district_id: int | None = None,
    suburb_id: int | None = None,
    organisation_id: int | None = None,
    organisation_type: str = "",
    organisation_ids: Any = None,
    category_id: int | None = None,
    channel: str = "",
    applicant_kind: str = "",
) -> list[ReportRow]:
    """The report constructor: totals grouped by one dimension, from the roll-ups — whole
    months from :class:`MonthlyStat`, the edges of the period from :class:`DailyStat`.

    ``organisation_ids`` (a collection, or None for the whole city) is the viewer's scope
    (``reporting.report_scope``); the other filters narrow within it."""
    from django.db.models.functions import TruncMonth

    from .models import MonthlyStat

    field = REPORT_DIMENSIONS.get(by, "district_id")
    filters: dict[str, Any] = {}
    if district_id:
        filters["district_id"] = district_id
    if suburb_id:
        filters["suburb_id"] = suburb_id
    if organisation_id:
        filters["organisation_id"] = organisation_id
    allowed: set[int] | None = None if organisation_ids is None else set(organisation_ids)
    if organisation_type:
        of_type = set(
            Organisation.objects.filter(type=organisation_type).values_list("pk", flat=True)
        )
        allowed = of_type if allowed is None else allowed & of_type
    if allowed is not None:
        filters["organisation_id__in"] = sorted(allowed)
    if category_id:
        filters["category_id"] = category_id
    if channel:
        filters["channel"] = channel
    if applicant_kind:
        filters["applicant_kind"] = applicant_kind
    sums = {m: Sum(m) for m in _MEASURES}
    parts: list[QuerySet] = []
    if field == "day":
        qs = DailyStat.objects.filter(**filters)
        if start:
            qs = qs.filter(day__gte=start)
        if end:
            qs = qs.filter(day__lte=end)
        parts.append(qs.values("day").annotate(**sums).values("day", *_MEASURES))
    else:
        months, edges = split_period(start, end)
        if months is not None:
            qs = MonthlyStat.objects.filter(**filters)
            if months[0]:
                qs = qs.filter(month__gte=months[0])
            if months[1]:
                qs = qs.filter(month__lt=months[1])
            parts.append(qs.values(field).annotate(**sums).values(field, *_MEASURES))
        for low, high in edges:
            qs = DailyStat.objects.filter(day__gte=low, day__lte=high, **filters)
            if field == "month":
                qs = qs.annotate(month=TruncMonth("day"))
            parts.append(qs.values(field).annotate(**sums).values(field, *_MEASURES))
    merged: dict[Any, ReportRow] = {}
    for qs in parts:
        for row in qs.order_by():
            key = row[field]
            if isinstance(key, dt.datetime):
                key = key.date()
            target = merged.setdefault(key, ReportRow(key=key))
            for m in _MEASURES:
                setattr(target, m, getattr(target, m) + (row[m] or 0))
    if by == "organisation_type":
        merged = _by_organisation_type(merged)
    labels = _labels(by, list(merged))
    rows = sorted(merged.values(), key=lambda r: (r.key is None, str(r.key)))
    for r in rows:
        r.label = labels.get(r.key, str(r.key) if r.key is not None else "—")
    if by not in ("month", "day"):
        rows.sort(key=lambda r: -r.total)
    return rows


def _by_organisation_type(by_organisation: dict[Any, ReportRow]) -> dict[Any, ReportRow]:
    """Rows summed by organisation, regrouped by each organisation's type (None: requests
    no organisation holds yet)."""
    types = dict(
        Organisation.objects.filter(
            pk__in=[k for k in by_organisation if k is not None]
        ).values_list("pk", "type")
    )
    merged: dict[Any, ReportRow] = {}
    for key, row in by_organisation.items():
        kind = types.get(key)
        target = merged.setdefault(kind, ReportRow(key=kind))
        for m in _MEASURES:
            setattr(target, m, getattr(target, m) + getattr(row, m))
    return merged


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
    if by == "organisation_type":
        return {k: str(v) for k, v in Organisation.Type.choices}
    if by == "category":
        return {c.pk: c.name for c in Category.objects.filter(pk__in=ids)}
    if by == "channel":
        return {k: str(v) for k, v in Channel.choices}
    if by == "applicant_kind":
        return {k: str(v) for k, v in ApplicantKind.choices}
    if by in ("month", "day"):
        return {k: (k.strftime("%Y-%m") if by == "month" else k.isoformat()) for k in ids}
    return {}


def counts_by_status() -> dict[str, int]:
    return dict(ServiceRequest.objects.values_list("status").annotate(n=Count("id")).order_by())


@dataclass(frozen=True)
class UnreachedEscalation:
    organisation: str
    level: int
    count: int


def unreached_escalations() -> list[UnreachedEscalation]:
    """Overdue warnings the sweep could tell nobody of, whose stage is still open: per
    organisation and level, for the dispatcher board (someone must name a head or dispatcher)."""
    rows = (
        Escalation.objects.filter(unreached=True, stage__finished_at__isnull=True)
        .values("organisation__name", "level")
        .annotate(count=Count("id"))
        .order_by("level", "organisation__name")
    )
    return [
        UnreachedEscalation(
            organisation=row["organisation__name"] or str(_("dispatcher queue")),
            level=row["level"],
            count=row["count"],
        )
        for row in rows
    ]


def handover_partner_ids(organisation_id: int | None) -> set[int]:
    """The organisations the dispatcher allowed ``organisation_id`` to pass requests to."""
    if organisation_id is None:
        return set()
    return set(
        HandoverPartner.objects.filter(organisation_id=organisation_id).values_list(
            "partner_id", flat=True
        )
    )


def handover_partners() -> QuerySet:
    """Every allowed handover, for the dispatcher's page."""
    return HandoverPartner.objects.select_related("organisation", "partner", "allowed_by").order_by(
        "organisation__name", "partner__name"
    )
