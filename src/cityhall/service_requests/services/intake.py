"""Intake of resident requests: the one registration every channel goes through.

A submission is first checked by :func:`prepare` — everything that can be refused from the input
alone (category, place inside the city, the category's questions, description, contacts,
photos) is refused there, with all field errors together, and nothing is stored. The checked
submission is then handed to the intake inbox (:mod:`cityhall.core.inbox`, kind :data:`KIND`):
the web form and the call centre register it at once (``inline=True``), Open311 and the JSON API
acknowledge it after one insert and :func:`register_requests` registers it shortly after, in a
batch with others.

Registration (:func:`register_requests`) does for a whole batch, in one transaction: the point's
building (in-process building index), the routing to the one responsible organisation (one
query for the buildings' managers and one for the areas of responsibility), the gap-free numbers
(``service_requests.number.<yyyy>``, one locked counter update per year), the request rows, the
first stage with its due time, the history rows, the photos, the audit records
(``audit.record_many``) and the applicants' notifications. What may have changed since receipt
(the category withdrawn, the building removed from the register) refuses that item alone.

:func:`submit_request` is the pages' way in: checked, received and registered at once, the
request returned. This module only calls into the catalogue (:mod:`.catalogue`), the photo
rules (:mod:`.photos`) and the app's helpers; nothing calls back into it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.accounts.phones import normalise_phone
from cityhall.core import audit, bulk, inbox, jobs, oncommit
from cityhall.core.errors import InvalidInput
from cityhall.core.numbering import next_values
from cityhall.core.selectors import business_calendar
from cityhall.geo import selectors as geo
from cityhall.geo.geometry import distance_m
from cityhall.geo.models import Building
from cityhall.notifications.services import (
    in_recipient_language,
    notify,
    notify_address,
    preferences_loaded,
)

from .. import notices, routing
from ..deadlines import due_time
from ..models import (
    ApplicantKind,
    Category,
    Channel,
    Open311Client,
    ServiceRequest,
    Stage,
    Status,
    StatusChange,
    new_public_token,
)
from ..selectors import routing_facts_many
from .catalogue import active_category, check_attributes, stage_limits
from .media_urls import check_media_url
from .photos import (
    attach_payload_photos,
    check_photos,
    discard_photos,
    photo_location,
    store_photos,
)

__all__ = [
    "KIND",
    "NUMBER_SERIES",
    "number_for",
    "prepare",
    "receive",
    "register_requests",
    "registered",
    "submit_request",
]


KIND = "service_requests.request"
NUMBER_SERIES = "service_requests.number.{year}"
OBJECT_TYPE = ServiceRequest._meta.label_lower


def number_for(year: int, value: int) -> str:
    """A request's public number: the year's last two digits and its gap-free place in that
    year's series ("26-0001234")."""
    return f"{year % 100:02d}-{value:07d}"


# --- checking a submission (before anything is stored) ---------------------------------------


def _to_float(value: Any) -> float | None:
    if value in (None, ""):
        return None
    return float(value)


def _place(*, building: Any, address: str, lat: Any, lon: Any) -> dict[str, Any]:
    """Where the problem is, as far as the input alone tells: a building id (chosen, or found by
    its address), or a point inside the city whose building registration will look up."""
    try:
        lat_f, lon_f = _to_float(lat), _to_float(lon)
    except (TypeError, ValueError):
        raise InvalidInput(fields={"lat": [_("Latitude and longitude must be numbers.")]}) from None
    if building is not None:
        pk = building.pk if hasattr(building, "pk") else building
        found = geo.get_building(int(pk)) if str(pk).isdigit() else None
        if found is None:
            raise InvalidInput(fields={"building": [_("This building is not in the register.")]})
        return {"building": found.pk, "lat": lat_f, "lon": lon_f}
    if (lat_f is None) != (lon_f is None):
        raise InvalidInput(fields={"lat": [_("Give both latitude and longitude.")]})
    if lat_f is not None and lon_f is not None:
        if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
            raise InvalidInput(fields={"lat": [_("This is not a point on Earth.")]})
        if not geo.is_inside_city(lat_f, lon_f):
            raise InvalidInput(fields={"lat": [_("This point is outside the city.")]})
        return {"building": None, "lat": lat_f, "lon": lon_f, "address": address.strip()}
    address = (address or "").strip()
    if address:
        found = geo.find_building(address)
        if found is None:
            matches = geo.search_buildings(address, limit=2)
            found = matches[0] if len(matches) == 1 else None
        if found is None:
            raise InvalidInput(
                fields={
                    "address": [
                        _("We could not find this address in the city. Choose it from the list.")
                    ]
                }
            )
        return {"building": found.pk, "lat": None, "lon": None}
    raise InvalidInput(fields={"location": [_("Give the address or a point on the map.")]})


