"""Maps of requests: the public map (clusters of open and recently closed requests, districts
shaded by count, a list and the address search beside it) and its clusters answer.
Reading is in :mod:`cityhall.service_requests.requests_map`; the map is geo's component."""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cityhall.geo import selectors as geo
from cityhall.geo.forms import AddressSearchForm
from cityhall.geo.map_base import parse_bbox, parse_zoom
from cityhall.geo.web_map import LegendEntry, Shape, web_map

from .. import requests_map, selectors
from .pages import paginate

__all__ = ["public_map", "public_map_clusters"]


#: Seconds one view's clusters and counts are reused for every visitor (the public map may lag
#: this much behind the requests).
CLUSTERS_CACHE_SECONDS = 30


def _cache_key(prefix: str, filters, *more) -> str:
    text = json.dumps([get_language(), filters.as_query(), *more])
    return prefix + ":" + hashlib.sha256(text.encode()).hexdigest()


@require_GET
def public_map(request):
    """Open and recently closed requests on the city map, filtered; the same as a list."""
    filters = requests_map.map_filters(request.GET)
    qs = requests_map.map_requests(filters)
    districts = list(geo.districts_with_counts())
    counts = cache.get_or_set(
        _cache_key("requests-map-districts", filters),
        lambda: requests_map.district_counts(qs),
        CLUSTERS_CACHE_SECONDS,
    )
    shades, classes = requests_map.district_shading(counts, districts)
    query = request.GET.urlencode()
    live = web_map(
        map_id="requests-map",
        label=_("Map of residents' requests"),
        shapes=[
            Shape(
                geometry=row.district.geometry,
                title=_("%(district)s: %(count)s")
                % {"district": row.district.display_name, "count": row.count},
                fill=row.colour,
            )
            for row in shades
        ],
        legend=[
            LegendEntry(colour=c.colour, label=_("%(range)s requests") % {"range": c.label})
            for c in classes
        ],
        clusters_url=reverse("service_requests:map_clusters"),
        size="large",
        show_list=False,
    )
    listing = paginate(request, requests_map.NewestFirst(filters, qs))
    return render(
        request,
        "service_requests/map.html",
        {
            "title": _("Map of requests"),
            "live_map": live,
            "filters": filters,
            "categories": selectors.active_categories(),
            "districts": districts,
            "periods": requests_map.PERIODS,
            "statuses": requests_map.STATUS_CHOICES,
            "shades": shades,
            "search_form": AddressSearchForm(),
            "query": query,
            **listing,
        },
    )


@require_GET
def public_map_clusters(request):
    """GeoJSON clusters of the public map's requests for one view (geo's map component); the
    same view asked again within :data:`CLUSTERS_CACHE_SECONDS` is answered from the cache."""
    filters = requests_map.map_filters(request.GET)
    bbox = parse_bbox(request.GET.get("bbox"))
    zoom = parse_zoom(request.GET.get("zoom"))
    key = _cache_key("requests-map", filters, [round(v, 3) for v in bbox or ()], zoom)
    data = cache.get(key)
    if data is None:
        data = requests_map.clusters_answer(
            requests_map.map_requests(filters), bbox=bbox, zoom=zoom
        )
        cache.set(key, data, CLUSTERS_CACHE_SECONDS)
    response = JsonResponse(data)
    response["Cache-Control"] = "public, max-age=60"
    return response
