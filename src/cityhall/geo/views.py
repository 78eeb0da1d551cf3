"""Public pages of the city's map: districts, one district, one building, address search."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import map_base as base
from . import selectors
from .forms import AddressSearchForm
from .maps import colour_for, draw_map
from .web_map import Pin, Shape, web_map

BUILDINGS_PER_PAGE = 50
MAP_POINTS_MAX = 3000


def district_list(request):
    districts = list(selectors.districts_with_counts())
    colours = [colour_for(i) for i in range(len(districts))]
    svg = draw_map(areas=districts, outlines=list(selectors.suburbs_with_counts()), colours=colours)
    return render(
        request,
        "geo/district_list.html",
        {
            "title": _("Districts of the city"),
            "rows": list(zip(districts, colours, strict=True)),
            "map": svg,
            "form": AddressSearchForm(),
            "total_buildings": sum(d.building_count for d in districts),
        },
    )


def district_detail(request, code: str):
    district = selectors.get_district(code)
    if district is None:
        raise Http404
    suburbs = list(selectors.suburbs_with_counts(district))
    chosen = next((s for s in suburbs if s.code == request.GET.get("suburb")), None)
    page = Paginator(selectors.district_buildings(district, chosen), BUILDINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    colours = [colour_for(i) for i in range(len(suburbs))]
    svg = draw_map(
        areas=suburbs or [district],
        outlines=[district] if suburbs else [],
        points=selectors.building_points(district, limit=MAP_POINTS_MAX),
        colours=colours or None,
    )
    live = web_map(
        map_id="district-map",
        label=_("Map of %(name)s") % {"name": district.display_name},
        shapes=[
            Shape(geometry=s.geometry, title=s.display_name, fill=c)
            for s, c in zip(suburbs, colours, strict=True)
        ]
        + [Shape(geometry=district.geometry, title=district.display_name)],
        bounds=district.bbox,
        size="large",
        show_list=False,
    )
    return render(
        request,
        "geo/district_detail.html",
        {
            "title": district.display_name,
            "district": district,
            "suburb_rows": list(zip(suburbs, colours, strict=True)),
            "chosen": chosen,
            "page": page,
            "map": svg,
            "live_map": live,
            "form": AddressSearchForm(),
        },
    )


def building_detail(request, pk: int):
    building = selectors.get_building(pk)
    if building is None:
        raise Http404
    svg = None
    if building.district_id:
        suburbs = list(selectors.suburbs_with_counts(building.district))
        svg = draw_map(
            areas=suburbs or [building.district],
            outlines=[building.district] if suburbs else [],
            marker=(building.lat, building.lon),
            width=600,
        )
    live = web_map(
        map_id="building-map",
        label=_("Where %(address)s is") % {"address": building.address},
        pins=[Pin(lat=building.lat, lon=building.lon, title=building.address, kind="building")],
        shapes=[Shape(geometry=building.district.geometry, title=building.district.display_name)]
        if building.district_id
        else [],
        bounds=(
            building.lon - 0.004,
            building.lat - 0.0025,
            building.lon + 0.004,
            building.lat + 0.0025,
        ),
        size="small",
        show_list=False,
    )
    return render(
        request,
        "geo/building_detail.html",
        {"title": building.address, "building": building, "map": svg, "live_map": live},
    )


@require_GET
def map_base(request):
    """The city's own base layer for the interactive map (geo.map_base): GeoJSON for a view."""
    data = base.base_layer(
        bbox=base.parse_bbox(request.GET.get("bbox")), zoom=base.parse_zoom(request.GET.get("zoom"))
    )
    response = JsonResponse(data)
    response["Cache-Control"] = "public, max-age=300"
    return response


def address_search(request):
    form = AddressSearchForm(request.GET if "q" in request.GET else None)
    exact, results = None, []
    if form.is_valid():
        query = form.cleaned_data["q"]
        exact = selectors.find_building(query)
        results = [b for b in selectors.search_buildings(query, limit=30) if b != exact]
    return render(
        request,
        "geo/address_search.html",
        {
            "title": _("Find an address"),
            "form": form,
            "searched": form.is_bound and form.is_valid(),
            "exact": exact,
            "results": results,
        },
    )
