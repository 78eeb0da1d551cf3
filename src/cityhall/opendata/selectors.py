"""Reading the published versions (pages, downloads, the API)."""

from __future__ import annotations

from django.conf import settings

from cityhall.core.opendata import Dataset, datasets

from .models import DatasetVersion

__all__ = ["latest", "latest_by_set", "publisher", "published", "read_alias", "running", "version"]


def read_alias() -> str:
    """The database the API's row queries read: a replica when one is configured."""
    return "replica" if "replica" in settings.DATABASES else "default"


def published(code: str):
    return DatasetVersion.objects.filter(
        dataset=code, state=DatasetVersion.State.PUBLISHED
    ).order_by("-version")


def latest(code: str) -> DatasetVersion | None:
    return published(code).first()


def latest_by_set() -> list[tuple[Dataset, DatasetVersion | None]]:
    newest: dict[str, DatasetVersion] = {}
    for found in DatasetVersion.objects.filter(state=DatasetVersion.State.PUBLISHED).order_by(
        "dataset", "-version"
    ):
        newest.setdefault(found.dataset, found)
    return [(d, newest.get(d.code)) for d in datasets()]


def version(code: str, name: str) -> DatasetVersion | None:
    if name == "latest":
        return latest(code)
    return published(code).filter(version=name).first()


def running() -> list[DatasetVersion]:
    return list(
        DatasetVersion.objects.filter(state=DatasetVersion.State.RUNNING).order_by("started_at")
    )


def publisher(language: str = "ru") -> dict[str, str]:
    """Who publishes the sets (``OPENDATA_PUBLISHER``; its name defaults to the city's)."""
    from django.utils import translation

    found = dict(settings.OPENDATA_PUBLISHER)
    if not found.get("name"):
        with translation.override(language):
            found["name"] = str(settings.CITY_NAME)
    return found
