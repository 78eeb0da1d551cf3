"""The experts' questions desk: answering many questions at once (from a template or one text)
and assigning questions to an expert of the organiser.

Rules: an expert or organiser of the discussion's organiser answers; only the organiser
assigns, and only to someone who holds the expert (or organiser) role there. A batch is all or
nothing; every answer and every assignment has its own audit record, and each author is told of
the answer as with a single one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import Role
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Forbidden, InvalidInput

from ..models import Proposal, QuestionAssignment
from .answers import answer_question
from .lifecycle import require_organiser

__all__ = ["MAX_BATCH", "answer_questions", "assign_questions"]

#: The most questions one bulk action takes (a page of the desk is 50).
MAX_BATCH = 500


def _questions(questions: Sequence[Proposal]) -> list[Proposal]:
    if not questions:
        raise InvalidInput(fields={"questions": [_("Choose at least one question.")]})
    if len(questions) > MAX_BATCH:
        raise InvalidInput(
            fields={"questions": [_("At most %(n)s questions at once.") % {"n": MAX_BATCH}]}
        )
    if any(q.kind != Proposal.Kind.QUESTION for q in questions):
        raise InvalidInput(fields={"questions": [_("Only questions get an expert's answer.")]})
    return list(questions)


def answer_questions(*, expert: Any, questions: Sequence[Proposal], text: str) -> int:
    """The same public answer to every question chosen (bulk answer); returns how many."""
    questions = _questions(questions)
    if not text.strip():
        raise InvalidInput(fields={"text": [_("Write the answer or choose a template.")]})
    with transaction.atomic():
        for question in questions:
            answer_question(expert=expert, question=question, text=text)
    return len(questions)


def assign_questions(*, actor: Any, questions: Sequence[Proposal], expert: Any | None) -> int:
    """Assign the questions to ``expert`` (``None``: take the assignment away)."""
    questions = _questions(questions)
    organisers = {q.discussion.organiser_id: q.discussion.organiser for q in questions}
    for organisation in organisers.values():
        require_organiser(actor, organisation)
        if expert is not None and not has_role(expert, (Role.EXPERT, Role.ORGANISER), organisation):
            raise Forbidden(
                _("%(name)s is not an expert of %(organiser)s.")
                % {"name": expert.get_full_name() or expert.username, "organiser": organisation}
            )
    now = timezone.now()
    with transaction.atomic():
        ids = [q.pk for q in questions]
        before = dict(
            QuestionAssignment.objects.select_for_update()
            .filter(question_id__in=ids)
            .values_list("question_id", "expert_id")
        )
        QuestionAssignment.objects.filter(question_id__in=ids).delete()
        if expert is not None:
            QuestionAssignment.objects.bulk_create(
                QuestionAssignment(question=q, expert=expert, assigned_by=actor, assigned_at=now)
                for q in questions
            )
        audit.record_many(
            [
                audit.Entry(
                    action="discussions.question_assigned",
                    object_type=Proposal._meta.label_lower,
                    object_id=q.pk,
                    actor=actor,
                    before={"expert": before.get(q.pk)},
                    after={"expert": getattr(expert, "pk", None), "number": q.number},
                )
                for q in questions
            ]
        )
    return len(questions)
