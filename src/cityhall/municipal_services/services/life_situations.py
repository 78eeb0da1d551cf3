"""Life situations: one questionnaire opens a sub-application in every department concerned.

Rules: every sub-application is signed and submitted by the applicant like any application
(the questionnaire opens drafts; nothing is submitted unsigned on their behalf); a step may
depend on other steps of the situation (``LifeSituationStep.requires``) and is approved only
after their results are issued (:func:`waiting_for`, checked by the decision)."""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from ..definition import condition_holds
from ..models import Application, LifeSituation, LifeSituationCase, LifeSituationStep
from ..schema_form import errors_of
from .applications import start_application, upload_file
from .life_situation_design import situation_problems

__all__ = ["submit_life_situation", "waiting_for", "prerequisites_of"]

logger = logging.getLogger(__name__)


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
    attached to each service that asks for them. Each waits as a draft for the applicant to
    check it, add what only its service asks and sign it (the same signing as any
    application): the questionnaire signs nothing on the applicant's behalf.

    The answers are read against the situation's published version, which the case keeps
    (its summary and the order between its sub-applications follow that version for good)."""
    version = situation.published_version()
    if version is None:
        raise InvalidInput(
            _("This situation is not offered right now: the city has not published it.")
        )
    problems = errors_of(
        version.questionnaire, answers, key=("situation-version", version.pk, version.updated_at)
    )
    if problems:
        raise InvalidInput(fields=problems)
    if situation_problems(version):
        # A step stored with a mapping to a field its service's form lacks would open a draft
        # missing that answer; nothing is opened and the applicant is told so.
        logger.warning("life situation %s has invalid steps; nothing opened", situation.code)
        raise InvalidInput(
            _(
                "This situation cannot be applied for right now: the city is correcting its "
                "definition. Nothing has been opened or sent; try again later or apply for each "
                "service on its own page."
            )
        )
    with transaction.atomic():
        case = LifeSituationCase.objects.create(
            situation=situation,
            version=version,
            applicant=actor,
            answers=answers,
            number=f"LS-new-{uuid.uuid4().hex[:16]}",
        )
        case.number = f"LS-{timezone.localdate().year}-{case.pk:06d}"
        case.save(update_fields=["number", "updated_at"])
        opened = 0
        for step in version.steps.select_related("service", "service__department"):
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
        if not opened:
            raise InvalidInput(_("None of the services of this situation apply to your answers."))
        audit.record(
            actor=actor,
            action="municipal_services.life_situation_submitted",
            target=case,
            after={
                "situation": situation.code,
                "version": version.number,
                "applications": opened,
            },
        )
    return case


def prerequisites_of(application: Application) -> list[Application]:
    """The sub-applications of the same life situation whose steps this one's step requires
    (only those the questionnaire opened: a step that did not apply is not waited for)."""
    if not application.life_situation_case_id:
        return []
    services = LifeSituationStep.objects.filter(
        required_by__version__cases=application.life_situation_case_id,
        required_by__service_id=application.service_id,
    ).values("service_id")
    return list(
        Application.objects.filter(
            life_situation_case_id=application.life_situation_case_id, service_id__in=services
        )
        .select_related("service")
        .order_by("pk")
    )


def waiting_for(application: Application) -> list[Application]:
    """The prerequisite sub-applications whose results are not issued yet: while any is
    listed, this one cannot be approved (a refused or withdrawn prerequisite keeps it waiting
    for good, so the department refuses it or the applicant applies again)."""
    return [
        a for a in prerequisites_of(application) if a.status != Application.Status.RESULT_ISSUED
    ]
