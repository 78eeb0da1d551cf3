"""A service form's repeating group: several items, each with the same sub-fields ("the rooms
of the office": name and area for each room).

In the form definition (the existing format: JSON Schema plus UI hints) a group is an array
of objects; the items' own fields are an ordinary form inside the group's hints::

    "rooms": {"type": "array", "minItems": 1, "maxItems": 10,
              "items": {"type": "object", "required": ["name"],
                        "properties": {"name": {"type": "string"}, "area": {"type": "number"}}}}
    ui.fields.rooms = {"kind": "group", "label": {...}, "item_label": {"ru": "Помещение"},
                       "fields": {"name": {"label": ...}, ...}, "order": ["name", "area"]}

The applicant's form shows the items' rows, each sub-field posted as ``rooms.0.name``; without
JavaScript a fixed number of rows is shown with "add another" and "remove" submit buttons that
show the form again with one row more or less, the answers kept. Empty rows are not answers.
With JavaScript (``static/municipal_services/group-field.js``) the same buttons add and remove
rows in the page: a new row is a copy of :func:`blank_row`, which the server renders with
:data:`ROW` and :data:`NUMBER` standing for the row's index and number, and the rows are
renumbered after a removal, so the posted names are always what :func:`items_from_post` reads.
Read by :mod:`.schema_form`; the designer edits a group's sub-fields through
:func:`.designer.fields.group_definition` and :func:`.designer.fields.put_group`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from .definition import text_in

__all__ = [
    "GROUP",
    "MAX_ROWS",
    "NUMBER",
    "ROW",
    "GroupAnswer",
    "GroupRow",
    "is_group",
    "item_ui",
    "items_from_post",
    "rows_after_post",
    "blank_row",
    "group_rows",
    "readable_group",
]

GROUP = "group"
#: No form shows more rows than this, whatever is posted.
MAX_ROWS = 50
#: What stands for a new row's index (in names and ids) and its number (in its label) in the
#: blank row the page copies; the script puts the real ones in.
ROW = "__row__"
NUMBER = "__number__"
#: Sub-fields answered on a map need their map's script started for each row: a group with one
#: keeps the server's round trip for "add another" and "remove".
_MAP_WIDGETS = {"point", "area"}


def is_group(prop: Any) -> bool:
    """Whether a schema property is a repeating group (an array of objects)."""
    items = prop.get("items") if isinstance(prop, dict) else None
    return prop.get("type") == "array" and isinstance(items, dict) and items.get("type") == "object"


def item_ui(hints: dict | None) -> dict:
    """The UI hints of one item's form (its sub-fields' labels and order)."""
    hints = hints or {}
    return {"fields": hints.get("fields") or {}, "order": hints.get("order") or []}


def _posted_rows(name: str, data) -> int:
    """How many rows the posted form showed: the hidden count, or the highest row posted."""
    try:
        rows = int(data.get(f"{name}.rows") or 0)
    except ValueError:
        rows = 0
    prefix = f"{name}."
    for key in data:
        index = key[len(prefix) :].split(".", 1)[0] if key.startswith(prefix) else ""
        if index.isdigit():
            rows = max(rows, int(index) + 1)
    return max(0, min(rows, MAX_ROWS))


def items_from_post(name: str, prop: dict, data, answers_of: Callable[[dict, Any], dict]) -> list:
    """The items a posted form gives (``name.<row>.<sub-field>``), empty rows and the row
    whose "remove" was pressed left out; ``answers_of`` reads one item's sub-fields."""
    removed = data.get("remove_item")
    items = []
    for row in range(_posted_rows(name, data)):
        if removed == f"{name}.{row}":
            continue
        prefix = f"{name}.{row}."
        sub = QueryDict(mutable=True)
        for key in data:
            if key.startswith(prefix):
                sub.setlist(key[len(prefix) :], data.getlist(key))
        item = answers_of(prop["items"], sub)
        if item:
            items.append(item)
    return items


