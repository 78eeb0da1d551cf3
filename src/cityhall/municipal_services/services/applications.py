"""Applications from the applicant's side: start a draft (also a paper one at a service centre),
save answers, attach and remove documents, submit, withdraw.

Submission checks the answers against the exact version's schema and the required documents,
then hands the application to :mod:`cityhall.municipal_services.intake`, which registers it
(numbers, deadline, history, notification); nothing in the intake calls back into services.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.accounts.selectors import has_role, is_verified
from cityhall.core import audit, inbox, uploads
from cityhall.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cityhall.core.models import InboxItem

from .. import case_files as file_access
from .. import intake
from ..definition import applicable_answers
from ..models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    Service,
    ServiceVersion,
    WidgetSite,
)
from .workflow import locked_application, move_application

__all__ = [
    "published_version_of",
    "start_application",
    "paper_applicant",
    "save_draft",
    "save_form",
    "identity_missing",
    "check_identity",
    "document_rules",
    "upload_file",
    "remove_file",
    "missing_documents_of",
    "submit_application",
    "registered_application",
    "receive_application",
    "apply_and_submit",
    "withdraw_application",
]

S = Application.Status


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


def save_form(
    *,
    application: Application,
    actor: User,
    answers: dict,
    uploads: list[tuple[str, object]] = (),
    remove: list[int] = (),
) -> Application:
    """The application form as posted, whichever button was pressed: the answers are saved
    first (so nothing typed is lost), then each chosen file is stored and each file asked
    for is removed. A refused file is reported beside its document (``InvalidInput``) after
    the answers and the other files have been kept."""
    application = save_draft(application=application, actor=actor, answers=answers)
    problems: dict[str, list[str]] = {}
    for code, upload in uploads:
        if not getattr(upload, "size", 0):
            continue  # an empty file input
        try:
            upload_file(application=application, actor=actor, document_code=code, upload=upload)
        except InvalidInput as exc:
            for name, messages in (exc.fields or {code: [str(exc.message)]}).items():
                problems.setdefault(name, []).extend(messages)
    for pk in remove:
        stored = application.files.filter(pk=pk).first()
        if stored is not None:
            remove_file(file=stored, actor=actor)
    if problems:
        raise InvalidInput(fields=problems)
    return application


def identity_missing(*, application: Application) -> bool:
    """Whether the service asks for a verified identity the applicant does not have yet."""
    return application.version.identity == ServiceVersion.Identity.VERIFIED and not is_verified(
        application.applicant
    )


def check_identity(*, application: Application) -> None:
    """The service's identity requirement, the same on every channel (portal, widget, API,
    paper, life situations): a service that asks for a verified identity registers no
    application of a person whose identity has not been verified (online through the identity
    portal, or in person at a service centre, where the operator verifies it first). The
    intake checks it again at registration."""
    if identity_missing(application=application):
        raise Forbidden(
            _(
                "This service needs a verified identity. Verify the applicant's identity "
                "(through the identity portal or at a service centre), then submit."
            ),
            code="identity_required",
        )


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
    allowed = ", ".join(t.split("/")[-1].upper() for t in rules.get("types") or [])
    try:
        checked = uploads.check(upload, purpose=file_access.APPLICATION_FILE, field=document_code)
    except InvalidInput as refused:
        if refused.code != "file_type":
            raise
        checked = None
    upload.seek(0)
    if checked is None or checked.content_type not in (rules.get("types") or []):
        raise InvalidInput(
            fields={
                document_code: [
                    _("This file type is not accepted. Allowed: %(t)s.") % {"t": allowed}
                ]
            },
            code="file_type",
        )
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not (
            actor.pk in (application.applicant_id, application.registered_by_id)
            and application.status in (S.DRAFT, S.RETURNED)
        ):
            _can_edit(application, actor)
        record = uploads.store(checked, owner=application.applicant or actor)
        stored = ApplicationFile.objects.create(
            application=application,
            document_code=document_code,
            stored=record,
            original_name=record.label,
            content_type=record.content_type,
            size=record.size,
            uploaded_by=actor,
        )
        audit.record(
            actor=actor,
            action="municipal_services.file_uploaded",
            target=application,
            after={"document": document_code, "size": record.size, "type": record.content_type},
        )
    return stored


def remove_file(*, file: ApplicationFile, actor: User) -> None:
    """Remove a file from a draft or a returned application, unless it was part of a submitted
    version: that one stays in the case file (a replacement is uploaded as a new file)."""
    with transaction.atomic():
        _can_edit(file.application, actor)
        if file.submitted:
            raise Conflict(
                _(
                    "%(name)s was part of the submitted application and stays in the case "
                    "file. Upload the corrected document as a new file."
                )
                % {"name": file.original_name},
                code="file_in_case_file",
            )
        audit.record(
            actor=actor,
            action="municipal_services.file_removed",
            target=file.application,
            before={"document": file.document_code, "name": file.original_name},
        )
        record = file.stored
        file.delete()
        uploads.discard([record])


def missing_documents_of(application: Application) -> dict[str, list[str]]:
    """Document code → message, for each document the version requires and the application
    lacks (shared by submission and life situations)."""
    present = set(application.files.values_list("document_code", flat=True))
    return intake.missing_documents(application.version, present, application.answers or {})


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
    check_identity(application=application)
    problems = intake.problems_of_answers(application.version, application.answers)
    problems.update(missing_documents_of(application))
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
    idempotency_key: str = "",
) -> inbox.Item:
    """Check an application started and submitted in one go, then receive it into the intake
    inbox: refused at once (nothing stored) when the answers break the exact version's schema
    or the service asks for documents; registered in the background, or before this returns
    with ``inline`` (default ``settings.INBOX_INLINE``). Give the offered ``version`` (from
    :func:`intake.offered_version`) or the ``service``."""
    if version is None:
        version = published_version_of(service)
    check_identity(application=Application(version=version, applicant=actor))
    known = (version.form_schema.get("properties") or {}).keys()
    answers = applicable_answers(version.ui, {k: v for k, v in answers.items() if k in known})
    problems = intake.problems_of_answers(version, answers)
    for code in intake.missing_documents(version, set(), answers):
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
    return inbox.receive(
        intake.KIND,
        payload,
        actor=actor,
        inline=inline,
        idempotency_key=idempotency_key,
        hourly_limit=settings.SUBMISSIONS_PER_HOUR,
    )


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


def withdraw_application(*, application: Application, actor: User) -> Application:
    with transaction.atomic():
        application = locked_application(application)
        if actor.pk not in (application.applicant_id, application.registered_by_id):
            raise Forbidden(_("This is not your application."))
        move_application(application, actor, S.WITHDRAWN, kind="withdrawn", check_roles=False)
    return application
