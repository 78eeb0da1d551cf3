"""The form builder: a service's form as a list of fields of known kinds, each turned into
its JSON Schema property and its hints (label, help, unit, choices, "show when"), and back.

Officials never type JSON or codes: a field's name is made from its English (else Russian)
label, choice codes from the option's words; an existing field keeps its name and its options
their codes. Editing one field leaves every other part of the schema as it was (a schema
imported with ``allOf`` or ``if``/``then`` keeps them).

Public API, also used by other designers (request-type forms, questionnaires):
:data:`FIELD_KINDS`, :class:`FieldSpec`, :func:`field_specs`, :func:`spec_of`,
:func:`put_field`, :func:`remove_field`, :func:`move_field`, :func:`new_field_name`;
a repeating group's own fields are a form of the same kind: :func:`group_definition` gives it,
the same functions change it and :func:`put_group` puts it back.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ..area_field import AREA_PROPERTY, is_area
from ..definition import LANGUAGES
from ..group_field import is_group, item_ui
from ..place_field import POINT_PROPERTY, is_point

__all__ = [
    "FIELD_KINDS",
    "CONDITION_OPERATORS",
    "FieldSpec",
    "field_specs",
    "spec_of",
    "put_field",
    "remove_field",
    "move_field",
    "new_field_name",
    "condition_expression",
    "condition_parts",
    "group_definition",
    "put_group",
]

#: Kinds of fields an official chooses from, in the order the list offers them.
FIELD_KINDS: dict[str, Any] = {
    "text": _("Text (one line)"),
    "long_text": _("Text (several lines)"),
    "number": _("Number (with unit and range)"),
    "date": _("Date"),
    "choice": _("Choice of one option"),
    "multiple_choice": _("Choice of several options"),
    "yes_no": _("Yes / no"),
    "address": _("Address"),
    "point": _("Place on the map (a point)"),
    "area": _("Area drawn on the map"),
    "cadastral_number": _("Cadastral number"),
    "inn": _("INN (taxpayer number, checked)"),
    "ogrn": _("OGRN (registration number, checked)"),
    "snils": _("SNILS (insurance number, checked)"),
    "email": _("E-mail"),
}
_FORMATS = {
    "cadastral_number": "cadastral-number",
    "inn": "inn",
    "ogrn": "ogrn",
    "snils": "snils",
    "email": "email",
    "date": "date",
}
#: Kinds answered on the map (issue 14): their schema property is fixed, the hint ``widget``
#: names the kind (``place_field``, ``area_field``).
_MAP_KINDS: dict[str, dict] = {"point": POINT_PROPERTY, "area": AREA_PROPERTY}
#: Operators of a "show when" or rule condition: code → (label, JSON Logic operator).
CONDITION_OPERATORS: dict[str, tuple[Any, str]] = {
    "eq": (_("is"), "=="),
    "ne": (_("is not"), "!="),
    "lt": (_("is less than"), "<"),
    "le": (_("is at most"), "<="),
    "gt": (_("is more than"), ">"),
    "ge": (_("is at least"), ">="),
    "yes": (_("is yes"), "!!"),
    "no": (_("is no"), "!"),
}
#: A repeating group (the rooms of an office): items with their own fields (:mod:`..group_field`).
FIELD_KINDS["group"] = _("Repeating group (several items, each with its own fields)")


@dataclass
class FieldSpec:
    """One field as the builder edits it (texts are ``{"ru", "tt", "en"}`` dicts)."""

    name: str
    kind: str = "text"
    label: dict = field(default_factory=dict)
    help: dict = field(default_factory=dict)
    required: bool = False
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    whole: bool = False
    max_length: int | None = None
    #: options as (code, texts) pairs, in order
    choices: list[tuple[str, dict]] = field(default_factory=list)
    #: "show when": (field, operator code, value) or None; a condition the builder cannot
    #: show as one comparison is kept untouched in ``custom_condition``
    show_when: tuple[str, str, Any] | None = None
    custom_condition: Any = None
    error: dict = field(default_factory=dict)
    #: a repeating group: how many items, at least and at most, and the word for one item
    min_items: int | None = None
    max_items: int | None = None
    item_label: dict = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return str(FIELD_KINDS.get(self.kind, self.kind))


def _kind_of(prop: dict, hints: dict) -> str:
    if hints.get("kind") in FIELD_KINDS:
        return hints["kind"]
    if is_area(prop, hints):
        return "area"
    if is_point(prop, hints):
        return "point"
    kind = prop.get("type")
    fmt = prop.get("format")
    if kind == "boolean":
        return "yes_no"
    if is_group(prop):
        return "group"
    if kind == "array":
        return "multiple_choice"
    if "enum" in prop:
        return "choice"
    if kind in ("integer", "number"):
        return "number"
    for name, value in _FORMATS.items():
        if fmt == value:
            return name
    if (prop.get("maxLength") or 0) > 300 or hints.get("widget") == "textarea":
        return "long_text"
    return "text"


def condition_parts(expression: Any) -> tuple[str, str, Any] | None:
    """A one-comparison condition as (field, operator code, value); None for anything else."""
    if not isinstance(expression, dict) or len(expression) != 1:
        return None
    [(op, args)] = expression.items()
    if op == "var" and isinstance(args, str):
        return (args, "yes", None)
    if op in ("!", "!!"):
        inner = args[0] if isinstance(args, list) and len(args) == 1 else args
        if isinstance(inner, dict) and isinstance(inner.get("var"), str) and len(inner) == 1:
            return (inner["var"], "no" if op == "!" else "yes", None)
        return None
    codes = {logic: code for code, (_label, logic) in CONDITION_OPERATORS.items()}
    if op in codes and isinstance(args, list) and len(args) == 2:
        left, right = args
        if (
            isinstance(left, dict)
            and isinstance(left.get("var"), str)
            and not isinstance(right, dict | list)
        ):
            return (left["var"], codes[op], right)
    return None


def condition_expression(field_name: str, operator: str, value: Any) -> dict:
    """The JSON Logic of one comparison (what the builder shows for those who want it)."""
    logic = CONDITION_OPERATORS[operator][1]
    if operator in ("yes", "no"):
        return {logic: {"var": field_name}}
    return {logic: [{"var": field_name}, value]}


def spec_of(name: str, prop: dict, hints: dict, required: bool) -> FieldSpec:
    kind = _kind_of(prop, hints)
    values = prop.get("enum") or (prop.get("items") or {}).get("enum") or []
    labels = hints.get("choices") or {}
    show_if = hints.get("show_if")
    parts = condition_parts(show_if) if show_if is not None else None
    return FieldSpec(
        name=name,
        kind=kind,
        label=dict(hints.get("label") or ({"ru": prop["title"]} if prop.get("title") else {})),
        help=dict(hints.get("help") or {}),
        required=required,
        unit=str(hints.get("unit") or ""),
        minimum=prop.get("minimum"),
        maximum=prop.get("maximum"),
        whole=prop.get("type") == "integer",
        max_length=prop.get("maxLength"),
        choices=[(str(v), dict(labels.get(str(v)) or {"ru": str(v)})) for v in values],
        show_when=parts,
        custom_condition=show_if if show_if is not None and parts is None else None,
        error=dict(hints.get("error") or {}) if isinstance(hints.get("error"), dict) else {},
        min_items=prop.get("minItems") if kind == "group" else None,
        max_items=prop.get("maxItems") if kind == "group" else None,
        item_label=dict(hints.get("item_label") or {}) if kind == "group" else {},
    )


def field_specs(definition: dict) -> list[FieldSpec]:
    """The form's fields in the order applicants see them."""
    schema = definition.get("form_schema") or {}
    ui = definition.get("ui") or {}
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    hints = ui.get("fields") or {}
    order = [n for n in ui.get("order") or [] if n in properties]
    order += [n for n in properties if n not in order]
    return [spec_of(n, properties[n], hints.get(n) or {}, n in required) for n in order]


