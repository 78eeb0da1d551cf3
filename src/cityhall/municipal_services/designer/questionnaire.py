"""A life situation's questionnaire as the designer builds it: the same field kinds as a
service's form (:mod:`.fields`), and the conditions that refer to its questions — a question's
"show when" and a step's "applies when" — checked against the questionnaire itself, so a
condition naming a question or an answer it does not have is refused with the question named.

Pure module: it reads the questionnaire (``{"form_schema", "ui"}``), never the database.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from django.utils.translation import gettext as _

from ..definition import text_in
from .fields import FieldSpec, condition_parts, field_specs

__all__ = ["answer_condition", "condition_problems", "questionnaire_revision", "question_label"]


def questionnaire_revision(definition: dict) -> int:
    """A number that changes whenever the questionnaire does: the page keeps the one it was
    made from, and a save from another is a conflict (two officials, one questionnaire)."""
    text = json.dumps(
        [definition.get("form_schema") or {}, definition.get("ui") or {}],
        sort_keys=True,
        ensure_ascii=False,
    )
    return zlib.crc32(text.encode())


def question_label(spec: FieldSpec) -> str:
    return text_in(spec.label) or spec.name


def answer_condition(spec: FieldSpec, value: Any) -> dict:
    """The condition "this question's answer is ``value``" (for several choices: "includes")."""
    if spec.kind == "multiple_choice":
        return {"in": [value, {"var": spec.name}]}
    return {"==": [{"var": spec.name}, value]}


def _parts(condition: Any) -> tuple[str, str, Any] | None:
    parts = condition_parts(condition)
    if parts is not None:
        return parts
    if isinstance(condition, dict) and list(condition) == ["in"]:
        args = condition["in"]
        if (
            isinstance(args, list)
            and len(args) == 2
            and isinstance(args[1], dict)
            and isinstance(args[1].get("var"), str)
        ):
            return (args[1]["var"], "eq", args[0])
    return None


def condition_problems(condition: Any, definition: dict, *, where: str) -> list[str]:
    """Why ``condition`` cannot be used over this questionnaire (empty: it can). ``where``
    names what the condition belongs to ("Step “Permit”", "The question “Area”")."""
    if condition is None:
        return []
    specs = {s.name: s for s in field_specs(definition)}
    parts = _parts(condition)
    if parts is None:
        return []  # a hand-written condition: the definition's own check reads its fields
    name, operator, value = parts
    spec = specs.get(name)
    if spec is None:
        return [
            _("%(where)s depends on a question the questionnaire does not have: “%(name)s”.")
            % {"where": where, "name": name}
        ]
    if operator in ("yes", "no"):
        return []
    if spec.kind in ("choice", "multiple_choice"):
        codes = {code for code, _texts in spec.choices}
        if value not in codes:
            return [
                _(
                    "%(where)s depends on an answer “%(value)s” the question “%(question)s” "
                    "does not offer."
                )
                % {"where": where, "value": value, "question": question_label(spec)}
            ]
    elif spec.kind == "yes_no" and not isinstance(value, bool):
        return [
            _("%(where)s compares the yes/no question “%(question)s” with “%(value)s”.")
            % {"where": where, "value": value, "question": question_label(spec)}
        ]
    elif spec.kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return [
            _("%(where)s compares the number question “%(question)s” with “%(value)s”.")
            % {"where": where, "value": value, "question": question_label(spec)}
        ]
    return []
