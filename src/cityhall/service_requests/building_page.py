"""What the requests app shows on a building's page (registered in ``core.places``): the
managing organisation, who answers for each kind of work there (the same routing as a new
request's), the building's open requests and "report a problem here"."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation
from cityhall.core.places import PlaceAction, PlaceFact, PlaceItem, PlaceSection

from . import selectors
from .models import OPEN_STATUSES, BuildingManagement, ServiceRequest
from .routing import decide

__all__ = ["OPEN_REQUESTS_SHOWN", "requests_about_building"]

OPEN_REQUESTS_SHOWN = 20


def _organisation_fact(label: str, organisation: Organisation | None) -> PlaceFact:
    if organisation is None:
        return PlaceFact(label, _("the city dispatcher decides"))
    return PlaceFact(
        label, str(organisation), reverse("service_requests:organisation", args=[organisation.pk])
    )


def requests_about_building(building) -> PlaceSection:
    manager = (
        BuildingManagement.objects.filter(building_id=building.pk)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    facts = [
        _organisation_fact(_("Managing organisation"), manager.organisation if manager else None)
    ]
    categories = list(selectors.active_categories())
    decisions = [
        decide(f)
        for f in selectors.routing_facts_many([(category, building) for category in categories])
    ]
    ids = {d.organisation_id for d in decisions if d.organisation_id}
    organisations = Organisation.objects.in_bulk(ids) if ids else {}
    for category, decision in zip(categories, decisions, strict=True):
        facts.append(_organisation_fact(category.name, organisations.get(decision.organisation_id)))
    open_requests = list(
        ServiceRequest.objects.filter(building_id=building.pk, status__in=OPEN_STATUSES)
        .select_related("category")
        .order_by("-created_at", "-pk")[:OPEN_REQUESTS_SHOWN]
    )
    query = urlencode({"address": building.address, "building": building.pk})
    return PlaceSection(
        key="requests",
        title=_("Requests and who answers for this building"),
        facts=facts,
        items=[
            PlaceItem(
                title=f"{r.number} · {r.category.name}",
                url=reverse("service_requests:detail", args=[r.pk]),
                note=f"{r.get_status_display()}, {r.created_at:%d.%m.%Y}",
            )
            for r in open_requests
        ],
        actions=[
            PlaceAction(_("Report a problem here"), reverse("service_requests:new") + "?" + query)
        ],
        items_title=_("Open requests"),
        empty_text=_("No open requests at this building."),
    )
