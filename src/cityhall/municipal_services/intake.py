"""Registration of submitted applications through the intake inbox (``core.inbox``).

Every channel submits the same way: the answers and documents are checked against the exact
version's schema first (refused at once, nothing stored), then the submission is received into
the inbox as kind :data:`KIND` and registered by :func:`register_applications`, many at a time:

* ``{"application": id}`` — a draft (portal form, paper application at a service centre,
  widget, a life situation's sub-case) or a returned application, submitted by its applicant
  or by the operator who registered it;
* ``{"version": id, "answers": {...}, "channel": ..., "language": ...}`` — an application
  started and submitted in one go (API clients), created by the handler.

Registration, for the whole batch in one transaction: the variant and the automatic decision
by the version's rules, a gap-free number per year (``core.numbering.next_values``), the
document check stage with its working-day deadline (a returned case resumes its deadline),
the history rows, the audit records (``audit.record_many``) and the applicant's notification
with the status text of the definition. What may have changed since receipt is checked again
(the service withdrawn or its version retired, the draft changed or already submitted), and
the service's identity requirement is enforced here for every channel (a verified identity
where the definition asks for it): such an item is refused with its reason on the receipt.

Validation and registration live here and call nothing back: ``services`` hand submissions to
this module, never the other way round. What registration shares with the staff's actions is
public where it belongs: the working-day deadline in :mod:`.deadlines`, the applicant's status
message in :func:`.notices.notify_status`; the compiled rules (:func:`compiled_rules`) are
kept here and used by ``services.choose_variant``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections, router
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.accounts.selectors import verified_among
from cityhall.core import audit, bulk, inbox
from cityhall.core.numbering import next_values
from cityhall.core.process_cache import ProcessCache
from cityhall.notifications.services import preferences_loaded

from . import deadlines, notices
from .definition import CompiledRules, compile_rules, text_in
from .models import Application, ApplicationEvent, ApplicationFile, Service, ServiceVersion
from .schema_form import errors_of

__all__ = [
    "KIND",
    "OBJECT_TYPE",
    "offered_version",
    "compiled_rules",
    "problems_of_answers",
    "new_application_payload",
    "draft_payload",
    "register_applications",
    "number_series",
]

KIND = "municipal_services.application"
OBJECT_TYPE = Application._meta.label_lower

S = Application.Status


# --- the catalogue as the intake sees it (per process) -------------------------------------------


def _build_offered(_fingerprint: tuple) -> dict[str, ServiceVersion]:
    versions = ServiceVersion.objects.select_related("service").filter(
        status=ServiceVersion.Status.PUBLISHED, service__is_active=True
    )
    return {v.service.code: v for v in versions}


_offered: ProcessCache[dict[str, ServiceVersion]] = ProcessCache(
    name="municipal_services.offered",
    watched=(Service, ServiceVersion),
    build=_build_offered,
    recheck_setting="MUNICIPAL_SERVICES_CATALOGUE_RECHECK_SECONDS",
)
_offered.connect_signals()


def offered_version(code: str) -> ServiceVersion | None:
    """The published version (with its ``service``) of an offered service, from a per-process
    copy of the catalogue (published versions never change; a new publication, a retirement or
    a withdrawn service is seen within seconds, at once in this process)."""
    return _offered.current().get(code)


_COMPILED: dict[tuple[int, Any], CompiledRules] = {}


def compiled_rules(version: ServiceVersion) -> CompiledRules:
    """The version's rules compiled once per process (a draft recompiles when edited: the key
    holds its ``updated_at``)."""
    key = (version.pk, version.updated_at)
    compiled = _COMPILED.get(key)
    if compiled is None:
        if len(_COMPILED) > 1000:
            _COMPILED.clear()
        compiled = compile_rules(version.rules or [])
        _COMPILED[key] = compiled
    return compiled


def validation_key(version: ServiceVersion) -> tuple:
    """The key of the compiled validator of this exact version (see schema_form.validator_for)."""
    return (version.pk, version.updated_at)


def problems_of_answers(version: ServiceVersion, answers: dict) -> dict[str, list[str]]:
    """Field → translated messages: the answers against the version's JSON Schema."""
    return errors_of(version.form_schema, answers, key=validation_key(version), hints=version.ui)


def required_documents(version: ServiceVersion, answers: dict | None = None) -> set[str]:
    """The codes of the documents an application must attach: those the version requires of
    everyone, and those the variant its answers fall into requires (the service designer's
    "documents this variant requires")."""
    codes = {d.get("code") for d in version.documents or [] if d.get("required")}
    if answers is not None and any(v.get("documents") for v in version.variants or []):
        variant = compiled_rules(version).evaluate(answers).variant
        for v in version.variants or []:
            if v.get("code") == variant:
                codes.update(v.get("documents") or [])
    return codes


def missing_documents(
    version: ServiceVersion, present: set[str], answers: dict | None = None
) -> dict[str, list[str]]:
    wanted = required_documents(version, answers)
    return {
        d["code"]: [_("Attach this document.")]
        for d in version.documents or []
        if d.get("code") in wanted and d.get("code") not in present
    }


