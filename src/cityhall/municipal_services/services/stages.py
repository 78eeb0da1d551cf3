"""The staff stages of a case: document check (accept or return), consideration by an expert
(forward, opinions, conclusion) and the decision (approve with the result issued, or refuse).

Each action locks the application and moves it through :func:`.workflow.move_application`,
which enforces the stage roles and the separation of duties ("the one who accepted does not
decide"). A typical variant whose rule decides automatically is decided by the system on
acceptance, with the rule's reason recorded.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Conflict, Forbidden, InvalidInput

from .. import notices
from ..models import Application, ApplicationEvent, Opinion
from .issuing import issue_refusal, issue_result
from .life_situations import waiting_for
from .required_requests import check_required_requests, required_requests
from .workflow import check_stage_actor, locked_application, move_application, stage_roles

__all__ = [
    "accept_application",
    "return_application",
    "forward_to_expert",
    "ask_opinion",
    "answer_opinion",
    "send_to_decision",
    "decide",
]

S = Application.Status


def accept_application(*, application: Application, actor: User) -> Application:
    """The operator accepts the documents. A typical variant whose rule takes the decision
    automatically is then decided by the system, with the rule's reason recorded, unless the
    case waits for another step of its life situation (:func:`.life_situations.waiting_for`).

    Who is told: an automatically decided case tells the applicant its outcome only; the
    steps the system took in the same moment (accepted, concluded) are recorded, not sent."""
    with transaction.atomic():
        application = locked_application(application, S.ACCEPTANCE)
        automatic = (
            bool(application.proposed_decision)
            and _rule_mode(application) == "auto"
            and not (application.proposed_decision == "approve" and waiting_for(application))
            # a variant that requires a request is decided by staff once it is answered
            and all(r.done for r in required_requests(application))
        )
        move_application(application, actor, S.CONSIDERATION, kind="accepted", notify=not automatic)
        if automatic:
            reason = application.proposal_reason
            data = {"variant": application.variant, "automatic": True}
            move_application(
                application,
                None,
                S.DECISION,
                kind="auto_concluded",
                text=reason,
                data=data,
                notify=False,
            )
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
        application = locked_application(application, S.ACCEPTANCE)
        application.return_reasons = reasons
        application.save(update_fields=["return_reasons", "updated_at"])
        move_application(
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
    """Move the consideration to another expert of the department (status unchanged).

    Who may forward: the expert the case is assigned to (or any expert of the department while
    nobody is), and the department's decision maker, who reassigns a case. From then on the
    case is the new expert's: only they act at the consideration stage
    (:func:`.workflow.check_assignee`), and they are told it was forwarded to them. The list
    of experts includes those who hold the role in a parent organisation (roles are inherited
    down the tree, :func:`cityhall.accounts.selectors.has_role`)."""
    with transaction.atomic():
        application = locked_application(application, S.CONSIDERATION)
        if not has_role(actor, stage_roles(application, "decision"), application.department):
            check_stage_actor(application, actor, "consideration")
        if not has_role(expert, stage_roles(application, "consideration"), application.department):
            raise InvalidInput(
                fields={"expert": [_("This person is not an expert of the department.")]}
            )
        if expert.pk == application.assignee_id or (
            expert.pk == actor.pk and not application.assignee_id
        ):
            raise InvalidInput(
                fields={"expert": [_("The case is with this expert already; choose another.")]}
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
        notices.notify_forwarded(application, expert=expert, by=actor, note=note)
    return application


def ask_opinion(*, application: Application, actor: User, expert: User, question: str) -> Opinion:
    if not question.strip():
        raise InvalidInput(fields={"question": [_("Write the question.")]})
    with transaction.atomic():
        application = locked_application(application, S.CONSIDERATION)
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
        application = locked_application(application, S.CONSIDERATION)
        if proposed:
            application.proposed_decision = proposed
            application.proposal_reason = conclusion.strip()
            application.save(update_fields=["proposed_decision", "proposal_reason", "updated_at"])
        move_application(
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
    """Approve (the result is issued) or refuse with reasons. A step of a life situation that
    depends on others is approved only once their results are issued (the building permit
    after the lease): refusing it stays possible at any time."""
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if outcome not in ("approve", "refuse"):
        raise InvalidInput(fields={"outcome": [_("Choose approve or refuse.")]})
    if outcome == "refuse" and not reasons:
        raise InvalidInput(fields={"reasons": [_("A refusal needs its reasons.")]})
    with transaction.atomic():
        application = locked_application(application, S.DECISION)
        check_stage_actor(application, actor, "decision")
        check_required_requests(application)
        _finish(application, actor, outcome, reasons)
    return application


def _finish(
    application: Application,
    actor: User | None,
    outcome: str,
    reasons: list[str],
    automatic: bool = False,
) -> None:
    if outcome == "approve" and (waiting := waiting_for(application)):
        raise Conflict(
            _("This application can be approved only after: %(steps)s.")
            % {
                "steps": "; ".join(
                    f"{a.service.title()} ({a.get_status_display()})" for a in waiting
                )
            },
            code="waiting_for_other_step",
        )
    application.decision_reasons = reasons
    application.save(update_fields=["decision_reasons", "updated_at"])
    data = {"outcome": outcome, "reasons": reasons, "automatic": automatic}
    if outcome == "approve":
        issue_result(application)
        move_application(
            application, actor, S.RESULT_ISSUED, kind="approved", text="\n".join(reasons), data=data
        )
    else:
        issue_refusal(application)  # a refusal is a document too, like an approval
        move_application(
            application, actor, S.REFUSED, kind="refused", text="\n".join(reasons), data=data
        )
