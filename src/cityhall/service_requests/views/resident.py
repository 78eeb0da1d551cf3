"""The resident's pages: the request form, a request's page by its public number or private
tracking link (with the author's actions: comment, confirm, reopen, rate), its live status,
and the cabinet's "my requests".
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.core.errors import DomainError, InvalidInput
from cityhall.core.models import StoredFile
from cityhall.geo import selectors as geo

from .. import requests_map, selectors, services
from ..forms import CommentForm, FeedbackForm, RequestForm
from ..models import (
    Channel,
    Photo,
    ServiceRequest,
    Status,
)
from ..photo_lists import with_first_photo
from .pages import error_message, int_or_none, paginate, question_answers
from .placing import place_from, place_map
from .questions import question_sets, wants_questions_only

__all__ = [
    "cabinet_items",
    "earlier_reports",
    "earlier_reports_json",
    "live_status",
    "my_requests",
    "new_request",
    "request_page",
    "resident_action",
]


def cabinet_items(user) -> list:
    from cityhall.core.shell import CabinetItem

    return [
        CabinetItem(
            title=f"{r.number} — {r.category.name}",
            status=str(r.get_status_display()),
            url=reverse("service_requests:track", args=[r.public_token]),
            when=r.updated_at,
        )
        for r in selectors.requests_of(user)[:5]
    ]


def phone_link(phone: str) -> str:
    """A ``tel:`` link to ``phone`` ("" for no phone)."""
    if not phone:
        return ""
    return format_html(
        '<a href="tel:{}">{}</a>', "".join(ch for ch in phone if ch in "+0123456789"), phone
    )


def _known_building(params) -> int | None:
    """The building the form names: the one chosen, or the one the typed address finds
    (exactly, or as the only match); None while it is not known or ambiguous."""
    chosen = str(params.get("building") or "")
    if chosen.isdigit():
        return int(chosen)
    address = (params.get("address") or "").strip()
    if not address:
        return None
    found = geo.find_building(address)
    if found is None:
        matches = geo.search_buildings(address, limit=2)
        found = matches[0] if len(matches) == 1 else None
    return found.pk if found else None


def _building_named(params) -> dict:
    """The address and building a link names (``?address=…&building=…``), for the form."""
    address = (params.get("address") or "")[:300]
    building = str(params.get("building") or "")
    return {"address": address, **({"building": building} if building.isdigit() else {})}


def earlier_reports(params, categories) -> list[ServiceRequest]:
    """Open requests of the chosen category in the chosen building (issue 16.7): "already
    reported in this building", shown before the resident submits."""
    category = next((c for c in categories if c.code == params.get("category")), None)
    if category is None:
        return []
    building_id = _known_building(params)
    if building_id is None:
        return []
    return selectors.likely_duplicates(building_id=building_id, category_id=category.pk)


def earlier_reports_json(request):
    """The same list for the form's script, as the resident chooses the category and types
    the address (no personal data: number, category, status, date)."""
    items = earlier_reports(request.GET, list(selectors.active_categories()))
    return JsonResponse(
        {
            "items": [
                {
                    "number": r.number,
                    "url": reverse("service_requests:detail", args=[r.pk]),
                    "category": r.category.name,
                    "status": str(r.get_status_display()),
                    "submitted": date_format(r.created_at, "SHORT_DATE_FORMAT"),
                }
                for r in items
            ]
        }
    )


def new_request(request):
    """The web form. Without JavaScript an ambiguous address comes back with the buildings to
    choose from; the likely duplicates are shown before the resident sends a second report."""
    categories = list(selectors.active_categories())
    data = request.POST if request.method == "POST" else None
    buildings = []
    if data and data.get("address") and not data.get("building"):
        buildings = geo.search_buildings(data["address"], limit=8)
        if len(buildings) == 1 or geo.find_building(data["address"]):
            buildings = []
    chosen = (data or request.GET).get("category")
    if wants_questions_only(data):
        # The first step: the form comes back with what was typed, without errors, and the
        # chosen category's questions.
        form = RequestForm(initial=data.dict(), categories=categories)
        data = None
    else:
        form = RequestForm(
            data,
            request.FILES or None,
            categories=categories,
            # "Report a problem here" on a building's page names the building.
            initial={"category": chosen, **_building_named(request.GET)},
        )
    user = request.user if request.user.is_authenticated else None
    duplicates = []
    status = 200
    if data is not None and form.is_valid() and not buildings:
        cd = form.cleaned_data
        try:
            created = services.submit_request(
                category=cd["category"],
                description=cd["description"],
                description_private=cd["description_private"],
                channel=Channel.WEB,
                author=user,
                building=cd.get("building") or None,
                address=cd["address"],
                lat=cd["lat"],
                lon=cd["lon"],
                contact_name=cd["contact_name"] or (str(user) if user else ""),
                contact_phone=cd["contact_phone"],
                contact_email=cd["contact_email"],
                applicant_kind=cd["applicant_kind"],
                attributes=question_answers(request.POST),
                photos=cd["photos"],
                photos_public=cd["photos_public"],
                keep_photo_location=cd["photo_location"],
            )
        except InvalidInput as exc:
            form.add_domain_errors(exc.fields)
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Your request %(number)s has been received.") % {"number": created.number},
            )
            return redirect("service_requests:track", token=created.public_token)
    if data is not None:
        status = 422 if form.errors else 200
    place = None
    if request.method == "POST":
        # Shown on the form's step as soon as the place and the category are known (and
        # again if a submission is refused), so the resident sees it before sending: the
        # building, who will receive the request, and what is already reported there.
        place = place_from(request.POST, categories)
        duplicates = place.nearby
    return render(
        request,
        "service_requests/new.html",
        {
            "form": form,
            "categories": categories,
            "emergencies": [c for c in categories if c.is_emergency],
            "dispatch_link": phone_link(selectors.dispatch_line()),
            "question_sets": question_sets(
                categories,
                code=chosen,
                data=request.POST if request.method == "POST" else None,
                errors=form.question_errors,
            ),
            "buildings": buildings,
            "duplicates": duplicates,
            "place": place,
            "place_map": place_map(place),
            "earlier_reports_step": True,
            "title": _("Report a problem"),
        },
        status=status,
    )


