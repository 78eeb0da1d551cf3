"""Business actions of municipal services: the only place that changes their state.

Definitions: :func:`create_service`, :func:`create_draft`, :func:`update_draft`,
:func:`publish_version`, :func:`retire_version`, :func:`import_service`.
Applications: :func:`start_application`, :func:`save_draft`, :func:`upload_file`,
:func:`remove_file`, :func:`submit_application` and the staff actions, which all go through the
one :func:`transition` (the ``ALLOWED`` table, stage roles, separation of duties, the event row,
the audit record and the notification with the definition's status text).
Standard requests: :func:`send_standard_request` … :func:`expire_standard_requests`.
Life situations: :func:`submit_life_situation`. Consultations: :func:`log_consultation`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import filetype
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.accounts.models import Organisation, User
from cityhall.accounts.selectors import has_role
from cityhall.core import audit, files, inbox
from cityhall.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cityhall.core.models import InboxItem
from cityhall.core.selectors import business_calendar

from . import intake, notices
from .definition import (
    DEFAULT_WORKFLOW,
    CompiledRules,
    RuleOutcome,
    applicable_answers,
    compile_rules,
    problems_of,
)
from .definition import text_in as _text_in
from .models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    Consultation,
    LifeSituation,
    LifeSituationCase,
    Opinion,
    RegistryRecord,
    ResultDocument,
    Service,
    ServiceVersion,
    StandardRequest,
    StandardRequestType,
    WidgetSite,
)
from .schema_form import errors_of

__all__ = [
    "create_service",
    "create_draft",
    "update_draft",
    "publish_version",
    "retire_version",
    "import_service",
    "choose_variant",
    "start_application",
    "paper_applicant",
    "save_draft",
    "upload_file",
    "remove_file",
    "submit_application",
    "receive_application",
    "registered_application",
    "apply_and_submit",
    "transition",
    "accept_application",
    "return_application",
    "forward_to_expert",
    "ask_opinion",
    "answer_opinion",
    "send_to_decision",
    "decide",
    "withdraw_application",
    "suspend_application",
    "resume_application",
    "extend_application",
    "send_standard_request",
    "accept_standard_request",
    "answer_standard_request",
    "reject_standard_request",
    "expire_standard_requests",
    "submit_life_situation",
    "log_consultation",
]

S = Application.Status

# --- definitions --------------------------------------------------------------------------------


def create_service(
    *, actor: User | None, code: str, department: Organisation, name: dict
) -> Service:
    with transaction.atomic():
        if Service.objects.filter(code=code).exists():
            raise InvalidInput(fields={"code": [_("A service with this code already exists.")]})
        service = Service.objects.create(code=code, department=department, name=name)
        audit.record(
            actor=actor,
            action="municipal_services.service_created",
            target=service,
            after=audit.snapshot(service, ["code", "department", "name"]),
        )
    return service


def create_draft(
    *, actor: User | None, service: Service, definition: dict | None = None
) -> ServiceVersion:
    """A new draft version: the given definition, or a copy of the latest version."""
    with transaction.atomic():
        Service.objects.select_for_update().filter(pk=service.pk).first()
        latest = service.versions.order_by("-number").first()
        number = (service.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        if definition is None:
            definition = latest.definition() if latest else {"workflow": DEFAULT_WORKFLOW}
        version = ServiceVersion(service=service, number=number)
        _apply_definition(version, definition)
        version.save()
        audit.record(
            actor=actor,
            action="municipal_services.version_drafted",
            target=version,
            after={"service": service.code, "number": number},
        )
    return version


def _apply_definition(version: ServiceVersion, definition: dict) -> None:
    unknown = set(definition) - set(ServiceVersion.DEFINITION_FIELDS)
    if unknown:
        raise InvalidInput(
            _("The definition has unknown parts: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            fields={"__all__": [_("Unknown parts: %(n)s") % {"n": ", ".join(sorted(unknown))}]},
        )
    term = definition.get("term_days", version.term_days)
    if not isinstance(term, int) or isinstance(term, bool) or not 0 < term <= 1000:
        raise InvalidInput(
            fields={"term_days": [_("The legal term must be a positive number of working days.")]}
        )
    for name, value in definition.items():
        if name == "registry" and value is None:
            value = ""
        setattr(version, name, value)


def update_draft(
    *, actor: User | None, version: ServiceVersion, definition: dict
) -> ServiceVersion:
    """Change a draft. Published and retired versions are immutable: make a new draft instead."""
    with transaction.atomic():
        version = ServiceVersion.objects.select_for_update().get(pk=version.pk)
        if not version.is_editable:
            raise Conflict(
                _("Version %(n)s is %(status)s and cannot be changed; create a new draft.")
                % {"n": version.number, "status": version.get_status_display()},
                code="version_immutable",
            )
        before = version.definition()
        _apply_definition(version, definition)
        version.save()
        changed = sorted(k for k in definition if before.get(k) != definition[k])
        audit.record(
            actor=actor,
            action="municipal_services.version_edited",
            target=version,
            after={"changed": changed},
        )
    return version


def publish_version(*, actor: User | None, version: ServiceVersion) -> ServiceVersion:
    """Publish a draft: it must be a valid JSON Schema form whose rules name only known fields
    and whose stored rule examples all pass. The previously published version is retired; open
    applications keep theirs."""
    with transaction.atomic():
        version = ServiceVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != ServiceVersion.Status.DRAFT:
            raise Conflict(_("Only a draft can be published."), code="not_draft")
        problems = problems_of(version.definition())
        if problems:
            raise InvalidInput(
                _("This definition cannot be published: please correct the errors."),
                fields=problems,
            )
        now = timezone.now()
        for old in ServiceVersion.objects.select_for_update().filter(
            service=version.service, status=ServiceVersion.Status.PUBLISHED
        ):
            old.status, old.retired_at = ServiceVersion.Status.RETIRED, now
            old.save(update_fields=["status", "retired_at", "updated_at"])
            audit.record(actor=actor, action="municipal_services.version_retired", target=old)
        version.status = ServiceVersion.Status.PUBLISHED
        version.published_at, version.published_by = now, actor
        version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        audit.record(
            actor=actor,
            action="municipal_services.version_published",
            target=version,
            after={"service": version.service.code, "number": version.number},
        )
    return version


def retire_version(*, actor: User | None, version: ServiceVersion) -> ServiceVersion:
    with transaction.atomic():
        version = ServiceVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != ServiceVersion.Status.PUBLISHED:
            raise Conflict(_("Only a published version can be retired."))
        version.status, version.retired_at = ServiceVersion.Status.RETIRED, timezone.now()
        version.save(update_fields=["status", "retired_at", "updated_at"])
        audit.record(actor=actor, action="municipal_services.version_retired", target=version)
    return version


EXPORT_FORMAT = "cityhall.municipal_service/1"


def import_service(
    *, actor: User | None, data: dict, department: Organisation | None = None, publish: bool = False
) -> ServiceVersion:
    """Import a definition file (see ``selectors.export_service``) as a new draft version;
    the service is created when missing, its department found by name unless given."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise InvalidInput(
            _("This is not a service definition file (format %(f)s expected).")
            % {"f": EXPORT_FORMAT}
        )
    code = data.get("code") or ""
    with transaction.atomic():
        service = Service.objects.filter(code=code).first()
        if service is None:
            if department is None:
                dept_name = data.get("department") or ""
                department = (
                    Organisation.objects.filter(name=dept_name).first()
                    or Organisation.objects.filter(short_name=dept_name).first()
                )
            if department is None:
                raise InvalidInput(
                    _("Department “%(name)s” is not known here; choose one.")
                    % {"name": data.get("department", "")},
                    fields={"department": [_("Unknown department.")]},
                )
            service = create_service(
                actor=actor, code=code, department=department, name=data.get("name") or {}
            )
        version = create_draft(
            actor=actor, service=service, definition=data.get("definition") or {}
        )
        audit.record(
            actor=actor,
            action="municipal_services.version_imported",
            target=version,
            after={"service": code},
        )
        if publish:
            version = publish_version(actor=actor, version=version)
    return version


