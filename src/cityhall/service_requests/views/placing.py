"""Placing a report on the map (issue 14): the place lookup the form's map and the call-centre
screen ask as the pin moves (the building it snaps to, who receives the request, what is
already reported there), and "this is my problem too", which follows an open request instead
of filing a duplicate. Without JavaScript the form's step shows the same (see resident.py).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cityhall.accounts.models import Role
from cityhall.accounts.phones import normalise_phone
from cityhall.accounts.selectors import has_role
from cityhall.core.errors import DomainError
from cityhall.geo.web_map import WebMap, web_map

from .. import selectors, services
from ..placing import Place, place_for
from .pages import error_message

__all__ = ["follow", "place_from", "place_json", "place_map", "place_payload"]


def place_from(params, categories, *, with_photos: bool = False) -> Place:
    """The place a form's fields name (chosen building, then map point, then typed address)."""
    category = next((c for c in categories if c.code == params.get("category")), None)
    building = str(params.get("building") or "")
    return place_for(
        category=category,
        building_id=int(building) if building.isdigit() else None,
        address=params.get("address") or "",
        lat=params.get("lat") or None,
        lon=params.get("lon") or None,
        with_photos=with_photos,
    )


def place_map(place: Place | None) -> WebMap:
    """The form's map: a click places the pin (geo's pick mode), the place chosen so far is
    pinned; the text beside it is the form's own place line and "already reported" list."""
    bounds = None
    if place is not None and place.inside_city and place.lat is not None:
        # The place is the picked pin, which the form's script sets as it reads the place.
        bounds = (place.lon - 0.004, place.lat - 0.0025, place.lon + 0.004, place.lat + 0.0025)
    return web_map(
        map_id="report-map",
        label=_("Map: click where the problem is"),
        bounds=bounds,
        size="medium",
        show_list=False,
        pick=True,
    )


def place_payload(place: Place) -> dict:
    """The place as the form's script reads it; nothing personal (an earlier report shows its
    number, category, status, date, distance and how many follow it; photos for staff only)."""
    building = place.building
    return {
        "inside_city": place.inside_city,
        "message": str(place.message),
        "lat": place.lat,
        "lon": place.lon,
        "building": (
            {
                "id": building.pk,
                "address": building.address,
                "url": reverse("geo:building", args=[building.pk]),
            }
            if building is not None
            else None
        ),
        "district": place.district.display_name if place.district is not None else None,
        "organisation": str(place.organisation) if place.organisation is not None else None,
        "routing": place.routing_reason,
        "items": [
            {
                "id": r.request.pk,
                "number": r.request.number,
                "url": reverse("service_requests:detail", args=[r.request.pk]),
                "follow_url": reverse("service_requests:follow", args=[r.request.pk]),
                "category": r.request.category.name,
                "status": str(r.request.get_status_display()),
                "submitted": date_format(r.request.created_at, "SHORT_DATE_FORMAT"),
                "address": r.request.building.address if r.request.building_id else "",
                "where": _("in this building")
                if r.same_building
                else _("%(metres)s m away") % {"metres": int(r.distance_m)},
                "followers": r.followers,
                "followers_text": ngettext(
                    "%(counter)s resident has this problem too",
                    "%(counter)s residents have this problem too",
                    r.followers,
                )
                % {"counter": r.followers},
                "photo": r.photo.url if r.photo is not None else None,
                "lat": r.request.lat if r.request.lat is not None else _building_lat(r),
                "lon": r.request.lon if r.request.lon is not None else _building_lon(r),
            }
            for r in place.nearby
        ],
    }


def _building_lat(r) -> float | None:
    return r.request.building.lat if r.request.building_id else None


def _building_lon(r) -> float | None:
    return r.request.building.lon if r.request.building_id else None


@require_GET
def place_json(request):
    """``GET new/place.json?category=&lat=&lon=`` (or ``building=`` / ``address=``): where the
    pin lands. A point outside the city answers ``inside_city: false`` with the message."""
    operator = has_role(request.user, Role.OPERATOR)
    place = place_from(request.GET, list(selectors.active_categories()), with_photos=operator)
    return JsonResponse(place_payload(place))


@require_POST
def follow(request, pk: int):
    """ "This is my problem too": the signed-in resident follows the request (a guest is asked
    to sign in first and comes back to the request's page); the call centre registers the caller
    (``for_caller``) by the phone or e-mail typed on its screen."""
    back = reverse("service_requests:detail", args=[pk])
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    for_caller = request.POST.get("for_caller") == "1"
    phone = request.POST.get("contact_phone", "") if for_caller else ""
    try:
        outcome = services.follow_request(
            request=pk,
            actor=request.user,
            for_caller=for_caller,
            contact_phone=phone,
            contact_email=request.POST.get("contact_email", "") if for_caller else "",
        )
    except DomainError as exc:
        error_message(request, exc)
        if for_caller:
            return redirect(reverse("service_requests:operator"))
        return redirect(back)
    number = outcome.request.number
    if outcome.own:
        messages.info(
            request,
            _("Request %(number)s was reported by this very person: they are told already.")
            % {"number": number},
        )
    elif not outcome.created:
        messages.info(request, _("Already following request %(number)s.") % {"number": number})
    elif for_caller:
        messages.success(
            request,
            _(
                "The caller now follows request %(number)s and will be told as it moves: "
                "no new request was registered."
            )
            % {"number": number},
        )
    else:
        messages.success(
            request,
            _(
                "You now follow request %(number)s: you will be told as it moves, and need "
                "not report the problem again."
            )
            % {"number": number},
        )
    if for_caller:
        query = urlencode({"phone": normalise_phone(phone) or phone})
        return redirect(f"{reverse('service_requests:operator')}?{query}")
    return redirect(back)
