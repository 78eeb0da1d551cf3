"""The rule builder: a decision rule as officials build it — all or any of a few conditions
on the form's own fields, and an outcome (decided automatically, to an expert, or refused with
a reason from the service's list) — and the JSON Logic rule it stands for.

Pure module. A rule the builder cannot show as such (written by hand, nested) is kept as it is
and shown with its JSON Logic only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from .fields import condition_expression, condition_parts

__all__ = ["OUTCOMES", "BuiltRule", "built_rule", "rule_of"]

#: What a rule does with the cases it matches.
OUTCOMES = {
    "auto": _("Decided automatically (approved)"),
    "expert": _("Sent to an expert"),
    "refuse": _("Refused with a listed reason"),
}


@dataclass
class BuiltRule:
    code: str
    variant: str = ""
    match: str = "all"  # all / any
    conditions: list[tuple[str, str, Any]] = field(default_factory=list)
    outcome: str = "expert"
    reason_code: str = ""
    examples: list = field(default_factory=list)
    editable: bool = True
    original: dict | None = None


def built_rule(rule: dict) -> BuiltRule:
    """The builder's view of a stored rule (``editable`` False when it cannot show it)."""
    when = rule.get("when", True)
    decision = rule.get("decision") or {}
    if decision.get("outcome") == "approve":
        outcome = "auto" if decision.get("mode") == "auto" else "expert"
    elif decision.get("outcome") == "refuse":
        outcome = "refuse"
    else:
        outcome = "expert"
    result = BuiltRule(
        code=rule.get("code", ""),
        variant=rule.get("variant", ""),
        outcome=outcome,
        reason_code=decision.get("reason_code", ""),
        examples=list(rule.get("examples") or []),
        original=rule,
    )
    if when is True:
        return result
    parts = [when]
    if isinstance(when, dict) and len(when) == 1 and next(iter(when)) in ("and", "or"):
        [(op, parts)] = when.items()
        result.match = "all" if op == "and" else "any"
    for part in parts if isinstance(parts, list) else []:
        parsed = condition_parts(part)
        if parsed is None:
            result.editable = False
            result.conditions = []
            break
        result.conditions.append(parsed)
    if decision.get("outcome") == "approve" and decision.get("mode") != "auto":
        result.editable = False  # a proposal to the expert: shown, kept as it is
    return result


def rule_of(built: BuiltRule, *, variants: dict[str, dict], reasons: dict[str, dict]) -> dict:
    """The stored rule: ``when`` in JSON Logic and the decision with its reason's texts
    (an automatic approval gives the variant's title as its reason)."""
    expressions = [condition_expression(*c) for c in built.conditions]
    if not expressions:
        when: Any = True
    elif len(expressions) == 1:
        when = expressions[0]
    else:
        when = {"and" if built.match == "all" else "or": expressions}
    rule: dict[str, Any] = {"code": built.code, "when": when, "variant": built.variant}
    if built.outcome == "auto":
        title = (variants.get(built.variant) or {}).get("title") or {}
        rule["decision"] = {"outcome": "approve", "mode": "auto", "reason": dict(title)}
    elif built.outcome == "refuse":
        reason = reasons.get(built.reason_code) or {}
        rule["decision"] = {
            "outcome": "refuse",
            "mode": "auto",
            "reason": dict(reason.get("title") or {}),
            "reason_code": built.reason_code,
        }
    if built.examples:
        rule["examples"] = built.examples
    return rule