def _property(spec: FieldSpec, old: dict) -> dict:
    prop: dict[str, Any] = {}
    kind = spec.kind
    if kind in _MAP_KINDS:
        return copy.deepcopy(_MAP_KINDS[kind])
    if kind in ("number",):
        prop["type"] = "integer" if spec.whole else "number"
        for key, limit in (("minimum", spec.minimum), ("maximum", spec.maximum)):
            if limit is not None:
                whole = spec.whole or float(limit).is_integer()
                prop[key] = int(limit) if whole else limit
    elif kind == "yes_no":
        prop["type"] = "boolean"
    elif kind == "choice":
        prop["type"] = "string"
        prop["enum"] = [code for code, _texts in spec.choices]
    elif kind == "group":
        prop["type"] = "array"
        # the items' fields are edited on the group's own page (:func:`put_group`)
        items = old.get("items") if is_group(old) else None
        prop["items"] = items or {"type": "object", "properties": {}, "required": []}
        low = max(spec.min_items or 0, 1 if spec.required else 0)
        if low:
            prop["minItems"] = low
        if spec.max_items:
            prop["maxItems"] = max(spec.max_items, low)
    elif kind == "multiple_choice":
        prop["type"] = "array"
        prop["items"] = {"type": "string", "enum": [code for code, _texts in spec.choices]}
        prop["uniqueItems"] = True
        if spec.required:
            prop["minItems"] = 1
    else:
        prop["type"] = "string"
        if kind in _FORMATS:
            prop["format"] = _FORMATS[kind]
        if kind == "snils":
            prop["pattern"] = r"^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$"
        length = spec.max_length or {"long_text": 4000, "address": 300}.get(kind, 200)
        prop["maxLength"] = length
        if spec.required:
            prop["minLength"] = 1
    # what the builder does not edit (a pattern of an imported field, a description…) is kept
    for key, value in old.items():
        keep = kind in ("text", "long_text", "address") or key != "pattern"
        if key in ("pattern", "description", "title", "default") and key not in prop and keep:
            prop[key] = value
    return prop


