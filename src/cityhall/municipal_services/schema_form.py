"""The application form, rendered on the server from the version's JSON Schema and UI hints.

Works without JavaScript: every field is a plain HTML control; posted values are read back into
typed answers (:func:`answers_from_post`) and validated against the exact version's schema
(:func:`errors_of`), with each jsonschema error mapped to its field and a translated message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from . import area_field
from .area_field import AREA, area_from_post, area_problems, area_text, is_area
from .definition import condition_holds, text_in
from .group_field import (
    GROUP,
    blank_row,
    group_rows,
    is_group,
    items_from_post,
    readable_group,
)
from .identifiers import FORMAT_CHECKER
from .place_field import POINT, field_map, is_point, point_from_post, point_problems, point_text

__all__ = [
    "FormField",
    "fields_of",
    "answers_from_post",
    "errors_of",
    "validator_for",
    "readable_value",
    "readable_answers",
]

_VALIDATORS: dict[Any, Draft202012Validator] = {}


def validator_for(schema: dict, key: Any = None) -> Draft202012Validator:
    """A compiled validator, kept per ``key`` (a published version never changes)."""
    if key is None:
        return Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    validator = _VALIDATORS.get(key)
    if validator is None:
        validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
        if len(_VALIDATORS) > 2000:
            _VALIDATORS.clear()
        _VALIDATORS[key] = validator
    return validator


@dataclass
class FormField:
    name: str
    label: str
    help: str
    # text, textarea, number, integer, date, email, select, checkbox, checkboxes, point, area, group
    widget: str
    required: bool
    value: Any = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    condition: str = ""
    applies: bool = True
    attrs: dict = field(default_factory=dict)
    #: a repeating group's rows (:class:`.group_field.GroupRow`), each with its sub-fields
    rows: list = field(default_factory=list)
    max_items: int | None = None
    min_items: int = 0
    #: a repeating group's empty row that "add another" copies in the page (JavaScript)
    blank_row: Any = None

    @property
    def id(self) -> str:
        return f"f-{self.name}".replace(".", "-")

    @property
    def can_add(self) -> bool:
        """Whether a group may have one more item (its "add another" button)."""
        return self.max_items is None or len(self.rows) < self.max_items

    @property
    def can_remove(self) -> bool:
        """Whether a group's rows offer "remove": not when that would leave fewer than its
        fewest items."""
        return len(self.rows) > self.min_items

    @property
    def map(self):
        """The map a point field is answered on (:mod:`.place_field`); None for other fields."""
        if self.widget == AREA:
            return area_field.field_map(self)
        return field_map(self) if self.widget == POINT else None

    @property
    def area_json(self) -> str:
        """An area field's answer as the GeoJSON its text box shows (:mod:`.area_field`)."""
        return area_field.area_json(self.value)

    @property
    def point(self) -> dict:
        """A point field's answer as a dict (empty when none), for its inputs."""
        return self.value if isinstance(self.value, dict) else {}

    @property
    def selected(self) -> set[str]:
        if isinstance(self.value, list):
            return {str(v) for v in self.value}
        return {str(self.value)} if self.value not in (None, "") else set()


class FormFields(list):
    """The fields in order; ``has_conditional`` when some do not apply to the answers yet."""

    @property
    def has_conditional(self) -> bool:
        return any(not f.applies for f in self)

    @property
    def names(self) -> set[str]:
        """Every field's name, a group's sub-fields (``group.0.name``) included: the errors
        shown beside a field (the others are listed at the top)."""
        return {f.name for f in self} | {s.name for f in self for r in f.rows for s in r.fields}

    @property
    def has_group(self) -> bool:
        """Whether a repeating group adds rows in the page (the page then loads its script)."""
        return any(f.blank_row is not None for f in self)

    @property
    def has_point(self) -> bool:
        """Whether a field is answered on the map (the page then loads the map's scripts)."""
        return any(f.widget == POINT for f in self)

    @property
    def has_area(self) -> bool:
        """Whether a field is drawn on the map (the page then loads Leaflet.draw too)."""
        return any(f.widget == AREA for f in self)

    @property
    def assets_map(self):
        """The map whose assets the page loads: an area's (with drawing) before a point's."""
        first = next((f for f in self if f.widget == AREA), None)
        first = first or next((f for f in self if f.widget == POINT), None)
        return first.map if first else None


def _widget(prop: dict, hints: dict) -> str:
    if hints.get("widget"):
        return hints["widget"]
    if is_area(prop):
        return AREA
    if is_point(prop):
        return POINT
    if is_group(prop):
        return GROUP
    kind = prop.get("type")
    if kind == "boolean":
        return "checkbox"
    if kind == "array" and isinstance(prop.get("items"), dict) and "enum" in prop["items"]:
        return "checkboxes"
    if "enum" in prop:
        return "select"
    if kind in ("integer", "number"):
        return kind
    if prop.get("format") == "date":
        return "date"
    if prop.get("format") == "email":
        return "email"
    if (prop.get("maxLength") or 0) > 200:
        return "textarea"
    return "text"


