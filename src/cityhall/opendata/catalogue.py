"""The machine-readable catalogues: DCAT in JSON-LD and the Russian open-data methodology's
passport files (``list.csv``, ``meta.csv``, ``structure-YYYYMMDD.csv``, and the data file named
``data-<version>-structure-<structure>.csv``), so regional portals can harvest every set.

Links are absolute, built from ``SITE_URL`` (never the request's host). The passport files are
Russian, as the methodology expects; the DCAT catalogue carries titles in ru, tt and en.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cityhall.core.opendata import Dataset

from . import selectors
from .formats import FORMATS
from .models import DatasetVersion
from .selectors import latest_by_set, published

__all__ = [
    "STANDARD",
    "catalog",
    "catalogue_title",
    "file_url",
    "identifier",
    "list_csv",
    "meta_csv",
    "structure_csv",
]

STANDARD = "http://opendata.gosmonitor.ru/standard/3.0"
_FREQUENCY = {
    "daily": ("http://purl.org/cld/freq/daily", "ежедневно"),
    "weekly": ("http://purl.org/cld/freq/weekly", "еженедельно"),
    "monthly": ("http://purl.org/cld/freq/monthly", "ежемесячно"),
}
_LANGUAGES = ("ru", "tt", "en")


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def identifier(found: Dataset) -> str:
    """The set's identifier in the passport files: the publisher's INN, a dash, the code."""
    return f"{settings.OPENDATA_INN}-{found.code}"


def _csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()


def file_url(version: DatasetVersion, fmt: str) -> str:
    return _absolute(reverse("opendata:download", args=[version.dataset, version.version, fmt]))


def _in(language: str, value: Any) -> str:
    with translation.override(language):
        return str(value)


def list_csv() -> str:
    rows: list[list[Any]] = [["property", "title", "value", "format"]]
    for found, newest in latest_by_set():
        if newest is None:
            continue
        meta = reverse("opendata:meta", args=[identifier(found)])
        rows.append([identifier(found), _in("ru", found.title), _absolute(meta), "csv"])
    return _csv(rows)


def meta_csv(found: Dataset) -> str:
    versions = list(published(found.code))
    newest, first = versions[0], versions[-1]
    publisher = selectors.publisher()
    keywords = ", ".join(_in("ru", word) for word in found.keywords) or _in("ru", found.title)
    rows: list[list[Any]] = [
        ["property", "value"],
        ["standardversion", STANDARD],
        ["identifier", identifier(found)],
        ["title", _in("ru", found.title)],
        ["description", _in("ru", found.description)],
        ["creator", publisher["name"]],
        ["created", first.published_date],
        ["modified", newest.published_date],
        ["subject", keywords],
        ["format", "csv"],
    ]
    ident = identifier(found)
    for version in versions:
        name = f"data-{version.version}-structure-{version.structure}.csv"
        rows.append([name[: -len(".csv")], _absolute(reverse("opendata:data", args=[ident, name]))])
    for structure in sorted({v.structure for v in versions}, reverse=True):
        rows.append(
            [
                f"structure-{structure}",
                _absolute(reverse("opendata:structure", args=[ident, structure])),
            ]
        )
    rows += [
        ["publishername", publisher["name"]],
        ["publisherphone", publisher["phone"]],
        ["publishermbox", publisher["email"]],
        ["valid", newest.published_date],
        ["provenance", "Обновление набора открытых данных"],
        ["license", settings.OPENDATA_LICENCE["url"]],
    ]
    return _csv(rows)


def structure_csv(found: Dataset) -> str:
    rows: list[list[Any]] = [["field name", "english description", "russian description", "format"]]
    for field in found.fields:
        english = field.english or _in("en", field.title)
        rows.append([field.name, english, _in("ru", field.title), field.type])
    return _csv(rows)


def catalog() -> dict[str, Any]:
    """The DCAT catalogue of every set with a published version (JSON-LD)."""
    publisher = selectors.publisher()
    licence = {"@id": settings.OPENDATA_LICENCE["url"]}
    entries = []
    for found, newest in latest_by_set():
        if newest is None:
            continue
        page = _absolute(reverse("opendata:set", args=[found.code]))
        distributions = []
        for fmt, info in newest.files.items():
            if "skipped" in info:
                continue
            distributions.append(
                {
                    "@type": "dcat:Distribution",
                    "dct:format": fmt.upper(),
                    "dcat:mediaType": FORMATS[fmt][1].split(";")[0],
                    "dcat:compressFormat": "application/gzip"
                    if info["name"].endswith(".gz")
                    else None,
                    "dcat:downloadURL": {"@id": file_url(newest, fmt)},
                    "dcat:byteSize": info["size"],
                    "spdx:checksum": {
                        "@type": "spdx:Checksum",
                        "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                        "spdx:checksumValue": info["sha256"],
                    },
                    "dct:license": licence,
                }
            )
        for item in distributions:
            if item["dcat:compressFormat"] is None:
                del item["dcat:compressFormat"]
        entries.append(
            {
                "@id": page,
                "@type": "dcat:Dataset",
                "dct:identifier": identifier(found),
                "dct:title": [
                    {"@value": _in(lang, found.title), "@language": lang} for lang in _LANGUAGES
                ],
                "dct:description": [
                    {"@value": _in(lang, found.description), "@language": lang}
                    for lang in _LANGUAGES
                ],
                "dct:modified": {"@value": newest.finished_at.isoformat(), "@type": "xsd:dateTime"},
                "dct:accrualPeriodicity": {"@id": _FREQUENCY[found.frequency][0]},
                "dcat:keyword": [_in("ru", word) for word in found.keywords],
                "dct:license": licence,
                "dct:publisher": {"@type": "foaf:Organization", "foaf:name": publisher["name"]},
                "dcat:landingPage": {"@id": page},
                "dcat:distribution": distributions,
            }
        )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "spdx": "http://spdx.org/rdf/terms#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": _absolute(reverse("opendata:catalog")),
        "@type": "dcat:Catalog",
        "dct:title": [{"@value": catalogue_title(lang), "@language": lang} for lang in _LANGUAGES],
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": publisher["name"]},
        "dct:license": licence,
        "dcat:dataset": entries,
    }


def catalogue_title(language: str) -> str:
    with translation.override(language):
        return gettext("Open data of %(city)s") % {"city": settings.CITY_NAME}