# --- rules --------------------------------------------------------------------------------------

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


def choose_variant(version: ServiceVersion, answers: dict) -> RuleOutcome:
    """Which variant (sub-service) the answers fall into and the decision a typical one gets."""
    return compiled_rules(version).evaluate(answers)


# --- applications -----------------------------------------------------------------------------


def published_version_of(service: Service) -> ServiceVersion:
    version = service.versions.filter(status=ServiceVersion.Status.PUBLISHED).first()
    if version is None or not service.is_active:
        raise NotFound(_("This service is not offered at the moment."))
    return version


def start_application(
    *,
    actor: User,
    service: Service,
    applicant: User | None = None,
    channel: str = Application.Channel.PORTAL,
    answers: dict | None = None,
    widget_site: WidgetSite | None = None,
    language: str = "",
) -> Application:
    """A draft on the service's published version. Staff of a service centre may register a
    paper application on behalf of ``applicant``."""
    applicant = applicant or actor
    if applicant != actor:
        if not has_role(actor, "operator"):
            raise Forbidden(_("Only service centre operators register applications for others."))
        channel = Application.Channel.SERVICE_CENTRE
    version = published_version_of(service)
    with transaction.atomic():
        application = Application.objects.create(
            version=version,
            service=service,
            department_id=service.department_id,
            applicant=applicant,
            registered_by=actor if applicant != actor else None,
            channel=channel,
            widget_site=widget_site,
            answers=answers or {},
            language=language or applicant.preferred_language,
        )
        ApplicationEvent.objects.create(
            application=application, kind="created", to_status=S.DRAFT, actor=actor
        )
        audit.record(
            actor=actor,
            action="municipal_services.application_started",
            target=application,
            after={"service": service.code, "channel": channel, "version": version.number},
        )
    return application


def paper_applicant(
    *, actor: User, contact: str, last_name: str = "", first_name: str = ""
) -> User:
    """The person a service centre registers a paper application for: found by e-mail or
    phone, or recorded from their paper form (an account without a password, so that status
    texts reach them by SMS or e-mail; they may claim it later)."""
    from cityhall.accounts.services import parse_contact

    if not has_role(actor, "operator"):
        raise Forbidden(_("Only service centre operators register applications for others."))
    parsed = parse_contact(contact)
    by_email = "@" in parsed.address
    found = (
        User.objects.filter(email__iexact=parsed.address)
        if by_email
        else User.objects.filter(phone=parsed.address)
    ).first()
    if found is not None:
        return found
    if not last_name.strip():
        raise InvalidInput(
            _("No person with this e-mail or phone; enter their name to register them."),
            fields={"last_name": [_("Enter the applicant's last name.")]},
        )
    with transaction.atomic():
        person = User(
            username=f"paper-{uuid.uuid4().hex[:12]}",
            email=parsed.address if by_email else None,
            phone=None if by_email else parsed.address,
            last_name=last_name.strip(),
            first_name=first_name.strip(),
        )
        person.set_unusable_password()
        person.save()
        audit.record(
            actor=actor,
            action="municipal_services.paper_applicant_registered",
            target=person,
            after={"contact": parsed.address},
        )
    return person