def _hints(spec: FieldSpec, old: dict) -> dict:
    hints = {k: v for k, v in old.items() if k not in ("label", "help", "choices", "show_if")}
    hints["label"] = {k: v for k, v in spec.label.items() if v}
    if any(spec.help.values()):
        hints["help"] = {k: v for k, v in spec.help.items() if v}
    hints["kind"] = spec.kind
    if spec.unit:
        hints["unit"] = spec.unit
    else:
        hints.pop("unit", None)
    if spec.kind in ("choice", "multiple_choice"):
        hints["choices"] = {code: {k: v for k, v in t.items() if v} for code, t in spec.choices}
    if spec.kind == "group" and any(spec.item_label.values()):
        hints["item_label"] = {k: v for k, v in spec.item_label.items() if v}
    elif spec.kind != "group":
        for key in ("item_label", "fields", "order"):
            hints.pop(key, None)
    if spec.kind == "long_text":
        hints["widget"] = "textarea"
    elif hints.get("widget") == "textarea":
        hints.pop("widget")
    if spec.kind in _MAP_KINDS:
        hints["widget"] = spec.kind
    elif hints.get("widget") in _MAP_KINDS:
        hints.pop("widget")
    if spec.show_when is not None:
        hints["show_if"] = condition_expression(*spec.show_when)
    elif spec.custom_condition is not None:
        hints["show_if"] = spec.custom_condition
    return hints


