"""Resident requests: the catalogue (versioned), areas of responsibility, requests, their
append-only history, SLA stages, attachments, feedback, Open311 clients and roll-ups.

A request keeps the :class:`CategoryVersion` it started on, so an official editing the
catalogue never rewrites the time limits of requests already open.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.models import Organisation
from cityhall.core import files
from cityhall.core.models import TimeStampedModel


class Status(models.TextChoices):
    NEW = "new", _("Awaiting dispatcher")
    ROUTED = "routed", _("Sent to the organisation")
    ACCEPTED = "accepted", pgettext_lazy("request status", "Accepted")
    IN_WORK = "in_work", _("In work")
    DONE = "done", _("Done, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another request")


OPEN_STATUSES = (Status.NEW, Status.ROUTED, Status.ACCEPTED, Status.IN_WORK)
CLOSED_STATUSES = (Status.DONE, Status.CONFIRMED, Status.REJECTED, Status.MERGED)
#: Statuses whose time runs against a limit (the "stages" of a request).
TIMED_STATUSES = (Status.NEW, Status.ROUTED, Status.ACCEPTED, Status.IN_WORK)


class Channel(models.TextChoices):
    WEB = "web", _("Web site")
    OPERATOR = "operator", _("Call centre")
    OPEN311 = "open311", _("Open311 API")


class ApplicantKind(models.TextChoices):
    PERSON = "person", pgettext_lazy("applicant type", "Person")
    ORGANISATION = "organisation", _("Organisation")


class LimitUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_HOURS = "calendar_hours", _("calendar hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


RESPONSIBLE_TYPES = [
    (Organisation.Type.MANAGING_ORGANISATION.value, Organisation.Type.MANAGING_ORGANISATION.label),
    (Organisation.Type.RESOURCE_SUPPLIER.value, Organisation.Type.RESOURCE_SUPPLIER.label),
    (Organisation.Type.CONTRACTOR.value, Organisation.Type.CONTRACTOR.label),
    (Organisation.Type.EXECUTIVE_DEPARTMENT.value, Organisation.Type.EXECUTIVE_DEPARTMENT.label),
]


class Category(TimeStampedModel):
    """A service type residents choose ("Roof leak"). What changes over time (questions, limits)
    lives in :class:`CategoryVersion`; ``current_version`` is the one new requests use."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_tt = models.CharField(_("name (Tatar)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    is_emergency = models.BooleanField(_("emergency"), default=False)
    responsible_type = models.CharField(
        _("responsible organisation type"), max_length=30, choices=RESPONSIBLE_TYPES
    )
    is_active = models.BooleanField(_("active"), default=True)
    current_version = models.ForeignKey(
        "CategoryVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )

    class Meta:
        ordering = ["group", "code"]
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "ru")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_ru


class CategoryVersion(models.Model):
    """One published edition of a category's questions and stage limits. Never edited once a
    request uses it; the admin publishes a new version instead."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="versions", verbose_name=_("category")
    )
    number = models.PositiveIntegerField(_("version"))
    attributes = models.JSONField(
        _("questions (Open311 attributes)"),
        default=list,
        blank=True,
        help_text=_(
            "List of {code, datatype, required, description, order, values:[{key, name}]}; "
            "datatype is string, number, datetime, text, singlevaluelist or multivaluelist."
        ),
    )
    created_at = models.DateTimeField(_("published"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["category", "-number"]
        verbose_name = _("category version")
        verbose_name_plural = _("category versions")
        constraints = [
            models.UniqueConstraint(fields=["category", "number"], name="sr_catversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category.code} v{self.number}"


class StageLimit(models.Model):
    """How long a request may stay in one status, for one category version."""

    version = models.ForeignKey(
        CategoryVersion, on_delete=models.CASCADE, related_name="limits", verbose_name=_("version")
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=[(s.value, s.label) for s in TIMED_STATUSES]
    )
    amount = models.PositiveIntegerField(_("limit"))
    unit = models.CharField(_("unit"), max_length=20, choices=LimitUnit.choices)

    class Meta:
        verbose_name = _("stage limit")
        verbose_name_plural = _("stage limits")
        constraints = [
            models.UniqueConstraint(fields=["version", "stage"], name="sr_stagelimit_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="sr_stagelimit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.stage}: {self.amount} {self.unit}"


class DispatchCentre(TimeStampedModel):
    """The committee whose dispatchers take unroutable requests and escalations (one row)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )

    class Meta:
        verbose_name = _("dispatch centre")
        verbose_name_plural = _("dispatch centre")

    def __str__(self) -> str:
        return str(self.organisation)


class BuildingManagement(TimeStampedModel):
    """Each building is managed by exactly one managing organisation."""

    building = models.OneToOneField(
        "geo.Building",
        on_delete=models.CASCADE,
        related_name="management",
        verbose_name=_("building"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="managed_buildings",
        verbose_name=_("managing organisation"),
        limit_choices_to={"type": Organisation.Type.MANAGING_ORGANISATION},
    )

    class Meta:
        verbose_name = _("building management")
        verbose_name_plural = _("building management")

    def __str__(self) -> str:
        return f"{self.building} → {self.organisation}"


class ResponsibilityArea(TimeStampedModel):
    """A supplier or contractor serves one category in one building or in a whole district.
    A building-level row wins over the district; uniqueness makes the answer single."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="responsibility_areas",
        verbose_name=_("organisation"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="areas", verbose_name=_("category")
    )
    building = models.ForeignKey(
        "geo.Building",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    district = models.ForeignKey(
        "geo.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )

    class Meta:
        verbose_name = _("area of responsibility")
        verbose_name_plural = _("areas of responsibility")
        constraints = [
            models.CheckConstraint(
                condition=(Q(building__isnull=False) & Q(district__isnull=True))
                | (Q(building__isnull=True) & Q(district__isnull=False)),
                name="sr_area_building_xor_district",
            ),
            models.UniqueConstraint(
                fields=["category", "building"],
                condition=Q(building__isnull=False),
                name="sr_area_one_per_building",
            ),
            models.UniqueConstraint(
                fields=["category", "district"],
                condition=Q(district__isnull=False),
                name="sr_area_one_per_district",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}: {self.building or self.district} → {self.organisation}"


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
    description = models.TextField(_("description"))
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
            models.Index(fields=["building", "category", "-created_at"], name="sr_req_duplicates"),
            models.Index(fields=["author", "-created_at"], name="sr_req_author"),
            models.Index(fields=["updated_at"], name="sr_req_updated"),
        ]

    def __str__(self) -> str:
        return f"№ {self.number or self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


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
    """A stage ran over its limit: level 1 tells the organisation's head, level 2 the
    committee. Written by the overdue sweep in bulk; ``notified_at`` is set once sent."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="escalations")
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

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
    image = models.ImageField(_("photo"), upload_to=files.RandomName("requests/%Y/%m"))
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
        return self.image.name


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


class Open311Client(TimeStampedModel):
    """A system allowed to POST requests. Only the key's SHA-256 is stored; shown once."""

    name = models.CharField(pgettext_lazy("object name", "name"), max_length=200, unique=True)
    key_prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


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
