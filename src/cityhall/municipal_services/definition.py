"""Service definitions as data: their shape, their validation and the decision rules.

Pure module (no ORM): a definition is the dict of a version's fields (``form_schema``, ``ui``,
``documents``, ``fees``, ``term_days``, ``identity`` (who may apply), ``result_types``,
``workflow``, ``status_texts``, ``variants``, ``rules``, ``result_template``, ``registry``,
``refusal_reasons``).
:func:`problems_of` lists everything that stops it from being published, per field, with
messages an official understands.

Decision rules are JSON Logic (``datalogic-py``: compiled once, no eval). Rules run in order; the
first whose ``when`` holds picks the variant and, for a typical variant, proposes or takes the
decision (``mode`` ``propose``/``auto``) with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import datalogic_py
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

__all__ = [
    "LANGUAGES",
    "STAGES",
    "STATUS_CODES",
    "RuleOutcome",
    "CompiledRules",
    "compile_rules",
    "problems_of",
    "text_in",
    "rule_reads",
    "condition_holds",
    "schema_problems",
    "expression_problems",
    "applicable_answers",
    "listed_reasons",
]

LANGUAGES = ("ru", "tt", "en")
#: Staff stages of the workflow, in order.
STAGES = ("acceptance", "consideration", "decision")
#: Application statuses a definition may give a notification text for.
STATUS_CODES = (
    "acceptance",
    "returned",
    "consideration",
    "decision",
    "result_issued",
    "refused",
    "withdrawn",
)
ROLE_CODES = (
    "operator",
    "dispatcher",
    "executor",
    "expert",
    "decision_maker",
    "moderator",
    "organiser",
    "administrator",
)
RESULT_TYPES = ("document", "registry_record")
OUTCOMES = ("approve", "refuse")
MODES = ("propose", "auto")
#: Who may apply: anyone with an account, or only people whose identity was verified.
IDENTITY_LEVELS = ("account", "verified")

DEFAULT_WORKFLOW = {
    "stages": {
        "acceptance": {"roles": ["operator"]},
        "consideration": {"roles": ["expert"]},
        "decision": {"roles": ["decision_maker"]},
    },
    "separation": [["acceptance", "decision"]],
}

_ENGINE = datalogic_py.Engine()


def text_in(value: Any, language: str | None = None) -> str:
    """The text of a ``{"ru": ..., "tt": ..., "en": ...}`` dict in ``language`` (the active one
    by default), falling back to Russian, then any; a plain string is returned as is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return str(value)
    language = (language or get_language() or "ru")[:2]
    return value.get(language) or value.get("ru") or next(iter(value.values()), "") or ""


def condition_holds(expression: Any, answers: dict) -> bool:
    """Whether a JSON Logic condition (a field's ``show_if``) holds for these answers."""
    if expression is None:
        return True
    return bool(_ENGINE.compile(expression).evaluate(answers))


def applicable_answers(ui: dict, answers: dict) -> dict:
    """The answers without fields whose ``show_if`` does not hold: a field the applicant was
    told to skip is neither kept nor validated (conditions may depend on each other)."""
    conditions = {
        name: hints["show_if"]
        for name, hints in ((ui or {}).get("fields") or {}).items()
        if isinstance(hints, dict) and "show_if" in hints
    }
    if not conditions:
        return answers
    result = dict(answers)
    for _round in range(len(conditions)):
        dropped = [
            n for n, e in conditions.items() if n in result and not condition_holds(e, result)
        ]
        if not dropped:
            break
        for name in dropped:
            result.pop(name, None)
    return result


# --- rules ------------------------------------------------------------------------------------


def rule_reads(expression: Any) -> set[str]:
    """Top-level answer fields a JSON Logic expression reads (raises on a broken expression)."""
    compiled = _ENGINE.compile(expression)
    return {path[0] for path in compiled.facts()["reads"] if path}


@dataclass(frozen=True)
class RuleOutcome:
    variant: str = ""
    rule: str = ""
    decision: str = ""  # "approve" | "refuse" | ""
    mode: str = ""  # "propose" | "auto" | ""
    reason: dict = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        return bool(self.rule)


