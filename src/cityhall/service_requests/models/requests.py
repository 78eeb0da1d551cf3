"""A resident request and what it accumulates: the append-only status history, its timed
stages and their escalations, comments, photos and the resident's vote. ``status`` changes
only through :func:`cityhall.service_requests.services.transition`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityhall.accounts.models import Organisation

from ..routing import REASONS as ROUTING_REASONS
from .catalogue import Category, CategoryVersion
from .choices import OPEN_STATUSES, ApplicantKind, Channel, Status

__all__ = [
    "Comment",
    "Escalation",
    "Feedback",
    "Photo",
    "ServiceRequest",
    "Stage",
    "StatusChange",
    "new_public_token",
]


def new_public_token() -> str:
    return secrets.token_urlsafe(16)


class ServiceRequest(models.Model):
    """One resident's report. ``status``, ``organisation`` and ``stage_due_at`` are kept in step
    by :func:`cityhall.service_requests.services.transition` only."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    public_token = models.CharField(max_length=32, unique=True, default=new_public_token)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="requests", verbose_name=_("category")
    )
    category_version = models.ForeignKey(
        CategoryVersion, on_delete=models.PROTECT, related_name="requests"
    )
    building = models.ForeignKey(
        "geo.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("building"),
    )
    district = models.ForeignKey(
        "geo.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    suburb = models.ForeignKey(
        "geo.Suburb", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    #: The resident kept the description to the people handling the request: public pages and
    #: Open311 GET show no description.
    description_private = models.BooleanField(
        _("description kept private"), default=False, db_default=False
    )
    #: Moderation by staff (the FixMyStreet way; ``services.moderate_description``, audited):
    #: the public description hidden, or replaced by a redacted text. ``description`` itself
    #: stays as the resident typed it, for the people handling the request.
    description_hidden = models.BooleanField(
        _("description hidden by staff"), default=False, db_default=False
    )
    description_redacted = models.TextField(
        _("redacted public description"), blank=True, default="", db_default=""
    )
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    applicant_kind = models.CharField(
        _("applicant"), max_length=15, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("author"),
    )
    contact_name = models.CharField(pgettext_lazy("person", "name"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True, db_index=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by operator"),
    )
    open311_client = models.ForeignKey(
        "Open311Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("responsible organisation"),
    )
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("executor"),
    )
    stage_due_at = models.DateTimeField(_("stage due"), null=True, blank=True)
    #: Set when the request leaves a stage after its due time (kept after closing, for the
    #: timeliness figures); an open request is late now when ``stage_due_at`` has passed.
    is_overdue = models.BooleanField(_("ran over a time limit"), default=False)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("merged into"),
    )
    report = models.TextField(_("executor's report"), blank=True)
    status_note = models.CharField(_("status note"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("resident request")
        verbose_name_plural = _("resident requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=Status.MERGED) | Q(parent__isnull=False),
                name="sr_request_merged_has_parent",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="sr_request_not_own_parent"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"], name="sr_req_queue"),
            models.Index(fields=["status", "-created_at"], name="sr_req_status"),
            # The requests maps count open requests per building (geo.clustering) from this
            # index alone.
            models.Index(fields=["status", "building"], name="sr_req_status_building"),
            # ... and the public map's district shading counts per district from this one.
            models.Index(fields=["status", "district"], name="sr_req_status_district"),
            models.Index(fields=["building", "category", "-created_at"], name="sr_req_duplicates"),
            models.Index(fields=["author", "-created_at"], name="sr_req_author"),
            models.Index(fields=["updated_at"], name="sr_req_updated"),
        ]

    def __str__(self) -> str:
        return f"№ {self.number or self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def public_description(self) -> str:
        """What public pages and Open311 show of the description: nothing when the resident
        kept it private or staff hid it, the redacted text when staff redacted it."""
        if self.description_private or self.description_hidden:
            return ""
        return self.description_redacted or self.description


class StatusChange(models.Model):
    """One move of a request's workflow: append-only."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("status changes are append-only")
        super().save(*args, **kwargs)

    @property
    def shown_reason(self) -> str:
        """The reason for people: routing's codes (``building_manager``) in words, in the
        reader's language; what a person typed, as typed."""
        return str(ROUTING_REASONS.get(self.reason, self.reason))


class Stage(models.Model):
    """The time a request spends in one timed status at one organisation, with its due time.

    Open stages (``finished_at`` is null) are what the overdue sweep scans, by ``due_at``; the
    sweep never edits them, it appends :class:`Escalation` rows.
    """

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=12, choices=Status.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(finished_at__isnull=True),
                name="sr_stage_open_due",
            ),
            models.Index(fields=["request", "finished_at"], name="sr_stage_request"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(finished_at__isnull=True),
                name="sr_stage_one_open_per_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.stage} due {self.due_at}"


class Escalation(models.Model):
    """A stage ran over its limit: level 1 tells the organisation's head and dispatchers,
    level 2 the committee. Written by the overdue sweep in bulk; ``notified_at`` is set once
    the notice went out, ``unreached`` when it found nobody."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="escalations")
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    #: The notice found nobody to tell (see ``services.escalation_recipients``): shown on the
    #: dispatcher board until the stage ends.
    unreached = models.BooleanField(_("reached nobody"), db_default=False)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["stage", "level"], name="sr_escalation_once")
        ]
        indexes = [
            models.Index(
                fields=["organisation", "level"],
                condition=Q(notified_at__isnull=True),
                name="sr_escalation_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: level {self.level}"


class Comment(models.Model):
    """A message between the resident and the executor on one request."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("text"))
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:60]


class Photo(models.Model):
    class Kind(models.TextChoices):
        INTAKE = "intake", _("With the request")
        REPORT = "report", _("Executor's report")
        COMMENT = "comment", _("With a comment")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="photos")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INTAKE)
    # the photo as the file service keeps it (core.uploads): checked, re-encoded, recorded
    stored = models.OneToOneField(
        "core.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name=_("photo")
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.stored.label

    @property
    def url(self) -> str:
        """The checked address of the photo (``/files/<id>/``), with no query."""
        from django.urls import reverse

        return reverse("files:serve", args=[self.stored_id])


class Feedback(models.Model):
    """The resident's vote after closure; the organisation's public rating is built from these."""

    request = models.OneToOneField(
        ServiceRequest, on_delete=models.CASCADE, related_name="feedback"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, related_name="request_feedback"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    text = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="sr_feedback_score_1_5"
            )
        ]
        indexes = [models.Index(fields=["organisation"], name="sr_feedback_org")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.score}"