def _can_edit(application: Application, actor: User) -> None:
    if application.status not in (S.DRAFT, S.RETURNED):
        raise Conflict(_("The application has been submitted and cannot be changed now."))
    if actor.pk not in (application.applicant_id, application.registered_by_id):
        raise Forbidden(_("This is not your application."))


def save_draft(*, application: Application, actor: User, answers: dict) -> Application:
    """Keep the answers as they are (no validation yet), so the applicant can resume later."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        _can_edit(application, actor)
        version = application.version
        known = set((version.form_schema.get("properties") or {}).keys())
        application.answers = applicable_answers(
            version.ui, {k: v for k, v in answers.items() if k in known}
        )
        application.save(update_fields=["answers", "updated_at"])
    return application


def document_rules(version: ServiceVersion, code: str) -> dict:
    for doc in version.documents or []:
        if doc.get("code") == code:
            return doc
    raise InvalidInput(
        fields={"document_code": [_("This service does not ask for that document.")]}
    )


def upload_file(
    *, application: Application, actor: User, document_code: str, upload
) -> ApplicationFile:
    """Store one document at once (before submission). The type is taken from the content,
    not the name; a wrong type or a file over the definition's limit is refused."""
    rules = document_rules(application.version, document_code)
    upload.seek(0)  # the same file may be attached to several applications (life situations)
    max_bytes = int(float(rules.get("max_size_mb", 10)) * 1024 * 1024)
    if upload.size > max_bytes:
        raise InvalidInput(
            fields={
                document_code: [
                    _("The file is too large: at most %(mb)s MB.")
                    % {"mb": rules.get("max_size_mb")}
                ]
            }
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else ""
    if content_type not in (rules.get("types") or []):
        allowed = ", ".join(t.split("/")[-1].upper() for t in rules.get("types") or [])
        raise InvalidInput(
            fields={
                document_code: [
                    _("This file type is not accepted. Allowed: %(t)s.") % {"t": allowed}
                ]
            }
        )
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not (
            actor.pk in (application.applicant_id, application.registered_by_id)
            and application.status in (S.DRAFT, S.RETURNED)
        ):
            _can_edit(application, actor)
        stored = ApplicationFile(
            application=application,
            document_code=document_code,
            original_name=files.label(getattr(upload, "name", ""), default="document"),
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        stored.file.save(stored.original_name, upload, save=False)
        stored.save()
        audit.record(
            actor=actor,
            action="municipal_services.file_uploaded",
            target=application,
            after={"document": document_code, "size": upload.size, "type": content_type},
        )
    return stored


def remove_file(*, file: ApplicationFile, actor: User) -> None:
    with transaction.atomic():
        _can_edit(file.application, actor)
        audit.record(
            actor=actor,
            action="municipal_services.file_removed",
            target=file.application,
            before={"document": file.document_code, "name": file.original_name},
        )
        file.file.delete(save=False)
        file.delete()


def _missing_documents(application: Application) -> dict[str, list[str]]:
    present = set(application.files.values_list("document_code", flat=True))
    missing = {}
    for doc in application.version.documents or []:
        if doc.get("required") and doc["code"] not in present:
            missing[doc["code"]] = [_("Attach this document.")]
    return missing


def _due_at(start: dt.datetime, days: int) -> dt.datetime:
    calendar = business_calendar()
    day = calendar.add_working_days(timezone.localtime(start).date(), days)
    return calendar.end_of_working_day(day)


def submit_application(*, application: Application, actor: User) -> Application:
    """Validate the answers against the exact version's schema and the required documents,
    then hand the application to the document check (registered at once by the intake
    handler, :func:`cityhall.municipal_services.intake.register_applications`). A returned
    application is resubmitted as the same case: its deadline resumes where it stopped."""
    application = (
        Application.objects.select_related("version", "service", "applicant")
        .filter(pk=application.pk)
        .first()
    )
    if application is None:
        raise NotFound()
    _can_edit(application, actor)
    problems = intake.problems_of_answers(application.version, application.answers)
    problems.update(_missing_documents(application))
    if problems:
        raise InvalidInput(fields=problems)
    item = inbox.receive(intake.KIND, intake.draft_payload(application), actor=actor, inline=True)
    return registered_application(item)


def registered_application(item: inbox.Item) -> Application:
    """The application an inline registration made, or its refusal raised."""
    if item.state != InboxItem.DONE:
        raise Conflict(item.error or _("The application could not be registered."))
    return Application.objects.select_related("version", "service", "applicant").get(
        pk=item.object_id
    )


def receive_application(
    *,
    actor: User,
    service: Service | None = None,
    version: ServiceVersion | None = None,
    answers: dict,
    channel: str = Application.Channel.API,
    widget_site: WidgetSite | None = None,
    language: str = "",
    inline: bool | None = None,
) -> inbox.Item:
    """Check an application started and submitted in one go, then receive it into the intake
    inbox: refused at once (nothing stored) when the answers break the exact version's schema
    or the service asks for documents; registered in the background, or before this returns
    with ``inline`` (default ``settings.INBOX_INLINE``). Give the offered ``version`` (from
    :func:`intake.offered_version`) or the ``service``."""
    if version is None:
        version = published_version_of(service)
    known = (version.form_schema.get("properties") or {}).keys()
    answers = applicable_answers(version.ui, {k: v for k, v in answers.items() if k in known})
    problems = intake.problems_of_answers(version, answers)
    for code in intake.missing_documents(version, set()):
        problems.setdefault(code, []).append(_("Attach this document."))
    if problems:
        raise InvalidInput(fields=problems)
    payload = intake.new_application_payload(
        version=version,
        answers=answers,
        channel=channel,
        language=language or actor.preferred_language,
        widget_site_id=widget_site.pk if widget_site else None,
    )
    return inbox.receive(intake.KIND, payload, actor=actor, inline=inline)


def apply_and_submit(
    *,
    actor: User,
    service: Service,
    answers: dict,
    channel: str = Application.Channel.API,
    widget_site: WidgetSite | None = None,
    language: str = "",
) -> Application:
    """Start and submit in one go (API clients, services that need no documents): the answers
    are checked before anything is written, then the intake handler registers it at once."""
    item = receive_application(
        actor=actor,
        service=service,
        answers=answers,
        channel=channel,
        widget_site=widget_site,
        language=language,
        inline=True,
    )
    return registered_application(item)


def _lift_suspension(application: Application, now: dt.datetime) -> int:
    """End a suspension: the deadline moves by the working days it lasted."""
    if application.suspended_at is None:
        return 0
    calendar = business_calendar()
    days = calendar.working_days_between(
        timezone.localtime(application.suspended_at).date(), timezone.localtime(now).date()
    )
    if application.due_at and days:
        day = calendar.add_working_days(timezone.localtime(application.due_at).date(), days)
        application.due_at = calendar.end_of_working_day(day)
    application.suspended_at = None
    return days


#: status → statuses it may move to, with why.
ALLOWED: dict[str, dict[str, str]] = {
    S.DRAFT: {
        S.ACCEPTANCE: "the applicant submits the application",
        S.WITHDRAWN: "the applicant gives up the draft",
    },
    S.ACCEPTANCE: {
        S.CONSIDERATION: "the operator accepts the documents",
        S.RETURNED: "the operator returns it with listed reasons",
        S.WITHDRAWN: "the applicant withdraws it",
    },
    S.RETURNED: {
        S.ACCEPTANCE: "the applicant fixes and resubmits the same case",
        S.WITHDRAWN: "the applicant withdraws it",
    },
    S.CONSIDERATION: {
        S.DECISION: "the expert sends a conclusion to the decision maker",
        S.WITHDRAWN: "the applicant withdraws it",
    },
    S.DECISION: {
        S.RESULT_ISSUED: "the decision maker approves; the result is issued",
        S.REFUSED: "the decision maker refuses with reasons",
        S.CONSIDERATION: "the decision maker sends it back to the expert",
    },
    S.RESULT_ISSUED: {},
    S.REFUSED: {},
    S.WITHDRAWN: {},
}

#: The workflow stage whose staff act on an application in this status.
STAGE_OF = {
    S.ACCEPTANCE: "acceptance",
    S.CONSIDERATION: "consideration",
    S.DECISION: "decision",
}


def _workflow(application: Application) -> dict:
    return application.version.workflow or DEFAULT_WORKFLOW


def stage_roles(application: Application, stage: str) -> list[str]:
    return ((_workflow(application).get("stages") or {}).get(stage) or {}).get("roles") or []


def check_stage_actor(application: Application, actor: User, stage: str) -> None:
    """The actor holds a role of this stage in the department, and has not acted at a stage
    the definition separates from it ("the one who accepted does not decide")."""
    roles = stage_roles(application, stage)
    department = application.department
    if not has_role(actor, roles, organisation=department):
        raise Forbidden(
            _("This step needs the role %(roles)s in %(dept)s.")
            % {"roles": ", ".join(roles), "dept": department}
        )
    for pair in _workflow(application).get("separation") or []:
        if stage not in pair:
            continue
        other = pair[1] if pair[0] == stage else pair[0]
        if other == stage:
            continue
        if application.events.filter(stage=other, actor=actor).exists():
            raise Forbidden(
                _(
                    "You acted at the %(other)s stage of this application; the service requires "
                    "another person at the %(stage)s stage."
                )
                % {"other": _stage_label(other), "stage": _stage_label(stage)},
                code="separation_of_duties",
            )


_STAGE_LABELS = {
    "acceptance": gettext_lazy("document check"),
    "consideration": gettext_lazy("consideration"),
    "decision": gettext_lazy("decision"),
}


def _stage_label(stage: str) -> str:
    return str(_STAGE_LABELS.get(stage, stage))


def status_text(application: Application, status: str, language: str | None = None) -> str:
    """The definition's wording of a status for the applicant (the status name by default)."""
    texts = (application.version.status_texts or {}).get(status)
    return _text_in(texts, language) or str(S(status).label)


def _move(
    application: Application,
    actor: User | None,
    to: str,
    *,
    kind: str,
    text: str = "",
    data: dict | None = None,
    check_roles: bool = True,
    also_save: tuple[str, ...] = (),
) -> ApplicationEvent:
    """The one transition: ALLOWED table, stage roles and separation of duties (for staff),
    timestamps, the event row, the audit record and the applicant's notification.
    ``also_save`` names fields the caller changed, written in the same UPDATE."""
    current = application.status
    if to not in ALLOWED.get(current, {}):
        raise Conflict(
            _("An application that is “%(from)s” cannot become “%(to)s”.")
            % {"from": S(current).label, "to": S(to).label},
            code="transition_not_allowed",
        )
    stage = STAGE_OF.get(current, "")
    if check_roles and actor is not None and stage:
        check_stage_actor(application, actor, stage)
    now = timezone.now()
    before = audit.snapshot(application, ["status"])
    application.status = to
    application.stage_started_at = now
    fields = ["status", "stage_started_at", "updated_at", *also_save]
    if to in Application.FINAL:
        application.closed_at = now
        fields.append("closed_at")
    if to == S.RETURNED:
        application.suspended_at = now  # the legal term stops while the applicant fixes it
        fields.append("suspended_at")
    application.save(update_fields=fields)
    event = ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        from_status=current,
        to_status=to,
        stage=stage if check_roles and actor is not None else "",
        actor=actor,
        text=text,
        data=data or {},
        created_at=now,
    )
    audit.record(
        actor=actor,
        action=f"municipal_services.application_{kind}",
        target=application,
        before=before,
        after={"status": to, **({"text": text} if text else {}), **(data or {})},
    )
    if application.number:  # a draft never submitted has nobody waiting for news
        _notify_status(application)
    return event


def _notify_status(application: Application, *, url: str = "") -> None:
    applicant = application.applicant
    language = application.language or applicant.preferred_language
    notices.status_changed(
        recipient=applicant,
        number=application.number or "",
        service=application.service.title(language),
        status=str(S(application.status).label),
        text=status_text(application, application.status, language),
        url=url or reverse("municipal_services:application", args=[application.pk]),
    )


def transition(
    *,
    application: Application,
    actor: User | None,
    to: str,
    kind: str,
    text: str = "",
    data: dict | None = None,
) -> Application:
    """Move an application (locked) to ``to``: see :func:`_move` for what is checked."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        _move(application, actor, to, kind=kind, text=text, data=data)
    return application


def _locked(application: Application, *statuses: str) -> Application:
    application = (
        Application.objects.select_for_update()
        .select_related("version", "service", "department", "applicant")
        .get(pk=application.pk)
    )
    if statuses and application.status not in statuses:
        raise Conflict(
            _("The application is “%(status)s”; this step is not possible now.")
            % {"status": application.get_status_display()},
            code="wrong_status",
        )
    return application


def accept_application(*, application: Application, actor: User) -> Application:
    """The operator accepts the documents. A typical variant whose rule takes the decision
    automatically is then decided by the system, with the rule's reason recorded."""
    with transaction.atomic():
        application = _locked(application, S.ACCEPTANCE)
        _move(application, actor, S.CONSIDERATION, kind="accepted")
        if application.proposed_decision and _rule_mode(application) == "auto":
            reason = application.proposal_reason
            data = {"variant": application.variant, "automatic": True}
            _move(application, None, S.DECISION, kind="auto_concluded", text=reason, data=data)
            _finish(application, None, application.proposed_decision, [reason], automatic=True)
    return application


def _rule_mode(application: Application) -> str:
    event = application.events.filter(kind__in=["submitted", "resubmitted"]).last()
    return (event.data or {}).get("mode", "") if event else ""


def return_application(*, application: Application, actor: User, reasons: list[str]) -> Application:
    """Return to the applicant with the listed reasons; they fix and resubmit the same case."""
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not reasons:
        raise InvalidInput(fields={"reasons": [_("List at least one reason.")]})
    with transaction.atomic():
        application = _locked(application, S.ACCEPTANCE)
        application.return_reasons = reasons
        application.save(update_fields=["return_reasons", "updated_at"])
        _move(
            application,
            actor,
            S.RETURNED,
            kind="returned",
            text="\n".join(reasons),
            data={"reasons": reasons},
        )
    return application


def forward_to_expert(
    *, application: Application, actor: User, expert: User, note: str = ""
) -> Application:
    """Hand the consideration to another expert of the department (status unchanged)."""
    with transaction.atomic():
        application = _locked(application, S.CONSIDERATION)
        check_stage_actor(application, actor, "consideration")
        if not has_role(expert, stage_roles(application, "consideration"), application.department):
            raise InvalidInput(
                fields={"expert": [_("This person is not an expert of the department.")]}
            )
        before = audit.snapshot(application, ["assignee"])
        application.assignee = expert
        application.save(update_fields=["assignee", "updated_at"])
        ApplicationEvent.objects.create(
            application=application,
            kind="forwarded",
            stage="consideration",
            actor=actor,
            text=note,
            data={"expert": expert.pk, "expert_name": str(expert)},
            from_status=application.status,
            to_status=application.status,
        )
        audit.record(
            actor=actor,
            action="municipal_services.application_forwarded",
            target=application,
            before=before,
            after={"assignee": expert.pk},
        )
    return application


def ask_opinion(*, application: Application, actor: User, expert: User, question: str) -> Opinion:
    if not question.strip():
        raise InvalidInput(fields={"question": [_("Write the question.")]})
    with transaction.atomic():
        application = _locked(application, S.CONSIDERATION)
        check_stage_actor(application, actor, "consideration")
        if not has_role(expert, "expert"):
            raise InvalidInput(fields={"expert": [_("This person is not an expert.")]})
        opinion = Opinion.objects.create(
            application=application, asked_by=actor, expert=expert, question=question.strip()
        )
        ApplicationEvent.objects.create(
            application=application,
            kind="opinion_asked",
            stage="consideration",
            actor=actor,
            text=question,
            data={"expert": expert.pk, "expert_name": str(expert)},
            from_status=application.status,
            to_status=application.status,
        )
        audit.record(actor=actor, action="municipal_services.opinion_asked", target=opinion)
    return opinion


def answer_opinion(*, opinion: Opinion, actor: User, answer: str) -> Opinion:
    with transaction.atomic():
        opinion = Opinion.objects.select_for_update().get(pk=opinion.pk)
        if opinion.expert_id != actor.pk:
            raise Forbidden(_("The opinion was asked of another expert."))
        if opinion.answered_at:
            raise Conflict(_("The opinion has been given already."))
        if not answer.strip():
            raise InvalidInput(fields={"answer": [_("Write the opinion.")]})
        opinion.answer, opinion.answered_at = answer.strip(), timezone.now()
        opinion.save(update_fields=["answer", "answered_at", "updated_at"])
        ApplicationEvent.objects.create(
            application=opinion.application,
            kind="opinion_given",
            actor=actor,
            text=answer,
            from_status=opinion.application.status,
            to_status=opinion.application.status,
        )
        audit.record(actor=actor, action="municipal_services.opinion_given", target=opinion)
    return opinion


def send_to_decision(
    *, application: Application, actor: User, conclusion: str, proposed: str = ""
) -> Application:
    """The expert's conclusion goes to the decision maker (with a proposed outcome)."""
    if not conclusion.strip():
        raise InvalidInput(fields={"conclusion": [_("Write the conclusion.")]})
    if proposed and proposed not in ("approve", "refuse"):
        raise InvalidInput(fields={"proposed": [_("Choose approve or refuse.")]})
    with transaction.atomic():
        application = _locked(application, S.CONSIDERATION)
        if proposed:
            application.proposed_decision = proposed
            application.proposal_reason = conclusion.strip()
            application.save(update_fields=["proposed_decision", "proposal_reason", "updated_at"])
        _move(
            application,
            actor,
            S.DECISION,
            kind="concluded",
            text=conclusion.strip(),
            data={"proposed": proposed},
        )
    return application


def decide(
    *, application: Application, actor: User, outcome: str, reasons: list[str]
) -> Application:
    """Approve (the result is issued) or refuse with reasons."""
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if outcome not in ("approve", "refuse"):
        raise InvalidInput(fields={"outcome": [_("Choose approve or refuse.")]})
    if outcome == "refuse" and not reasons:
        raise InvalidInput(fields={"reasons": [_("A refusal needs its reasons.")]})
    with transaction.atomic():
        application = _locked(application, S.DECISION)
        check_stage_actor(application, actor, "decision")
        _finish(application, actor, outcome, reasons)
    return application


def _finish(
    application: Application,
    actor: User | None,
    outcome: str,
    reasons: list[str],
    automatic: bool = False,
) -> None:
    application.decision_reasons = reasons
    application.save(update_fields=["decision_reasons", "updated_at"])
    data = {"outcome": outcome, "reasons": reasons, "automatic": automatic}
    if outcome == "approve":
        _issue_result(application)
        _move(
            application, actor, S.RESULT_ISSUED, kind="approved", text="\n".join(reasons), data=data
        )
    else:
        _move(application, actor, S.REFUSED, kind="refused", text="\n".join(reasons), data=data)


def _issue_result(application: Application) -> None:
    from .results import render_result_pdf, result_context

    version = application.version
    kinds = version.result_types or []
    number = f"{application.service.code[:10].upper()}-{application.number}"
    context = result_context(application, number)
    if "document" in kinds:
        pdf = render_result_pdf(application, version.result_template or {}, context)
        document = ResultDocument(application=application, kind="document", number=number)
        document.file.save(f"{number}.pdf", ContentFile(pdf), save=False)
        document.save()
    if "registry_record" in kinds and version.registry:
        answers = application.answers or {}
        RegistryRecord.objects.create(
            registry=version.registry,
            number=number,
            title=context["title"][:300],
            holder=context["holder"][:300],
            address=str(answers.get("address", ""))[:300],
            details={
                k: answers[k] for k in (version.ui or {}).get("registry_fields", []) if k in answers
            },
            lat=application.location_lat or _float(answers.get("lat")),
            lon=application.location_lon or _float(answers.get("lon")),
            issued_on=timezone.localdate(),
            application=application,
        )


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def withdraw_application(*, application: Application, actor: User) -> Application:
    with transaction.atomic():
        application = _locked(application)
        if actor.pk not in (application.applicant_id, application.registered_by_id):
            raise Forbidden(_("This is not your application."))
        _move(application, actor, S.WITHDRAWN, kind="withdrawn", check_roles=False)
    return application


def _staff_of_open_stage(application: Application, actor: User) -> None:
    stage = STAGE_OF.get(application.status)
    roles = {
        r for s in ("acceptance", "consideration", "decision") for r in stage_roles(application, s)
    }
    if not stage or not has_role(actor, roles, application.department):
        raise Forbidden(_("Only the department's staff handling the application may do this."))


def _record_term_event(
    application: Application,
    actor: User,
    kind: str,
    *,
    text: str = "",
    data: dict | None = None,
    before: dict | None = None,
    message: str = "",
) -> None:
    """The case history row and the audit record of a change to the legal term (suspended,
    resumed, extended); the status does not change."""
    ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        actor=actor,
        text=text,
        data=data or {},
        from_status=application.status,
        to_status=application.status,
    )
    audit.record(
        actor=actor,
        action=f"municipal_services.application_{kind}",
        target=application,
        before=before,
        after=audit.snapshot(application, ["due_at"]) if before is not None else None,
        message=message,
    )


