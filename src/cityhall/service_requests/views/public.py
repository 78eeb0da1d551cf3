"""Public pages anyone may open without signing in: the list and map of requests (no personal
data) and the organisations with their ratings.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation
from cityhall.geo import selectors as geo

from .. import selectors
from ..photo_lists import with_first_photo
from .pages import int_or_none, paginate

__all__ = [
    "organisation_page",
    "organisations",
    "public_list",
]


def public_list(request):
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    district = int_or_none(request.GET.get("district"))
    qs = with_first_photo(
        selectors.public_requests(status=status, category_code=category, district_id=district),
        public_only=True,
    )
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
