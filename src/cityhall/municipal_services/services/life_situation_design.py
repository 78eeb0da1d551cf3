"""Designing a life situation's steps (in a draft version: see
:mod:`.life_situation_versions`): which service each opens, when it applies, how the
questionnaire's answers fill the service's form, and which steps it waits for.

The screen offers every name from lists (the questionnaire's fields, the service's published
form fields, the other steps), and :func:`step_problems` checks them again on save, so a
misspelled field can never be stored: each mapping's target must be a field of the service's
published form and its source a questionnaire field; "decided only after" may not wait for
itself or make a circle. :func:`situation_problems` applies the same checks to every step
before an applicant's questionnaire opens anything (a step stored before these checks existed
refuses the questionnaire whole, with the truth, instead of opening drafts that lack answers).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from ..definition import expression_problems
from ..designer.questionnaire import condition_problems
from ..models import LifeSituationStep, LifeSituationVersion, Service, ServiceVersion
from .versioning import locked_draft

__all__ = [
    "delete_step",
    "form_fields_of",
    "questionnaire_fields_of",
    "save_step",
    "situation_problems",
    "step_problems",
    "touch_draft",
]


def touch_draft(version: LifeSituationVersion) -> LifeSituationVersion:
    """Lock the draft for a change and count its revision up (publishing refuses a draft
    changed after the official reviewed it); a conflict when it is not a draft."""
    version = locked_draft(LifeSituationVersion, version.pk, None, "situation")
    version.revision += 1
    version.save(update_fields=["revision", "updated_at"])
    return version


def form_fields_of(service: Service) -> set[str]:
    """The fields of the service's published form (empty when nothing is published)."""
    version = service.versions.filter(status=ServiceVersion.Status.PUBLISHED).first()
    return set(((version.form_schema if version else {}) or {}).get("properties") or {})


def questionnaire_fields_of(version: LifeSituationVersion) -> set[str]:
    return set((version.questionnaire or {}).get("properties") or {})


def _requirement_circle(step: LifeSituationStep | None, requires: list[LifeSituationStep]) -> bool:
    """Whether waiting for ``requires`` would make ``step`` wait, through them, for itself."""
    if step is None or step.pk is None:
        return False
    seen: set[int] = set()
    queue = [r.pk for r in requires]
    while queue:
        current = queue.pop()
        if current == step.pk:
            return True
        if current in seen:
            continue
        seen.add(current)
        queue += list(
            LifeSituationStep.requires.through.objects.filter(
                from_lifesituationstep_id=current
            ).values_list("to_lifesituationstep_id", flat=True)
        )
    return False


def step_problems(
    *,
    version: LifeSituationVersion,
    service: Service | None,
    prefill: dict[str, str],
    constants: dict[str, Any] | None = None,
    condition: Any = None,
    requires: list[LifeSituationStep] = (),
    step: LifeSituationStep | None = None,
) -> dict[str, list[str]]:
    """Every problem of a step, by field, in the reader's language (empty: it can be saved)."""
    problems: dict[str, list[str]] = {}
    if service is None:
        return {"service": [_("Choose the service this step opens.")]}
    targets = form_fields_of(service)
    if not targets:
        problems["service"] = [_("This service has no published version to open.")]
    sources = questionnaire_fields_of(version)
    for target, source in (prefill or {}).items():
        if target not in targets:
            problems.setdefault("prefill", []).append(
                _("The form of “%(service)s” has no field “%(field)s”.")
                % {"service": service.title(), "field": target}
            )
        if source not in sources:
            problems.setdefault("prefill", []).append(
                _("The questionnaire has no field “%(field)s”.") % {"field": source}
            )
    for target in constants or {}:
        if target not in targets:
            problems.setdefault("constants", []).append(
                _("The form of “%(service)s” has no field “%(field)s”.")
                % {"service": service.title(), "field": target}
            )
    if condition is not None and (found := expression_problems(condition, sources)):
        problems["condition"] = [str(p) for p in found]
    elif condition is not None and (
        found := condition_problems(
            condition,
            version.definition(),
            where=_("“Applies”"),
        )
    ):
        problems["condition"] = found
    for other in requires:
        if other.version_id != version.pk or (step is not None and other.pk == step.pk):
            problems["requires"] = [_("A step can wait only for the situation's other steps.")]
    if "requires" not in problems and _requirement_circle(step, list(requires)):
        problems["requires"] = [
            _("These steps already wait for this one: waiting for them would wait forever.")
        ]
    duplicate = LifeSituationStep.objects.filter(version=version, service=service)
    if step is not None and step.pk:
        duplicate = duplicate.exclude(pk=step.pk)
    if duplicate.exists():
        problems.setdefault("service", []).append(
            _("This service already has a step in this situation.")
        )
    return problems


def situation_problems(version: LifeSituationVersion) -> dict[str, list[str]]:
    """The stored steps' problems, by step ("step 2: …"), checked before anything is opened
    and before a version is published (the order between steps included)."""
    problems: dict[str, list[str]] = {}
    steps = version.steps.select_related("service").prefetch_related("requires")
    for step in steps:
        found = step_problems(
            version=version,
            service=step.service,
            prefill=step.prefill or {},
            constants=step.constants or {},
            condition=step.condition,
            requires=list(step.requires.all()),
            step=step,
        )
        for messages in found.values():
            problems.setdefault(f"step_{step.order}", []).extend(messages)
    return problems


def save_step(
    *,
    version: LifeSituationVersion,
    actor: User,
    service: Service | None,
    order: int,
    prefill: dict[str, str],
    condition: Any = None,
    requires: list[LifeSituationStep] = (),
    constants: dict[str, Any] | None = None,
    step: LifeSituationStep | None = None,
) -> LifeSituationStep:
    """Add or change a step of a draft after :func:`step_problems` finds nothing; refused
    whole, by field, otherwise (and as a conflict when the version is not a draft). Audited
    with what the step was and what it becomes."""
    problems = step_problems(
        version=version,
        service=service,
        prefill=prefill,
        constants=constants if constants is not None else (step.constants if step else {}),
        condition=condition,
        requires=list(requires),
        step=step,
    )
    if problems:
        raise InvalidInput(_("The step cannot be saved."), fields=problems)
    fields = ["service_id", "order", "prefill", "condition", "constants"]
    with transaction.atomic():
        version = touch_draft(version)
        before = audit.snapshot(step, fields) if step is not None and step.pk else None
        if step is None:
            step = LifeSituationStep(version=version)
        step.service = service
        step.order = order
        step.prefill = dict(prefill)
        step.condition = condition
        if constants is not None:
            step.constants = dict(constants)
        step.save()
        step.requires.set(requires)
        audit.record(
            actor=actor,
            action="municipal_services.life_situation_step_saved",
            target=step,
            before=before,
            after=audit.snapshot(step, fields) | {"requires": sorted(r.pk for r in requires)},
        )
    return step


def delete_step(*, step: LifeSituationStep, actor: User) -> None:
    with transaction.atomic():
        touch_draft(step.version)
        audit.record(
            actor=actor,
            action="municipal_services.life_situation_step_deleted",
            target=step,
            before={"service": step.service.code, "order": step.order},
        )
        step.delete()