def suspend_application(*, application: Application, actor: User, reason: str) -> Application:
    """Stop the legal term (e.g. waiting for an interdepartmental answer)."""
    if not reason.strip():
        raise InvalidInput(fields={"reason": [_("Give the reason for the suspension.")]})
    with transaction.atomic():
        application = _locked(application, S.ACCEPTANCE, S.CONSIDERATION, S.DECISION)
        _staff_of_open_stage(application, actor)
        if application.suspended_at:
            raise Conflict(_("The term is already suspended."))
        application.suspended_at = timezone.now()
        application.save(update_fields=["suspended_at", "updated_at"])
        _record_term_event(application, actor, "suspended", text=reason, message=reason)
    return application


def resume_application(*, application: Application, actor: User) -> Application:
    with transaction.atomic():
        application = _locked(application, S.ACCEPTANCE, S.CONSIDERATION, S.DECISION)
        _staff_of_open_stage(application, actor)
        if not application.suspended_at:
            raise Conflict(_("The term is not suspended."))
        before = audit.snapshot(application, ["due_at"])
        days = _lift_suspension(application, timezone.now())
        application.save(update_fields=["suspended_at", "due_at", "updated_at"])
        _record_term_event(application, actor, "resumed", data={"days": days}, before=before)
    return application


def extend_application(
    *, application: Application, actor: User, days: int, reason: str
) -> Application:
    """Extend the term by working days (only a decision maker, with a reason)."""
    if days <= 0 or days > 60:
        raise InvalidInput(fields={"days": [_("Between 1 and 60 working days.")]})
    if not reason.strip():
        raise InvalidInput(fields={"reason": [_("Give the reason for the extension.")]})
    with transaction.atomic():
        application = _locked(application, S.ACCEPTANCE, S.CONSIDERATION, S.DECISION)
        if not has_role(actor, "decision_maker", application.department):
            raise Forbidden(_("Only a decision maker of the department extends the term."))
        before = audit.snapshot(application, ["due_at"])
        calendar = business_calendar()
        day = calendar.add_working_days(timezone.localtime(application.due_at).date(), days)
        application.due_at = calendar.end_of_working_day(day)
        application.save(update_fields=["due_at", "updated_at"])
        _record_term_event(
            application, actor, "extended", text=reason, data={"days": days}, before=before
        )
    return application


