"""Which one organisation answers a request: pure rules over facts gathered by the selector.

Rule (issue 5): the category names the organisation type responsible. A managing organisation
is found through the building it manages; a resource supplier or contractor through its area of
responsibility for the category — the building's own row first, then the district's. Anything
that cannot be decided (no building, nobody responsible) goes to the committee's dispatcher
queue: ``organisation_id`` is None and ``reason`` says why. A request is never routed nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RoutingFacts", "RoutingDecision", "decide"]

MANAGING = "managing_organisation"


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
