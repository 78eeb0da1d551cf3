"""Read queries of public discussions, used by pages, the API, feeds and statistics."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F, Prefetch, QuerySet
from django.urls import reverse

from cityhall.core.errors import NotFound
from cityhall.portal.cabinet import CabinetItem

from .models import (
    Comment,
    Discussion,
    DiscussionDocument,
    DocumentVersion,
    FinalDocument,
    Flag,
    Participant,
    Proposal,
    Status,
)

__all__ = [
    "PUBLIC_STATUSES",
    "ProposalPage",
    "cabinet_items",
    "Place",
    "comments_page",
    "covers_point",
    "discussions_for_place",
    "discussions_for_suburb",
    "find_place",
    "is_following",
    "map_entries",
    "discussion_statistics",
    "documents_of",
    "get_discussion",
    "get_proposal",
    "open_flags",
    "overall_statistics",
    "proposal_rows",
    "proposals_page",
    "public_discussions",
    "questions_awaiting_answer",
    "touches_suburb",
]

#: A draft is the organiser's; everything else is public record.
PUBLIC_STATUSES = [s for s in Status.values if s != Status.DRAFT]
PAGE_SIZE = 50


def public_discussions(
    *,
    q: str = "",
    district: int | None = None,
    document_type: int | None = None,
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Discussion]:
    qs = Discussion.objects.filter(status__in=PUBLIC_STATUSES).select_related(
        "document_type", "organiser"
    )
    if q:
        for word in q.casefold().split()[:5]:
            qs = qs.filter(search_text__contains=word)
    if district:
        qs = qs.filter(districts__id=district)
    if document_type:
        qs = qs.filter(document_type_id=document_type)
    if status in PUBLIC_STATUSES:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(notice_date__gte=date_from)
    if date_to:
        qs = qs.filter(notice_date__lte=date_to)
    return qs.distinct().order_by("-notice_date", "-id")


def get_discussion(pk: int, *, user: Any = None) -> Discussion:
    discussion = (
        Discussion.objects.select_related("document_type", "organiser", "responsible_official")
        .filter(pk=pk)
        .first()
    )
    if discussion is None:
        raise NotFound()
    if discussion.status == Status.DRAFT:
        from cityhall.accounts.selectors import has_role

        if not has_role(user, ("organiser", "administrator"), discussion.organiser):
            raise NotFound()
    return discussion


def documents_of(discussion: Discussion) -> list[DiscussionDocument]:
    """Documents with every version, newest first (corrections never hide the old)."""
    return list(
        DiscussionDocument.objects.filter(discussion=discussion).prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))
        )
    )


@dataclass
class ProposalPage:
    items: list[Proposal]
    page: int
    pages: int
    total: int
    next_after: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or self.next_after is not None


def _proposal_qs(discussion: Discussion) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(discussion=discussion)
        .select_related("participant", "answer")
        .prefetch_related("attachments")
        .order_by("number")
    )


def proposals_page(
    discussion: Discussion,
    *,
    page: int = 1,
    kind: str = "",
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> ProposalPage:
    """One page of proposals. Numbers are gap-free, so page N is a number range — constant
    time however many proposals there are; a filtered list pages by keyset (``after``)."""
    total = discussion.proposal_count
    if kind in Proposal.Kind.values:
        qs = _proposal_qs(discussion).filter(kind=kind)
        if after:
            qs = qs.filter(number__gt=after)
        items = list(qs[: size + 1])
        more = len(items) > size
        items = items[:size]
        return ProposalPage(
            items,
            page=1,
            pages=1,
            total=len(items),
            next_after=items[-1].number if more else None,
        )
    pages = max(1, math.ceil(total / size))
    page = min(max(1, page), pages)
    low = (page - 1) * size + 1
    items = list(_proposal_qs(discussion).filter(number__gte=low, number__lt=low + size))
    return ProposalPage(items, page=page, pages=pages, total=total)


@dataclass
class ProposalRow:
    """A proposal as the public list shows it, read as plain values (no model instances)."""

    number: int
    registered_at: dt.datetime
    kind: str
    channel: str
    text: str
    from_territory: bool
    visibility: str
    hidden_reason: str
    recommendation: str
    recommendation_reason: str
    support_count: int
    public_name: str
    answer_text: str | None
    files: list[tuple[int, str]]


_ROW_FIELDS = (
    "id",
    "number",
    "registered_at",
    "kind",
    "channel",
    "text",
    "from_territory",
    "visibility",
    "hidden_reason",
    "recommendation",
    "recommendation_reason",
    "support_count",
    "participant__number",
    "participant__is_legal_entity",
    "participant__full_name",
    "answer__text",
)


def proposal_rows(discussion: Discussion, *, page: int = 1, size: int = PAGE_SIZE) -> ProposalPage:
    """The same page as :func:`proposals_page` (by number range), as :class:`ProposalRow`."""
    from django.utils.translation import gettext

    from .models import ProposalAttachment

    total = discussion.proposal_count
    pages = max(1, math.ceil(total / size))
    page = min(max(1, page), pages)
    low = (page - 1) * size + 1
    raw = list(
        Proposal.objects.filter(discussion=discussion, number__gte=low, number__lt=low + size)
        .order_by("number")
        .values_list(*_ROW_FIELDS)
    )
    files: dict[int, list[tuple[int, str]]] = {}
    if raw:
        for proposal_id, pk, name in ProposalAttachment.objects.filter(
            proposal_id__in=[r[0] for r in raw]
        ).values_list("proposal_id", "pk", "original_name"):
            files.setdefault(proposal_id, []).append((pk, name))
    label = gettext("Participant No. %(number)s")
    rows = [
        ProposalRow(
            *r[1:12],
            public_name=r[14] if r[13] else label % {"number": r[12]},
            answer_text=r[15],
            files=files.get(r[0], []),
        )
        for r in raw
    ]
    return ProposalPage(rows, page=page, pages=pages, total=total)


def row_of(p: Proposal) -> ProposalRow:
    """A loaded proposal (with participant, answer, attachments) as a :class:`ProposalRow`."""
    answer = getattr(p, "answer", None) if p.kind == Proposal.Kind.QUESTION else None
    return ProposalRow(
        number=p.number,
        registered_at=p.registered_at,
        kind=p.kind,
        channel=p.channel,
        text=p.text,
        from_territory=p.from_territory,
        visibility=p.visibility,
        hidden_reason=p.hidden_reason,
        recommendation=p.recommendation,
        recommendation_reason=p.recommendation_reason,
        support_count=p.support_count,
        public_name=p.participant.public_name,
        answer_text=answer.text if answer else None,
        files=[(a.pk, a.original_name) for a in p.attachments.all()],
    )


def get_proposal(discussion: Discussion, number: int) -> Proposal:
    proposal = (
        Proposal.objects.select_related("participant", "answer__expert", "discussion")
        .prefetch_related("attachments")
        .filter(discussion=discussion, number=number)
        .first()
    )
    if proposal is None:
        raise NotFound()
    return proposal


def comments_page(proposal: Proposal, *, page: int = 1, size: int = 20) -> dict[str, Any]:
    """Top-level comments paginated, each with its replies (threaded), oldest first."""
    top = Comment.objects.filter(proposal=proposal, parent__isnull=True).order_by(
        "created_at", "id"
    )
    total = top.count()
    pages = max(1, math.ceil(total / size))
    page = min(max(1, page), pages)
    roots = list(top[(page - 1) * size : page * size])
    replies: dict[int, list[Comment]] = {}
    if roots:
        # Replies of any depth under these roots: fetched level by level (few levels in practice).
        level = [c.pk for c in roots]
        while level:
            children = list(
                Comment.objects.filter(parent_id__in=level).order_by("created_at", "id")
            )
            for child in children:
                replies.setdefault(child.parent_id, []).append(child)
            level = [c.pk for c in children]

    def tree(comment: Comment, depth: int) -> dict[str, Any]:
        return {
            "comment": comment,
            "depth": depth,
            "replies": [tree(c, depth + 1) for c in replies.get(comment.pk, [])],
        }

    return {
        "threads": [tree(c, 0) for c in roots],
        "page": page,
        "pages": pages,
        "total": total,
    }


def final_documents(discussion: Discussion) -> dict[str, FinalDocument]:
    return {d.kind: d for d in FinalDocument.objects.filter(discussion=discussion)}


def open_flags(*, limit: int = 100) -> list[Flag]:
    """Unresolved reports, oldest first; ``target_proposal`` is the proposal concerned."""
    flags = list(
        Flag.objects.filter(resolved_at__isnull=True)
        .select_related("proposal__discussion", "comment__proposal__discussion", "reporter")
        .order_by("created_at", "id")[:limit]
    )
    for item in flags:
        item.target_proposal = item.proposal or item.comment.proposal
        item.target_text = (item.proposal or item.comment).text
    return flags


def questions_awaiting_answer(*, limit: int = 100) -> list[Proposal]:
    return list(
        Proposal.objects.filter(
            kind=Proposal.Kind.QUESTION,
            answer__isnull=True,
            visibility=Proposal.Visibility.VISIBLE,
            discussion__status__in=[Status.EXPOSITION_OPEN, Status.PROPOSALS_CLOSED],
        )
        .select_related("discussion", "participant")
        .order_by("registered_at", "id")[:limit]
    )


def cabinet_items(user: Any) -> list[CabinetItem]:
    """The person's latest proposals, for the cabinet overview."""
    rows = (
        Proposal.objects.filter(author=user)
        .select_related("discussion")
        .order_by("-registered_at")[:5]
    )
    return [
        CabinetItem(
            title=f"{p.discussion.title} — № {p.number}",
            status=p.discussion.get_status_display(),
            url=reverse("discussions:proposal", args=[p.discussion_id, p.number]),
            when=p.registered_at,
        )
        for p in rows
    ]


