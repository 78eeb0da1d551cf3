"""The open data sets of municipal services (declared for ``core.opendata``).

**What never leaves** (tested by ``tests/opendata/test_privacy.py``): applicants and their
answers, except the answers a service's definition lists as registry fields
(``registry_fields``: the definition marks them public). A registry record's holder is
published only when it is an organisation (the application named one); a record held by a
private person has no holder and a point rounded to about 100 m.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from cityhall.core.opendata import Dataset, Field, chunks, month_key, point, register_dataset

from .models import Application, RegistryRecord

REGISTRY_FIELDS = (
    Field("id", "integer", _("Row key"), english="row key"),
    Field("registry", "string", _("Register"), english="register"),
    Field("number", "string", _("Record number"), english="record number"),
    Field("title", "string", _("What was issued"), english="title"),
    Field("holder", "string", _("Holder (organisations only)"), english="holder organisation"),
    Field("address", "string", _("Address"), english="address"),
    Field("lat", "number", _("Latitude"), english="latitude"),
    Field("lon", "number", _("Longitude"), english="longitude"),
    Field("issued_on", "date", _("Issued"), english="issued on"),
    Field(
        "details",
        "string",
        _("The service's public fields, as a JSON object"),
        english="public details (JSON)",
    ),
)


def registry_rows(
    after: int | None = None, filters: dict[str, Any] | None = None, using: str | None = None
) -> Iterator[dict[str, Any]]:
    found = RegistryRecord.objects.using(using or "default")
    for name, value in (filters or {}).items():
        found = found.filter(**{name: value})
    columns = ("id", "registry", "number", "title", "holder", "address", "lat", "lon",
               "issued_on", "details", "application__answers")  # fmt: skip
    for chunk in chunks(found, columns, after=after):
        for (
            pk,
            registry,
            number,
            title,
            holder,
            address,
            lat,
            lon,
            issued,
            details,
            answers,
        ) in chunk:
            if isinstance(answers, str):
                answers = json.loads(answers)
            organisation = bool((answers or {}).get("organisation_name"))
            if not organisation and lat is not None:
                lat, lon = round(lat, 3), round(lon, 3)
            if isinstance(details, str):
                details = json.loads(details)
            yield {
                "id": pk,
                "registry": registry,
                "number": number,
                "title": title,
                "holder": holder if organisation else "",
                "address": address,
                "lat": lat,
                "lon": lon,
                "issued_on": issued,
                "details": json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
            }


STATISTICS_FIELDS = (
    Field("id", "integer", _("Row key"), english="row key"),
    Field("service", "string", _("Service code"), english="service code"),
    Field("department", "string", _("Department"), english="department"),
    Field("month", "date", _("Month of submission (its first day)"), english="month"),
    Field("submitted", "integer", _("Applications submitted"), english="submitted"),
    Field("issued", "integer", _("Results issued"), english="results issued"),
    Field("refused", "integer", _("Refused"), english="refused"),
    Field("withdrawn", "integer", _("Withdrawn"), english="withdrawn"),
    Field("open", "integer", _("Still open"), english="open"),
    Field("closed_late", "integer", _("Closed after the term"), english="closed late"),
)


def statistics_rows(
    after: int | None = None, filters: dict[str, Any] | None = None, using: str | None = None
) -> Iterator[dict[str, Any]]:
    """One row per service and month: built in memory (services × months)."""
    status = Application.Status
    found = (
        Application.objects.using(using or "default")
        .exclude(submitted_at=None)
        .annotate(month=TruncMonth("submitted_at"))
        .values("service_id", "service__code", "department__name", "month")
        .annotate(
            submitted=Count("id"),
            issued=Count("id", filter=Q(status=status.RESULT_ISSUED)),
            refused=Count("id", filter=Q(status=status.REFUSED)),
            withdrawn=Count("id", filter=Q(status=status.WITHDRAWN)),
            open=Count("id", filter=Q(status__in=Application.OPEN)),
            closed_late=Count("id", filter=Q(closed_at__gt=F("due_at"))),
        )
    )
    wanted = (filters or {}).get("service")
    rows = []
    for item in found:
        month = item["month"].date() if isinstance(item["month"], dt.datetime) else item["month"]
        key = month_key(item["service_id"], month)
        if (after is not None and key <= after) or (wanted and item["service__code"] != wanted):
            continue
        rows.append(
            {
                "id": key,
                "service": item["service__code"],
                "department": item["department__name"],
                "month": month,
                **{k: item[k] for k in ("submitted", "issued", "refused", "withdrawn", "open")},
                "closed_late": item["closed_late"],
            }
        )
    yield from sorted(rows, key=lambda row: row["id"])


def declare_datasets() -> None:
    register_dataset(
        Dataset(
            code="registry",
            title=_("Registers of issued permits and leases"),
            description=_(
                "Every record of the municipal registers: what was issued, where and when, "
                "the holder when it is an organisation, and the fields each service publishes."
            ),
            fields=REGISTRY_FIELDS,
            rows=registry_rows,
            geometry=lambda row: point(row["lat"], row["lon"]),
            filters=("registry",),
            keywords=(_("permits"), _("leases"), _("registers")),
            order=50,
        )
    )
    register_dataset(
        Dataset(
            code="service-statistics",
            title=_("Municipal services by month"),
            description=_(
                "For each service and month of submission: applications submitted, results "
                "issued, refusals, withdrawals, those still open and those closed after the term."
            ),
            fields=STATISTICS_FIELDS,
            rows=statistics_rows,
            filters=("service",),
            keywords=(_("municipal services"), _("statistics")),
            frequency="daily",
            order=60,
        )
    )