def rows_after_post(schema: dict, data) -> dict[str, int]:
    """Rows each group shows when the posted form is shown again: as many as were shown, one
    more for the group whose "add another" was pressed, one fewer where "remove" was."""
    rows = {}
    added = data.get("add_item")
    removed = str(data.get("remove_item") or "").rsplit(".", 1)[0]
    for name, prop in ((schema or {}).get("properties") or {}).items():
        if is_group(prop):
            shown = _posted_rows(name, data)
            shown += (name == added) - (name == removed)
            rows[name] = max(0, min(shown, MAX_ROWS))
    return rows


@dataclass
class GroupRow:
    """One item's row in the applicant's form: its label ("Room 2"), the key its "remove"
    button posts and its sub-fields (named ``group.<row>.<sub-field>``)."""

    key: str
    label: str
    fields: list


def _item_label(hints: dict, language: str | None, number: int | str) -> str:
    word = text_in(hints.get("item_label"), language)
    return f"{word} {number}" if word else _("Item %(n)s") % {"n": number}


def group_rows(
    name: str,
    prop: dict,
    hints: dict,
    *,
    value: Any,
    errors: dict[str, list[str]],
    language: str | None,
    rows: int | None,
    fields_of: Callable[..., list],
) -> list[GroupRow]:
    """The rows of a group's field: one per item answered, at least ``minItems`` (and one),
    or ``rows`` when the form is shown again after "add another"/"remove"."""
    items = [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []
    low = int(prop.get("minItems") or 0)
    count = min(rows if rows is not None else max(len(items), low, 1), MAX_ROWS)
    result = []
    for row in range(count):
        prefix = f"{name}.{row}."
        item_errors = {
            key[len(prefix) :]: messages
            for key, messages in errors.items()
            if key.startswith(prefix)
        }
        sub_fields = fields_of(
            prop["items"],
            item_ui(hints),
            values=items[row] if row < len(items) else {},
            errors=item_errors,
            language=language,
        )
        for sub in sub_fields:
            sub.name = f"{prefix}{sub.name}"
            sub.applies = True
        result.append(
            GroupRow(
                key=f"{name}.{row}", label=_item_label(hints, language, row + 1), fields=sub_fields
            )
        )
    return result


def blank_row(
    name: str, prop: dict, hints: dict, *, language: str | None, fields_of: Callable[..., list]
) -> GroupRow | None:
    """The empty row the page copies for "add another" with JavaScript, labels, help and
    translations from the server; :data:`ROW` and :data:`NUMBER` stand for the row's index and
    number. None when a sub-field is answered on a map (those rows come from the server)."""
    sub_fields = fields_of(prop["items"], item_ui(hints), values={}, errors={}, language=language)
    if any(sub.widget in _MAP_WIDGETS for sub in sub_fields):
        return None
    for sub in sub_fields:
        sub.name = f"{name}.{ROW}.{sub.name}"
        sub.applies = True
    return GroupRow(
        key=f"{name}.{ROW}", label=_item_label(hints, language, NUMBER), fields=sub_fields
    )


class GroupAnswer(list):
    """A group's answer in words: a list of items (sub-field → value in words, what a result
    template loops over), printed as one line per item; ``rows`` for pages that list them."""

    def __init__(self, rows: list[tuple[str, list[tuple[str, Any]]]], items: list[dict]):
        super().__init__(items)
        self.rows = rows

    def __str__(self) -> str:
        return "; ".join(
            f"{label}: " + ", ".join(f"{sub} — {value}" for sub, value in answers)
            for label, answers in self.rows
        )


def readable_group(field, readable_value: Callable[[Any], Any]) -> GroupAnswer:
    """A group field's items with each sub-field's answer in words (:class:`GroupAnswer`)."""
    rows, items = [], []
    for row in field.rows:
        answered = [f for f in row.fields if f.value not in (None, "", [])]
        if not answered:
            continue
        short = {f.name.rsplit(".", 1)[-1]: readable_value(f) for f in answered}
        items.append(short)
        rows.append((row.label, [(f.label, short[f.name.rsplit(".", 1)[-1]]) for f in answered]))
    return GroupAnswer(rows, items)
