"""The open data sets of resident requests (declared for ``core.opendata``; the ``opendata``
app generates and serves them).

**What never leaves** (the rule, tested by ``tests/opendata/test_privacy.py``): who reported
(author, contact name and phone, the operator who typed it), comments, a description the
resident kept private or staff hid (a public one is published as the public pages show it —
the redacted text where staff redacted it — with e-mails, long numbers, flat numbers and the
author's and contact's names masked: ``core.personal_data``), the typed address (it may hold a
flat: the building's own address is published instead), photos, and an exact point: a request
at a building gets the building's point, one without a building a point rounded to about 100 m.

Rows are read in chunks by id (``core.opendata.chunks``, an index walk, the rating joined),
the stages of the same id range in one more query that the database pivots to one row per
request, so 10 million requests stream in bounded memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Avg, Case, Count, DateTimeField, Min, Sum, When
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.models import Organisation
from cityhall.core.opendata import (
    Dataset,
    Field,
    chunks,
    month_key,
    point,
    raw_rows,
    register_dataset,
)
from cityhall.core.personal_data import mask_personal_data

from .models import Feedback, MonthlyStat, ServiceRequest, Stage
from .models.choices import CLOSED_STATUSES

_STAGES = ("routed", "accepted", "in_work", "done")

REQUEST_FIELDS = (
    Field("id", "integer", _("Row key"), _("Stable; use it as the API's cursor"), "row key"),
    Field("number", "string", _("Request number"), english="request number"),
    Field("category", "string", _("Category code"), english="category code"),
    Field("category_name", "string", _("Category"), english="category name (Russian)"),
    Field("district", "string", _("District code"), english="district code"),
    Field("district_name", "string", _("District"), english="district name"),
    Field("suburb", "string", _("Suburb"), english="suburb"),
    Field("address", "string", _("Building's address"), english="building address"),
    Field("lat", "number", _("Latitude (the building's)"), english="latitude of the building"),
    Field("lon", "number", _("Longitude (the building's)"), english="longitude of the building"),
    Field("organisation", "string", _("Responsible organisation"), english="organisation"),
    Field("channel", "string", _("Channel: web, operator or open311"), english="channel"),
    Field(
        "applicant_kind",
        "string",
        _("Applicant: person or organisation (never who)"),
        english="applicant kind",
    ),
    Field("status", "string", _("Status code"), english="status"),
    Field(
        "description",
        "string",
        _("Description, if the resident made it public (personal data masked)"),
        english="public description",
    ),
    Field("submitted_at", "datetime", _("Submitted"), english="submitted at"),
    Field("routed_at", "datetime", _("Sent to the organisation"), english="routed at"),
    Field("accepted_at", "datetime", _("Accepted by the organisation"), english="accepted at"),
    Field("in_work_at", "datetime", _("Work started"), english="work started at"),
    Field("done_at", "datetime", _("Reported done"), english="done at"),
    Field("closed_at", "datetime", _("Closed"), english="closed at"),
    Field(
        "on_time",
        "boolean",
        _("Closed within every time limit (empty while open)"),
        english="closed on time",
    ),
    Field("rating", "integer", _("Resident's rating, 1-5"), english="resident rating"),
)


def _requests(filters: dict[str, Any], using: str | None):
    found = ServiceRequest.objects.using(using or "default").exclude(number=None)
    lookups = {
        "status": "status",
        "category": "category__code",
        "district": "district__code",
        "channel": "channel",
        "applicant_kind": "applicant_kind",
    }
    for name, value in filters.items():
        found = found.filter(**{lookups[name]: value})
    return found


def request_rows(
    after: int | None = None, filters: dict[str, Any] | None = None, using: str | None = None
) -> Iterator[dict[str, Any]]:
    queryset = _requests(filters or {}, using)
    columns = (
        "id", "number", "category__code", "category__name_ru", "district__code", "district__name",
        "suburb__name", "building__address", "building__lat", "building__lon", "lat", "lon",
        "organisation__name", "channel", "applicant_kind", "status", "is_overdue",
        "created_at", "closed_at", "feedback__score", "description", "description_private",
        "description_hidden", "description_redacted", "author__last_name",
        "author__first_name", "author__middle_name", "contact_name",
    )  # fmt: skip
    none = (None,) * len(_STAGES)
    for chunk in chunks(queryset, columns, after=after, raw=True):
        stages = _stage_starts(chunk[0][0], chunk[-1][0], using)
        for row in chunk:
            yield _request_row(row, stages.get(row[0], none))


def _stage_starts(first: int, last: int, using: str | None) -> dict[int, tuple]:
    """request id → when each of :data:`_STAGES` first began (ISO text or None), for the
    requests ``first``..``last``: one row per request, pivoted by the database."""
    firsts = {
        name: Min(Case(When(stage=name, then="started_at"), output_field=DateTimeField()))
        for name in _STAGES
    }
    found = (
        Stage.objects.using(using or "default")
        .filter(request_id__gte=first, request_id__lte=last, stage__in=_STAGES)
        .order_by()
        .values("request_id")
        .annotate(**firsts)
        .values_list("request_id", *_STAGES)
    )
    return {pk: tuple(map(iso, starts)) for pk, *starts in raw_rows(found)}


def iso(value: Any) -> Any:
    """A timestamp as ISO 8601 in UTC: text as SQLite stores it (``2026-12-06 02:38:15.123``,
    UTC) or a driver's datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.replace(" ", "T", 1) + "+00:00"
    # Django keeps timestamps in UTC and its connections answer in UTC: no conversion needed
    return value.isoformat() if value.tzinfo is not None else value.isoformat() + "+00:00"