# --- standard interdepartmental requests --------------------------------------------------------

R = StandardRequest.Status
REQUEST_ALLOWED: dict[str, set[str]] = {
    R.SENT: {R.ACCEPTED, R.REJECTED, R.EXPIRED},
    R.ACCEPTED: {R.ANSWERED, R.REJECTED, R.EXPIRED},
}
REQUEST_HANDLERS = ("operator", "expert", "executor", "decision_maker")


def send_standard_request(
    *, application: Application, actor: User, type: StandardRequestType, payload: dict
) -> StandardRequest:
    """Ask another department (e.g. for a land-registry extract); the answer is due in the
    type's working days."""
    problems = errors_of(type.form_schema, payload, key=("request", type.pk, type.updated_at))
    if problems:
        raise InvalidInput(fields=problems)
    with transaction.atomic():
        application = _locked(application, S.ACCEPTANCE, S.CONSIDERATION, S.DECISION)
        _staff_of_open_stage(application, actor)
        now = timezone.now()
        calendar = business_calendar()
        due = calendar.end_of_working_day(
            calendar.add_working_days(timezone.localtime(now).date(), type.answer_days)
        )
        request = StandardRequest.objects.create(
            type=type,
            application=application,
            addressee=type.addressee,
            payload=payload,
            sent_by=actor,
            sent_at=now,
            due_at=due,
        )
        ApplicationEvent.objects.create(
            application=application,
            kind="request_sent",
            actor=actor,
            text=type.name.get("ru", type.code) if isinstance(type.name, dict) else str(type),
            data={"request": request.pk, "type": type.code},
            from_status=application.status,
            to_status=application.status,
        )
        audit.record(
            actor=actor,
            action="municipal_services.request_sent",
            target=request,
            after={"type": type.code, "application": application.pk},
        )
    return request


