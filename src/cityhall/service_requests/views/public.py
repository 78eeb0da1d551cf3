"""Public pages anyone may open without signing in: the list and map of requests (no personal
data) and the organisations with their ratings.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation
from cityhall.geo import selectors as geo

from .. import selectors
from ..models import (
    OPEN_STATUSES,
    ServiceRequest,
)
from .pages import int_or_none, paginate

__all__ = [
    "organisation_page",
    "organisations",
    "public_list",
    "public_map",
]


def public_list(request):
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    district = int_or_none(request.GET.get("district"))
    qs = selectors.public_requests(status=status, category_code=category, district_id=district)
    return render(
        request,
        "service_requests/list.html",
        {
            "title": _("Residents' requests"),
            "categories": selectors.active_categories(),
            "districts": geo.districts_with_counts(),
            "status": status,
            "category": category,
            "district": district,
            **paginate(request, qs),
        },
    )


def public_map(request):
    """Open requests per district on the city map (geo's renderer), and the busiest buildings."""
    from django.db.models import Count
    from django.utils.translation import ngettext

    from cityhall.geo.maps import draw_map, shades_for
    from cityhall.geo.models import District

    counts = dict(
        ServiceRequest.objects.filter(status__in=OPEN_STATUSES)
        .values_list("district_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    districts = list(District.objects.all())
    open_counts = [counts.get(d.pk, 0) for d in districts]
    points = (
        ServiceRequest.objects.filter(status__in=OPEN_STATUSES, lat__isnull=False)
        .order_by("-created_at")
        .values_list("lat", "lon")[:2000]
    )
    svg = (
        draw_map(
            areas=districts,
            points=list(points),
            colours=shades_for(open_counts),
            titles=[
                ngettext(
                    "%(district)s: %(count)s open request",
                    "%(district)s: %(count)s open requests",
                    n,
                )
                % {"district": d.display_name, "count": n}
                for d, n in zip(districts, open_counts, strict=True)
            ],
        )
        if districts
        else None
    )
    busiest = (
        ServiceRequest.objects.filter(status__in=OPEN_STATUSES, building__isnull=False)
        .values("building__address")
        .annotate(n=Count("id"))
        .order_by("-n")[:20]
    )
    rows = [{"district": d, "open": n} for d, n in zip(districts, open_counts, strict=True)]
    return render(
        request,
        "service_requests/map.html",
        {"title": _("Map of open requests"), "svg": svg, "rows": rows, "busiest": busiest},
    )


def organisations(request):
    return render(
        request,
        "service_requests/organisations.html",
        {"title": _("Organisations' ratings"), "ratings": selectors.organisation_figures()[:200]},
    )


def organisation_page(request, pk: int):
    org = get_object_or_404(Organisation, pk=pk)
    figures = getattr(org, "request_rating", None)
    qs = selectors.public_requests(organisation_id=org.pk)
    from ..rating import PRIOR_MEAN, PRIOR_WEIGHT

    return render(
        request,
        "service_requests/organisation.html",
        {
            "title": str(org),
            "org": org,
            "figures": figures,
            "prior_mean": PRIOR_MEAN,
            "prior_weight": PRIOR_WEIGHT,
            **paginate(request, qs),
        },
    )
