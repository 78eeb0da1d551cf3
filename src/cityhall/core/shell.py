"""What the shell (portal) shows of every app, registered from below so nobody imports upward.

The personal cabinet shows one section per app and the staff workspace lists the desks a
person may open. Each app — foundation or domain — registers its own in ``AppConfig.ready()``::

    from cityhall.core.shell import CabinetSection, register_section
    register_section(CabinetSection(key="requests", title=_("My requests"),
                                    order=20, items=my_requests_for_cabinet))

The registries live in ``core`` (the layer below every app), so ``accounts`` and
``notifications`` register without importing the shell above them; ``portal`` reads them
(ADR 0003, ADR 0009). ``items(user)`` returns at most a handful of :class:`CabinetItem` for the
overview; the section's ``url_name`` leads to the full list. Which desks a person sees is
decided by ``portal.workspace.entries_for`` (by role).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CabinetItem",
    "CabinetSection",
    "WorkspaceEntry",
    "register_entry",
    "register_section",
    "sections",
    "workspace_entries",
]


@dataclass(frozen=True)
class CabinetItem:
    title: str
    status: str = ""
    url: str = ""
    when: Any = None
    note: str = ""


@dataclass(frozen=True)
class CabinetSection:
    key: str
    title: Any
    items: Callable[[Any], list[CabinetItem]]
    order: int = 100
    url_name: str = ""
    empty_text: Any = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class WorkspaceEntry:
    key: str
    title: Any
    url_name: str
    roles: Iterable[str]
    description: Any = ""
    order: int = 100
    #: A finer check than the roles (``user -> bool``): the desk is listed only when the page
    #: would open for this person, so nobody is shown a link that ends in 403.
    visible_to: Callable[[Any], bool] | None = None


_SECTIONS: dict[str, CabinetSection] = {}
_ENTRIES: dict[str, WorkspaceEntry] = {}


def register_section(section: CabinetSection) -> None:
    _SECTIONS[section.key] = section


def sections() -> list[CabinetSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def register_entry(entry: WorkspaceEntry) -> None:
    _ENTRIES[entry.key] = entry


def workspace_entries() -> list[WorkspaceEntry]:
    return sorted(_ENTRIES.values(), key=lambda e: (e.order, e.key))