def _choices(prop: dict, hints: dict, language: str | None) -> list[tuple[str, str]]:
    values = prop.get("enum") or (prop.get("items") or {}).get("enum") or []
    labels = hints.get("choices") or {}
    return [(str(v), text_in(labels.get(str(v)), language) or str(v)) for v in values]


def fields_of(
    schema: dict,
    ui: dict,
    *,
    values: dict | None = None,
    errors: dict[str, list[str]] | None = None,
    language: str | None = None,
    rows: dict[str, int] | None = None,
) -> FormFields:
    """The form's fields in the hinted order, with labels and help in ``language``; a
    repeating group shows ``rows[name]`` rows when given (the form shown again after its
    "add another" or "remove" was pressed, :func:`.group_field.rows_after_post`)."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    hints_by_field = (ui or {}).get("fields") or {}
    order = [n for n in (ui or {}).get("order") or [] if n in properties]
    order += [n for n in properties if n not in order]
    values = values or {}
    errors = errors or {}
    result = FormFields()
    for name in order:
        prop = properties[name]
        hints = hints_by_field.get(name) or {}
        attrs = {}
        for key, attr in (("minimum", "min"), ("maximum", "max"), ("maxLength", "maxlength")):
            if key in prop:
                attrs[attr] = prop[key]
        if prop.get("type") == "number":
            attrs["step"] = "any"
        widget = _widget(prop, hints)
        result.append(
            FormField(
                name=name,
                label=_with_unit(
                    text_in(hints.get("label"), language) or prop.get("title") or name, hints
                ),
                help=text_in(hints.get("help"), language) or prop.get("description", ""),
                widget=widget,
                required=name in required,
                value=values.get(name, prop.get("default")),
                choices=_choices(prop, hints, language),
                errors=errors.get(name, []),
                condition=text_in(hints.get("show_if_text"), language),
                applies=condition_holds(hints.get("show_if"), values),
                attrs=attrs,
                rows=group_rows(
                    name,
                    prop,
                    hints,
                    value=values.get(name),
                    errors=errors,
                    language=language,
                    rows=(rows or {}).get(name),
                    fields_of=fields_of,
                )
                if widget == GROUP
                else [],
                max_items=prop.get("maxItems"),
                min_items=int(prop.get("minItems") or 0) if widget == GROUP else 0,
                blank_row=blank_row(name, prop, hints, language=language, fields_of=fields_of)
                if widget == GROUP
                else None,
            )
        )
    return result


def _with_unit(label: str, hints: dict) -> str:
    """A number's label with its unit ("Area, m²"), as the service designer sets it."""
    unit = hints.get("unit")
    return f"{label}, {unit}" if unit and not label.endswith(str(unit)) else label


def _coerce(prop: dict, raw: str) -> Any:
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    raw = raw.strip()
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw
    if kind == "number":
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            return raw
        return int(number) if number.is_integer() else number
    return raw


def answers_from_post(schema: dict, data) -> dict:
    """Typed answers from a posted form (``QueryDict``): blanks are left out so that
    "required" speaks for them; values that do not parse stay strings so the schema says why."""
    answers: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        kind = prop.get("type")
        if kind == "object" and is_area(prop):
            area = area_from_post(name, data)
            if area is not None:
                answers[name] = area
            continue
        if kind == "object" and (is_point(prop) or f"{name}.address" in data):
            point = point_from_post(name, data)
            if point is not None:
                answers[name] = point
            continue
        if kind == "boolean":
            if name in data:
                answers[name] = data.get(name) in ("on", "true", "1", "yes")
            continue
        if is_group(prop):
            if group_items := items_from_post(name, prop, data, answers_from_post):
                answers[name] = group_items
            continue
        if kind == "array":
            items = [v for v in data.getlist(name) if v != ""]
            if items:
                item_prop = prop.get("items") or {}
                answers[name] = [_coerce(item_prop, v) for v in items]
            continue
        raw = data.get(name)
        if raw is None or raw.strip() == "":
            continue
        answers[name] = _coerce(prop, raw)
    return answers


