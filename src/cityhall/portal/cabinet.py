"""The personal cabinet shows one section per domain app, without portal importing them.

Each app registers a provider in its ``AppConfig.ready()``::

    from cityhall.portal.cabinet import CabinetSection, register_section
    register_section(CabinetSection(key="requests", title=_("My requests"),
                                    order=20, items=my_requests_for_cabinet))

``items(user)`` returns at most a handful of :class:`CabinetItem` for the overview; the section's
``url_name`` leads to the full list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CabinetItem", "CabinetSection", "register_section", "sections"]


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


_SECTIONS: dict[str, CabinetSection] = {}


def register_section(section: CabinetSection) -> None:
    _SECTIONS[section.key] = section


def sections() -> list[CabinetSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
