"""The staff desks of handling requests: the organisation's queue, the committee's
dispatcher board, a request's staff page with its workflow moves and merging, and bulk moves.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.models import Organisation, Role
from cityhall.accounts.permissions import staff_required
from cityhall.accounts.selectors import has_role
from cityhall.core.errors import Conflict, DomainError, InvalidInput
from cityhall.geo import selectors as geo

from .. import selectors, services
from ..forms import CommentForm, TransitionForm
from ..models import (
    OPEN_STATUSES,
    ServiceRequest,
    Status,
)
from ..photo_lists import with_first_photo
from .pages import error_message, int_or_none, paginate

__all__ = [
    "STAFF_ROLES",
    "board",
    "board_filters",
    "queue_filters",
    "queue_organisations",
    "bulk_action",
    "org_queue",
    "staff_action",
    "staff_detail",
]


STAFF_ROLES = [Role.EXECUTOR, Role.DISPATCHER, Role.OPERATOR]


def _building_by_address(text: str) -> int | None:
    """The queue's address filter: the building at that address, or the only one matching."""
    text = (text or "").strip()
    if not text:
        return None
    found = geo.find_building(text)
    if found is None:
        matches = geo.search_buildings(text, limit=2)
        found = matches[0] if len(matches) == 1 else None
    return found.pk if found else -1  # -1: no such building, so an empty queue


def _filters(request) -> selectors.QueueFilters:
    status = request.GET.get("status", "")
    return selectors.QueueFilters(
        status=status if status in Status.values else "",
        building_id=int_or_none(request.GET.get("building"))
        or _building_by_address(request.GET.get("address", "")),
        category_id=int_or_none(request.GET.get("category")),
        overdue=request.GET.get("overdue") == "1",
        organisation_id=int_or_none(request.GET.get("organisation")),
        unrouted=request.GET.get("unrouted") == "1",
    )


def queue_organisations(user) -> tuple[list[Organisation], list[int]]:
    """The person's organisations and the ids whose requests their queue holds (with the
    organisations below them)."""
    orgs = list(selectors.staff_organisations(user))
    ids = [o.pk for o in orgs]
    for org in orgs:
        ids.extend(child.pk for child in org.children.all())
    return orgs, ids


def queue_filters(request) -> selectors.QueueFilters:
    """The queue's filters from the query (also the queue's map)."""
    return _filters(request)


def board_filters(request) -> selectors.QueueFilters:
    """The board's filters: the unrouted requests unless another filter is chosen."""
    filters = _filters(request)
    if (
        not any(
            [
                filters.status,
                filters.overdue,
                filters.building_id,
                filters.category_id,
                filters.organisation_id,
            ]
        )
        and "unrouted" not in request.GET
    ):
        filters = selectors.QueueFilters(unrouted=True)
    return filters


@staff_required(STAFF_ROLES)
def org_queue(request):
    """The organisation's queue: its open requests, most urgent first."""
    orgs, ids = queue_organisations(request.user)
    qs = with_first_photo(
        selectors.queue(organisations=ids, filters=_filters(request)), public_only=False
    )
    return render(
        request,
        "service_requests/queue.html",
        {
            "title": _("Requests queue"),
            "orgs": orgs,
            "categories": selectors.active_categories(),
            "statuses": Status.choices,
            "filters": _filters(request),
            "now": timezone.now(),
            "bulk_actions": [(Status.ACCEPTED, _("Accept")), (Status.IN_WORK, _("Start work"))],
            **paginate(request, qs),
        },
    )


def _status_counts() -> list[tuple[str, str, int]]:
    counts = selectors.counts_by_status()
    return [(code, label, counts.get(code, 0)) for code, label in Status.choices]


@staff_required([Role.DISPATCHER])
def board(request):
    """The committee's dispatcher board: the unrouted queue, overdue requests, duplicates."""
    if not selectors.is_dispatcher(request.user):
        raise PermissionDenied
    filters = board_filters(request)
    qs = with_first_photo(selectors.queue(organisations=None, filters=filters), public_only=False)
    return render(
        request,
        "service_requests/board.html",
        {
            "title": _("Dispatcher board"),
            "filters": filters,
            "categories": selectors.active_categories(),
            "statuses": Status.choices,
            "organisations": Organisation.objects.filter(
                type__in=[
                    Organisation.Type.MANAGING_ORGANISATION,
                    Organisation.Type.CONTRACTOR,
                    Organisation.Type.RESOURCE_SUPPLIER,
                ],
                is_active=True,
            ).order_by("name")[:500],
            "counts": _status_counts(),
            "unreached": selectors.unreached_escalations(),
            "now": timezone.now(),
            **paginate(request, qs),
        },
    )


def _route_targets(obj: ServiceRequest, parts: set[str]) -> list[Organisation]:
    """Where this person may send the request: the dispatcher anywhere, an organisation only to
    the partners the dispatcher allowed (``services.check_handover``)."""
    qs = Organisation.objects.filter(
        type__in=[
            Organisation.Type.MANAGING_ORGANISATION,
            Organisation.Type.CONTRACTOR,
            Organisation.Type.RESOURCE_SUPPLIER,
        ],
        is_active=True,
    ).order_by("name")
    if services.DISPATCHER not in parts:
        qs = qs.filter(pk__in=selectors.handover_partner_ids(obj.organisation_id))
    return list(qs[:500])


