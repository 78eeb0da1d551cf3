"""The organiser's territory page: the current territory on the map, and the form to draw,
pick or upload a new one (services.territory composes and stores it)."""

from __future__ import annotations

import json

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.accounts.permissions import staff_required
from cityhall.geo.models import District
from cityhall.geo.web_map import Shape, city_bounds, web_map

from .. import drawing, selectors, services
from ..territory_forms import TerritoryForm
from .base import ORGANISER, submitted
from .base import organiser_discussion as _organiser_discussion

#: The fill of a discussion's own territory on the interactive map (districts: outlined).
TERRITORY_FILL = "#9cc3e6"


def territory_context(discussion, *, draw: bool = False) -> dict:
    """The discussion's territory for a page: its map entry (the polygon, ``where`` in words),
    the interactive map (``draw``: with the drawing tools) and the server-drawn picture for
    readers without JavaScript."""
    districts = list(District.objects.all())
    entry = selectors.map_entries([discussion], districts)[0]
    title = _("Territory of discussion %(number)s") % {"number": discussion.number}
    svg = drawing.discussion_map(districts, [entry], title=title, width=480)
    shapes = (
        [
            Shape(
                geometry=entry.territory,
                title=entry.where,
                fill=TERRITORY_FILL if entry.own else "",
            )
        ]
        if entry.territory
        else []
    )
    live = web_map(
        map_id="territory-draw-map" if draw else "territory-map",
        label=title,
        shapes=[] if draw else shapes,
        bounds=city_bounds() if draw else None,
        size="large" if draw else "medium",
        show_list=False,
        draw=draw,
    )
    return {"territory": entry, "territory_svg": svg, "territory_map": live}


@staff_required(ORGANISER)
def manage_territory(request, pk: int):
    discussion = _organiser_discussion(request, pk)
    form = TerritoryForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "version": discussion.version,
            "drawn": json.dumps(discussion.territory) if discussion.territory else "",
            "territory_description": discussion.territory_description,
        },
    )
    done = submitted(
        request,
        form,
        lambda data: services.set_territory(
            actor=request.user,
            discussion=discussion,
            expected_version=data["version"],
            parts=services.TerritoryParts(
                drawn=data["drawn"],
                uploaded=data["upload"],
                districts=data["districts"],
                suburbs=data["suburbs"],
                buildings=data["buildings"],
            ),
            description=data["territory_description"],
        ),
        success=_("The territory is saved."),
        warning=lambda result: (
            _("The part of the territory outside the city was left out.") if result[1] else ""
        ),
        to=reverse("discussions:manage_territory", args=[discussion.pk]),
    )
    if done:
        return done
    return render(
        request,
        "discussions/manage_territory.html",
        {
            "discussion": discussion,
            "form": form,
            **territory_context(discussion, draw=True),
        },
        status=422 if form.errors else 200,
    )