def new_field_name(spec: FieldSpec, taken: set[str]) -> str:
    """A field name made from the label (English, else Russian transliterated away): letters,
    digits and underscores, unique in the form."""
    source = spec.label.get("en") or ""
    base = re.sub(r"[^a-z0-9]+", "_", slugify(source).lower()).strip("_")[:40]
    if not base or not base[0].isalpha():
        base = f"field_{len(taken) + 1}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def new_choice_code(texts: dict, taken: set[str], position: int) -> str:
    source = texts.get("en") or ""
    base = re.sub(r"[^a-z0-9]+", "-", slugify(source).lower()).strip("-")[:40]
    base = base or f"option-{position}"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def put_field(definition: dict, spec: FieldSpec, *, old_name: str | None = None) -> dict:
    """The ``form_schema`` and ``ui`` with this field added (``old_name`` None) or changed."""
    schema = copy.deepcopy(definition.get("form_schema") or {})
    ui = copy.deepcopy(definition.get("ui") or {})
    schema.setdefault("$schema", "https://json-schema.org/draft/2020-12/schema")
    schema["type"] = "object"
    properties = schema.setdefault("properties", {})
    hints_all = ui.setdefault("fields", {})
    order = ui.setdefault("order", [n for n in properties])
    if old_name is None:
        spec.name = new_field_name(spec, set(properties))
        old_prop, old_hints = {}, {}
        order.append(spec.name)
    else:
        old_prop, old_hints = properties.get(old_name) or {}, hints_all.get(old_name) or {}
        spec.name = old_name
        if old_name not in order:
            order.append(old_name)
    properties[spec.name] = _property(spec, old_prop)
    hints_all[spec.name] = _hints(spec, old_hints)
    required = [n for n in schema.get("required") or [] if n != spec.name]
    if spec.required:
        required.append(spec.name)
    schema["required"] = required
    return {"form_schema": schema, "ui": ui}


def remove_field(definition: dict, name: str) -> dict:
    schema = copy.deepcopy(definition.get("form_schema") or {})
    ui = copy.deepcopy(definition.get("ui") or {})
    (schema.get("properties") or {}).pop(name, None)
    schema["required"] = [n for n in schema.get("required") or [] if n != name]
    (ui.get("fields") or {}).pop(name, None)
    ui["order"] = [n for n in ui.get("order") or [] if n != name]
    ui["registry_fields"] = [n for n in ui.get("registry_fields") or [] if n != name]
    if not ui["registry_fields"]:
        ui.pop("registry_fields")
    return {"form_schema": schema, "ui": ui}


def move_field(definition: dict, name: str, step: int) -> dict:
    ui = copy.deepcopy(definition.get("ui") or {})
    order = [s.name for s in field_specs(definition)]
    if name in order:
        i = order.index(name)
        j = max(0, min(len(order) - 1, i + step))
        order[i], order[j] = order[j], order[i]
    ui["order"] = order
    return {"ui": ui}


def texts_list(spec: FieldSpec) -> dict[str, list[str]]:
    """The options, one list of words per language (what the option boxes show)."""
    return {lang: [t.get(lang, "") for _code, t in spec.choices] for lang in LANGUAGES}


def group_definition(definition: dict, group: str) -> dict:
    """A repeating group's own fields as a form definition (``form_schema`` and ``ui``), which
    :func:`field_specs`, :func:`put_field`, :func:`remove_field` and :func:`move_field` read and
    change like the service's form; :func:`put_group` puts the result back."""
    prop = ((definition.get("form_schema") or {}).get("properties") or {}).get(group) or {}
    hints = ((definition.get("ui") or {}).get("fields") or {}).get(group) or {}
    items = prop.get("items") if is_group(prop) else None
    return {
        "form_schema": copy.deepcopy(items or {"type": "object", "properties": {}}),
        "ui": copy.deepcopy(item_ui(hints)),
    }


def put_group(definition: dict, group: str, changes: dict) -> dict:
    """The ``form_schema`` and ``ui`` with a repeating group's fields replaced by ``changes``
    (what :func:`put_field` and the others returned for :func:`group_definition`)."""
    schema = copy.deepcopy(definition.get("form_schema") or {})
    ui = copy.deepcopy(definition.get("ui") or {})
    prop = (schema.get("properties") or {}).get(group)
    if not isinstance(prop, dict):
        return {}
    inner = group_definition(definition, group)
    items = changes.get("form_schema", inner["form_schema"])
    items.pop("$schema", None)
    items["type"] = "object"
    prop["type"] = "array"
    prop["items"] = items
    inner_ui = changes.get("ui", inner["ui"])
    hints = ui.setdefault("fields", {}).setdefault(group, {})
    hints["kind"] = "group"
    hints["fields"] = inner_ui.get("fields") or {}
    hints["order"] = inner_ui.get("order") or []
    return {"form_schema": schema, "ui": ui}
