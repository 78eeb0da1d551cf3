"""Building a life situation's questionnaire in the designer (in a draft version: see
:mod:`.life_situation_versions`): questions of the same kinds as a
service's form, each saved only when every condition that refers to the questionnaire still
holds — the questions' "show when" and the steps' "applies when" and mappings — so removing a
question a step depends on, or a condition naming an answer that is not offered, is refused
with the question or step named. Two officials: a save from an older questionnaire is a
conflict. Each save is audited with its difference."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import Conflict, InvalidInput

from ..definition import schema_problems
from ..designer.difference import as_audit, difference
from ..designer.fields import field_specs
from ..designer.questionnaire import condition_problems, question_label, questionnaire_revision
from ..models import LifeSituationVersion
from .life_situation_design import touch_draft

__all__ = ["questionnaire_problems", "save_questionnaire"]


def questionnaire_problems(
    version: LifeSituationVersion, definition: dict, *, question: str | None = None
) -> dict[str, list[str]]:
    """Form field → messages: the edited ``question``'s own "show when" under ``show_value``,
    everything else (other questions, the steps) under ``__all__``."""
    problems: dict[str, list[str]] = {}
    schema = definition.get("form_schema") or {}
    if schema.get("properties") and (found := schema_problems(schema)):
        problems["__all__"] = [str(p) for p in found]
    hints = (definition.get("ui") or {}).get("fields") or {}
    for spec in field_specs(definition):
        where = _("The question “%(question)s”") % {"question": question_label(spec)}
        found = condition_problems(
            (hints.get(spec.name) or {}).get("show_if"), definition, where=where
        )
        if found:
            problems.setdefault("show_value" if spec.name == question else "__all__", []).extend(
                found
            )
    names = set(schema.get("properties") or {})
    for step in version.steps.select_related("service").order_by("order", "pk"):
        where = _("The step “%(step)s”") % {"step": step.service.title()}
        problems.setdefault("__all__", []).extend(
            condition_problems(step.condition, definition, where=where)
        )
        for source in sorted(set((step.prefill or {}).values()) - names):
            problems["__all__"].append(
                _(
                    "%(where)s fills the service's form from the question “%(name)s”: "
                    "change the step first."
                )
                % {"where": where, "name": source}
            )
    return {k: v for k, v in problems.items() if v}


def save_questionnaire(
    *,
    version: LifeSituationVersion,
    actor: User,
    changes: dict,
    expected_revision: int | None,
    question: str | None = None,
) -> LifeSituationVersion:
    """Save the draft's questionnaire the builder changed (``form_schema`` and/or ``ui``)
    after :func:`questionnaire_problems` finds nothing; refused whole, by field, otherwise,
    and as a conflict when the version is published or retired."""
    with transaction.atomic():
        version = touch_draft(version)
        before = version.definition()
        if expected_revision is not None and expected_revision != questionnaire_revision(before):
            raise Conflict(
                _(
                    "Someone else changed this questionnaire after you opened it. Your change "
                    "was not saved: reload the page, look at their change and make yours again."
                ),
                code="questionnaire_changed",
            )
        after = before | {k: v for k, v in changes.items() if k in ("form_schema", "ui")}
        if problems := questionnaire_problems(version, after, question=question):
            raise InvalidInput(_("The questionnaire cannot be saved."), fields=problems)
        version.questionnaire, version.ui = after["form_schema"], after["ui"]
        version.save(update_fields=["questionnaire", "ui", "updated_at"])
        audit.record(
            actor=actor,
            action="municipal_services.life_situation_questionnaire_saved",
            target=version,
            after={"difference": as_audit(difference(before, after))},
        )
    return version
