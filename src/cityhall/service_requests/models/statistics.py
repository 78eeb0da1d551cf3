"""Figures recomputed by scheduled jobs: organisations' ratings and the daily and monthly
roll-ups that reports read instead of the raw requests.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.models import Organisation

__all__ = [
    "DailyStat",
    "MonthlyStat",
    "OrganisationRating",
    "StatMeasures",
    "StatRefresh",
]


class OrganisationRating(models.Model):
    """The public score of one organisation, recomputed on schedule (see ``rating.py``)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="request_rating"
    )
    votes = models.PositiveIntegerField(default=0)
    mean = models.FloatField(default=0)
    score = models.FloatField(default=0)
    requests_total = models.PositiveIntegerField(default=0)
    requests_open = models.PositiveIntegerField(default=0)
    closed_total = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation rating")
        verbose_name_plural = _("organisation ratings")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.score:.2f} ({self.votes})"


class StatMeasures(models.Model):
    """Counts of requests created in one period, per slice; statuses are measures, so that a
    slice has one row whatever the requests' states."""

    district_id = models.BigIntegerField(null=True)
    suburb_id = models.BigIntegerField(null=True)
    organisation_id = models.BigIntegerField(null=True)
    category_id = models.BigIntegerField()
    channel = models.CharField(max_length=10)
    applicant_kind = models.CharField(max_length=15)
    total = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    resolution_seconds = models.BigIntegerField(default=0)
    # Time spent in each finished stage, and how many such stages: average time per stage.
    new_seconds = models.BigIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    routed_seconds = models.BigIntegerField(default=0)
    routed_count = models.PositiveIntegerField(default=0)
    accepted_seconds = models.BigIntegerField(default=0)
    accepted_count = models.PositiveIntegerField(default=0)
    in_work_seconds = models.BigIntegerField(default=0)
    in_work_count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyStat(StatMeasures):
    """Roll-up by creation day. Reports read roll-ups, never the raw requests."""

    day = models.DateField()

    class Meta:
        verbose_name = _("daily statistics row")
        verbose_name_plural = _("daily statistics")
        indexes = [
            models.Index(fields=["day"], name="sr_stat_day"),
            models.Index(fields=["organisation_id", "day"], name="sr_stat_org"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.total}"


class MonthlyStat(StatMeasures):
    """The daily roll-up summed by month: long periods are answered from here, and only the
    partial months at the edges of a period from :class:`DailyStat`."""

    month = models.DateField()

    class Meta:
        verbose_name = _("monthly statistics row")
        verbose_name_plural = _("monthly statistics")
        indexes = [
            models.Index(fields=["month"], name="sr_mstat_month"),
            models.Index(fields=["organisation_id", "month"], name="sr_mstat_org"),
        ]

    def __str__(self) -> str:
        return f"{self.month}: {self.total}"


class StatRefresh(models.Model):
    """When the roll-ups of one creation day were last recomputed. A report's figures are "as
    of" the oldest refresh among the days of its period: the 15-minute job refreshes today and
    yesterday, the nightly rebuild every day, staff today on demand."""

    day = models.DateField(unique=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("statistics refresh")
        verbose_name_plural = _("statistics refreshes")

    def __str__(self) -> str:
        return f"{self.day}: {self.refreshed_at:%Y-%m-%d %H:%M}"
