"""Versions of the open data sets: each generation writes a new one; once published it never
changes (its files, their SHA-256 and its row count are final) and is removed only by the
retention setting (``OPENDATA_KEEP_VERSIONS``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DatasetVersion(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", _("being generated")
        PUBLISHED = "published", _("published")
        FAILED = "failed", _("failed")

    dataset = models.CharField(_("data set"), max_length=64)
    version = models.CharField(_("version"), max_length=15)  # 20261206T021503, UTC
    structure = models.CharField(_("structure version"), max_length=8)  # 20261206
    signature = models.CharField(max_length=64)  # SHA-256 of the field names and types
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    expected_rows = models.PositiveBigIntegerField(null=True, blank=True)
    # format → {"name": file name, "size": bytes, "sha256": hex} or {"skipped": reason}
    files = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["dataset", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version"], name="opendata_version_once")
        ]
        indexes = [models.Index(fields=["dataset", "state", "version"])]
        verbose_name = _("data set version")
        verbose_name_plural = _("data set versions")

    def __str__(self) -> str:
        return f"{self.dataset} {self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored == self.State.PUBLISHED:
                raise PermissionError("a published data set version never changes")
        super().save(*args, **kwargs)

    @property
    def published_date(self) -> str:
        """``YYYYMMDD``: the date part of the version, as the passport files name it."""
        return self.version[:8]

    @property
    def progress_percent(self) -> int | None:
        if not self.expected_rows:
            return None
        return min(100, int(self.rows * 100 / self.expected_rows))
