"""The difference between two versions of a definition, item by item, as officials compare
them before publishing (side by side) and as the audit keeps it with each publication.

Pure module. Form fields are compared one by one (the field's schema with its hints), lists
with codes (documents, variants, rules, reasons) code by code, the rest part by part.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["Change", "difference", "as_audit"]

_KEYED_LISTS = ("documents", "variants", "rules", "refusal_reasons")


@dataclass(frozen=True)
class Change:
    part: str  # a definition part (form_schema stands for the form's fields)
    item: str  # a field's name, an item's code, or "" for the whole part
    before: Any
    after: Any

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"

    @property
    def before_text(self) -> str:
        return _text(self.before)

    @property
    def after_text(self) -> str:
        return _text(self.after)


def _text(value: Any) -> str:
    """A value as lines of "where: what" (``label.ru: Площадь``), the way one reads a change."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    lines: list[str] = []
    _flatten(lines, "", value)
    return "\n".join(lines)


def _flatten(lines: list[str], where: str, value: Any) -> None:
    if isinstance(value, dict) and value:
        for key in sorted(value):
            _flatten(lines, f"{where}.{key}" if where else str(key), value[key])
    elif isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        for n, item in enumerate(value, start=1):
            _flatten(lines, f"{where}[{n}]", item)
    else:
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"{where}: {shown}" if where else str(shown))


def _fields(definition: dict) -> dict[str, dict]:
    schema = definition.get("form_schema") or {}
    ui = definition.get("ui") or {}
    hints = ui.get("fields") or {} if isinstance(ui, dict) else {}
    required = set(schema.get("required") or [])
    return {
        name: {"schema": prop, "required": name in required, "hints": hints.get(name) or {}}
        for name, prop in (schema.get("properties") or {}).items()
    }


def _keyed(items: Any) -> dict[str, Any]:
    result = {}
    for n, item in enumerate(items or [], start=1):
        code = item.get("code") if isinstance(item, dict) else None
        result[str(code or f"#{n}")] = item
    return result


def _compare(part: str, before: dict, after: dict) -> list[Change]:
    changes = []
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if old != new:
            changes.append(Change(part, key, old, new))
    return changes


def difference(before: dict | None, after: dict) -> list[Change]:
    """What changed from ``before`` (``None``: nothing published yet) to ``after``."""
    before = before or {}
    changes = _compare("form_schema", _fields(before), _fields(after))
    ui_before = {k: v for k, v in (before.get("ui") or {}).items() if k != "fields"}
    ui_after = {k: v for k, v in (after.get("ui") or {}).items() if k != "fields"}
    changes += _compare("ui", ui_before, ui_after)
    for part in sorted(set(before) | set(after)):
        if part in ("form_schema", "ui"):
            continue
        if part in _KEYED_LISTS:
            changes += _compare(part, _keyed(before.get(part)), _keyed(after.get(part)))
        elif before.get(part) != after.get(part):
            changes.append(Change(part, "", before.get(part), after.get(part)))
    return changes


def as_audit(changes: list[Change]) -> list[dict]:
    """The changes as the audit record keeps them (primitive values, each side shortened)."""
    return [
        {
            "part": c.part,
            "item": c.item,
            "kind": c.kind,
            "before": c.before_text[:2000],
            "after": c.after_text[:2000],
        }
        for c in changes
    ]
