"""The staff workspace lists the desks a person may open, by role; apps register their desks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cityhall.accounts.selectors import has_role

__all__ = ["WorkspaceEntry", "register_entry", "entries_for"]


@dataclass(frozen=True)
class WorkspaceEntry:
    key: str
    title: Any
    url_name: str
    roles: Iterable[str]
    description: Any = ""
    order: int = 100


_ENTRIES: dict[str, WorkspaceEntry] = {}


def register_entry(entry: WorkspaceEntry) -> None:
    _ENTRIES[entry.key] = entry


def entries_for(user) -> list[WorkspaceEntry]:
    return sorted(
        (e for e in _ENTRIES.values() if has_role(user, e.roles)),
        key=lambda e: (e.order, e.key),
    )