def _move_request(
    request: StandardRequest, actor: User | None, to: str, **changes
) -> StandardRequest:
    if to not in REQUEST_ALLOWED.get(request.status, set()):
        raise Conflict(
            _("A request that is “%(from)s” cannot become “%(to)s”.")
            % {"from": R(request.status).label, "to": R(to).label},
            code="transition_not_allowed",
        )
    if actor is not None and not has_role(actor, REQUEST_HANDLERS, request.addressee):
        raise Forbidden(_("Only the addressee department's staff handle this request."))
    before = audit.snapshot(request, ["status"])
    request.status = to
    fields = ["status", "updated_at"]
    if actor is not None:
        request.handled_by = actor
        fields.append("handled_by")
    if to in (R.ANSWERED, R.REJECTED, R.EXPIRED):
        request.closed_at = timezone.now()
        fields.append("closed_at")
    for name, value in changes.items():
        setattr(request, name, value)
        fields.append(name)
    request.save(update_fields=fields)
    ApplicationEvent.objects.create(
        application_id=request.application_id,
        kind=f"request_{to}",
        actor=actor,
        text=changes.get("answer", ""),
        data={"request": request.pk, "type": request.type.code},
    )
    audit.record(
        actor=actor,
        action=f"municipal_services.request_{to}",
        target=request,
        before=before,
        after={"status": to},
    )
    return request


