"""Read queries of municipal services, used by pages, the API, commands and reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation, User
from cityhall.accounts.selectors import descendants_of, has_role, organisations_where
from cityhall.core.errors import Forbidden, NotFound

from .models import (
    Application,
    ApplicationEvent,
    LifeSituationCase,
    LifeSituationStep,
    Registry,
    RegistryRecord,
    Service,
    ServiceVersion,
    StandardRequest,
    folded,
)
from .services import EXPORT_FORMAT

__all__ = [
    "catalogue",
    "service_by_code",
    "published_version",
    "export_service",
    "applications_of",
    "registered_by",
    "application_for",
    "history_for",
    "desk",
    "overdue",
    "registry_search",
    "registry_places",
    "REGISTRY_MAP_PINS",
    "life_situation_summary",
    "STAFF_ROLES",
]

STAFF_ROLES = ("operator", "expert", "decision_maker")


def catalogue() -> QuerySet[Service]:
    """Services with a published version, for the public list and the API."""
    return (
        Service.objects.filter(is_active=True, versions__status=ServiceVersion.Status.PUBLISHED)
        .select_related("department")
        .order_by("code")
    )


def service_by_code(code: str) -> Service:
    service = Service.objects.select_related("department").filter(code=code).first()
    if service is None:
        raise NotFound()
    return service


def published_version(service: Service) -> ServiceVersion | None:
    return service.versions.filter(status=ServiceVersion.Status.PUBLISHED).first()


def export_service(service: Service, version: ServiceVersion | None = None) -> dict:
    """The definition file of a service (the published version, else the latest draft)."""
    version = version or published_version(service) or service.versions.order_by("-number").first()
    if version is None:
        raise NotFound()
    return {
        "format": EXPORT_FORMAT,
        "code": service.code,
        "department": service.department.name,
        "name": service.name,
        "exported_version": version.number,
        "definition": version.definition(),
    }


def applications_of(user: User) -> QuerySet[Application]:
    return (
        Application.objects.filter(Q(applicant=user) | Q(registered_by=user))
        .select_related("service", "version")
        .order_by("-created_at", "-pk")
    )


def registered_by(user: User) -> QuerySet[Application]:
    """Applications a service-centre operator registered on someone's behalf, newest first:
    the operator follows them (and answers the applicant's questions) until they close."""
    return (
        Application.objects.filter(registered_by=user)
        .select_related("service", "applicant", "department")
        .order_by("-created_at", "-pk")
    )


def is_staff_of(user: User, application: Application) -> bool:
    return has_role(user, STAFF_ROLES + ("administrator",), application.department)


def application_for(user: User, pk: int) -> Application:
    """An application the user may see: the applicant's own, or the department staff's."""
    application = (
        Application.objects.select_related("service", "version", "department", "applicant")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise NotFound()
    if user.pk in (application.applicant_id, application.registered_by_id):
        return application
    if is_staff_of(user, application):
        return application
    raise Forbidden(
        _(
            "This application is open to its applicant and to the staff of %(dept)s only; "
            "you are neither."
        )
        % {"dept": application.department}
    )


def history_for(application: Application, *, staff: bool) -> list[ApplicationEvent]:
    """The case history as its reader may see it (issue 16.17).

    Staff see every step with its notes. The applicant sees the steps that concern them: each
    change of status (by its label), and the other steps whose text is meant for them
    (suspending or extending the term, with the reason); an internal step that changed no
    status (forwarding, opinions, interdepartmental requests) is not shown, and the note of an
    internal step (``ApplicationEvent.internal``) never is.
    """
    events = list(application.events.select_related("actor").order_by("created_at", "pk"))
    if staff:
        return events
    shown = []
    for event in events:
        if event.internal and not event.changes_status:
            continue
        if event.internal:
            event.text = ""  # the label stays; the department's note does not
        shown.append(event)
    return shown


def staff_departments(user: User) -> QuerySet[Organisation]:
    """Where the user works with applications: their organisations and all below them."""
    if user.is_superuser:
        return Organisation.objects.filter(type=Organisation.Type.EXECUTIVE_DEPARTMENT)
    direct = organisations_where(user, STAFF_ROLES + ("administrator",)).distinct()
    return Organisation.objects.filter(pk__in=[o.pk for o in descendants_of(direct)])


def desk(user: User, *, status: str = "", overdue_only: bool = False) -> QuerySet[Application]:
    """Open applications of the departments where the user works, oldest deadline first."""
    qs = Application.objects.filter(department__in=staff_departments(user)).exclude(
        status=Application.Status.DRAFT
    )
    qs = qs.filter(status=status) if status else qs.filter(status__in=Application.OPEN)
    if overdue_only:
        qs = qs.filter(due_at__lt=timezone.now(), suspended_at__isnull=True)
    return qs.select_related("service", "applicant", "department", "assignee").order_by(
        "due_at", "pk"
    )


def overdue(user: User) -> QuerySet[Application]:
    return desk(user, overdue_only=True)


def registry_search(registry: str = "", q: str = "") -> QuerySet[RegistryRecord]:
    """Records of a register (or all) whose number, title, holder, address or cadastral number
    contains ``q`` in any letter case (the folded search column, the same on every database)."""
    qs = RegistryRecord.objects.all()
    if registry:
        qs = qs.filter(registry=registry)
    if q and (needle := folded(q)):
        qs = qs.filter(search_text__contains=needle)
    return qs.order_by("-issued_on", "-pk")


#: How many records the registry page pins on its map at most (the newest first).
REGISTRY_MAP_PINS = 1000


def registry_places(registry: str = "", q: str = "", limit: int = REGISTRY_MAP_PINS) -> list:
    """The records found that have a place (issue 14: permits and leases as pins on the map),
    newest first. Only what the public register shows; the holder is left off the map."""
    return list(
        registry_search(registry, q)
        .filter(lat__isnull=False, lon__isnull=False)
        .only("id", "registry", "number", "title", "address", "issued_on", "lat", "lon")[:limit]
    )


def registries() -> list[tuple[str, str]]:
    """The registers that have records, as (code, name): the name officials gave it, else the
    title of the service that records into it (the code only when neither is known)."""
    codes = list(
        RegistryRecord.objects.values_list("registry", flat=True).distinct().order_by("registry")
    )
    names = {r.code: str(r) for r in Registry.objects.filter(code__in=codes)}
    for version in (
        ServiceVersion.objects.filter(registry__in=codes, status=ServiceVersion.Status.PUBLISHED)
        .select_related("service")
        .order_by("service__code")
    ):
        names.setdefault(version.registry, version.service.title())
    return sorted(((c, names.get(c, c)) for c in codes), key=lambda pair: pair[1])


@dataclass(frozen=True)
class SituationSummary:
    #: "needs_action" | "in_progress" | "completed" | "partly_refused" | "refused" | "withdrawn"
    status: str
    total: int
    done: int
    applications: list
    timeline: list
    refused: int = 0
    #: application id → the sub-applications it waits for (their results not issued yet)
    waiting: dict = field(default_factory=dict)


def _overall_status(statuses: list[str]) -> str:
    """The case's one status, telling the truth: "completed" only when every sub-application
    the applicant kept (not withdrawn) got its result; a refusal is never shown as completion
    ("partly_refused" when others were granted)."""
    S = Application.Status
    if any(s in (S.DRAFT, S.RETURNED) for s in statuses):
        return "needs_action"
    if any(s in Application.OPEN for s in statuses):
        return "in_progress"
    issued = statuses.count(S.RESULT_ISSUED)
    refused = statuses.count(S.REFUSED)
    if refused:
        return "partly_refused" if issued else "refused"
    if issued:
        return "completed"  # every application not withdrawn got its result
    return "withdrawn" if statuses else "in_progress"


def life_situation_summary(case: LifeSituationCase) -> SituationSummary:
    """One combined status and timeline for all the sub-applications, with what each waits for
    (a step decided only after others' results are issued)."""
    applications = list(case.applications.select_related("service", "department").order_by("pk"))
    statuses = [a.status for a in applications]
    done = sum(s in Application.FINAL for s in statuses)
    by_service = {a.service_id: a for a in applications}
    waiting: dict[int, list] = {}
    steps = LifeSituationStep.objects.filter(version_id=case.version_id).prefetch_related(
        "requires"
    )
    for step in steps:
        application = by_service.get(step.service_id)
        if application is None:
            continue
        pending = [
            by_service[r.service_id]
            for r in step.requires.all()
            if r.service_id in by_service
            and by_service[r.service_id].status != Application.Status.RESULT_ISSUED
        ]
        if pending:
            waiting[application.pk] = pending
    timeline = list(
        ApplicationEvent.objects.filter(application__in=applications)
        .exclude(to_status="")
        .select_related("application__service")
        .order_by("created_at", "pk")
    )
    return SituationSummary(
        status=_overall_status(statuses),
        total=len(applications),
        done=done,
        applications=applications,
        timeline=timeline,
        refused=statuses.count(Application.Status.REFUSED),
        waiting=waiting,
    )


def standard_requests_report(
    start: dt.date | None = None, end: dt.date | None = None
) -> list[dict]:
    """Requests counted on their own: per type and status."""
    qs = StandardRequest.objects.all()
    if start:
        qs = qs.filter(sent_at__date__gte=start)
    if end:
        qs = qs.filter(sent_at__date__lte=end)
    return list(
        qs.values("type__code", "status")
        .annotate(count=Count("pk"))
        .order_by("type__code", "status")
    )
