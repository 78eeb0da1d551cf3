"""The result document's template, checked before a version is published: compiled and
rendered in every language with sample answers made from the form, naming only variables and
fields that exist. A template that fails here could not make a case's document later (a
missing ``endif`` made "Accept the documents" fail for every case of the version).

Also the one place that renders a result body safely (:func:`render_body`): a version
published before these checks still gives its cases a decision, with the standard text and a
staff-visible error, never an exception.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.template import Context, Template, TemplateSyntaxError
from django.utils.translation import gettext as _

from ..definition import LANGUAGES, text_in
from ..group_field import is_group
from ..schema_form import readable_answers

__all__ = [
    "CONTEXT_NAMES",
    "DEFAULT_BODY",
    "sample_answers",
    "sample_context",
    "render_body",
    "template_problems",
]

#: The variables a result template may use (``answers.<field>`` for the form's answers).
CONTEXT_NAMES = (
    "number",
    "application_number",
    "date",
    "service",
    "title",
    "holder",
    "department",
    "answers",
    "variant",
    "reasons",
)
DEFAULT_BODY = "{{ service }}\n№ {{ number }} от {{ date }}\n{{ holder }}"
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][\w]*)((?:\.[\w]+)*)")
_ANSWER = re.compile(r"\banswers\.([A-Za-z_]\w*)")


def _sample_value(name: str, prop: dict) -> Any:
    if "enum" in prop:
        return prop["enum"][0]
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "integer":
        return int(prop.get("minimum", 1))
    if kind == "number":
        return prop.get("minimum", 12.5)
    if kind == "boolean":
        return True
    if kind == "array" and is_group(prop):
        return [sample_answers(prop["items"])]  # one item of a repeating group
    if kind == "array":
        items = prop.get("items") or {}
        return [_sample_value(name, items)] if items else []
    if kind == "object":
        return {}
    fmt = prop.get("format")
    if fmt == "date":
        return datetime.date.today().isoformat()
    return {
        "inn": "7707083893",
        "ogrn": "1027700132195",
        "snils": "11223344595",
        "cadastral-number": "16:50:011001:123",
        "email": "applicant@example.org",
    }.get(fmt, _("Sample %(field)s") % {"field": name})


def sample_answers(schema: dict) -> dict:
    """An answer for every field of the form, of the field's type (the first choice, the
    minimum number, a valid INN…): what a preview and the template check render with."""
    return {
        name: _sample_value(name, prop if isinstance(prop, dict) else {})
        for name, prop in ((schema or {}).get("properties") or {}).items()
    }


def sample_context(definition: dict, language: str, service_title: str = "") -> dict:
    """The context a result document is made with, filled with sample answers."""
    schema = definition.get("form_schema") or {}
    answers = sample_answers(schema)
    variants = definition.get("variants") or []
    template = definition.get("result_template") or {}
    return {
        "number": "RS-2026-000001",
        "application_number": "2026-000001",
        "date": datetime.date.today().strftime("%d.%m.%Y"),
        "service": service_title or _("Sample service"),
        "title": text_in(template.get("title"), language) or service_title,
        "holder": _("Sample applicant"),
        "department": _("Sample department"),
        "answers": readable_answers(schema, definition.get("ui") or {}, answers, language),
        "variant": (variants[0].get("code", "") if variants else ""),
        "reasons": [_("Sample reason")],
    }


def render_body(source: str, context: dict) -> tuple[str, str]:
    """The body rendered, and the error ('' when none). A template that does not compile or
    render gives the standard body instead (the decision is still recorded)."""
    try:
        return Template(source).render(Context(context, autoescape=False)), ""
    except Exception as exc:  # noqa: BLE001 — any template failure: a case must not fail
        return Template(DEFAULT_BODY).render(Context(context, autoescape=False)), str(exc)


def template_problems(definition: dict) -> list[str]:
    """Why the result template cannot make documents: a syntax error (with its line), a
    failure when rendered with sample answers, an unknown variable or an unknown field, for
    each language that has a text."""
    template = definition.get("result_template") or {}
    if not isinstance(template, dict):
        return [_("The result document template must have a title and a body per language.")]
    body = template.get("body") or {}
    if isinstance(body, str):
        body = {"ru": body}
    fields = set(((definition.get("form_schema") or {}).get("properties") or {}).keys())
    problems: list[str] = []
    for language in LANGUAGES:
        source = body.get(language) if isinstance(body, dict) else None
        if not source:
            continue
        where = _("The result template (%(language)s)") % {"language": language}
        try:
            compiled = Template(source)
        except TemplateSyntaxError as exc:
            problems.append(
                _("%(where)s does not compile: %(error)s") % {"where": where, "error": exc}
            )
            continue
        try:
            compiled.render(Context(sample_context(definition, language), autoescape=False))
        except Exception as exc:  # noqa: BLE001 — reported to the official, never raised
            problems.append(
                _("%(where)s fails with sample answers: %(error)s") % {"where": where, "error": exc}
            )
        names = {m.group(1) for m in _VARIABLE.finditer(source)}
        unknown = sorted(names - set(CONTEXT_NAMES) - _loop_names(source))
        if unknown:
            problems.append(
                _("%(where)s uses unknown variables: %(names)s. Insert them from the list.")
                % {"where": where, "names": ", ".join(unknown)}
            )
        missing = sorted({m.group(1) for m in _ANSWER.finditer(source)} - fields)
        if missing:
            problems.append(
                _("%(where)s names fields the form does not have: %(names)s.")
                % {"where": where, "names": ", ".join(missing)}
            )
    return problems


def _loop_names(source: str) -> set[str]:
    """Names a ``{% for x in … %}`` introduces (``forloop`` too)."""
    names = {"forloop"}
    for match in re.finditer(r"\{%\s*for\s+([\w\s,]+?)\s+in\s", source):
        names.update(n.strip() for n in match.group(1).split(",") if n.strip())
    return names
