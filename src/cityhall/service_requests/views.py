"""Request pages: the resident's form and cabinet, the public list and map, organisation pages,
and the staff desks (queue, dispatcher board, call centre, executor view, reports).

Views parse, call one service or selector, render. Every page works without JavaScript.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.models import Organisation, Role, User
from cityhall.accounts.permissions import staff_required
from cityhall.accounts.selectors import has_role
from cityhall.core.errors import Conflict, DomainError, InvalidInput
from cityhall.geo import selectors as geo

from . import selectors, services
from .forms import CommentForm, FeedbackForm, RequestForm, TransitionForm
from .models import (
    OPEN_STATUSES,
    ApplicantKind,
    Category,
    Channel,
    ServiceRequest,
    Status,
)

PAGE_SIZE = 25
MAX_PAGES = 400  # offsets stay bounded; narrow the filters to go further


def cabinet_items(user) -> list:
    from cityhall.portal.cabinet import CabinetItem

    return [
        CabinetItem(
            title=f"{r.number} — {r.category.name}",
            status=str(r.get_status_display()),
            url=reverse("service_requests:track", args=[r.public_token]),
            when=r.updated_at,
        )
        for r in selectors.requests_of(user)[:5]
    ]


def _page(request, qs):
    paginator = Paginator(qs, PAGE_SIZE, allow_empty_first_page=True)
    paginator._count = None
    try:
        number = max(1, min(int(request.GET.get("page", "1")), MAX_PAGES))
    except ValueError:
        number = 1
    items = list(qs[(number - 1) * PAGE_SIZE : number * PAGE_SIZE + 1])
    has_next = len(items) > PAGE_SIZE and number < MAX_PAGES
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "items": items[:PAGE_SIZE],
        "page_number": number,
        "has_next": has_next,
        "has_previous": number > 1,
        "query": query.urlencode(),
    }


# --- resident side ---------------------------------------------------------------------------


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
    form = RequestForm(data, request.FILES or None, categories=categories)
    user = request.user if request.user.is_authenticated else None
    duplicates = []
    status = 200
    if data is not None and form.is_valid() and not buildings:
        cd = form.cleaned_data
        try:
            created = services.submit_request(
                category=cd["category"],
                description=cd["description"],
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
                attributes=_answers(request.POST),
                photos=cd["photos"],
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
        building_id = data.get("building")
        if building_id and str(building_id).isdigit():
            cat = next((c for c in categories if c.code == data.get("category")), None)
            duplicates = selectors.likely_duplicates(
                building_id=int(building_id), category_id=cat.pk if cat else None
            )
    return render(
        request,
        "service_requests/new.html",
        {
            "form": form,
            "categories": categories,
            "buildings": buildings,
            "duplicates": duplicates,
            "title": _("Report a problem"),
        },
        status=status,
    )


def _answers(post) -> dict:
    return {
        key[len("attribute[") : -1]: (
            post.getlist(key) if len(post.getlist(key)) > 1 else post[key]
        )
        for key in post
        if key.startswith("attribute[") and key.endswith("]")
    }


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
    photos = [p for p in obj.photos.all() if p.kind != "comment"] if is_owner else []
    context = {
        "obj": obj,
        "title": _("Request %(number)s") % {"number": obj.number},
        "history": history,
        "comments": comments,
        "photos": photos,
        "is_owner": is_owner,
        "can_act": may_act,
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
                expected_version=_int(request.POST.get("version")),
            )
            messages.success(request, _("Thank you: the request is closed."))
        elif action == "reopen":
            services.transition(
                request=obj,
                **who,
                to=Status.IN_WORK,
                reason=request.POST.get("reason", ""),
                expected_version=_int(request.POST.get("version")),
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
    except DomainError as exc:
        _error_message(request, exc)
    return back


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _error_message(request, exc: DomainError) -> None:
    text = str(exc.message)
    if exc.fields:
        text += " " + " ".join(str(m) for v in exc.fields.values() for m in v)
    messages.error(request, text)


@login_required
def my_requests(request):
    return render(
        request,
        "service_requests/mine.html",
        {"title": _("My requests"), **_page(request, selectors.requests_of(request.user))},
    )


# --- public side -----------------------------------------------------------------------------


def public_list(request):
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    district = _int(request.GET.get("district"))
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
            **_page(request, qs),
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
    from .rating import PRIOR_MEAN, PRIOR_WEIGHT

    return render(
        request,
        "service_requests/organisation.html",
        {
            "title": str(org),
            "org": org,
            "figures": figures,
            "prior_mean": PRIOR_MEAN,
            "prior_weight": PRIOR_WEIGHT,
            **_page(request, qs),
        },
    )


# --- staff -----------------------------------------------------------------------------------

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
        building_id=_int(request.GET.get("building"))
        or _building_by_address(request.GET.get("address", "")),
        category_id=_int(request.GET.get("category")),
        overdue=request.GET.get("overdue") == "1",
        organisation_id=_int(request.GET.get("organisation")),
        unrouted=request.GET.get("unrouted") == "1",
    )


@staff_required(STAFF_ROLES)
def org_queue(request):
    """The organisation's queue: its open requests, most urgent first."""
    orgs = list(selectors.staff_organisations(request.user))
    ids = [o.pk for o in orgs]
    for org in orgs:
        ids.extend(child.pk for child in org.children.all())
    qs = selectors.queue(organisations=ids, filters=_filters(request))
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
            **_page(request, qs),
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
    qs = selectors.queue(organisations=None, filters=filters)
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
            "now": timezone.now(),
            **_page(request, qs),
        },
    )


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
    moves = [
        (to, move)
        for to, move in services.ALLOWED.get(obj.status, {}).items()
        if move.who & parts and to != Status.MERGED
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
            "photos": obj.photos.all(),
            "is_dispatcher": services.DISPATCHER in parts,
            "duplicates": selectors.likely_duplicates(
                building_id=obj.building_id, category_id=obj.category_id, exclude_id=obj.pk
            )
            if obj.status in OPEN_STATUSES
            else [],
            "organisations": Organisation.objects.filter(
                type__in=[
                    Organisation.Type.MANAGING_ORGANISATION,
                    Organisation.Type.CONTRACTOR,
                    Organisation.Type.RESOURCE_SUPPLIER,
                ],
                is_active=True,
            ).order_by("name")[:500],
            "comment_form": CommentForm() if may_act else None,
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
                parent=_int(request.POST.get("parent")) or 0,
                actor=request.user,
                expected_version=_int(request.POST.get("version")),
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
    except Conflict as exc:
        messages.error(request, str(exc.message))
        status = 409
    except DomainError as exc:
        _error_message(request, exc)
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
    ids = [i for i in (_int(v) for v in request.POST.getlist("ids")) if i][:200]
    to = request.POST.get("to", "")
    org = Organisation.objects.filter(pk=_int(request.POST.get("organisation")) or 0).first()
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


@staff_required([Role.OPERATOR])
def operator(request):
    """Call-centre screen: find the caller by phone, see their earlier requests, type the new
    one on their behalf (they may have no account)."""
    categories = list(selectors.active_categories())
    phone = (request.POST.get("contact_phone") or request.GET.get("phone") or "").strip()
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
    form = RequestForm(data, request.FILES or None, categories=categories, initial=initial)
    status = 200
    if data is not None and form.is_valid() and not buildings:
        cd = form.cleaned_data
        try:
            created = services.submit_request(
                category=cd["category"],
                description=cd["description"],
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
                attributes=_answers(request.POST),
                photos=cd["photos"],
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
            return redirect(f"{reverse('service_requests:operator')}?phone={created.contact_phone}")
    if data is not None and form.errors:
        status = 422
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
        },
        status=status,
    )