def _request_row(row, stages: tuple) -> dict[str, Any]:
    (pk, number, category, category_name, district, district_name, suburb, address, b_lat,
     b_lon, lat, lon, organisation, channel, applicant_kind, status, overdue, created,
     closed, rating, description, private, hidden, redacted, *names) = row  # fmt: skip
    if b_lat is not None:
        lat, lon = b_lat, b_lon
    elif lat is not None:  # no building: about 100 m, never the exact spot
        lat, lon = round(lat, 3), round(lon, 3)
    routed, accepted, in_work, done = stages
    return {
        "id": pk,
        "number": number,
        "category": category,
        "category_name": category_name,
        "district": district,
        "district_name": district_name,
        "suburb": suburb,
        "address": address,
        "lat": lat,
        "lon": lon,
        "organisation": organisation,
        "channel": channel,
        "applicant_kind": applicant_kind,
        "status": status,
        "description": (
            "" if private or hidden else mask_personal_data(redacted or description, names)
        ),
        "submitted_at": iso(created),
        "routed_at": routed,
        "accepted_at": accepted,
        "in_work_at": in_work,
        "done_at": done,
        "closed_at": iso(closed),
        "on_time": (not overdue) if status in CLOSED_STATUSES else None,  # 0/1 on SQLite
        "rating": rating,
    }


def _request_count() -> int:
    return ServiceRequest.objects.exclude(number=None).count()


RATING_FIELDS = (
    Field("id", "integer", _("Row key"), english="row key"),
    Field("organisation", "string", _("Organisation"), english="organisation"),
    Field("month", "date", _("Month (its first day)"), english="month"),
    Field("votes", "integer", _("Residents' ratings received"), english="ratings received"),
    Field("mean_score", "number", _("Mean rating, 1-5"), english="mean rating"),
    Field("requests", "integer", _("Requests received"), english="requests received"),
    Field("closed_on_time", "integer", _("Requests closed on time"), english="closed on time"),
)


def rating_rows(
    after: int | None = None, filters: dict[str, Any] | None = None, using: str | None = None
) -> Iterator[dict[str, Any]]:
    """One row per organisation and month: a few thousand rows, built in memory."""
    db = using or "default"
    rows: dict[tuple[int, dt.date], dict[str, Any]] = {}
    names: dict[int, str] = {}

    def row(org_id: int, name: str, month: dt.date) -> dict[str, Any]:
        names[org_id] = name
        return rows.setdefault(
            (org_id, month),
            {"votes": 0, "mean_score": None, "requests": 0, "closed_on_time": 0},
        )

    votes = (
        Feedback.objects.using(db)
        .exclude(organisation=None)
        .annotate(month=TruncMonth("created_at"))
        .values("organisation_id", "organisation__name", "month")
        .annotate(votes=Count("id"), mean=Avg("score"))
    )
    for item in votes:
        month = item["month"].date() if isinstance(item["month"], dt.datetime) else item["month"]
        found = row(item["organisation_id"], item["organisation__name"], month)
        found["votes"], found["mean_score"] = item["votes"], round(item["mean"], 3)
    stats = (
        MonthlyStat.objects.using(db)
        .exclude(organisation_id=None)
        .values("organisation_id", "month")
        .annotate(total=Sum("total"), on_time=Sum("closed_on_time"))
    )
    org_names = dict(Organisation.objects.using(db).values_list("id", "name"))
    for item in stats:
        org_id = item["organisation_id"]
        found = row(org_id, org_names.get(org_id, ""), item["month"])
        found["requests"], found["closed_on_time"] = item["total"], item["on_time"]
    wanted = (filters or {}).get("organisation")
    for (org_id, month), values in sorted(rows.items()):
        key = month_key(org_id, month)
        if (after is not None and key <= after) or (wanted and names[org_id] != wanted):
            continue
        yield {"id": key, "organisation": names[org_id], "month": month, **values}


def declare_datasets() -> None:
    register_dataset(
        Dataset(
            code="requests",
            title=_("Resident requests"),
            description=_(
                "Every registered housing and communal-service request: category, place (the "
                "building), responsible organisation, channel, the dates of each stage, whether "
                "it was closed on time, the resident's rating, and the description when the "
                "resident made it public. No personal data: never who reported, no flat, no "
                "exact point; e-mails, phone and document numbers, flats and names in a public "
                "description are masked."
            ),
            fields=REQUEST_FIELDS,
            rows=request_rows,
            geometry=lambda row: point(row["lat"], row["lon"]),
            filters=("status", "category", "district", "channel", "applicant_kind"),
            keywords=(_("housing"), _("communal services"), _("requests"), "311"),
            count=_request_count,
            order=10,
        )
    )
    register_dataset(
        Dataset(
            code="organisation-ratings",
            title=_("Organisations' ratings by month"),
            description=_(
                "For each organisation and month: residents' ratings received and their mean, "
                "requests received and requests closed within their time limits."
            ),
            fields=RATING_FIELDS,
            rows=rating_rows,
            filters=("organisation",),
            keywords=(_("ratings"), _("managing organisations")),
            order=20,
        )
    )
