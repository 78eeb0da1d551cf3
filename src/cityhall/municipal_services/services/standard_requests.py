"""Standard interdepartmental requests: a case's staff ask another department (e.g. for a
land-registry extract); the addressee accepts, answers or rejects; requests left open past their
answer term expire (the periodic job). Moves follow ``REQUEST_ALLOWED``, checked in one place.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.accounts.selectors import has_role
from cityhall.core import audit, uploads
from cityhall.core.errors import Conflict, Forbidden, InvalidInput
from cityhall.core.selectors import business_calendar

from .. import case_files as file_access
from ..models import Application, ApplicationEvent, StandardRequest, StandardRequestType
from ..schema_form import errors_of
from .workflow import check_open_stage_staff, locked_application

__all__ = [
    "REQUEST_ALLOWED",
    "REQUEST_HANDLERS",
    "send_standard_request",
    "accept_standard_request",
    "answer_standard_request",
    "reject_standard_request",
    "expire_standard_requests",
]

S = Application.Status
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
        application = locked_application(application, S.ACCEPTANCE, S.CONSIDERATION, S.DECISION)
        check_open_stage_staff(application, actor)
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
    checked = (
        uploads.check(document, purpose=file_access.ANSWER_FILE, field="document")
        if document is not None
        else None
    )
    with transaction.atomic():
        request = (
            StandardRequest.objects.select_for_update().select_related("type").get(pk=request.pk)
        )
        if request.status == R.SENT:  # answering at once accepts it first (both recorded)
            request = _move_request(request, actor, R.ACCEPTED)
        if checked is not None:
            if not has_role(actor, REQUEST_HANDLERS, request.addressee):
                raise Forbidden(_("Only the addressee department's staff handle this request."))
            request.answer_stored = uploads.store(checked, owner=actor)
        return _move_request(
            request,
            actor,
            R.ANSWERED,
            answer=answer.strip(),
            **({"answer_stored": request.answer_stored} if checked else {}),
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
