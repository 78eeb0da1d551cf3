"""Answers to what participants sent: an expert's public answer to a question, and the
organiser's reasoned recommendation on proposals (one by one or in bulk, identical ones grouped)
written after proposals close and before the conclusion.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import Role
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Conflict, Forbidden, InvalidInput
from cityhall.notifications.services import notify

from .. import events
from ..models import Answer, Discussion, Proposal, Status
from .lifecycle import require_organiser

__all__ = ["answer_question", "set_recommendation"]


def answer_question(*, expert: Any, question: Proposal, text: str) -> Answer:
    """An expert answers a question publicly (one answer per question; a new one replaces the
    text in place only through a new audit record)."""
    if not has_role(expert, (Role.EXPERT, Role.ORGANISER), question.discussion.organiser):
        raise Forbidden(_("Only the discussion's experts answer questions."))
    if question.kind != Proposal.Kind.QUESTION:
        raise InvalidInput(fields={"text": [_("Only questions get an expert's answer.")]})
    if not text.strip():
        raise InvalidInput(fields={"text": [_("Write the answer.")]})
    if question.discussion.is_read_only:
        raise Conflict(_("The discussion is archived; its record cannot change."))
    with transaction.atomic():
        answer, created = Answer.objects.select_for_update().get_or_create(
            question=question, defaults={"expert": expert, "text": text.strip()}
        )
        before = None
        if not created:
            before = {"text": answer.text}
            answer.text, answer.expert, answer.answered_at = text.strip(), expert, timezone.now()
            answer.save(update_fields=["text", "expert", "answered_at"])
        audit.record(
            actor=expert,
            action="discussions.question_answered",
            target=question,
            before=before,
            after={"text": answer.text},
        )
        if question.author is not None:
            notify(
                recipient=question.author,
                event=events.QUESTION_ANSWERED,
                context={
                    "number": question.number,
                    "discussion_title": question.discussion.title,
                    "url": reverse(
                        "discussions:proposal", args=[question.discussion_id, question.number]
                    ),
                },
            )
    return answer


def set_recommendation(
    *,
    actor: Any,
    discussion: Discussion,
    numbers: Iterable[int],
    recommendation: str,
    reason: str,
    same_as: int | None = None,
) -> int:
    """The organiser's reasoned recommendation on one or many proposals (bulk answering);
    ``same_as`` groups identical proposals under one. Returns how many were set."""
    require_organiser(actor, discussion.organiser)
    if discussion.status not in (Status.PROPOSALS_CLOSED, Status.PROTOCOL_SIGNED):
        raise Conflict(
            _("Recommendations are written after proposals close, before the conclusion.")
        )
    if recommendation not in (Proposal.Recommendation.ACCEPT, Proposal.Recommendation.REJECT):
        raise InvalidInput(fields={"recommendation": [_("Choose accept or reject.")]})
    if not reason.strip():
        raise InvalidInput(fields={"reason": [_("Give the reasons for the recommendation.")]})
    numbers = sorted({int(n) for n in numbers})
    if not numbers:
        raise InvalidInput(fields={"numbers": [_("Choose at least one proposal.")]})
    with transaction.atomic():
        qs = Proposal.objects.filter(discussion=discussion, number__in=numbers)
        found = set(qs.values_list("number", flat=True))
        missing = [n for n in numbers if n not in found]
        if missing:
            raise InvalidInput(
                fields={"numbers": [_("No such proposals: %(n)s") % {"n": missing[:10]}]}
            )
        group_id = None
        if same_as is not None:
            group_id = (
                Proposal.objects.filter(discussion=discussion, number=same_as)
                .values_list("pk", flat=True)
                .first()
            )
            if group_id is None:
                raise InvalidInput(fields={"same_as": [_("No such proposal.")]})
        count = qs.update(
            recommendation=recommendation,
            recommendation_reason=reason.strip(),
            same_as_id=group_id,
        )
        if group_id is not None:
            Proposal.objects.filter(pk=group_id).update(same_as_id=None)
        audit.record(
            actor=actor,
            action="discussions.recommendation_set",
            target=discussion,
            after={
                "numbers": numbers if len(numbers) <= 200 else f"{len(numbers)} proposals",
                "recommendation": recommendation,
                "reason": reason.strip(),
                "same_as": same_as,
            },
        )
    return count