def my_participations(user: Any) -> QuerySet[Participant]:
    return Participant.objects.filter(user=user).select_related("discussion")


# --- statistics --------------------------------------------------------------------------------


def _answer_hours(qs: QuerySet[Proposal]) -> float | None:
    rows = qs.filter(kind=Proposal.Kind.QUESTION, answer__isnull=False).annotate(
        delay=F("answer__answered_at") - F("registered_at")
    )
    value = rows.aggregate(avg=Avg("delay"))["avg"]
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return round(value.total_seconds() / 3600, 1)
    return round(float(value) / 3600 / 1e6, 1)  # SQLite returns microseconds


def discussion_statistics(discussion: Discussion | None = None) -> dict[str, Any]:
    """Participants, proposals by district, type of participant, kind and channel, answer times.
    With no discussion: over all public discussions."""
    proposals = Proposal.objects.all()
    participants = Participant.objects.all()
    if discussion is not None:
        proposals = proposals.filter(discussion=discussion)
        participants = participants.filter(discussion=discussion)
    else:
        proposals = proposals.filter(discussion__status__in=PUBLIC_STATUSES)
        participants = participants.filter(discussion__status__in=PUBLIC_STATUSES)

    def grouped(qs: QuerySet, field: str) -> list[tuple[str, int]]:
        return [
            (key if key is not None else "", n)
            for key, n in qs.values_list(field).annotate(n=Count("id")).order_by("-n", field)
        ]

    by_district = grouped(proposals, "participant__district__name")
    return {
        "participants": participants.count(),
        "proposals": proposals.count(),
        "by_district": by_district,
        "by_participant_type": grouped(proposals, "participant__type"),
        "by_kind": grouped(proposals, "kind"),
        "by_channel": grouped(proposals, "channel"),
        "from_territory": proposals.filter(from_territory=True).count(),
        "questions": proposals.filter(kind=Proposal.Kind.QUESTION).count(),
        "answered": proposals.filter(kind=Proposal.Kind.QUESTION, answer__isnull=False).count(),
        "average_answer_hours": _answer_hours(proposals),
        "discussions": (
            Discussion.objects.filter(status__in=PUBLIC_STATUSES).count()
            if discussion is None
            else 1
        ),
    }


