"""The public record of discussions: the list and the map, a discussion's page, its
documents, final files, attachments and the participant's extract. Read-only pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.accounts.selectors import has_role
from cityhall.geo.models import District
from cityhall.geo.web_map import Shape, city_bounds, web_map

from .. import drawing, listing, protocol, selectors, services
from ..eligibility import eligibility_of
from ..forms import (
    FilterForm,
    ProposalForm,
    SubscriptionForm,
)
from ..models import (
    Discussion,
    DocumentVersion,
    FinalDocument,
)
from .base import ORGANISER, int_param, run_service
from .feeds import feed_query
from .territory import TERRITORY_FILL, territory_context

# --- public record -----------------------------------------------------------------------------


def discussion_list(request):
    """The public list with filters; territory filters (suburb, address) keep the discussions
    whose territory overlaps or covers them; ``my_address=1`` keeps those covering the signed-in
    person's verified registered address. The RSS/Atom links follow the same filters."""
    form = FilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    territory: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "q": data["q"],
            "district": data["district"].pk if data["district"] else None,
            "document_type": data["document_type"].pk if data["document_type"] else None,
            "status": data["status"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
        ok, place = run_service(form, lambda: selectors.find_place(address=data["address"]))
        territory = {
            k: v
            for k, v in {
                "district": data["district"],
                "suburb": data["suburb"],
                "document_type": data["document_type"],
                "place": place if ok else None,
            }.items()
            if v is not None
        }
    discussions = selectors.public_discussions(**filters, open_first=True)
    home = selectors.home_place(request.user)
    mine = request.GET.get("my_address") == "1"
    if mine and home is not None:
        territory.pop("suburb", None)
        territory["place"] = home
    if "place" in territory:
        discussions = selectors.discussions_for_place(discussions, territory["place"])
    elif "suburb" in territory:
        discussions = selectors.discussions_for_suburb(discussions, territory["suburb"])
    paginator = Paginator(discussions, 20)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "discussions/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "feed_query": feed_query(territory),
            "territory": territory,
            "home": home,
            "mine": mine,
        },
    )


def my_address(request):
    """The cabinet's "see all": the list of discussions that concern the person's address."""
    return redirect(reverse("discussions:list") + "?my_address=1")


def proposal_query(params) -> selectors.ProposalQuery:
    """The search, filters and order of a discussion's proposals from a query string (the
    page and the API read the same names: q, kind, status, answer, district, section, sort)."""
    return selectors.ProposalQuery(
        q=(params.get("q") or "")[:200],
        kind=params.get("kind") or "",
        status=params.get("status") or "",
        answer=params.get("answer") or "",
        district=int_param(params.get("district"), 0) or None,
        section=int_param(params.get("section"), 0) or None,
        sort=params.get("sort") or "number",
    )


def discussion_detail(request, pk: int):
    """The discussion's page. Its proposals can be searched (``?q=метро``), filtered and
    sorted; with none of that the list pages by number range (constant time)."""
    discussion = selectors.get_discussion(pk, user=request.user)
    query = proposal_query(request.GET)
    kind = query.kind
    if not query.is_plain:
        page = selectors.search_proposals(
            discussion, query, page=int_param(request.GET.get("page"))
        )
        rows = [selectors.row_of(p) for p in page.items]
    elif kind:
        page = selectors.proposals_page(
            discussion, kind=kind, after=int_param(request.GET.get("after"), 0) or None
        )
        rows = [selectors.row_of(p) for p in page.items]
    else:
        page = selectors.proposal_rows(discussion, page=int_param(request.GET.get("page")))
        rows = page.items
    eligibility = eligibility_of(discussion, request.user) if discussion.accepts_proposals else None
    return render(
        request,
        "discussions/detail.html",
        {
            "discussion": discussion,
            "documents": selectors.documents_of(discussion),
            "page": page,
            "items_html": listing.proposal_items(
                discussion.pk,
                rows,
                selectors.pending_review_numbers(
                    discussion, [r.number for r in rows if r.visibility == "hidden"]
                ),
            ),
            "kind": kind,
            "query": query,
            "searching": not query.is_plain,
            "query_string": _without_page(request.GET),
            "filter_choices": _filter_choices(discussion),
            "eligibility": eligibility,
            "form": ProposalForm() if eligibility and eligibility.eligible else None,
            "history": _history(discussion),
            "final": selectors.final_documents(discussion),
            "meetings": discussion.meetings.all(),
            "districts": discussion.districts.all(),
            "is_organiser": has_role(request.user, ORGANISER, discussion.organiser),
            "has_own": request.user.is_authenticated
            and discussion.participants.filter(user=request.user).exists(),
            **_follow_context(request, discussion, eligibility),
            **territory_context(discussion),
        },
    )


