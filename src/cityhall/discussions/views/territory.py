"""The organiser's territory page: the current territory on the map, and the form to draw,
pick or upload a new one (services.territory composes and stores it)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityhall.accounts.permissions import staff_required
from cityhall.geo.models import District

from .. import drawing, selectors, services
from ..territory_forms import TerritoryForm
from .base import ORGANISER, run_service
from .base import organiser_discussion as _organiser_discussion


def territory_context(discussion) -> dict:
    """The discussion's territory for a page: its map entry (polygon or districts, in words)
    and the server-drawn picture (the page without JavaScript; the map script enhances it)."""
    districts = list(District.objects.all())
    entry = selectors.map_entries([discussion], districts)[0]
    svg = drawing.discussion_map(
        districts,
        [entry],
        title=_("Territory of discussion %(number)s") % {"number": discussion.number},
        width=480,
    )
    return {"territory": entry, "territory_svg": svg}


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, result = run_service(
            form,
            lambda: services.set_territory(
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
        )
        if ok:
            _updated, cut = result
            messages.success(request, _("The territory is saved."))
            if cut:
                messages.warning(
                    request, _("The part of the territory outside the city was left out.")
                )
            return redirect("discussions:manage_territory", pk=discussion.pk)
    return render(
        request,
        "discussions/manage_territory.html",
        {
            "discussion": discussion,
            "form": form,
            **territory_context(discussion),
        },
        status=422 if form.errors else 200,
    )