def accept_standard_request(*, request: StandardRequest, actor: User) -> StandardRequest:
    with transaction.atomic():
        request = (
            StandardRequest.objects.select_for_update().select_related("type").get(pk=request.pk)
        )
        return _move_request(request, actor, R.ACCEPTED)


def answer_standard_request(
    *, request: StandardRequest, actor: User, answer: str, document=None
) -> StandardRequest:
    if not answer.strip():
        raise InvalidInput(fields={"answer": [_("Write the answer.")]})
    with transaction.atomic():
        request = (
            StandardRequest.objects.select_for_update().select_related("type").get(pk=request.pk)
        )
        if request.status == R.SENT:  # answering at once accepts it first (both recorded)
            request = _move_request(request, actor, R.ACCEPTED)
        if document is not None:
            request.answer_file.save(getattr(document, "name", "answer"), document, save=False)
        return _move_request(
            request,
            actor,
            R.ANSWERED,
            answer=answer.strip(),
            **({"answer_file": request.answer_file} if document else {}),
        )


def reject_standard_request(
    *, request: StandardRequest, actor: User, reason: str
) -> StandardRequest:
    if not reason.strip():
        raise InvalidInput(fields={"reason": [_("Give the reason for the rejection.")]})
    with transaction.atomic():
        request = (
            StandardRequest.objects.select_for_update().select_related("type").get(pk=request.pk)
        )
        return _move_request(request, actor, R.REJECTED, answer=reason.strip())


