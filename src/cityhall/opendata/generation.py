"""Generating a data set's new version: stream its rows into the files, publish, keep N.

A version is written into a hidden folder and published by renaming it and flipping its state
in one update, so a reader never sees half a version. A generation that fails leaves the
previous version published, marks the new one failed with the reason, and tells the
administrators (the ``opendata.generation_failed`` event). Progress (rows written of rows
expected) is stored every :data:`PROGRESS_EVERY` rows for the staff page's progress bar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.accounts.models import Role
from cityhall.core import audit
from cityhall.core.errors import Conflict, NotFound
from cityhall.core.opendata import Dataset, dataset
from cityhall.notifications.services import notify, register_event

from .formats import XLSX_MAX_ROWS, Writers
from .models import DatasetVersion

__all__ = ["GENERATION_FAILED", "declare_events", "generate", "root", "version_folder"]

log = logging.getLogger(__name__)

PROGRESS_EVERY = 20_000
# A generation not finished after this long died with its process (kill -9, a reboot): it no
# longer blocks a new one.
STALE_AFTER = dt.timedelta(hours=6)
GENERATION_FAILED = "opendata.generation_failed"


def root() -> Path:
    return Path(settings.OPENDATA_ROOT)


def version_folder(version: DatasetVersion) -> Path:
    return root() / version.dataset / version.version


def generate(code: str, *, actor: Any = None) -> DatasetVersion:
    """Write and publish a new version of the set ``code``; returns it (published or failed)."""
    found = dataset(code)
    if found is None:
        raise NotFound()
    version = _start(found, actor=actor)
    partial = root() / found.code / f".{version.version}.partial"
    try:
        files = _write(found, version, partial)
    except Exception as error:  # noqa: BLE001 - any failure keeps the previous version
        log.exception("open data: generating %s failed", code)
        shutil.rmtree(partial, ignore_errors=True)
        _fail(version, error, actor=actor)
        return version
    partial.rename(version_folder(version))
    DatasetVersion.objects.filter(pk=version.pk, state=DatasetVersion.State.RUNNING).update(
        state=DatasetVersion.State.PUBLISHED, files=files, finished_at=timezone.now()
    )
    version.refresh_from_db()
    audit.record(
        actor=actor,
        action="opendata.published",
        target=version,
        after={"rows": version.rows, "files": files},
    )
    _apply_retention(found.code)
    return version


def _start(found: Dataset, *, actor: Any) -> DatasetVersion:
    now = timezone.now()
    DatasetVersion.objects.filter(
        dataset=found.code, state=DatasetVersion.State.RUNNING, started_at__lt=now - STALE_AFTER
    ).update(state=DatasetVersion.State.FAILED, error="stopped before it finished")
    if DatasetVersion.objects.filter(
        dataset=found.code, state=DatasetVersion.State.RUNNING
    ).exists():
        raise Conflict(
            _("This data set is being generated now; wait until it is finished."),
            code="generation_running",
        )
    signature = hashlib.sha256(found.structure_signature().encode()).hexdigest()
    stamp = now.astimezone(dt.UTC)
    version_name = stamp.strftime("%Y%m%dT%H%M%S")
    while DatasetVersion.objects.filter(dataset=found.code, version=version_name).exists():
        stamp += dt.timedelta(seconds=1)  # two generations within a second: the next name
        version_name = stamp.strftime("%Y%m%dT%H%M%S")
    same = (
        DatasetVersion.objects.filter(dataset=found.code, signature=signature)
        .exclude(state=DatasetVersion.State.RUNNING)
        .order_by("version")
        .values_list("structure", flat=True)
        .first()
    )
    expected = found.count() if found.count else None
    return DatasetVersion.objects.create(
        dataset=found.code,
        version=version_name,
        structure=same or version_name[:8],
        signature=signature,
        started_at=now,
        expected_rows=expected,
        requested_by=actor if getattr(actor, "pk", None) else None,
    )


def _write(found: Dataset, version: DatasetVersion, folder: Path) -> dict[str, Any]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    stem = f"data-{version.version}-structure-{version.structure}"
    most = min(XLSX_MAX_ROWS, settings.OPENDATA_XLSX_MAX_ROWS)
    xlsx = most > 0 and (version.expected_rows is None or version.expected_rows <= most)
    writers = Writers(found, folder, stem, xlsx=xlsx)
    rows = found.rows()
    done = 0
    try:
        while True:
            written = writers.write(itertools.islice(rows, PROGRESS_EVERY))
            done += written
            DatasetVersion.objects.filter(pk=version.pk).update(rows=done)
            if written < PROGRESS_EVERY:
                break
    except BaseException:
        writers.abort()
        raise
    version.rows = done
    return writers.close()


def _fail(version: DatasetVersion, error: BaseException, *, actor: Any) -> None:
    reason = f"{type(error).__name__}: {error}"[:2000]
    DatasetVersion.objects.filter(pk=version.pk).update(
        state=DatasetVersion.State.FAILED, error=reason, finished_at=timezone.now()
    )
    version.refresh_from_db()
    audit.record(actor=actor, action="opendata.failed", target=version, after={"error": reason})
    url = reverse("opendata:staff")
    administrators = (
        get_user_model()
        .objects.filter(
            Q(memberships__role=Role.ADMINISTRATOR) | Q(is_superuser=True), is_active=True
        )
        .distinct()
    )
    for person in administrators:
        notify(
            recipient=person,
            event=GENERATION_FAILED,
            context={"dataset": version.dataset, "version": version.version, "url": url},
        )


def _apply_retention(code: str) -> None:
    """Keep the newest ``OPENDATA_KEEP_VERSIONS`` published versions (and their files)."""
    keep = max(1, int(settings.OPENDATA_KEEP_VERSIONS))
    published = DatasetVersion.objects.filter(
        dataset=code, state=DatasetVersion.State.PUBLISHED
    ).order_by("-version")
    for old in published[keep:]:
        shutil.rmtree(version_folder(old), ignore_errors=True)
        DatasetVersion.objects.filter(pk=old.pk).delete()
    DatasetVersion.objects.filter(dataset=code, state=DatasetVersion.State.FAILED).exclude(
        pk__in=DatasetVersion.objects.filter(dataset=code, state=DatasetVersion.State.FAILED)
        .order_by("-version")
        .values("pk")[:keep]
    ).delete()


def declare_events() -> None:
    register_event(
        GENERATION_FAILED,
        description=gettext_lazy("An open data set could not be generated"),
        variables=("dataset", "version"),
        default_templates={
            "ru": {
                "subject": "Открытые данные: набор {{ dataset }} не сформирован",
                "body": "Версия {{ version }} набора {{ dataset }} не сформирована; "
                "опубликованной остаётся предыдущая.\nПодробности: {{ site_url }}{{ url }}",
            },
            "tt": {
                "subject": "Ачык мәгълүматлар: {{ dataset }} җыелмасы төзелмәде",
                "body": "{{ dataset }} җыелмасының {{ version }} версиясе төзелмәде; "
                "алдагысы бастырылган булып кала.\nТулырак: {{ site_url }}{{ url }}",
            },
            "en": {
                "subject": "Open data: the {{ dataset }} set was not generated",
                "body": "Version {{ version }} of the {{ dataset }} set was not generated; "
                "the previous one stays published.\nDetails: {{ site_url }}{{ url }}",
            },
        },
    )
