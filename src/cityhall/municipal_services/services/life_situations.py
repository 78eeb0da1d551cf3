"""Life situations: one questionnaire opens a sub-application in every department concerned."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from ..definition import condition_holds
from ..models import Application, LifeSituation, LifeSituationCase
from ..schema_form import errors_of
from .applications import (
    missing_documents_of,
    start_application,
    submit_application,
    upload_file,
)

__all__ = ["submit_life_situation"]


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
            if not condition_holds(step.condition, answers):
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
            if not missing_documents_of(application) and not errors_of(
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
