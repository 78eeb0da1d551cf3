"""The call-centre screen: an operator finds the caller by phone, sees their earlier requests
and types the new one on their behalf.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.accounts.models import Role, User
from cityhall.accounts.permissions import staff_required
from cityhall.accounts.phones import normalise_phone
from cityhall.core.errors import InvalidInput
from cityhall.geo import selectors as geo

from .. import selectors, services
from ..forms import RequestForm
from ..models import (
    Channel,
)
from .pages import question_answers
from .placing import place_from, place_map
from .questions import question_sets, wants_questions_only

__all__ = [
    "operator",
]


@staff_required([Role.OPERATOR])
def operator(request):
    """Call-centre screen: find the caller by phone, see their earlier requests, type the new
    one on their behalf (they may have no account)."""
    categories = list(selectors.active_categories())
    typed = (request.POST.get("contact_phone") or request.GET.get("phone") or "").strip()
    # "89175550001", "+7 917 555-00-01" and "9175550001" are one caller: +79175550001.
    phone = normalise_phone(typed) or typed
    caller = User.objects.filter(phone=phone).first() if phone else None
    earlier = selectors.requests_by_phone(phone)
    data = request.POST if request.method == "POST" else None
    buildings = []
    if data and data.get("address") and not data.get("building"):
        buildings = geo.search_buildings(data["address"], limit=8)
        if len(buildings) == 1 or geo.find_building(data["address"]):
            buildings = []
    initial = {"contact_phone": phone}
    if caller:
        initial.update(contact_name=str(caller), contact_email=caller.email or "")
    chosen = (data or request.GET).get("category")
    initial["category"] = chosen
    if wants_questions_only(data):
        # The first step: back with what was typed, no errors, the category's questions.
        form = RequestForm(initial={**initial, **data.dict()}, categories=categories)
        data = None
    else:
        form = RequestForm(data, request.FILES or None, categories=categories, initial=initial)
    status = 200
    if data is not None and form.is_valid() and not buildings:
        cd = form.cleaned_data
        try:
            created = services.submit_request(
                category=cd["category"],
                description=cd["description"],
                description_private=cd["description_private"],
                channel=Channel.OPERATOR,
                author=caller,
                building=cd.get("building") or None,
                address=cd["address"],
                lat=cd["lat"],
                lon=cd["lon"],
                contact_name=cd["contact_name"],
                contact_phone=cd["contact_phone"],
                contact_email=cd["contact_email"],
                applicant_kind=cd["applicant_kind"],
                attributes=question_answers(request.POST),
                photos=cd["photos"],
                photos_public=cd["photos_public"],
                entered_by=request.user,
            )
        except InvalidInput as exc:
            form.add_domain_errors(exc.fields)
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Request %(number)s registered. Tell the caller this number.")
                % {"number": created.number},
            )
            query = urlencode({"phone": created.contact_phone})
            return redirect(f"{reverse('service_requests:operator')}?{query}")
    if data is not None and form.errors:
        status = 422
    # The same "already reported here" list as the resident's form (issue 14), with photos:
    # the operator may register the caller as a follower instead of a duplicate.
    place = place_from(request.POST, categories, with_photos=True) if request.POST else None
    return render(
        request,
        "service_requests/operator.html",
        {
            "title": _("Call centre: new request"),
            "form": form,
            "phone": phone,
            "caller": caller,
            "earlier": earlier,
            "buildings": buildings,
            "place": place,
            "place_map": place_map(place),
            "duplicates": place.nearby if place else [],
            "earlier_reports_step": True,
            "for_caller": True,
            "question_sets": question_sets(
                categories,
                code=chosen,
                data=request.POST if request.method == "POST" else None,
                errors=form.question_errors,
            ),
        },
        status=status,
    )
