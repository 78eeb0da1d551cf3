"""A life situation's versions, kept like a service's: "new version" copies the published
questionnaire and steps into a draft (the designer edits only drafts), and publishing checks the
whole draft — the questionnaire, every step's "applies when" and mappings against it, the order
between steps, every service published — and refuses with the list of problems, changing
nothing. Publishing retires the version published before; cases keep the version they were
submitted on. Both audited (the publication with the questionnaire's difference)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from ..designer.difference import as_audit, difference
from ..models import LifeSituation, LifeSituationStep, LifeSituationVersion
from .life_situation_design import situation_problems
from .questionnaire_design import questionnaire_problems
from .versioning import locked_draft, next_number, publish_over

__all__ = [
    "STEP_PART",
    "compared_definition",
    "publish_situation_version",
    "start_situation_version",
    "version_problems",
]

V = LifeSituationVersion.Status

#: The difference's part name of a step: ``step:`` and the service's code.
STEP_PART = "step:"


def version_problems(version: LifeSituationVersion) -> list[str]:
    """Every reason the version cannot be published, in the reader's language (empty: it can)."""
    problems: list[str] = []
    if not ((version.questionnaire or {}).get("properties") or {}):
        problems.append(_("The questionnaire has no questions: add at least one."))
    for found in questionnaire_problems(version, version.definition()).values():
        problems.extend(str(p) for p in found)
    if not version.steps.exists():
        problems.append(_("The situation opens no service: add at least one step."))
    for step_key, found in situation_problems(version).items():
        number = step_key.removeprefix("step_")
        problems.extend(_("Step %(n)s: %(problem)s") % {"n": number, "problem": p} for p in found)
    return problems


def compared_definition(version: LifeSituationVersion) -> dict:
    """The questionnaire and each step (a part ``step:<service code>``), as the difference
    compares them: a changed step is one row, an unchanged one none."""
    steps = version.steps.select_related("service").prefetch_related("requires__service")
    return version.definition() | {
        f"{STEP_PART}{step.service.code}": {
            "order": step.order,
            "condition": step.condition,
            "prefill": step.prefill,
            "constants": step.constants,
            "requires": sorted(r.service.code for r in step.requires.all()),
        }
        for step in steps
    }


def start_situation_version(*, actor: User, situation: LifeSituation) -> LifeSituationVersion:
    """The situation's open draft, or a new one copying the published version (else the
    newest, else an empty questionnaire): its questionnaire, hints and steps with what each
    waits for."""
    with transaction.atomic():
        situation = LifeSituation.objects.select_for_update().get(pk=situation.pk)
        draft = situation.versions.filter(status=V.DRAFT).first()
        if draft is not None:
            return draft
        source = (
            situation.versions.filter(status=V.PUBLISHED).first()
            or situation.versions.order_by("-number").first()
        )
        draft = LifeSituationVersion.objects.create(
            situation=situation,
            number=next_number(situation.versions),
            questionnaire=source.questionnaire if source else {},
            ui=source.ui if source else {},
        )
        if source is not None:
            copies = {}
            steps = list(source.steps.prefetch_related("requires").order_by("order", "pk"))
            for step in steps:
                copies[step.pk] = LifeSituationStep.objects.create(
                    version=draft,
                    service_id=step.service_id,
                    order=step.order,
                    condition=step.condition,
                    prefill=step.prefill,
                    constants=step.constants,
                )
            for step in steps:
                copies[step.pk].requires.set([copies[r.pk] for r in step.requires.all()])
        audit.record(
            actor=actor,
            action="municipal_services.life_situation_version_drafted",
            target=draft,
            after={
                "situation": situation.code,
                "number": draft.number,
                "copied_from": source.number if source else None,
            },
        )
    return draft


def publish_situation_version(
    *, actor: User, version: LifeSituationVersion, expected_revision: int | None
) -> LifeSituationVersion:
    """Publish the draft the official reviewed: refused whole with every problem of
    :func:`version_problems` (nothing changes), or as a conflict when it changed since. The
    previously published version is retired; residents see this one from now on."""
    with transaction.atomic():
        version = locked_draft(LifeSituationVersion, version.pk, expected_revision, "situation")
        if problems := version_problems(version):
            raise InvalidInput(
                _("This version cannot be published: please correct the errors."),
                fields={"__all__": problems},
            )
        previous = (
            LifeSituationVersion.objects.select_for_update()
            .filter(situation_id=version.situation_id, status=V.PUBLISHED)
            .first()
        )
        changes = difference(
            compared_definition(previous) if previous else None, compared_definition(version)
        )
        publish_over(
            actor=actor,
            version=version,
            retiring=[previous] if previous is not None else [],
            action="municipal_services.life_situation_version",
            after={
                "situation": version.situation.code,
                "number": version.number,
                "previous": previous.number if previous else None,
                "difference": as_audit(changes),
            },
        )
    return version
