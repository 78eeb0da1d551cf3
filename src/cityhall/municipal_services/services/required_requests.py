"""Interdepartmental requests a case's variant requires ("a large office needs a land-registry
extract"): the case is decided (approved or refused) only once each was sent and answered, or
marked not needed by the case's staff with a reason (a history row and an audit record).

The requirement is the definition's (``variants[].requests``, chosen in the service designer),
not a habit of the staff; the decision checks it in :func:`check_required_requests`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import Conflict, InvalidInput, NotFound

from ..definition import text_in
from ..models import Application, ApplicationEvent, StandardRequest, StandardRequestType
from .workflow import check_open_stage_staff, locked_application

__all__ = [
    "RequiredRequest",
    "required_requests",
    "check_required_requests",
    "waive_required_request",
]

S = Application.Status


@dataclass
class RequiredRequest:
    """One request type the case's variant requires and where the case stands with it."""

    code: str
    name: str
    #: "answered", "waived", "open" (sent, no answer yet) or "missing" (not sent, or refused)
    state: str
    waiver_reason: str = ""

    @property
    def done(self) -> bool:
        return self.state in ("answered", "waived")


def _required_codes(application: Application) -> list[str]:
    variant = next(
        (
            v
            for v in application.version.variants or []
            if isinstance(v, dict) and v.get("code") == application.variant
        ),
        None,
    )
    return [c for c in (variant or {}).get("requests") or [] if isinstance(c, str)]


def required_requests(application: Application) -> list[RequiredRequest]:
    """The request types the case's variant requires, each with its state."""
    codes = _required_codes(application)
    if not codes:
        return []
    names = {
        t.code: text_in(t.name) or t.code
        for t in StandardRequestType.objects.filter(code__in=codes)
    }
    states: dict[str, str] = {}
    for code, status in application.standard_requests.filter(type__code__in=codes).values_list(
        "type__code", "status"
    ):
        if status == StandardRequest.Status.ANSWERED:
            states[code] = "answered"
        elif status in StandardRequest.OPEN and states.get(code) != "answered":
            states[code] = "open"
    waivers = {
        (e.data or {}).get("type"): e.text for e in application.events.filter(kind="request_waived")
    }
    rows = []
    for code in codes:
        state = states.get(code) or ("waived" if code in waivers else "missing")
        if state != "answered" and code in waivers:
            state = "waived"
        rows.append(RequiredRequest(code, names.get(code, code), state, waivers.get(code, "")))
    return rows


def check_required_requests(application: Application) -> None:
    """Refuse a decision while a required request is not answered nor marked not needed."""
    pending = [r for r in required_requests(application) if not r.done]
    if pending:
        raise Conflict(
            _(
                "The case cannot be decided yet: its variant requires the interdepartmental "
                "request(s) %(names)s. Send each and wait for the answer, or mark it as not "
                "needed with a reason."
            )
            % {"names": ", ".join(f"“{r.name}”" for r in pending)},
            code="required_request_pending",
        )


def waive_required_request(
    *, application: Application, actor: User, type_code: str, reason: str
) -> Application:
    """The case's staff mark a required request as not needed (the extract is already in the
    case file…), with the reason: a history row (staff only) and an audit record."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            fields={"reason": [_("Say why the request is not needed for this case.")]}
        )
    with transaction.atomic():
        application = locked_application(application, S.ACCEPTANCE, S.CONSIDERATION, S.DECISION)
        check_open_stage_staff(application, actor)
        row = next((r for r in required_requests(application) if r.code == type_code), None)
        if row is None:
            raise NotFound(_("The case's variant does not require this request."))
        if row.done:
            raise Conflict(_("This request is already answered or marked as not needed."))
        ApplicationEvent.objects.create(
            application=application,
            kind="request_waived",
            actor=actor,
            text=reason,
            internal=True,
            data={"type": type_code},
            from_status=application.status,
            to_status=application.status,
        )
        audit.record(
            actor=actor,
            action="municipal_services.request_waived",
            target=application,
            message=f"{type_code}: {reason}",
        )
    return application
