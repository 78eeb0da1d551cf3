"""The person's profile page: their contacts, roles and verified identity."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import second_factor, selectors
from ..models import Membership
from ..verification import ServiceCentreVerifier, verifiers

__all__ = [
    "profile",
]


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    identity = selectors.identity_of(user)
    available = [v for v in verifiers() if v.is_available()]
    service_centres = next(
        (v.places() for v in available if isinstance(v, ServiceCentreVerifier)), []
    )
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "identity": identity,
            "age": identity.age_on(timezone.localdate()) if identity else None,
            "territory": selectors.territory_of(user),
            "unmatched_address": selectors.address_matches_no_building(identity),
            "rights": selectors.rights_of(user),
            "memberships": memberships,
            "verifiers": available,
            "service_centres": service_centres,
            "needs_second_factor": selectors.needs_second_factor(user),
            "has_authenticator": second_factor.confirmed_device(user) is not None,
        },
    )
