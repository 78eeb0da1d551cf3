"""Designing a life situation's steps: which service each opens, when it applies, how the
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
from ..models import LifeSituation, LifeSituationStep, Service, ServiceVersion

__all__ = [
    "delete_step",
    "form_fields_of",
    "questionnaire_fields_of",
    "save_step",
    "situation_problems",
    "step_problems",
]


def form_fields_of(service: Service) -> set[str]:
    """The fields of the service's published form (empty when nothing is published)."""
    version = service.versions.filter(status=ServiceVersion.Status.PUBLISHED).first()
    return set(((version.form_schema if version else {}) or {}).get("properties") or {})


def questionnaire_fields_of(situation: LifeSituation) -> set[str]:
    return set((situation.questionnaire or {}).get("properties") or {})


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
    situation: LifeSituation,
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
    sources = questionnaire_fields_of(situation)
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
            {"form_schema": situation.questionnaire or {}, "ui": situation.ui or {}},
            where=_("“Applies”"),
        )
    ):
        problems["condition"] = found
    for other in requires:
        if other.situation_id != situation.pk or (step is not None and other.pk == step.pk):
            problems["requires"] = [_("A step can wait only for the situation's other steps.")]
    if "requires" not in problems and _requirement_circle(step, list(requires)):
        problems["requires"] = [
            _("These steps already wait for this one: waiting for them would wait forever.")
        ]
    duplicate = LifeSituationStep.objects.filter(situation=situation, service=service)
    if step is not None and step.pk:
        duplicate = duplicate.exclude(pk=step.pk)
    if duplicate.exists():
        problems.setdefault("service", []).append(
            _("This service already has a step in this situation.")
        )
    return problems


def situation_problems(situation: LifeSituation) -> dict[str, list[str]]:
    """The stored steps' problems, by step ("step 2: …"), checked before anything is opened."""
    problems: dict[str, list[str]] = {}
    steps = situation.steps.select_related("service").prefetch_related("requires")
    for step in steps:
        found = step_problems(
            situation=situation,
            service=step.service,
            prefill=step.prefill or {},
            constants=step.constants or {},
            condition=step.condition,
            step=step,
        )
        for messages in found.values():
            problems.setdefault(f"step_{step.order}", []).extend(messages)
    return problems


def save_step(
    *,
    situation: LifeSituation,
    actor: User,
    service: Service | None,
    order: int,
    prefill: dict[str, str],
    condition: Any = None,
    requires: list[LifeSituationStep] = (),
    constants: dict[str, Any] | None = None,
    step: LifeSituationStep | None = None,
) -> LifeSituationStep:
    """Add or change a step after :func:`step_problems` finds nothing; refused whole, by field,
    otherwise. Audited with what the step was and what it becomes."""
    problems = step_problems(
        situation=situation,
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
        before = audit.snapshot(step, fields) if step is not None and step.pk else None
        if step is None:
            step = LifeSituationStep(situation=situation)
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
        audit.record(
            actor=actor,
            action="municipal_services.life_situation_step_deleted",
            target=step,
            before={"service": step.service.code, "order": step.order},
        )
        step.delete()
