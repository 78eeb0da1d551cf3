"""What each app has to say about a building, registered from below so that the building page
(``geo``) shows it without importing the domain apps (the same pattern as ``core.shell``)::

    from cityhall.core.places import BuildingSection, register_building_section
    register_building_section(BuildingSection(
        key="discussions", title=_("Public discussions whose territory covers this building"),
        items=discussions_covering_building, order=30))

``items(building)`` gets a ``geo.Building`` (with ``lat``, ``lon``, ``district_id``) and returns
at most a handful of :class:`PlaceItem`. The page writes ``{% load places %}{% building_sections
building %}``, which renders ``core/includes/building_sections.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BuildingSection",
    "PlaceItem",
    "building_sections",
    "register_building_section",
    "sections_for_building",
]


@dataclass(frozen=True)
class PlaceItem:
    title: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class BuildingSection:
    key: str
    title: Any
    items: Callable[[Any], list[PlaceItem]]
    order: int = 100
    empty_text: Any = ""
    #: A link to the full list (``url_for(building)``), or None.
    url_for: Callable[[Any], str] | None = None


_SECTIONS: dict[str, BuildingSection] = {}


def register_building_section(section: BuildingSection) -> None:
    _SECTIONS[section.key] = section


def building_sections() -> list[BuildingSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def sections_for_building(building: Any) -> list[tuple[BuildingSection, list[PlaceItem], str]]:
    """Each registered section with its items and its "see all" link for this building."""
    return [
        (s, s.items(building), s.url_for(building) if s.url_for else "")
        for s in building_sections()
    ]
