"""The discussion and its record: document types with their legal terms, the statuses and
their append-only history, published documents (every version kept), initiation requests and
hearing meetings. The status is changed only by ``services.transition``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cityhall.core import files
from cityhall.core.models import AppendOnlyQuerySet, TimeStampedModel


class DocumentType(TimeStampedModel):
    """A kind of document discussed, with the legal bounds of its procedure as data.

    Administrators change the bounds in the admin when the law or the city's charter changes;
    ``services.validate_dates`` checks every discussion's dates against them.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(pgettext_lazy("object name", "name"), max_length=200)
    name_tt = models.CharField(_("name (Tatar)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    min_notice_days = models.PositiveIntegerField(
        _("minimum days from notice to posting the project"), default=7
    )
    max_days_to_conclusion = models.PositiveIntegerField(
        _("maximum days from notice to published conclusion"), null=True, blank=True
    )
    min_exposition_days = models.PositiveIntegerField(
        _("minimum exposition length, days"), default=1
    )
    max_exposition_days = models.PositiveIntegerField(
        _("maximum exposition length, days"), null=True, blank=True
    )
    terms_in_working_days = models.BooleanField(
        _("terms counted in working days"),
        default=False,
        help_text=_("Otherwise calendar days, as art. 5.1 sets them."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_exposition_days__isnull=True)
                | Q(max_exposition_days__gte=F("min_exposition_days")),
                name="discussions_doctype_exposition_bounds",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (Russian when there is no translation). The
        protocol and the conclusion keep ``name``: the legal record is in Russian."""
        language = (get_language() or "ru")[:2]
        return {"tt": self.name_tt, "en": self.name_en}.get(language) or self.name


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    EXPOSITION_OPEN = "exposition_open", _("Exposition open")
    PROPOSALS_CLOSED = "proposals_closed", _("Proposals closed")
    PROTOCOL_SIGNED = "protocol_signed", _("Protocol signed")
    CONCLUSION_PUBLISHED = "conclusion_published", _("Conclusion published")
    ARCHIVED = "archived", _("Archived")
    CANCELLED = "cancelled", _("Cancelled")


class Discussion(TimeStampedModel):
    """One public discussion (or public hearing, when ``with_meeting``)."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    document_type = models.ForeignKey(
        DocumentType,
        on_delete=models.PROTECT,
        related_name="discussions",
        verbose_name=_("document type"),
    )
    organiser = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="organised_discussions",
        verbose_name=_("organiser"),
    )
    responsible_official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible official"),
        help_text=_("An official of the organiser who signs the protocol and the conclusion."),
    )
    responsible_official_position = models.CharField(
        _("position of the responsible official"), max_length=300, blank=True
    )
    with_meeting = models.BooleanField(_("public hearing with a meeting"), default=False)
    exposition_place = models.CharField(_("exposition place"), max_length=300, blank=True)
    districts = models.ManyToManyField(
        "geo.District", blank=True, related_name="discussions", verbose_name=_("districts")
    )
    territory = models.JSONField(_("territory (GeoJSON geometry)"), null=True, blank=True)
    territory_description = models.CharField(_("territory"), max_length=500, blank=True)
    # Who may take part (art. 5.1 p. 2); computed from verified attributes only.
    allow_residents = models.BooleanField(_("residents of the territory"), default=True)
    allow_right_holders = models.BooleanField(
        _("owners and right holders of land or buildings in the territory"), default=True
    )
    allow_legal_entities = models.BooleanField(
        _("legal entities located in the territory"), default=True
    )
    open_to_all_verified = models.BooleanField(
        _("other verified persons may take part (listed separately)"), default=False
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    notice_date = models.DateField(
        _("notice date"),
        help_text=_("Planned while in draft; on announcing it becomes the date of publication."),
    )
    # The legal record of the notice (art. 5.1 p. 8): when and where it was really published,
    # recorded by the announce transition; the legal terms count from here, never a typed date.
    notice_published_at = models.DateTimeField(
        _("notice published at"), null=True, blank=True, editable=False
    )
    notice_source = models.CharField(
        _("official source of the notice"),
        max_length=500,
        blank=True,
        editable=False,
        help_text=_("The official publication and its issue or URL, e.g. a gazette number."),
    )
    exposition_start = models.DateTimeField(_("exposition opens"))
    exposition_end = models.DateField(_("exposition ends"))
    proposal_deadline = models.DateTimeField(_("proposal deadline"))
    conclusion_due = models.DateField(_("conclusion due"))
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    proposal_count = models.PositiveIntegerField(_("proposals"), default=0, editable=False)
    participant_count = models.PositiveIntegerField(_("participants"), default=0, editable=False)
    conclusions = models.TextField(_("conclusions"), blank=True)
    search_text = models.TextField(
        blank=True, editable=False, help_text="number, title, description, case-folded"
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # The organiser's audited decision to publish the conclusion listing unanswered questions
    # as unanswered (otherwise unanswered questions block it).
    lists_unanswered_questions = models.BooleanField(
        _("unanswered questions are listed in the conclusion"), default=False, editable=False
    )
    initiation = models.OneToOneField(
        "InitiationRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discussion",
    )
    # Bounding box of the territory for a cheap SQL pre-filter (map, subscriptions).
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-notice_date", "-id"]
        verbose_name = _("public discussion")
        verbose_name_plural = _("public discussions")
        indexes = [
            models.Index(fields=["status", "notice_date"]),
            models.Index(fields=["document_type", "notice_date"]),
            models.Index(fields=["status", "exposition_start"]),
            models.Index(fields=["status", "proposal_deadline"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=F("min_age")),
                name="discussions_age_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        # Case-insensitive search that works for Cyrillic on SQLite too (its LIKE is ASCII-only).
        self.search_text = " ".join((self.number, self.title, self.description)).casefold()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "description"} & set(update_fields):
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    @property
    def is_read_only(self) -> bool:
        return self.status in (Status.ARCHIVED, Status.CANCELLED)

    @property
    def accepts_proposals(self) -> bool:
        return self.status == Status.EXPOSITION_OPEN and timezone.now() <= self.proposal_deadline


class StatusChange(models.Model):
    """One move of a discussion's status; append-only."""

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.discussion_id}: {self.from_status} → {self.to_status}"


class DiscussionDocument(TimeStampedModel):
    """A document published with the discussion (the project, materials, the territory map)."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("Project")
        MATERIAL = "material", _("Informational material")
        TERRITORY = "territory", _("Territory map")
        NOTICE = "notice", _("Notice")
        MINUTES = "minutes", _("Meeting minutes")

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(pgettext_lazy("type", "kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("discussion document")
        verbose_name_plural = _("discussion documents")

    def __str__(self) -> str:
        return self.title


def version_path(instance: DocumentVersion, filename: str) -> str:
    """Where a document version's file was stored before the file service (migration 0001
    names it); files are now stored by ``core.uploads`` under random names."""
    return files.stored_name(f"discussions/{instance.document.discussion_id}/documents", filename)


class DocumentVersion(models.Model):
    """One version of a document. A correction is a new version; old versions stay public."""

    document = models.ForeignKey(
        DiscussionDocument, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    # kept by the file service, served at /files/<id>/ (discussions.file_access's rule)
    stored = models.OneToOneField(
        "core.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name=_("file")
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["document_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="discussions_docver_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class InitiationRequest(TimeStampedModel):
    """A request from a resident, business, land owner or authority to hold a discussion."""

    class InitiatorKind(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        BUSINESS = "business", _("Business")
        LAND_OWNER = "land_owner", _("Land owner")
        AUTHORITY = "authority", _("Public authority")

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="discussion_initiations"
    )
    initiator_kind = models.CharField(_("initiator"), max_length=20, choices=InitiatorKind.choices)
    organiser = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    document_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("document type")
    )
    title = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"))
    territory_description = models.CharField(_("territory"), max_length=500, blank=True)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="refused") | ~Q(refusal_reason=""),
                name="discussions_initiation_refusal_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Meeting(TimeStampedModel):
    """A meeting of a public hearing, with its minutes."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=300)
    minutes = models.TextField(_("minutes"), blank=True)
    attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.place} {self.starts_at:%Y-%m-%d %H:%M}"
