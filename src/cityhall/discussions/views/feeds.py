"""RSS and Atom feeds: new discussions by territory and topic, new proposals of one
discussion. The feed's query is the same filter the list page uses.
"""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from cityhall.core.errors import DomainError
from cityhall.geo.models import District

from .. import selectors
from ..models import (
    Discussion,
    Proposal,
)
from .base import int_param

# --- feeds ----------------------------------------------------------------------------------------


def feed_filters(params) -> dict[str, Any]:
    """The territory and topic of a feed from its query: ``district``, ``suburb``,
    ``document_type`` (ids), ``address`` or ``lat``+``lon``. Refuses unknown values with the
    reason (:class:`InvalidInput`)."""
    from cityhall.core.errors import InvalidInput
    from cityhall.geo.models import Suburb

    from ..models import DocumentType

    found: dict[str, Any] = {}
    for name, model, message in (
        ("district", District, _("There is no such district.")),
        ("suburb", Suburb, _("There is no such suburb.")),
        ("document_type", DocumentType, _("There is no such topic.")),
    ):
        value = params.get(name)
        if value:
            obj = model.objects.filter(pk=int_param(value, 0)).first()
            if obj is None:
                raise InvalidInput(fields={name: [message]})
            found[name] = obj
    place = selectors.find_place(
        address=params.get("address", ""), lat=params.get("lat"), lon=params.get("lon")
    )
    if place is not None:
        found["place"] = place
    return found


def feed_items(filters: dict[str, Any], *, limit: int = 50) -> list[Discussion]:
    qs = selectors.public_discussions(
        district=filters["district"].pk if "district" in filters else None,
        document_type=filters["document_type"].pk if "document_type" in filters else None,
    )
    if "place" in filters:
        return selectors.discussions_for_place(qs, filters["place"], limit=limit)
    if "suburb" in filters:
        return selectors.discussions_for_suburb(qs, filters["suburb"], limit=limit)
    return list(qs[:limit])


def feed_query(filters: dict[str, Any]) -> str:
    """The query string that selects the same feed (for links on pages)."""
    from urllib.parse import urlencode

    query: dict[str, Any] = {}
    for name in ("district", "suburb", "document_type"):
        if name in filters:
            query[name] = filters[name].pk
    if "place" in filters:
        query["lat"], query["lon"] = filters["place"].lat, filters["place"].lon
    return urlencode(query)


class DiscussionsFeed(Feed):
    """All public discussions, or those of a territory (district, suburb, address or point)
    and/or topic. A bad filter is answered 400 with the reason, not an empty feed."""

    def __call__(self, request, *args, **kwargs):
        try:
            # Kept on the request: one Feed instance serves every thread.
            request.discussion_feed_filters = feed_filters(request.GET)
        except DomainError as exc:
            reasons = [str(m) for errors in exc.fields.values() for m in errors] or [
                str(exc.message)
            ]
            return HttpResponse(
                "\n".join(reasons), status=400, content_type="text/plain; charset=utf-8"
            )
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return getattr(request, "discussion_feed_filters", None) or feed_filters(request.GET)

    def title(self, filters):
        parts = []
        if "place" in filters:
            parts.append(filters["place"].label)
        for name in ("suburb", "district"):
            if name in filters:
                parts.append(filters[name].display_name)
        if "document_type" in filters:
            parts.append(str(filters["document_type"]))
        title = _("Public discussions")
        return f"{title}: {', '.join(parts)}" if parts else title

    def description(self):
        return _("Public discussions of urban-planning documents")

    def link(self):
        return reverse("discussions:list")

    def items(self, filters):
        return feed_items(filters)

    def item_title(self, item):
        return f"{item.number} {item.title} ({item.get_status_display()})"

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return reverse("discussions:detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at


class DiscussionsAtomFeed(DiscussionsFeed):
    feed_type = Atom1Feed

    def subtitle(self, filters):
        return self.description()


class ProposalsFeed(Feed):
    def get_object(self, request, pk: int):
        return selectors.get_discussion(pk, user=request.user)

    def title(self, obj):
        return f"{obj.number} {obj.title}: proposals"

    def link(self, obj):
        return reverse("discussions:detail", args=[obj.pk])

    def description(self, obj):
        return obj.title

    def items(self, obj):
        return (
            Proposal.objects.filter(discussion=obj)
            .select_related("participant")
            .order_by("-number")[:50]
        )

    def item_title(self, item):
        return f"No. {item.number} — {item.participant.public_name}"

    def item_description(self, item):
        if item.visibility == Proposal.Visibility.HIDDEN:
            return _("Hidden by a moderator: %(r)s") % {"r": item.get_hidden_reason_display()}
        return item.text

    def item_link(self, item):
        return reverse("discussions:proposal", args=[item.discussion_id, item.number])

    def item_pubdate(self, item):
        return item.registered_at
