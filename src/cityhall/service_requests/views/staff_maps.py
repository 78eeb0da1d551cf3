"""The staff desks as maps: the organisation's queue and the dispatcher board, with the same
filters and permissions as their lists, their requests clustered on the server (a dispatcher
sees a cluster where one fault brought many reports: filter by the problem)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cityhall.accounts.models import Role
from cityhall.accounts.permissions import staff_required
from cityhall.geo.map_base import parse_bbox, parse_zoom
from cityhall.geo.web_map import web_map

from .. import requests_map, selectors
from .dispatch import STAFF_ROLES, board_filters, queue_filters, queue_organisations

__all__ = ["board_map", "board_map_clusters", "queue_map", "queue_map_clusters"]


def _desk(request, desk: str):
    if desk == "board":
        if not selectors.is_dispatcher(request.user):
            raise PermissionDenied
        return selectors.queue(organisations=None, filters=board_filters(request))
    _orgs, ids = queue_organisations(request.user)
    return selectors.queue(organisations=ids, filters=queue_filters(request))


def _page(request, desk: str):
    list_name = "service_requests:board" if desk == "board" else "service_requests:queue"
    query = request.GET.copy()
    query.pop("page", None)
    live = web_map(
        map_id="desk-map",
        label=_("Map of the requests on this desk"),
        clusters_url=reverse(f"service_requests:{desk}_map_clusters"),
        size="large",
        show_list=False,
    )
    items = list(_desk(request, desk).select_related("district")[:50])
    return render(
        request,
        "service_requests/staff_map.html",
        {
            "title": _("Dispatcher board: map") if desk == "board" else _("Requests queue: map"),
            "live_map": live,
            "list_url": reverse(list_name) + (f"?{query.urlencode()}" if query else ""),
            "categories": selectors.active_categories(),
            "category": request.GET.get("category", ""),
            "items": items,
        },
    )


def _clusters(request, desk: str):
    list_name = "service_requests:board" if desk == "board" else "service_requests:queue"
    data = requests_map.clusters_answer(
        _desk(request, desk).order_by(),
        bbox=parse_bbox(request.GET.get("bbox")),
        zoom=parse_zoom(request.GET.get("zoom")),
        detail_link=lambda pk: reverse("service_requests:staff_detail", args=[pk]),
        group_link=lambda pk: reverse(list_name) + "?" + urlencode({"building": pk}),
    )
    response = JsonResponse(data)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_required(STAFF_ROLES)
def queue_map(request):
    return _page(request, "queue")


@require_GET
@staff_required(STAFF_ROLES)
def queue_map_clusters(request):
    return _clusters(request, "queue")


@require_GET
@staff_required([Role.DISPATCHER])
def board_map(request):
    return _page(request, "board")


@require_GET
@staff_required([Role.DISPATCHER])
def board_map_clusters(request):
    return _clusters(request, "board")
