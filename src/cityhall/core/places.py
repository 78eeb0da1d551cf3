"""What each app tells about a place, registered from below so geo imports no domain app.

A building's page (geo) shows, after its own facts, one section per app that has something to
say about the building: the requests app its managing organisation, who answers for each kind
of work, its open requests and "report a problem here"; the discussions app the discussions
whose territory covers it. Each app registers a provider in ``AppConfig.ready()``::

    from cityhall.core.places import PlaceSection, register_building_section
    register_building_section("requests", requests_about_building, order=10)

``provider(building)`` returns a :class:`PlaceSection` or None (nothing to say). The building is
geo's ``Building`` (id, address, district_id, lat, lon…); providers read through their own
selectors. geo's page renders every section the same way (``geo/includes/place_section.html``):
heading, facts (label, value, optional link), items (title, link, note) and actions (buttons).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "PlaceAction",
    "PlaceFact",
    "PlaceItem",
    "PlaceSection",
    "building_sections",
    "register_building_section",
]


@dataclass(frozen=True)
class PlaceFact:
    label: Any
    value: Any
    url: str = ""


@dataclass(frozen=True)
class PlaceItem:
    title: Any
    url: str = ""
    note: Any = ""


@dataclass(frozen=True)
class PlaceAction:
    label: Any
    url: str


@dataclass(frozen=True)
class PlaceSection:
    key: str
    title: Any
    facts: list[PlaceFact] = field(default_factory=list)
    items: list[PlaceItem] = field(default_factory=list)
    actions: list[PlaceAction] = field(default_factory=list)
    empty_text: Any = ""
    items_title: Any = ""  # a heading over the items
    more_url: str = ""
    more_label: Any = ""


_providers: dict[str, tuple[int, Callable[[Any], PlaceSection | None]]] = {}


def register_building_section(
    key: str, provider: Callable[[Any], PlaceSection | None], *, order: int = 100
) -> None:
    """Register (or replace, by ``key``) what an app shows on a building's page."""
    _providers[key] = (order, provider)


def building_sections(building: Any) -> list[PlaceSection]:
    """Every registered app's section about ``building``, in their order."""
    sections = []
    for _key, (_order, provider) in sorted(_providers.items(), key=lambda kv: (kv[1][0], kv[0])):
        section = provider(building)
        if section is not None:
            sections.append(section)
    return sections