# --- reports ---------------------------------------------------------------------------------

REPORT_ROLES = [Role.DISPATCHER, Role.DECISION_MAKER, Role.ADMINISTRATOR]


def _report_params(request) -> dict:
    def day(name):
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    by = request.GET.get("by", "district")
    return {
        "by": by if by in selectors.REPORT_DIMENSIONS else "district",
        "start": day("start"),
        "end": day("end"),
        "district_id": _int(request.GET.get("district")),
        "organisation_id": _int(request.GET.get("organisation")),
        "category_id": _int(request.GET.get("category")),
        "channel": request.GET.get("channel", "")
        if request.GET.get("channel") in Channel.values
        else "",
        "applicant_kind": request.GET.get("applicant_kind", "")
        if request.GET.get("applicant_kind") in ApplicantKind.values
        else "",
    }


@staff_required(REPORT_ROLES)
def reports(request):
    params = _report_params(request)
    rows = selectors.report(**params)
    peak = max((r.total for r in rows), default=0)
    return render(
        request,
        "service_requests/reports.html",
        {
            "title": _("Requests: reports"),
            "rows": rows,
            "peak": peak or 1,
            "params": params,
            "dimensions": [
                ("district", _("District")),
                ("suburb", _("Suburb")),
                ("organisation", _("Organisation")),
                ("category", _("Category")),
                ("channel", _("Channel")),
                ("applicant_kind", _("Applicant")),
                ("month", _("Month")),
            ],
            "channels": Channel.choices,
            "kinds": ApplicantKind.choices,
            "categories": Category.objects.order_by("code"),
            "districts": geo.districts_with_counts(),
            "query": request.GET.urlencode(),
        },
    )


REPORT_HEADER = [
    "slice",
    "requests",
    "open",
    "done",
    "confirmed",
    "rejected",
    "merged",
    "closed",
    "closed_on_time",
    "on_time_percent",
    "overdue",
    "reopened",
    "reopen_percent",
    "average_hours_to_close",
    "average_hours_awaiting_dispatcher",
    "average_hours_to_accept",
    "average_hours_to_start",
    "average_hours_of_work",
]


def _report_lines(rows):
    for r in rows:
        yield [
            r.label,
            r.total,
            r.open,
            r.done,
            r.confirmed,
            r.rejected,
            r.merged,
            r.closed,
            r.closed_on_time,
            r.on_time_share,
            r.overdue,
            r.reopened,
            r.reopen_share,
            r.average_hours,
            *r.stage_averages,
        ]


@staff_required(REPORT_ROLES)
def reports_export(request, fmt: str):
    rows = selectors.report(**_report_params(request))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(REPORT_HEADER)
        writer.writerows(_report_lines(rows))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="requests-report.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("report")
    sheet.append(REPORT_HEADER)
    for line in _report_lines(rows):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="requests-report.xlsx"'
    return response