def overall_statistics() -> dict[str, Any]:
    return discussion_statistics(None)


# --- territory: places, suburbs, the map ---------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A point in the city a person chose, and how to name it back to them."""

    lat: float
    lon: float
    label: str


def _coordinate(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def find_place(*, address: str = "", lat: Any = None, lon: Any = None) -> Place | None:
    """The point of an address (a known building, spelled any usual way) or of a map point.

    None when neither is given. Refuses, with the reason on the field, an address the city's
    register does not know and a point outside the city's districts."""
    from django.utils.translation import gettext as _

    from cityhall.core.errors import InvalidInput
    from cityhall.geo import selectors as geo
    from cityhall.geo.geometry import point_error

    address = (address or "").strip()
    lat_f, lon_f = _coordinate(lat), _coordinate(lon)
    if lat_f is not None or lon_f is not None:
        if lat_f is None or lon_f is None or point_error(lat_f, lon_f):
            raise InvalidInput(
                fields={"address": [_("The point on the map is not valid; choose it again.")]}
            )
        if not geo.is_inside_city(lat_f, lon_f):
            raise InvalidInput(
                fields={"address": [_("This point is outside the city; choose one inside it.")]}
            )
        building = geo.building_for_point(lat_f, lon_f)
        label = building.address if building else f"{lat_f:.5f}, {lon_f:.5f}"
        return Place(lat=round(lat_f, 7), lon=round(lon_f, 7), label=label)
    if not address:
        return None
    building = geo.find_building(address)
    if building is None:
        suggestions = geo.search_buildings(address, limit=1)
        building = suggestions[0] if len(address) >= 3 and len(suggestions) == 1 else None
    if building is None:
        raise InvalidInput(
            fields={
                "address": [
                    _(
                        "We do not know the address “%(address)s” in the city. Check the street "
                        "and house number (for example: Баумана 5)."
                    )
                    % {"address": address[:100]}
                ]
            }
        )
    if building.district_id is None:
        raise InvalidInput(
            fields={"address": [_("This address is outside the city; choose one inside it.")]}
        )
    return Place(lat=building.lat, lon=building.lon, label=building.address)


def _district_ids_of(discussion: Discussion) -> set[int]:
    cached = getattr(discussion, "_district_ids", None)
    if cached is None:
        cached = {d.pk for d in discussion.districts.all()}
        discussion._district_ids = cached
    return cached


def covers_point(discussion: Discussion, lat: float, lon: float, district_id: int | None) -> bool:
    """Whether the discussion's territory covers the point: its own polygon if it has one,
    otherwise its districts, otherwise (no territory given) the whole city. ``district_id`` is
    the point's district (None outside the city)."""
    from cityhall.geo import selectors as geo

    if discussion.territory:
        return geo.contains(discussion.territory, lat, lon)
    ids = _district_ids_of(discussion)
    if ids:
        return district_id in ids
    return district_id is not None


def touches_suburb(discussion: Discussion, suburb: Any) -> bool:
    """Whether the discussion's territory overlaps the suburb: the polygons intersect, or with
    no polygon the suburb's district is one of the discussion's (or the whole city's)."""
    import shapely

    from cityhall.geo.geometry import area_shape

    if discussion.territory:
        a = (discussion.min_lon, discussion.min_lat, discussion.max_lon, discussion.max_lat)
        b = suburb.bbox
        if None not in a and (a[0] > b[2] or a[2] < b[0] or a[1] > b[3] or a[3] < b[1]):
            return False
        territory = area_shape(discussion.territory, field="territory")
        return bool(shapely.intersects(territory, area_shape(suburb.geometry)))
    ids = _district_ids_of(discussion)
    return suburb.district_id in ids if ids else True


def _point_prefilter(qs: QuerySet[Discussion], lat: float, lon: float) -> QuerySet[Discussion]:
    from django.db.models import Q

    return qs.filter(
        Q(territory__isnull=True)
        | Q(min_lon__isnull=True)
        | Q(min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat)
    ).prefetch_related("districts")


def discussions_for_place(
    qs: QuerySet[Discussion], place: Place, *, limit: int | None = None
) -> list[Discussion]:
    """The discussions of ``qs`` whose territory covers the place (bounding box in SQL, then
    the exact point-in-polygon test)."""
    from cityhall.geo import selectors as geo

    district = geo.district_for_point(place.lat, place.lon)
    district_id = district.pk if district else None
    found = []
    for discussion in _point_prefilter(qs, place.lat, place.lon).iterator(chunk_size=200):
        if covers_point(discussion, place.lat, place.lon, district_id):
            found.append(discussion)
            if limit is not None and len(found) >= limit:
                break
    return found


def discussions_for_suburb(
    qs: QuerySet[Discussion], suburb: Any, *, limit: int | None = None
) -> list[Discussion]:
    from django.db.models import Q

    min_lon, min_lat, max_lon, max_lat = suburb.bbox
    candidates = qs.filter(
        Q(territory__isnull=True)
        | Q(min_lon__isnull=True)
        | Q(min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat)
    ).prefetch_related("districts")
    found = []
    for discussion in candidates.iterator(chunk_size=200):
        if touches_suburb(discussion, suburb):
            found.append(discussion)
            if limit is not None and len(found) >= limit:
                break
    return found


@dataclass
class MapEntry:
    """A discussion on the map: its own polygon, or a marker at its area's representative
    point; ``where`` names the area for the list beside the map."""

    discussion: Discussion
    url: str
    where: str
    territory: dict | None = None
    marker: tuple[float, float] | None = None  # (lon, lat)


def map_entries(discussions: list[Discussion], districts: list[Any]) -> list[MapEntry]:
    """Every discussion placed: by its polygon, else by its districts, else the whole city."""
    from django.utils.translation import gettext as _
    from shapely.ops import unary_union

    from cityhall.geo.geometry import area_shape

    shapes: dict[int, Any] = {}
    for d in districts:
        if d.geometry:
            shapes[d.pk] = area_shape(d.geometry)
    city = unary_union(list(shapes.values())) if shapes else None
    point_of: dict[tuple[int, ...], tuple[float, float] | None] = {}
    names = {d.pk: d.display_name for d in districts}
    entries = []
    for discussion in discussions:
        url = reverse("discussions:detail", args=[discussion.pk])
        if discussion.territory:
            entries.append(
                MapEntry(
                    discussion,
                    url,
                    discussion.territory_description or _("Territory drawn on the map"),
                    territory=discussion.territory,
                )
            )
            continue
        ids = tuple(sorted(_district_ids_of(discussion) & set(shapes) or ()))
        if ids not in point_of:
            area = unary_union([shapes[i] for i in ids]) if ids else city
            point = area.representative_point() if area is not None else None
            point_of[ids] = (point.x, point.y) if point is not None else None
        where = ", ".join(names[i] for i in ids) if ids else _("The whole city")
        if discussion.territory_description:
            where = f"{discussion.territory_description} ({where})"
        entries.append(MapEntry(discussion, url, where, marker=point_of[ids]))
    return entries


def is_following(discussion: Discussion, user: Any) -> bool:
    from .models import Follow

    if not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.filter(discussion=discussion, user=user).exists()