# --- payloads -------------------------------------------------------------------------------------


def new_application_payload(
    *,
    version: ServiceVersion,
    answers: dict,
    channel: str,
    language: str,
    widget_site_id: int | None = None,
) -> dict[str, Any]:
    return {
        "version": version.pk,
        "answers": answers,
        "channel": channel,
        "language": language,
        "widget_site": widget_site_id,
    }


def draft_payload(application: Application) -> dict[str, Any]:
    return {"application": application.pk}


# --- the handler ----------------------------------------------------------------------------------


def number_series(year: int) -> str:
    return f"municipal_services.application.{year}"


class _Refused(Exception):
    """An item of the batch that cannot be registered (its reason goes on the receipt)."""


def _users(ids: set[int]) -> dict[int, User]:
    """The submitters by id, read with one plain SELECT (``in_bulk`` builds its query anew
    for every batch, and on SQLite the batches are small)."""
    if not ids:
        return {}
    connection = connections[router.db_for_read(User)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in User._meta.concrete_fields)
    sql = (
        f"SELECT {columns} FROM {quote(User._meta.db_table)} "  # noqa: S608 - names from the model
        f"WHERE {quote(User._meta.pk.column)} IN ({', '.join(['%s'] * len(ids))})"
    )
    return {user.pk: user for user in User.objects.raw(sql, list(ids))}


def _load(items: list[inbox.Item]):
    actor_ids = {i.actor_id for i in items if i.actor_id}
    actors = _users(actor_ids)
    draft_ids = [i.payload["application"] for i in items if "application" in i.payload]
    drafts: dict[int, Application] = {}
    present: dict[int, set[str]] = {}
    if draft_ids:
        drafts = (
            Application.objects.select_for_update(of=("self",))
            .select_related("version", "service", "applicant")
            .in_bulk(draft_ids)
        )
        for app_id, code in ApplicationFile.objects.filter(
            application_id__in=draft_ids
        ).values_list("application_id", "document_code"):
            present.setdefault(app_id, set()).add(code)
    version_ids = {i.payload["version"] for i in items if "version" in i.payload}
    # the offered versions as this process knows them (current within seconds, at once after a
    # change made here); any other is read to tell why it is no longer offered
    versions = {v.pk: v for v in _offered.current().values() if v.pk in version_ids}
    if version_ids - versions.keys():
        versions.update(
            ServiceVersion.objects.select_related("service").in_bulk(version_ids - versions.keys())
        )
    return actors, drafts, present, versions


def _verified(items: list[inbox.Item], actors: dict, drafts: dict, versions: dict) -> set[int]:
    """The applicants of this batch with a verified identity, read only when one of the
    services asks for it."""
    wanted: set[int] = set()
    for item in items:
        if "application" in item.payload:
            application = drafts.get(item.payload["application"])
            if application is not None and _needs_verified(application.version):
                wanted.add(application.applicant_id)
        elif (version := versions.get(item.payload["version"])) and _needs_verified(version):
            wanted.add(item.actor_id)
    return verified_among(wanted)


def _needs_verified(version: ServiceVersion) -> bool:
    return version.identity == ServiceVersion.Identity.VERIFIED


def _check_identity(application: Application, verified: set[int]) -> None:
    """The service's identity requirement, checked again at registration whatever the
    channel (see ``services.check_identity``)."""
    if _needs_verified(application.version) and application.applicant_id not in verified:
        raise _Refused(
            _(
                "This service needs a verified identity. Verify the applicant's identity "
                "(through the identity portal or at a service centre), then submit."
            )
        )


def _new_application(item: inbox.Item, actor: User | None, versions: dict) -> Application:
    """The application an API submission starts (not saved yet), re-checked for what may have
    changed since it was received."""
    payload = item.payload
    version = versions.get(payload["version"])
    if actor is None or not actor.is_active:
        raise _Refused(_("The account that sent this application is no longer active."))
    if (
        version is None
        or version.status != ServiceVersion.Status.PUBLISHED
        or not version.service.is_active
    ):
        raise _Refused(
            _(
                "The service changed before your application was registered; "
                "please fill in its current form again."
            )
        )
    service = version.service
    application = Application(
        version=version,
        service=service,
        department_id=service.department_id,
        applicant=actor,
        channel=payload.get("channel") or Application.Channel.API,
        widget_site_id=payload.get("widget_site"),
        answers=payload.get("answers") or {},
        language=payload.get("language") or actor.preferred_language,
        status="draft",
    )
    return application