def request_page(request, token: str | None = None, pk: int | None = None):
    """A request's page. By its public number anyone sees status and history (no personal
    data); the author (signed in, or holding the private link) may also talk, confirm, reopen
    and rate."""
    qs = ServiceRequest.objects.select_related(
        "category", "organisation", "building", "parent", "author", "executor"
    )
    if token is not None:
        obj = get_object_or_404(qs, public_token=token)
        is_owner = True
    else:
        obj = get_object_or_404(qs, pk=pk)
        is_owner = request.user.is_authenticated and obj.author_id == request.user.pk
    signed_author = request.user.is_authenticated and obj.author_id == request.user.pk
    # The private link stands for the author: a caller without an account may confirm,
    # reopen and vote through it (see resident_action).
    may_act = signed_author or token is not None
    history = list(obj.history.select_related("organisation").order_by("created_at", "pk"))
    comments = list(obj.comments.prefetch_related("photos")) if is_owner else []
    # The author sees every photo; anyone else those shown to everyone.
    photos = obj.photos.exclude(kind=Photo.Kind.COMMENT).select_related("stored")
    if not is_owner:
        photos = photos.filter(stored__visibility=StoredFile.Visibility.PUBLIC)
    context = {
        "obj": obj,
        "title": _("Request %(number)s") % {"number": obj.number},
        "history": history,
        "comments": comments,
        "photos": photos,
        "is_owner": is_owner,
        "can_act": may_act,
        "can_reopen": may_act
        and (
            obj.status == Status.DONE
            or (
                obj.status == Status.CONFIRMED
                and services.may_reopen_confirmed(obj, timezone.now())
            )
        ),
        # A stage past its limit is shown to everyone who sees the request (issue 16.4).
        "overdue_now": obj.is_open
        and obj.stage_due_at is not None
        and obj.stage_due_at < timezone.now(),
        "followed": obj.parent if obj.status == Status.MERGED else None,
        "comment_form": CommentForm() if signed_author else None,
        "feedback_form": (
            FeedbackForm()
            if may_act
            and obj.status in (Status.DONE, Status.CONFIRMED)
            and not hasattr(obj, "feedback")
            else None
        ),
        "feedback": getattr(obj, "feedback", None) if is_owner else None,
        "place_map": requests_map.place_map(obj),
        "follower_count": obj.followers.count(),
        "is_following": request.user.is_authenticated
        and obj.followers.filter(user=request.user).exists(),
    }
    return render(request, "service_requests/detail.html", context)


def live_status(request, token: str):
    """The request's current status for the track page's live update (no personal data)."""
    obj = get_object_or_404(ServiceRequest.objects.select_related("parent"), public_token=token)
    shown = obj.parent if obj.status == Status.MERGED and obj.parent else obj
    return JsonResponse(
        {
            "status": shown.status,
            "status_display": str(shown.get_status_display()),
            "version": obj.version,
            "updated_at": obj.updated_at.isoformat(),
        }
    )


@require_POST
def resident_action(request, token: str):
    """The author's actions from the request page. A signed-in author acts as themself; anyone
    else holding the private link acts through it (confirm, reopen, vote — recorded as done by
    the tracking link). Writing messages needs an account."""
    obj = get_object_or_404(ServiceRequest.objects.select_related("author"), public_token=token)
    action = request.POST.get("action")
    back = redirect("service_requests:track", token=token)
    signed_author = request.user.is_authenticated and obj.author_id == request.user.pk
    # Either the signed-in author, or (actor None) the holder of this request's link.
    who = {"actor": request.user} if signed_author else {"actor": None, "public_token": token}
    if action == "comment" and not request.user.is_authenticated:
        return redirect_to_login(reverse("service_requests:track", args=[token]))
    try:
        if action == "confirm":
            services.transition(
                request=obj,
                **who,
                to=Status.CONFIRMED,
                expected_version=int_or_none(request.POST.get("version")),
            )
            messages.success(request, _("Thank you: the request is closed."))
        elif action == "reopen":
            services.transition(
                request=obj,
                **who,
                to=Status.IN_WORK,
                reason=request.POST.get("reason", ""),
                expected_version=int_or_none(request.POST.get("version")),
            )
            messages.success(request, _("The request has been reopened."))
        elif action == "comment":
            services.add_comment(
                request=obj,
                author=request.user,
                text=request.POST.get("text", ""),
                photos=request.FILES.getlist("photos"),
            )
            messages.success(request, _("Your message has been sent."))
        elif action == "feedback":
            services.leave_feedback(
                request=obj,
                author=who["actor"],
                public_token=who.get("public_token"),
                score=request.POST.get("score"),
                text=request.POST.get("text", ""),
            )
            messages.success(request, _("Thank you for your vote."))
        else:
            raise Http404
    except InvalidInput as exc:
        # A refused form (a reopen without its reason) answers 422 with the page and the
        # message, not a redirect that looks like success.
        error_message(request, exc)
        response = request_page(request, token=token)
        response.status_code = exc.status
        return response
    except DomainError as exc:
        error_message(request, exc)
    return back


@login_required
def my_requests(request):
    return render(
        request,
        "service_requests/mine.html",
        {
            "title": _("My requests"),
            **paginate(
                request, with_first_photo(selectors.requests_of(request.user), public_only=False)
            ),
        },
    )