def _message(error: ValidationError) -> str:
    v, value = error.validator, error.validator_value
    messages = {
        "required": _("This field is required."),
        "type": _("Enter a valid value."),
        "enum": _("Choose one of the listed values."),
        "const": _("Choose one of the listed values."),
        "minLength": _("Enter at least %(n)s characters.") % {"n": value},
        "maxLength": _("Enter at most %(n)s characters.") % {"n": value},
        "minimum": _("Enter a number not less than %(n)s.") % {"n": value},
        "maximum": _("Enter a number not greater than %(n)s.") % {"n": value},
        "exclusiveMinimum": _("Enter a number greater than %(n)s.") % {"n": value},
        "exclusiveMaximum": _("Enter a number less than %(n)s.") % {"n": value},
        "pattern": _("The value is not in the expected format."),
        "format": _("The value is not in the expected format."),
        "minItems": _("Choose at least %(n)s.") % {"n": value},
        "maxItems": _("Choose at most %(n)s.") % {"n": value},
        "additionalProperties": _("The form has fields it does not expect."),
    }
    if v in ("minItems", "maxItems") and is_group(error.schema):
        messages[v] = (
            _("Add at least %(n)s items.") if v == "minItems" else _("Add at most %(n)s items.")
        ) % {"n": value}
    if v == "format" and value in ("inn", "ogrn", "snils", "cadastral-number"):
        messages["format"] = {
            "inn": _("This is not a valid INN (10 or 12 digits with matching check digits)."),
            "ogrn": _("This is not a valid OGRN (13 or 15 digits with a matching check digit)."),
            "snils": _("This is not a valid SNILS (11 digits with matching check digits)."),
            "cadastral-number": _("Enter the cadastral number as 16:50:011001:123."),
        }[value]
    if v == "type":
        expected = value if isinstance(value, str) else (value or [""])[0]
        messages["type"] = {
            "integer": _("Enter a whole number."),
            "number": _("Enter a number."),
            "boolean": _("Choose yes or no."),
            "string": _("Enter text."),
        }.get(expected, messages["type"])
    return str(messages.get(v, _("Enter a valid value.")))


def errors_of(
    schema: dict, answers: dict, *, key: Any = None, hints: dict | None = None
) -> dict[str, list[str]]:
    """Field → translated messages for every way ``answers`` break ``schema``. Errors that belong
    to no single field go under ``__all__``; hint-supplied messages (``ui.fields.X.error``) win."""
    validator = validator_for(schema, key)
    result: dict[str, list[str]] = {}
    hint_fields = (hints or {}).get("fields") or {}
    for error in validator.iter_errors(answers):
        for name in _fields_of_error(error, answers):
            custom = text_in((hint_fields.get(name) or {}).get("error"))
            message = custom or _message(error)
            bucket = result.setdefault(name, [])
            if message not in bucket:
                bucket.append(message)
    for name, prop in (schema.get("properties") or {}).items():
        # Where a point is, which the schema cannot check (:mod:`.place_field`): its message
        # stands alone for the field.
        problems = point_problems(answers[name]) if name in answers else []
        if problems and is_point(prop, hint_fields.get(name)):
            result[name] = problems
        # An area's shape and place (:mod:`.area_field`), likewise.
        if name in answers and is_area(prop, hint_fields.get(name)):
            problems = area_problems(answers[name], hint_fields.get(name))
            if problems:
                result[name] = problems
    return result


def _fields_of_error(error: ValidationError, answers: dict) -> list[str]:
    path = list(error.path)
    if len(path) >= 2 and isinstance(path[1], int) and isinstance(answers.get(path[0]), list):
        # a repeating group's item: the sub-field of that row (``rooms.1.area``)
        row = f"{path[0]}.{path[1]}"
        if len(path) >= 3:
            return [f"{row}.{path[2]}"]
        if error.validator == "required":
            missing = [n for n in error.validator_value if n not in (error.instance or {})]
            return [f"{row}.{n}" for n in missing] or [str(path[0])]
        return [str(path[0])]
    if error.validator == "required" and not error.path:
        missing = [n for n in error.validator_value if n not in (error.instance or {})]
        return missing or ["__all__"]
    if error.path:
        return [str(error.path[0])]
    if error.validator == "additionalProperties":
        return ["__all__"]
    # if/then/allOf at the root: find the failing sub-error's field
    for sub in error.context or []:
        names = _fields_of_error(sub, answers)
        if names:
            return names
    return ["__all__"]


def readable_value(field) -> object:
    """A field's answer in words: the label of a chosen option (several joined by commas),
    "Yes"/"No" for a tick box; other values as typed."""
    if field.widget == POINT:
        return point_text(field.value)
    if field.widget == AREA:
        return area_text(field.value)
    if field.widget == GROUP:
        return readable_group(field, readable_value)
    labels = dict(field.choices)
    if isinstance(field.value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in field.value)
    if isinstance(field.value, bool):
        return _("Yes") if field.value else _("No")
    if labels:
        return labels.get(str(field.value), field.value)
    return field.value


def readable_answers(schema: dict, ui: dict, answers: dict, language: str | None = None) -> dict:
    """The answers with each value in words (:func:`readable_value`), keyed by field name:
    what documents the applicant receives print (never an option's code)."""
    readable = dict(answers or {})
    for f in fields_of(schema, ui, values=answers, language=language):
        if f.name in readable:
            readable[f.name] = readable_value(f)
    return readable