def _draft(
    item: inbox.Item, actor: User | None, drafts: dict, present: dict, taken: set[int]
) -> Application:
    """The draft or returned application to submit, re-checked under its row lock."""
    app_id = item.payload["application"]
    application = drafts.get(app_id)
    if application is None:
        raise _Refused(_("This application no longer exists."))
    if application.status not in (S.DRAFT, S.RETURNED) or app_id in taken:
        raise _Refused(_("The application has been submitted and cannot be changed now."))
    if actor is None or actor.pk not in (application.applicant_id, application.registered_by_id):
        raise _Refused(_("This is not your application."))
    version = application.version
    problems = problems_of_answers(version, application.answers)
    problems.update(
        missing_documents(version, present.get(app_id, set()), application.answers or {})
    )
    if problems:
        raise _Refused(_("The application is not complete: please check the marked fields."))
    return application


def register_applications(items: list[inbox.Item]) -> list[inbox.Outcome]:
    """The inbox handler of :data:`KIND` (see the module's text)."""
    now = timezone.now()
    actors, drafts, present, versions = _load(items)
    verified = _verified(items, actors, drafts, versions)
    plans: list[tuple[inbox.Item, Application | None, str]] = []
    taken: set[int] = set()
    for item in items:
        actor = actors.get(item.actor_id) if item.actor_id else None
        try:
            if "application" in item.payload:
                application = _draft(item, actor, drafts, present, taken)
                _check_identity(application, verified)
                taken.add(application.pk)
            else:
                application = _new_application(item, actor, versions)
                _check_identity(application, verified)
        except _Refused as refusal:
            plans.append((item, None, str(refusal)))
            continue
        plans.append((item, application, ""))

    accepted = [(item, app) for item, app, error in plans if app is not None]
    first_time = [app for _item, app in accepted if app.status == S.DRAFT]
    year = timezone.localdate(now).year
    numbers = iter(next_values(number_series(year), len(first_time)))
    due_by_term: dict[tuple[int, bool], dt.datetime] = {}

    rows: list[tuple[Application, User, str, dict]] = []
    for item, application in accepted:
        version = application.version
        outcome = compiled_rules(version).evaluate(application.answers)
        application.variant = outcome.variant
        application.proposed_decision = outcome.decision
        application.proposal_reason = text_in(outcome.reason, application.language)
        current = application.status
        if current == S.DRAFT:
            term = (version.term_days, (version.workflow or {}).get("term_in") == "calendar")
            if term not in due_by_term:
                due_by_term[term] = deadlines.due_at(now, term[0], calendar_days=term[1])
            application.submitted_at = now
            application.number = f"{year}-{next(numbers):06d}"
            application.due_at = due_by_term[term]
        else:
            deadlines.lift_suspension(application, now)
        application.status = S.ACCEPTANCE
        application.stage_started_at = now
        application.updated_at = now
        data = {"variant": outcome.variant, "rule": outcome.rule}
        if outcome.decision:
            data.update(decision=outcome.decision, mode=outcome.mode)
        rows.append((application, actors[item.actor_id], current, data))

    created = [app for app, *_rest in rows if app.pk is None]
    resumed = [app for app, *_rest in rows if app.pk is not None]
    if created:
        bulk.insert_objects(created)
    if resumed:
        Application.objects.bulk_update(resumed, _SUBMIT_FIELDS)
        # the files sent with the application are part of the case file from now on
        ApplicationFile.objects.filter(application__in=resumed, submitted=False).update(
            submitted=True
        )
    bulk.insert_objects(
        [
            ApplicationEvent(
                application=application,
                kind=_KIND_OF[current],
                from_status=current,
                to_status=S.ACCEPTANCE,
                stage="",
                actor=actor,
                data=data,
                created_at=now,
            )
            for application, actor, current, data in rows
        ]
    )
    audit.record_many(
        [
            audit.Entry(
                action=f"municipal_services.application_{_KIND_OF[current]}",
                object_type=OBJECT_TYPE,
                object_id=application.pk,
                actor=actor,
                before={"status": current},
                after={"status": S.ACCEPTANCE.value, **data},
            )
            for application, actor, current, data in rows
        ]
    )
    with preferences_loaded(application.applicant_id for application, *_rest in rows):
        for application, *_rest in rows:
            notices.notify_status(application, url=application_url(application.pk))

    outcomes = []
    for _item, application, error in plans:
        if application is None:
            outcomes.append(inbox.Outcome(error=error))
        else:
            outcomes.append(
                inbox.Outcome(
                    ref=application.number or "",
                    object_type=OBJECT_TYPE,
                    object_id=application.pk,
                    url=application_url(application.pk),
                )
            )
    return outcomes


_KIND_OF = {"draft": "submitted", "returned": "resubmitted"}

_SUBMIT_FIELDS = (
    "status",
    "stage_started_at",
    "updated_at",
    "variant",
    "proposed_decision",
    "proposal_reason",
    "submitted_at",
    "number",
    "due_at",
    "suspended_at",
)


_URL_PLACEHOLDER = 987654321
_url_pattern: list[str] = []


def application_url(pk: int) -> str:
    """The case page's address (the URL pattern reversed once per process)."""
    if not _url_pattern:
        _url_pattern.append(reverse("municipal_services:application", args=[_URL_PLACEHOLDER]))
    return _url_pattern[0].replace(str(_URL_PLACEHOLDER), str(pk))
