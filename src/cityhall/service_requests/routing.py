"""Which one organisation answers a request: pure rules over facts gathered by the selector.

Rule (issue 5): the category names the organisation type responsible. A managing organisation
is found through the building it manages; a resource supplier or contractor through its area of
responsibility for the category — the building's own row first, then the district's. Anything
that cannot be decided (no building, nobody responsible) goes to the committee's dispatcher
queue: ``organisation_id`` is None and ``reason`` says why. A request is never routed nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

__all__ = ["REASONS", "RoutingFacts", "RoutingDecision", "decide"]

MANAGING = "managing_organisation"

#: What each decision's code means, for people (the history keeps the code; staff read this).
REASONS = {
    "no_building": _("Routed to the dispatcher: the address is not a known building."),
    "no_managing_organisation": _(
        "Routed to the dispatcher: no managing organisation is known for the building."
    ),
    "building_manager": _("Routed to the organisation that manages the building."),
    "building_area": _("Routed to the organisation responsible for the building."),
    "district_area": _("Routed to the organisation responsible for the district."),
    "no_responsible_organisation": _(
        "Routed to the dispatcher: no organisation is responsible for this problem here."
    ),
}


@dataclass(frozen=True)
class RoutingFacts:
    responsible_type: str
    building_id: int | None
    building_manager_id: int | None = None
    building_area_organisation_id: int | None = None
    district_area_organisation_id: int | None = None


@dataclass(frozen=True)
class RoutingDecision:
    organisation_id: int | None
    reason: str

    @property
    def to_dispatcher(self) -> bool:
        return self.organisation_id is None


def decide(facts: RoutingFacts) -> RoutingDecision:
    if facts.building_id is None:
        return RoutingDecision(None, "no_building")
    if facts.responsible_type == MANAGING:
        if facts.building_manager_id is None:
            return RoutingDecision(None, "no_managing_organisation")
        return RoutingDecision(facts.building_manager_id, "building_manager")
    if facts.building_area_organisation_id is not None:
        return RoutingDecision(facts.building_area_organisation_id, "building_area")
    if facts.district_area_organisation_id is not None:
        return RoutingDecision(facts.district_area_organisation_id, "district_area")
    return RoutingDecision(None, "no_responsible_organisation")
