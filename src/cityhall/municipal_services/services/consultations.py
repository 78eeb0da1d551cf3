"""Consultations: the department's staff log a question asked and the answer given."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation, User
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Forbidden, InvalidInput

from ..models import Consultation, Service

__all__ = ["log_consultation"]


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
