"""The legal term of a case: suspend it (e.g. waiting for an interdepartmental answer), resume it
(the deadline moves by the working days it stood still) and extend it (a decision maker, with a
reason). The status does not change; each change is a history row and an audit record.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Conflict, Forbidden, InvalidInput
from cityhall.core.selectors import business_calendar

from .. import deadlines
from ..models import Application, ApplicationEvent
from .workflow import check_open_stage_staff, locked_application

__all__ = ["suspend_application", "resume_application", "extend_application"]

S = Application.Status


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
        application = locked_application(application, S.ACCEPTANCE, S.CONSIDERATION, S.DECISION)
        check_open_stage_staff(application, actor)
        if application.suspended_at:
            raise Conflict(_("The term is already suspended."))
        application.suspended_at = timezone.now()
        application.save(update_fields=["suspended_at", "updated_at"])
        _record_term_event(application, actor, "suspended", text=reason, message=reason)
    return application


def resume_application(*, application: Application, actor: User) -> Application:
    with transaction.atomic():
        application = locked_application(application, S.ACCEPTANCE, S.CONSIDERATION, S.DECISION)
        check_open_stage_staff(application, actor)
        if not application.suspended_at:
            raise Conflict(_("The term is not suspended."))
        before = audit.snapshot(application, ["due_at"])
        days = deadlines.lift_suspension(application, timezone.now())
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
        application = locked_application(application, S.ACCEPTANCE, S.CONSIDERATION, S.DECISION)
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