def expire_standard_requests(*, now: dt.datetime | None = None) -> int:
    """Requests still open past their answer term become expired (the periodic job)."""
    now = now or timezone.now()
    count = 0
    ids = list(
        StandardRequest.objects.filter(status__in=StandardRequest.OPEN, due_at__lt=now).values_list(
            "pk", flat=True
        )[:5000]
    )
    for pk in ids:
        with transaction.atomic():
            request = (
                StandardRequest.objects.select_for_update()
                .select_related("type")
                .filter(pk=pk)
                .first()
            )
            if request and request.status in StandardRequest.OPEN and request.due_at < now:
                _move_request(request, None, R.EXPIRED)
                count += 1
    return count


# --- life situations ------------------------------------------------------------------------------


def submit_life_situation(
    *,
    situation: LifeSituation,
    actor: User,
    answers: dict,
    channel: str = Application.Channel.PORTAL,
    documents: dict | None = None,
) -> LifeSituationCase:
    """One questionnaire, one application: a sub-application is opened in every department
    concerned, prefilled with the shared answers, with the shared documents (by document code)
    attached to each service that asks for them. Those complete enough are submitted at once;
    the others wait as drafts for the details only their service asks."""
    problems = errors_of(
        situation.questionnaire, answers, key=("situation", situation.pk, situation.updated_at)
    )
    if problems:
        raise InvalidInput(fields=problems)
    from .definition import _ENGINE

    with transaction.atomic():
        case = LifeSituationCase.objects.create(
            situation=situation,
            applicant=actor,
            answers=answers,
            number=f"LS-new-{uuid.uuid4().hex[:16]}",
        )
        case.number = f"LS-{timezone.localdate().year}-{case.pk:06d}"
        case.save(update_fields=["number", "updated_at"])
        opened = 0
        for step in situation.steps.select_related("service", "service__department"):
            if step.condition is not None and not _ENGINE.compile(step.condition).evaluate(answers):
                continue
            data = dict(step.constants or {})
            for target, source in (step.prefill or {}).items():
                if source in answers:
                    data[target] = answers[source]
            application = start_application(
                actor=actor, service=step.service, channel=channel, answers=data
            )
            application.life_situation_case = case
            application.save(update_fields=["life_situation_case", "updated_at"])
            for doc in application.version.documents or []:
                upload = (documents or {}).get(doc.get("code"))
                if upload is not None:
                    upload_file(
                        application=application,
                        actor=actor,
                        document_code=doc["code"],
                        upload=upload,
                    )
            opened += 1
            if not _missing_documents(application) and not errors_of(
                application.version.form_schema,
                data,
                key=(application.version.pk, application.version.updated_at),
            ):
                submit_application(application=application, actor=actor)
        if not opened:
            raise InvalidInput(_("None of the services of this situation apply to your answers."))
        audit.record(
            actor=actor,
            action="municipal_services.life_situation_submitted",
            target=case,
            after={"situation": situation.code, "applications": opened},
        )
    return case


# --- consultations ----------------------------------------------------------------------------


def log_consultation(
    *,
    actor: User,
    department: Organisation,
    question: str,
    answer: str,
    service: Service | None = None,
    channel: str = "phone",
) -> Consultation:
    if not has_role(actor, ("operator", "expert", "decision_maker"), department):
        raise Forbidden(_("Only the department's staff log consultations."))
    problems = {}
    if not question.strip():
        problems["question"] = [_("Write the question.")]
    if not answer.strip():
        problems["answer"] = [_("Write the answer.")]
    if problems:
        raise InvalidInput(fields=problems)
    with transaction.atomic():
        consultation = Consultation.objects.create(
            service=service,
            department=department,
            channel=channel,
            question=question.strip(),
            answer=answer.strip(),
            staff=actor,
        )
        audit.record(
            actor=actor, action="municipal_services.consultation_logged", target=consultation
        )
    return consultation