def _history(discussion: Discussion) -> list:
    """The status history, each reason as the reader should read it (``shown_reason``)."""
    history = list(discussion.status_changes.all())
    for change in history:
        change.shown_reason = services.reason_shown(change.reason)
    return history


def _without_page(params) -> str:
    rest = params.copy()
    rest.pop("page", None)
    return rest.urlencode()


def _filter_choices(discussion: Discussion) -> dict[str, Any]:
    """The choices of the proposals' filter form (labels translated in the template)."""
    return {
        "districts": District.objects.order_by("name").only("pk", "name"),
        "sections": selectors.section_counts(discussion),
    }


def _follow_context(request, discussion: Discussion, eligibility: Any) -> dict[str, Any]:
    """Whether the "remind me" button shows, and in which state."""
    if not request.user.is_authenticated or discussion.status not in services.FOLLOWABLE:
        return {"can_follow": False, "following": False}
    following = selectors.is_following(discussion, request.user)
    if not following and eligibility is None:
        eligibility = eligibility_of(discussion, request.user)
    return {
        "can_follow": following or bool(eligibility and eligibility.eligible),
        "following": following,
    }


def _file(stored_id) -> HttpResponse:
    """The earlier addresses of the discussion's files lead to the file service's, which checks
    the viewer (``discussions.file_access``) and hands the file over."""
    return redirect(reverse("files:serve", args=[stored_id]))


def document_version(request, pk: int, version_id: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    version = DocumentVersion.objects.filter(pk=version_id, document__discussion=discussion).first()
    if version is None:
        raise Http404
    return _file(version.stored_id)


def attachment(request, pk: int, number: int, attachment_id: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    proposal = selectors.get_proposal(discussion, number)
    item = proposal.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise Http404
    return _file(item.stored_id)


def final_file(request, pk: int, kind: str, fmt: str):
    discussion = selectors.get_discussion(pk, user=request.user)
    if kind not in FinalDocument.Kind.values or fmt not in ("pdf", "json"):
        raise Http404
    doc = FinalDocument.objects.filter(discussion=discussion, kind=kind).first()
    public = doc is not None and doc.state == FinalDocument.State.SIGNED
    if doc is None or not (public or has_role(request.user, ORGANISER, discussion.organiser)):
        raise Http404
    stored_id = doc.pdf_file_id if fmt == "pdf" else doc.json_file_id
    if not stored_id:
        raise Http404
    return _file(stored_id)


@login_required
def extract(request, pk: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    if not discussion.participants.filter(user=request.user).exists():
        raise Http404
    data = protocol.participant_extract_pdf(discussion, request.user)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="extract-{discussion.number}.pdf"'
    return response


def discussion_map(request):
    """Every published discussion: its territory polygon, or a marker at its districts' (or
    the city's) representative point; the list beside the map says the same in words. The
    subscription form below takes an address, or a point clicked on the map."""
    districts = list(District.objects.all())
    discussions = list(selectors.public_discussions().prefetch_related("districts")[:500])
    entries = selectors.map_entries(discussions, districts)
    form = SubscriptionForm(
        initial={"email": request.user.email} if request.user.is_authenticated else {}
    )
    svg = drawing.discussion_map(districts, entries, title=_("Map of public discussions"))
    live = web_map(
        map_id="discussions-map",
        label=_("Map of public discussions"),
        shapes=[
            Shape(
                geometry=e.territory,
                title=f"{e.discussion.number} {e.discussion.title}",
                url=e.url,
                fill=TERRITORY_FILL if e.own else "",
            )
            for e in entries
            if e.territory
        ],
        bounds=city_bounds(),
        size="large",
        show_list=False,
    )
    return render(
        request,
        "discussions/map.html",
        {"svg": svg, "live_map": live, "entries": entries, "form": form},
    )
