"""The case workflow of an application: the ``ALLOWED`` table, the stage each status belongs to,
the roles of a stage and the separation of duties, and the one transition that checks them.

Every status change goes through :func:`move_application` (locked by the caller, usually via
:func:`locked_application`): it checks the table and the stage roles, stamps the times, appends
the event row, writes the audit record and notifies the applicant. The stage actions
(:mod:`.stages`), the legal term (:mod:`.legal_term`) and standard requests build on it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.accounts.models import Role, User
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Conflict, Forbidden

from .. import notices
from ..definition import DEFAULT_WORKFLOW
from ..models import Application, ApplicationEvent

__all__ = [
    "ALLOWED",
    "STAGE_OF",
    "stage_roles",
    "check_stage_actor",
    "check_assignee",
    "stage_refusal",
    "role_labels",
    "move_application",
    "transition",
    "locked_application",
    "check_open_stage_staff",
]

S = Application.Status


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


def stage_refusal(application: Application, actor: User, stage: str) -> str:
    """Why ``actor`` may not act at ``stage`` of this application, in words; "" when they may.

    The rule: the actor holds a role of the stage in the department, and has not acted at a
    stage the definition separates from it ("the one who accepted does not decide"). Pages ask
    this before offering a stage's forms, so nobody is shown a form that would refuse them; the
    refusal of a posted action carries the same words (:func:`check_stage_actor`).
    """
    roles = stage_roles(application, stage)
    department = application.department
    if not has_role(actor, roles, organisation=department):
        return _("This step needs the role %(roles)s in %(dept)s.") % {
            "roles": role_labels(roles),
            "dept": department,
        }
    if reason := assignee_refusal(application, actor, stage):
        return reason
    for pair in _workflow(application).get("separation") or []:
        if stage not in pair:
            continue
        other = pair[1] if pair[0] == stage else pair[0]
        if other == stage:
            continue
        if application.events.filter(stage=other, actor=actor).exists():
            return _(
                "You acted at the %(other)s stage of this application; the service requires "
                "another person at the %(stage)s stage (separation of duties)."
            ) % {"other": _stage_label(other), "stage": _stage_label(stage)}
    return ""


def check_stage_actor(application: Application, actor: User, stage: str) -> None:
    """Refuse (403, with the reason) an actor who may not act at ``stage``."""
    check_assignee(application, actor, stage)
    if reason := stage_refusal(application, actor, stage):
        separated = has_role(actor, stage_roles(application, stage), application.department)
        raise Forbidden(reason, code="separation_of_duties" if separated else "forbidden")


def role_labels(roles) -> str:
    """Role codes as people read them ("Operator or Expert"), for refusals."""
    labels = []
    for role in roles:
        try:
            labels.append(str(Role(role).label))
        except ValueError:
            labels.append(role)
    return _(" or ").join(labels) if labels else _("(no role is set for this step)")


def assignee_refusal(application: Application, actor: User, stage: str) -> str:
    """A case forwarded to an expert is theirs: at the consideration stage only the assignee
    acts on it (concludes, asks opinions, forwards it on); the one who forwarded it can no
    longer conclude. A case nobody was assigned to is open to every expert of the department.
    Returns why ``actor`` may not act, or ""."""
    if stage != "consideration" or not application.assignee_id:
        return ""
    if actor.pk != application.assignee_id:
        return _("The case has been forwarded to %(expert)s; only they may act on it now.") % {
            "expert": application.assignee
        }
    return ""


def check_assignee(application: Application, actor: User, stage: str) -> None:
    """Refuse (403 ``not_assignee``) anyone but the assignee of a forwarded case."""
    if reason := assignee_refusal(application, actor, stage):
        raise Forbidden(reason, code="not_assignee")


_STAGE_LABELS = {
    "acceptance": gettext_lazy("document check"),
    "consideration": gettext_lazy("consideration"),
    "decision": gettext_lazy("decision"),
}


def _stage_label(stage: str) -> str:
    return str(_STAGE_LABELS.get(stage, stage))


def move_application(
    application: Application,
    actor: User | None,
    to: str,
    *,
    kind: str,
    text: str = "",
    data: dict | None = None,
    check_roles: bool = True,
    also_save: tuple[str, ...] = (),
    notify: bool = True,
) -> ApplicationEvent:
    """The one transition: ALLOWED table, stage roles and separation of duties (for staff),
    timestamps, the event row, the audit record and the applicant's notification.
    ``also_save`` names fields the caller changed, written in the same UPDATE.

    ``notify=False`` for a step the system takes on its way to an outcome in the same moment
    (an automatic decision): the applicant is told the outcome, not every internal step."""
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
    if notify and application.number:  # a draft never submitted has nobody waiting for news
        notices.notify_status(application)
    return event


def transition(
    *,
    application: Application,
    actor: User | None,
    to: str,
    kind: str,
    text: str = "",
    data: dict | None = None,
) -> Application:
    """Move an application (locked) to ``to``: see :func:`move_application` for what is checked."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        move_application(application, actor, to, kind=kind, text=text, data=data)
    return application


def locked_application(application: Application, *statuses: str) -> Application:
    """The application read again under its row lock, refused (``wrong_status``) unless it is
    in one of ``statuses`` (any status when none is given)."""
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


def check_open_stage_staff(application: Application, actor: User) -> None:
    """The actor holds a role of any stage in the department and the case is at an open stage
    (suspending the term, standard requests); no separation of duties here."""
    stage = STAGE_OF.get(application.status)
    roles = {
        r for s in ("acceptance", "consideration", "decision") for r in stage_roles(application, s)
    }
    if not stage:
        raise Forbidden(_("The application is not at a stage staff work on."))
    if not has_role(actor, roles, application.department):
        raise Forbidden(
            _(
                "Only the department's staff handling the application (%(roles)s in %(dept)s) "
                "may do this."
            )
            % {"roles": role_labels(sorted(roles)), "dept": application.department}
        )