@staff_required(STAFF_ROLES)
def staff_detail(request, pk: int):
    """The executor's view of one request (usable on a phone): what, where, who, and the
    buttons the workflow allows this person right now."""
    obj = get_object_or_404(
        ServiceRequest.objects.select_related(
            "category", "organisation", "building", "author", "executor", "parent"
        ),
        pk=pk,
    )
    parts = services.roles_on(request.user, obj)
    may_act = bool(parts & {services.DISPATCHER, services.ORGANISATION})
    if not may_act and not has_role(request.user, Role.OPERATOR):
        raise PermissionDenied  # call-centre operators may read, to answer callers
    targets = _route_targets(obj, parts)
    moves = [
        (to, move)
        for to, move in services.ALLOWED.get(obj.status, {}).items()
        if move.who & parts and to != Status.MERGED and (to != Status.ROUTED or targets)
    ]
    return render(
        request,
        "service_requests/staff_detail.html",
        {
            "obj": obj,
            "title": _("Request %(number)s") % {"number": obj.number},
            "moves": [(to, Status(to).label, move) for to, move in moves],
            "history": obj.history.select_related("actor", "organisation"),
            "comments": obj.comments.select_related("author").prefetch_related("photos"),
            "photos": obj.photos.select_related("stored"),
            "may_change_photos": services.may_change_photo_visibility(request.user, obj),
            "is_dispatcher": services.DISPATCHER in parts,
            "duplicates": selectors.likely_duplicates(
                building_id=obj.building_id, category_id=obj.category_id, exclude_id=obj.pk
            )
            if obj.status in OPEN_STATUSES
            else [],
            "organisations": targets,
            "comment_form": CommentForm() if may_act else None,
            "may_moderate": services.may_moderate(request.user, obj),
        },
    )


@staff_required(STAFF_ROLES)
@require_POST
def staff_action(request, pk: int):
    obj = get_object_or_404(ServiceRequest, pk=pk)
    action = request.POST.get("action", "transition")
    status = 200
    try:
        if action == "merge":
            services.merge(
                request=obj,
                parent=int_or_none(request.POST.get("parent")) or 0,
                actor=request.user,
                expected_version=int_or_none(request.POST.get("version")),
            )
            messages.success(request, _("The requests have been merged."))
        elif action == "comment":
            services.add_comment(
                request=obj,
                author=request.user,
                text=request.POST.get("text", ""),
                photos=request.FILES.getlist("photos"),
            )
            messages.success(request, _("Your message has been sent."))
        elif action == "photo_visibility":
            public = request.POST.get("visibility") == "public"
            services.set_photo_visibility(
                photo=int_or_none(request.POST.get("photo")) or 0,
                actor=request.user,
                public=public,
                reason=request.POST.get("reason", ""),
            )
            messages.success(
                request,
                _("The photo is now shown to everyone.")
                if public
                else _("The photo is now seen only by its author and the people handling it."),
            )
        elif action == "moderate":
            services.moderate_description(
                request=obj,
                actor=request.user,
                action=request.POST.get("moderation", ""),
                redacted=request.POST.get("redacted", ""),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("The public description has been saved."))
        else:
            form = TransitionForm(request.POST, request.FILES)
            if not form.is_valid():
                raise InvalidInput(fields={k: list(v) for k, v in form.errors.items()})
            cd = form.cleaned_data
            org = None
            if cd.get("organisation"):
                org = Organisation.objects.filter(pk=cd["organisation"]).first()
            services.transition(
                request=obj,
                actor=request.user,
                to=cd["to"],
                reason=cd["reason"],
                report=cd["report"],
                organisation=org,
                photos=cd["photos"],
                expected_version=cd["version"],
            )
            messages.success(
                request,
                _("Saved: the request is now “%(status)s”.") % {"status": Status(cd["to"]).label},
            )
            obj.refresh_from_db()
            if not services.roles_on(request.user, obj) - {services.AUTHOR}:
                # Handed over: the request is no longer this person's to see, so they go back
                # to their queue, told where it went (not to an "Access denied" page).
                messages.info(
                    request,
                    _("Request %(number)s is now with %(whom)s.")
                    % {
                        "number": obj.number,
                        "whom": obj.organisation or _("the city dispatcher"),
                    },
                )
                return redirect("service_requests:queue")
    except Conflict as exc:
        messages.error(request, str(exc.message))
        status = 409
    except DomainError as exc:
        error_message(request, exc)
        status = exc.status
    if status >= 400:
        # The page shows what went wrong (for a conflict: who won); the status code tells
        # scripts and tests the same.
        response = staff_detail(request, pk)
        response.status_code = status
        return response
    return redirect("service_requests:staff_detail", pk=pk)


@staff_required(STAFF_ROLES)
@require_POST
def bulk_action(request):
    """Apply one move to many selected requests; each is checked on its own."""
    ids = [i for i in (int_or_none(v) for v in request.POST.getlist("ids")) if i][:200]
    to = request.POST.get("to", "")
    org = Organisation.objects.filter(pk=int_or_none(request.POST.get("organisation")) or 0).first()
    done, failed = 0, []
    for item in ServiceRequest.objects.filter(pk__in=ids):
        try:
            services.transition(
                request=item,
                actor=request.user,
                to=to,
                reason=request.POST.get("reason", ""),
                organisation=org,
            )
            done += 1
        except DomainError as exc:
            failed.append(f"{item.number}: {exc.message}")
    if done:
        messages.success(request, _("%(n)d requests updated.") % {"n": done})
    for line in failed[:10]:
        messages.error(request, line)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("service_requests:queue")
    return redirect(back)