def prepare(
    *,
    category: Category | str,
    description: str,
    channel: str,
    description_private: bool = False,
    author: User | None = None,
    building: Any = None,
    address: str = "",
    lat: Any = None,
    lon: Any = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    applicant_kind: str = ApplicantKind.PERSON,
    attributes: dict[str, Any] | None = None,
    photos: Sequence[UploadedFile] = (),
    keep_photo_location: bool = False,
    photos_public: bool = False,
    entered_by: User | None = None,
    open311_client: Any = None,
    media_url: str = "",
) -> dict[str, Any]:
    """Check a submission from any channel and return what registration needs (JSON-ready).
    All field errors are raised together as ``InvalidInput``; nothing is stored then.

    ``description_private``: the resident keeps the description to the people handling the
    request (public pages and Open311 GET then show none).

    ``keep_photo_location``: the resident lets the place where a photo was taken (its GPS,
    read before the photo's metadata is removed) be the request's point when they gave none.

    ``photos_public``: the photos (and the one at ``media_url``) are shown to everyone; by
    default only to the author and the people handling the request.

    ``media_url``: a photo's address (Open311), fetched after registration (:mod:`.media_urls`)."""
    errors: dict[str, list[str]] = {}
    description = (description or "").strip()
    photos = list(photos)
    try:
        media_url = check_media_url(media_url)
    except InvalidInput as exc:
        errors.update(exc.fields)
        media_url = ""
    if not description and not photos and not media_url and "media_url" not in errors:
        # A photo may be the report (GeoReport v2 makes the description optional); with
        # neither there is nothing to act on.
        errors["description"] = [_("Describe the problem or attach a photo.")]
    elif len(description) > 5000:
        errors["description"] = [_("Keep the description under 5000 characters.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if applicant_kind not in ApplicantKind.values:
        errors["applicant_kind"] = [_("Choose a person or an organisation.")]
    contact_name = (contact_name or "").strip()
    contact_phone = (contact_phone or "").strip()
    if contact_phone:
        # Stored in E.164 so that the call centre finds the caller however they say it.
        normalised = normalise_phone(contact_phone)
        if normalised is None:
            errors["contact_phone"] = [_("Enter a phone number, e.g. +7 917 555-00-01.")]
        contact_phone = normalised or contact_phone
    contact_email = (contact_email or "").strip()
    if author is None and channel != Channel.OPEN311 and not (contact_phone or contact_email):
        errors["contact_phone"] = [_("Leave a phone number or an e-mail to be told the result.")]
    if channel == Channel.OPERATOR and author is None and not contact_name:
        errors["contact_name"] = [_("Enter the caller's name.")]
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid e-mail address.")]
    cat = None
    try:
        cat = active_category(category)
    except InvalidInput as exc:
        errors.update(exc.fields)
    checked: list = []
    if photos:
        checked, photo_errors = check_photos(photos)
        errors.update(photo_errors)
    taken_at = photo_location(checked) if keep_photo_location else None
    if taken_at and building is None and lat in (None, "") and lon in (None, ""):
        lat, lon = taken_at
    place: dict[str, Any] = {}
    try:
        place = _place(building=building, address=address or "", lat=lat, lon=lon)
    except InvalidInput as exc:
        errors.update(exc.fields)
    answers = {str(k): v for k, v in (attributes or {}).items()}
    if cat is not None:
        errors.update(check_attributes(cat.current_version, answers))
    if errors:
        raise InvalidInput(fields=errors)
    assert cat is not None
    return {
        "category": cat.code,
        "description": description,
        "description_private": bool(description_private),
        "channel": channel,
        "applicant_kind": applicant_kind,
        "author": author.pk if author is not None else None,
        "entered_by": entered_by.pk if entered_by is not None else None,
        "open311_client": getattr(open311_client, "pk", open311_client),
        "building": place.get("building"),
        "lat": place.get("lat"),
        "lon": place.get("lon"),
        "address": (place.get("address") or "")[:300],
        "contact_name": contact_name[:200],
        "contact_phone": contact_phone[:30],
        "contact_email": contact_email[:254],
        "attributes": answers,
        "photos": store_photos(checked, owner=author, public=photos_public) if checked else [],
        "media_url": media_url,
        "photos_public": bool(photos_public),
    }


def receive(
    payload: dict[str, Any], *, inline: bool | None = None, idempotency_key: str = ""
) -> inbox.Item:
    """Hand a checked submission (:func:`prepare`) to the inbox."""
    actor = payload["entered_by"] or payload["author"]
    # a resident's own submission is limited per hour; an operator's or a client system's not
    self_service = payload["entered_by"] is None and payload["author"] is not None
    return inbox.receive(
        KIND,
        payload,
        actor=actor,
        inline=inline,
        idempotency_key=idempotency_key,
        hourly_limit=settings.SUBMISSIONS_PER_HOUR if self_service else 0,
    )


# --- registering a batch -----------------------------------------------------------------------

#: How far from a map point a building may be and still be "the building here" (as
#: :func:`cityhall.geo.selectors.building_for_point`).
BUILDING_DISTANCE_M = 60


@dataclass(slots=True)
class _Building:
    pk: int
    address: str
    lat: float
    lon: float
    district_id: int | None
    suburb_id: int | None


@dataclass(slots=True)
class _Draft:
    """One item on its way to becoming a request."""

    index: int
    item: inbox.Item
    data: dict[str, Any]
    category: Category
    building: _Building | None = None
    district_id: int | None = None
    suburb_id: int | None = None
    pk: int = 0
    number: str = ""
    token: str = ""
    status: str = ""
    organisation_id: int | None = None
    due: dt.datetime | None = None


def _locate(drafts: list[_Draft]) -> dict[int, str]:
    """Fill each draft's building, district and suburb — the buildings of map points from the
    in-process index, every building row of the batch by one query; {item index: refusal} for
    a chosen building that has left the register."""
    wanted: dict[int, int | None] = {}
    for draft in drafts:
        data = draft.data
        if data.get("building"):
            wanted[draft.index] = data["building"]
        elif data.get("lat") is not None and data.get("lon") is not None:
            wanted[draft.index] = geo.nearest_building_id(
                data["lat"], data["lon"], BUILDING_DISTANCE_M
            )
    pks = {pk for pk in wanted.values() if pk is not None}
    rows = Building.objects.filter(pk__in=pks).values_list(
        "id", "address", "lat", "lon", "district_id", "suburb_id"
    )
    by_pk = {row[0]: _Building(*row) for row in rows} if pks else {}
    refused: dict[int, str] = {}
    for draft in drafts:
        data = draft.data
        pk = wanted.get(draft.index)
        building = by_pk.get(pk) if pk is not None else None
        if data.get("building"):
            if building is None:
                refused[draft.index] = _("This building is no longer in the register.")
                continue
        elif data.get("lat") is not None and data.get("lon") is not None:
            lat, lon = data["lat"], data["lon"]
            if building is None or distance_m(lat, lon, building.lat, building.lon) > (
                BUILDING_DISTANCE_M
            ):
                # Moved or removed since the index was read: ask the table.
                found = geo.building_for_point(lat, lon, BUILDING_DISTANCE_M)
                building = (
                    _Building(
                        found.pk,
                        found.address,
                        found.lat,
                        found.lon,
                        found.district_id,
                        found.suburb_id,
                    )  # fmt: skip
                    if found is not None
                    else None
                )
            if building is None:
                where = geo.locate(lat, lon)
                draft.district_id = where.district.pk if where.district else None
                draft.suburb_id = where.suburb.pk if where.suburb else None
        if building is not None:
            draft.building = building
            draft.district_id, draft.suburb_id = building.district_id, building.suburb_id
    return refused


def _tell_applicants(drafts: list[_Draft], people: dict[int, User], track: str) -> None:
    """The applicant's "received" notice: to the account, or to the e-mail/phone left."""
    labels = dict(Status.choices)
    with preferences_loaded(people):
        for draft in drafts:
            data = draft.data
            context = {
                "number": draft.number,
                "url": track.format(draft.token),
                # Worded in the recipient's language when rendered (not the submitter's).
                "category": in_recipient_language(lambda c=draft.category: c.name),
                "status": labels[draft.status],
            }
            author = people.get(data.get("author")) if data.get("author") else None
            if author is not None:
                notify(recipient=author, event=notices.RECEIVED, context=context)
            elif data.get("contact_email") or data.get("contact_phone"):
                notify_address(
                    email=data.get("contact_email") or None,
                    phone=data.get("contact_phone") or None,
                    event=notices.RECEIVED,
                    context=context,
                )


def register_requests(items: list[inbox.Item]) -> list[inbox.Outcome]:
    """The inbox handler of :data:`KIND` (see the module docstring)."""
    outcomes: list[inbox.Outcome | None] = [None] * len(items)
    drafts: list[_Draft] = []
    for index, item in enumerate(items):
        try:
            category = active_category(item.payload["category"])
        except InvalidInput:
            outcomes[index] = inbox.Outcome(error=_("This category no longer takes requests."))
            continue
        drafts.append(_Draft(index, item, item.payload, category))
    refused = _locate(drafts)
    for index, reason in refused.items():
        outcomes[index] = inbox.Outcome(error=reason)
    drafts = [d for d in drafts if d.index not in refused]
    # Photos kept at receipt for requests refused now: removed once this batch is committed
    # (a rolled-back batch is tried again and still needs them).
    unused = [
        stored
        for item, outcome in zip(items, outcomes, strict=True)
        if outcome is not None and outcome.error
        for stored in item.payload.get("photos") or ()
    ]
    if unused:
        oncommit.after_commit(discard_photos, unused)
    if not drafts:
        return outcomes  # type: ignore[return-value]

    facts = routing_facts_many([(d.category, d.building) for d in drafts])
    decisions = [routing.decide(f) for f in facts]
    people_ids = {
        pk for d in drafts for pk in (d.data.get("author"), d.data.get("entered_by")) if pk
    }
    people = User.objects.in_bulk(people_ids) if people_ids else {}

    # Gap-free numbers: one block per year of receipt, in the order the items came in.
    years: dict[int, list[_Draft]] = {}
    for draft in drafts:
        years.setdefault(timezone.localtime(draft.item.received_at).year, []).append(draft)
    for year, group in sorted(years.items()):
        values = next_values(NUMBER_SERIES.format(year=year), len(group))
        for draft, value in zip(group, values, strict=True):
            draft.number = number_for(year, value)

    calendar = business_calendar()
    rows = []
    for draft, decision in zip(drafts, decisions, strict=True):
        data, category, building = draft.data, draft.category, draft.building
        received = draft.item.received_at
        draft.status = Status.NEW if decision.to_dispatcher else Status.ROUTED
        draft.organisation_id = decision.organisation_id
        limit = stage_limits(category.current_version_id).get(draft.status)
        if limit:
            draft.due = due_time(start=received, amount=limit[0], unit=limit[1], calendar=calendar)
        draft.token = new_public_token()
        lat, lon = data.get("lat"), data.get("lon")
        if lat is None and building is not None:
            lat, lon = building.lat, building.lon
        rows.append(
            {
                "number": draft.number,
                "public_token": draft.token,
                "category_id": category.pk,
                "category_version_id": category.current_version_id,
                "building_id": building.pk if building is not None else None,
                "district_id": draft.district_id,
                "suburb_id": draft.suburb_id,
                "address": (building.address if building is not None else data["address"])[:300],
                "lat": lat,
                "lon": lon,
                "description": data["description"],
                "description_private": bool(data.get("description_private")),
                "attributes": data.get("attributes") or {},
                "channel": data["channel"],
                "applicant_kind": data["applicant_kind"],
                "author_id": data.get("author") if data.get("author") in people else None,
                "contact_name": data.get("contact_name", ""),
                "contact_phone": data.get("contact_phone", ""),
                "contact_email": data.get("contact_email", ""),
                "entered_by_id": (
                    data.get("entered_by") if data.get("entered_by") in people else None
                ),
                "open311_client_id": data.get("open311_client"),
                "status": draft.status,
                "organisation_id": draft.organisation_id,
                "stage_due_at": draft.due,
                "created_at": received,
                "updated_at": received,
                "closed_at": None,
            }
        )
    for draft, pk in zip(drafts, bulk.insert_rows(ServiceRequest, rows), strict=True):
        draft.pk = pk

    def actor_of(draft: _Draft) -> User | None:
        return people.get(draft.data.get("entered_by")) or people.get(draft.data.get("author"))

    bulk.insert_rows(
        Stage,
        [
            {
                "request_id": d.pk,
                "stage": d.status,
                "organisation_id": d.organisation_id,
                "started_at": d.item.received_at,
                "due_at": d.due,
                "finished_at": None,
            }
            for d in drafts
        ],
    )
    bulk.insert_rows(
        StatusChange,
        [
            {
                "request_id": d.pk,
                "from_status": "",
                "to_status": d.status,
                "organisation_id": d.organisation_id,
                "actor_id": getattr(actor_of(d), "pk", None),
                "reason": decision.reason,
                "created_at": d.item.received_at,
            }
            for d, decision in zip(drafts, decisions, strict=True)
        ],
    )
    dropped = attach_payload_photos(
        [(d.pk, d.data.get("photos"), actor_of(d), d.item.received_at) for d in drafts]
    )
    for draft in drafts:
        if draft.data.get("media_url"):
            jobs.enqueue_on_commit(
                "service_requests.fetch_media_url",
                draft.pk,
                draft.data["media_url"],
                bool(draft.data.get("photos_public")),
            )

    track = reverse("service_requests:track", args=["TOKEN"]).replace("TOKEN", "{}")
    for draft in drafts:
        if draft.category.is_emergency and draft.organisation_id is not None:
            notices.alert_organisation(
                ServiceRequest.objects.select_related("category").get(pk=draft.pk)
            )
    _tell_applicants(drafts, people, track)
    # Last: the audit chain's head row is the one lock every writer shares.
    audit.record_many(
        [
            audit.Entry(
                action="service_requests.submitted",
                object_type=OBJECT_TYPE,
                object_id=d.pk,
                actor=actor_of(d),
                after={
                    "number": d.number,
                    "category": d.category.code,
                    "channel": d.data["channel"],
                    "status": d.status,
                    "organisation": d.organisation_id,
                    "routing": decision.reason,
                    **({"photos_dropped": dropped[d.pk]} if d.pk in dropped else {}),
                },
            )
            for d, decision in zip(drafts, decisions, strict=True)
        ]
    )
    for draft in drafts:
        outcomes[draft.index] = inbox.Outcome(
            ref=draft.number,
            object_type=OBJECT_TYPE,
            object_id=draft.pk,
            url=track.format(draft.token),
        )
    return outcomes  # type: ignore[return-value]


# --- registering at once (the pages) -----------------------------------------------------------


def submit_request(
    *,
    category: Category | str,
    description: str,
    channel: str,
    description_private: bool = False,
    author: User | None = None,
    building: Any = None,
    address: str = "",
    lat: Any = None,
    lon: Any = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    applicant_kind: str = ApplicantKind.PERSON,
    attributes: dict[str, Any] | None = None,
    photos: Sequence[UploadedFile] = (),
    keep_photo_location: bool = False,
    photos_public: bool = False,
    entered_by: User | None = None,
    open311_client: Open311Client | None = None,
) -> ServiceRequest:
    """Take a request from any channel and register it now: checked by
    :func:`prepare` (all field errors together, nothing written unless everything is
    valid), registered by the intake's batch handler like every other channel's — routed to
    its one responsible organisation (or the dispatcher queue), numbered, its first stage's
    clock started, audited, the applicant told."""
    payload = prepare(
        category=category,
        description=description,
        channel=channel,
        description_private=description_private,
        author=author,
        building=building,
        address=address,
        lat=lat,
        lon=lon,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        applicant_kind=applicant_kind,
        attributes=attributes,
        photos=photos,
        keep_photo_location=keep_photo_location,
        photos_public=photos_public,
        entered_by=entered_by,
        open311_client=open311_client,
    )
    item = receive(payload, inline=True)
    return registered(item)


def registered(item: inbox.Item) -> ServiceRequest:
    """The request an inbox item became; its refusal as ``InvalidInput`` otherwise."""
    if item.object_id is None:
        raise InvalidInput(item.error or _("The request could not be registered."))
    return ServiceRequest.objects.select_related("category", "organisation").get(pk=item.object_id)
