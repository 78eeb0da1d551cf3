"""Proposals on the map: the map on the proposal form (choose a point or draw an area inside
the discussion's territory), a proposal's place on its page, and the discussion's map of
proposals with the same proposals listed beside it (proposal_places holds the rules)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from cityhall.geo.web_map import LegendEntry, Pin, Shape, web_map

from .. import selectors
from ..models import Discussion, Proposal
from ..proposal_places import MAX_MAPPED, placed_proposals, territory_geometry

#: The fill of a proposal's area on the maps (the territory is the lighter blue outline).
AREA_FILL = "#f2c14e"


def _territory_shapes(discussion: Discussion) -> list[Shape]:
    geometry = territory_geometry(discussion)
    # No title: the territory is the background to point at, not a link to open.
    return [Shape(geometry=geometry, title="", fill="")] if geometry else []


def place_form_context(discussion: Discussion, *, by_staff: bool = False) -> dict:
    """The map beside a proposal form's address field (the resident's, or ``by_staff`` the
    form for paper and oral proposals): the territory outlined; the page's script
    (discussions/proposal_place.js) puts a point or draws an area into the form's hidden
    fields and says next to the map when it falls outside the territory."""
    label = (
        _("Map of the discussion's territory: the place the proposal is about")
        if by_staff
        else _("Map of the discussion's territory: the place your proposal is about")
    )
    return {
        "place_map": web_map(
            map_id="proposal-place-map",
            label=label,
            shapes=_territory_shapes(discussion),
            size="medium",
            show_list=False,
            draw=True,
        )
    }


def proposal_place_context(discussion: Discussion, proposal: Proposal) -> dict:
    """A proposal's place on its page (nothing for a hidden proposal or one without a place)."""
    if proposal.visibility != Proposal.Visibility.VISIBLE or not (
        proposal.area or proposal.lat is not None
    ):
        return {"proposal_map": None}
    title = _("Place of proposal No. %(number)s") % {"number": proposal.number}
    pins = (
        [Pin(lat=proposal.lat, lon=proposal.lon, title=title, kind="proposal")]
        if proposal.lat is not None
        else []
    )
    shapes = [Shape(geometry=proposal.area, title=title, fill=AREA_FILL)] if proposal.area else []
    return {
        "proposal_map": web_map(
            map_id="proposal-map",
            label=title,
            pins=pins,
            shapes=shapes,
            size="small",
            show_list=False,
        ),
        "proposal_place": _place_in_words(proposal),
    }


def _place_in_words(proposal: Proposal) -> str:
    """The place as text (the map's text alternative): the nearest building's address, or the
    coordinates; an area by the building nearest its middle."""
    from shapely.geometry import shape

    from cityhall.geo import selectors as geo

    if proposal.area:
        middle = shape(proposal.area).representative_point()
        lat, lon = middle.y, middle.x
    else:
        lat, lon = proposal.lat, proposal.lon
    building = geo.building_for_point(lat, lon, max_distance_m=150)
    near = building.address if building else f"{lat:.5f}, {lon:.5f}"
    if proposal.area:
        return _("An area drawn on the map, around %(place)s") % {"place": near}
    return _("A point on the map: %(place)s") % {"place": near}


def proposals_map(request, pk: int):
    """The discussion's map of proposals: each public proposal with a place as a pin or an
    area that opens it, the territory outlined, and the same proposals listed beside it."""
    discussion = selectors.get_discussion(pk, user=request.user)
    placed = placed_proposals(discussion)
    shapes = _territory_shapes(discussion)
    pins = []
    for p in placed:
        title = f"№ {p.number} · {p.kind}"
        if p.area:
            shapes.append(Shape(geometry=p.area, title=title, url=p.url, fill=AREA_FILL))
        else:
            pins.append(Pin(lat=p.lat, lon=p.lon, title=title, url=p.url, kind="proposal"))
    the_map = web_map(
        map_id="proposals-map",
        label=_("Map of the proposals of discussion %(number)s") % {"number": discussion.number},
        pins=pins,
        shapes=shapes,
        legend=[LegendEntry(colour=AREA_FILL, label=_("An area a proposal is about"))],
        size="large",
        show_list=False,
    )
    return render(
        request,
        "discussions/proposals_map.html",
        {
            "discussion": discussion,
            "proposals_map": the_map,
            "placed": placed,
            "cut": len(placed) >= MAX_MAPPED,
        },
    )
