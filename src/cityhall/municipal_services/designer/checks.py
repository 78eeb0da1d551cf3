"""Everything a version must pass before it is published, by part of the definition: the
definition's own checks (:func:`..definition.problems_of`: schema, hints, rules against their
examples, stages and roles), the result template (:mod:`.template_check`) and every name it
refers to outside itself (interdepartmental request types, registry fields)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..definition import problems_of
from ..models import StandardRequestType
from .template_check import template_problems

__all__ = ["publication_problems", "request_type_codes"]


def request_type_codes() -> set[str]:
    return set(StandardRequestType.objects.values_list("code", flat=True))


def publication_problems(definition: dict) -> dict[str, list[str]]:
    """Part → messages in the reader's language; empty when the version may be published."""
    problems = problems_of(definition)
    for message in template_problems(definition):
        problems.setdefault("result_template", []).append(message)
    fields = set(((definition.get("form_schema") or {}).get("properties") or {}).keys())
    ui = definition.get("ui") if isinstance(definition.get("ui"), dict) else {}
    unknown = sorted(set(ui.get("registry_fields") or []) - fields)
    if unknown:
        problems.setdefault("registry", []).append(
            _("The registry fields name fields the form does not have: %(names)s.")
            % {"names": ", ".join(unknown)}
        )
    known_requests: set[str] | None = None
    for variant in definition.get("variants") or []:
        wanted = set(variant.get("requests") or []) if isinstance(variant, dict) else set()
        if not wanted:
            continue
        if known_requests is None:
            known_requests = request_type_codes()
        if missing := sorted(wanted - known_requests):
            problems.setdefault("variants", []).append(
                _("Variant %(code)s requires request types that do not exist: %(names)s.")
                % {"code": variant.get("code", ""), "names": ", ".join(missing)}
            )
    reasons = {
        r.get("code") for r in definition.get("refusal_reasons") or [] if isinstance(r, dict)
    }
    for rule in definition.get("rules") or []:
        code = (rule.get("decision") or {}).get("reason_code") if isinstance(rule, dict) else None
        if code and code not in reasons:
            problems.setdefault("rules", []).append(
                _("Rule %(rule)s refuses with a reason the service does not list: %(code)s.")
                % {"rule": rule.get("code", ""), "code": code}
            )
    return problems