class CompiledRules:
    """A version's rules compiled once; :meth:`evaluate` is the hot path (no parsing)."""

    def __init__(self, rules: Iterable[dict]) -> None:
        self._rules = []
        for rule in rules:
            decision = rule.get("decision") or {}
            outcome = RuleOutcome(
                variant=rule.get("variant", ""),
                rule=rule.get("code", ""),
                decision=decision.get("outcome", ""),
                mode=decision.get("mode", "") if decision.get("outcome") else "",
                reason=decision.get("reason") or {},
            )
            self._rules.append((_ENGINE.compile(rule.get("when", True)), outcome))

    def __len__(self) -> int:
        return len(self._rules)

    def evaluate(self, answers: dict) -> RuleOutcome:
        data = datalogic_py.DataHandle(answers)
        for compiled, outcome in self._rules:
            if compiled.evaluate_data(data):
                return outcome
        return RuleOutcome()


def compile_rules(rules: Iterable[dict]) -> CompiledRules:
    return CompiledRules(rules)


def schema_problems(schema: Any) -> list[str]:
    """Why a form (a request type's, a questionnaire) is not a usable JSON Schema object."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return [_("The form must be an object schema with properties (one per field).")]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "(root)"
        return [
            _("The form is not a valid JSON Schema (draft 2020-12) at %(where)s: %(message)s")
            % {"where": where, "message": exc.message}
        ]
    return []


def expression_problems(expression: Any, known: set[str]) -> list[str]:
    """Why a JSON Logic condition cannot be used over these fields (empty = fine)."""
    problems: dict[str, list[str]] = {}
    _check_expression(problems, "x", expression, known, _("The condition"))
    return problems.get("x", [])


# --- validation -------------------------------------------------------------------------------


def _add(problems: dict[str, list[str]], name: str, message: str) -> None:
    problems.setdefault(name, []).append(message)


def _check_texts(problems, name: str, value: Any, what: str) -> None:
    if not isinstance(value, dict) or not value.get("ru"):
        _add(problems, name, _("%(what)s needs at least a Russian text.") % {"what": what})
        return
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        _add(
            problems,
            name,
            _("%(what)s has texts in unknown languages: %(langs)s.")
            % {"what": what, "langs": ", ".join(sorted(unknown))},
        )


def _check_expression(problems, name: str, expression: Any, known: set[str], where: str) -> set:
    diagnostics = [d for d in _ENGINE.check(expression) if d["severity"] == "error"]
    if diagnostics:
        for d in diagnostics:
            _add(
                problems,
                name,
                _("%(where)s is not valid JSON Logic: %(message)s")
                % {"where": where, "message": d["message"]},
            )
        return set()
    reads = rule_reads(expression)
    unknown = reads - known
    if unknown:
        _add(
            problems,
            name,
            _("%(where)s refers to unknown fields: %(fields)s.")
            % {"where": where, "fields": ", ".join(sorted(unknown))},
        )
    return reads


def _refusal_reason_problems(reasons: Any, problems: dict[str, list[str]]) -> None:
    """The listed grounds for a return or refusal: each a unique code and a title."""
    if reasons in (None, []):
        return
    if not isinstance(reasons, list):
        _add(problems, "refusal_reasons", _("The reasons must be a list."))
        return
    seen: set[str] = set()
    for n, reason in enumerate(reasons, 1):
        code = reason.get("code") if isinstance(reason, dict) else None
        if not isinstance(code, str) or not code or code in seen:
            _add(
                problems,
                "refusal_reasons",
                _("Reason %(n)s needs a code of its own.") % {"n": n},
            )
        elif not text_in(reason.get("title")):
            _add(problems, "refusal_reasons", _("Reason %(n)s needs a title.") % {"n": n})
        if isinstance(code, str):
            seen.add(code)


def listed_reasons(reasons: list[dict], codes: Iterable[str], language: str | None) -> list[str]:
    """The titles (in ``language``) of the listed reasons ticked by their codes, in the list's
    order; a code the list does not have is ignored (the form offers only listed ones)."""
    wanted = set(codes)
    return [
        text_in(r.get("title"), language) or r["code"]
        for r in reasons or []
        if isinstance(r, dict) and r.get("code") in wanted
    ]


def problems_of(definition: dict) -> dict[str, list[str]]:
    """Everything that stops this definition from being published, by field (empty = fine)."""
    problems: dict[str, list[str]] = {}
    schema = definition.get("form_schema")
    properties: set[str] = set()
    if not isinstance(schema, dict) or not schema:
        _add(problems, "form_schema", _("The form schema is empty."))
    else:
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            where = "/".join(str(p) for p in exc.path) or "(root)"
            _add(
                problems,
                "form_schema",
                _("The form is not a valid JSON Schema (draft 2020-12) at %(where)s: %(message)s")
                % {"where": where, "message": exc.message},
            )
        if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
            _add(
                problems,
                "form_schema",
                _("The form must be an object schema with properties (one per field)."),
            )
        else:
            properties = set(schema["properties"])
            for name in schema.get("required", []) or []:
                if name not in properties:
                    _add(
                        problems,
                        "form_schema",
                        _("Required field %(name)s is not among the properties.") % {"name": name},
                    )

    ui = definition.get("ui") or {}
    if not isinstance(ui, dict):
        _add(problems, "ui", _("Form hints must be an object."))
        ui = {}
    for name in ui.get("order", []) or []:
        if name not in properties:
            _add(problems, "ui", _("The order names an unknown field: %(name)s.") % {"name": name})
    for name, hints in (ui.get("fields") or {}).items():
        if name not in properties:
            _add(
                problems,
                "ui",
                _("Hints are given for an unknown field: %(name)s.") % {"name": name},
            )
            continue
        if "label" in hints:
            _check_texts(
                problems, "ui", hints["label"], _("The label of %(name)s") % {"name": name}
            )
        if "show_if" in hints:
            _check_expression(
                problems,
                "ui",
                hints["show_if"],
                properties,
                _("The condition of field %(name)s") % {"name": name},
            )

    documents = definition.get("documents") or []
    codes: set[str] = set()
    for i, doc in enumerate(documents if isinstance(documents, list) else []):
        code = doc.get("code", "") if isinstance(doc, dict) else ""
        if not code:
            _add(problems, "documents", _("Document %(n)s has no code.") % {"n": i + 1})
            continue
        if code in codes:
            _add(problems, "documents", _("Document code %(code)s is repeated.") % {"code": code})
        codes.add(code)
        _check_texts(
            problems, "documents", doc.get("title"), _("Document %(code)s") % {"code": code}
        )
        types = doc.get("types")
        if not types or not all(isinstance(t, str) and "/" in t for t in types):
            _add(
                problems,
                "documents",
                _("Document %(code)s must list the allowed file types (e.g. application/pdf).")
                % {"code": code},
            )
        size = doc.get("max_size_mb")
        if not isinstance(size, int | float) or size <= 0:
            _add(
                problems,
                "documents",
                _("Document %(code)s needs a maximum size in megabytes.") % {"code": code},
            )

    for fee in definition.get("fees") or []:
        try:
            amount = float(fee.get("amount"))
        except (TypeError, ValueError, AttributeError):
            amount = -1
        if amount < 0:
            _add(problems, "fees", _("Each fee needs an amount of zero or more."))

    if definition.get("identity") not in (None, "", *IDENTITY_LEVELS):
        _add(
            problems,
            "identity",
            _("Who may apply is one of: %(levels)s.") % {"levels": ", ".join(IDENTITY_LEVELS)},
        )

    term = definition.get("term_days")
    if not isinstance(term, int) or term <= 0:
        _add(problems, "term_days", _("The legal term must be a positive number of working days."))

    for kind in definition.get("result_types") or []:
        if kind not in RESULT_TYPES:
            _add(problems, "result_types", _("Unknown result type: %(kind)s.") % {"kind": kind})
    _refusal_reason_problems(definition.get("refusal_reasons"), problems)
    if "registry_record" in (definition.get("result_types") or []) and not definition.get(
        "registry"
    ):
        _add(problems, "registry", _("A registry record result needs the registry's code."))

    workflow = definition.get("workflow") or {}
    stages = workflow.get("stages") if isinstance(workflow, dict) else None
    if not isinstance(stages, dict) or set(stages) != set(STAGES):
        _add(
            problems,
            "workflow",
            _("The workflow must describe the stages %(stages)s.") % {"stages": ", ".join(STAGES)},
        )
    else:
        for stage, spec in stages.items():
            roles = spec.get("roles") if isinstance(spec, dict) else None
            if not roles or any(r not in ROLE_CODES for r in roles):
                _add(
                    problems,
                    "workflow",
                    _("Stage %(stage)s needs roles from: %(roles)s.")
                    % {"stage": stage, "roles": ", ".join(ROLE_CODES)},
                )
            days = spec.get("term_days") if isinstance(spec, dict) else None
            wrong_days = days is not None and (
                not isinstance(days, int) or isinstance(days, bool) or days <= 0
            )
            wrong_unit = spec.get("term_in", "working") not in ("working", "calendar")
            if isinstance(spec, dict) and (wrong_days or wrong_unit):
                _add(
                    problems,
                    "workflow",
                    _(
                        "The term of stage %(stage)s must be a positive number of working or "
                        "calendar days."
                    )
                    % {"stage": stage},
                )
    for pair in workflow.get("separation", []) if isinstance(workflow, dict) else []:
        if not isinstance(pair, list) or len(pair) != 2 or any(s not in STAGES for s in pair):
            _add(
                problems,
                "workflow",
                _('Each separation rule names two stages, e.g. ["acceptance", "decision"].'),
            )

    for status, texts in (definition.get("status_texts") or {}).items():
        if status not in STATUS_CODES:
            _add(
                problems,
                "status_texts",
                _("A text is given for an unknown status: %(status)s.") % {"status": status},
            )
        else:
            _check_texts(
                problems, "status_texts", texts, _("The text of status %(s)s") % {"s": status}
            )

    variants: dict[str, set[str]] = {}
    for variant in definition.get("variants") or []:
        code = variant.get("code", "")
        if not code or code in variants:
            _add(problems, "variants", _("Each variant needs its own code."))
            continue
        params = set(variant.get("parameters") or [])
        unknown = params - properties
        if unknown:
            _add(
                problems,
                "variants",
                _("Variant %(code)s has parameters that are not form fields: %(fields)s.")
                % {"code": code, "fields": ", ".join(sorted(unknown))},
            )
        variants[code] = params

    rules = definition.get("rules") or []
    rule_codes: set[str] = set()
    compiled_ok = True
    for i, rule in enumerate(rules):
        code = rule.get("code") or f"#{i + 1}"
        if code in rule_codes:
            _add(problems, "rules", _("Rule code %(code)s is repeated.") % {"code": code})
        rule_codes.add(code)
        variant = rule.get("variant", "")
        if variant and variant not in variants:
            _add(
                problems,
                "rules",
                _("Rule %(code)s picks an unknown variant: %(variant)s.")
                % {"code": code, "variant": variant},
            )
            compiled_ok = False
            continue
        allowed = (variants.get(variant) or properties) if variant else properties
        before = len(problems.get("rules", []))
        _check_expression(
            problems,
            "rules",
            rule.get("when", True),
            allowed,
            _("The condition of rule %(code)s") % {"code": code},
        )
        if len(problems.get("rules", [])) != before:
            compiled_ok = False
        decision = rule.get("decision") or {}
        if decision:
            if decision.get("outcome") not in OUTCOMES or decision.get("mode") not in MODES:
                _add(
                    problems,
                    "rules",
                    _(
                        "Rule %(code)s: a decision needs an outcome (approve/refuse) and a mode "
                        "(propose/auto)."
                    )
                    % {"code": code},
                )
            _check_texts(
                problems,
                "rules",
                decision.get("reason"),
                _("The reason of rule %(c)s") % {"c": code},
            )
    if compiled_ok and rules:
        compiled = compile_rules(rules)
        for rule in rules:
            for n, example in enumerate(rule.get("examples") or [], start=1):
                outcome = compiled.evaluate(example.get("input") or {})
                expected_variant = example.get("variant", "")
                expected_decision = example.get("decision", "")
                if outcome.variant != expected_variant or outcome.decision != expected_decision:
                    title = example.get("title")
                    _add(
                        problems,
                        "rules",
                        _(
                            "Example %(n)s of rule %(code)s expects variant “%(ev)s” and decision "
                            "“%(ed)s”, the rules give “%(gv)s” and “%(gd)s”."
                        )
                        % {
                            # an example the administrator named is called by its name
                            "n": f"“{title}”" if isinstance(title, str) and title else n,
                            "code": rule.get("code", ""),
                            "ev": expected_variant,
                            "ed": expected_decision,
                            "gv": outcome.variant,
                            "gd": outcome.decision,
                        },
                    )
    return problems
