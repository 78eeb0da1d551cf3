"""Public discussions of urban-planning documents (Town Planning Code, art. 5.1).

A :class:`Discussion` moves notice → exposition → proposals → protocol → conclusion → archive;
the current status is kept in step by ``services.transition`` and every move is a
:class:`StatusChange` row. Proposals are numbered without gaps per discussion. History rows
(status changes, document versions, moderation actions) are append-only: nothing is deleted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityhall.core import files
from cityhall.core.models import AppendOnlyQuerySet, TimeStampedModel


class DocumentType(TimeStampedModel):
    """A kind of document discussed, with the legal bounds of its procedure as data.

    Administrators change the bounds in the admin when the law or the city's charter changes;
    ``services.validate_dates`` checks every discussion's dates against them.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(pgettext_lazy("object name", "name"), max_length=200)
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
        return self.name


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
        DocumentType, on_delete=models.PROTECT, related_name="discussions"
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
    notice_date = models.DateField(_("notice date"))
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


def _version_path(instance: DocumentVersion, filename: str) -> str:
    return files.stored_name(f"discussions/{instance.document.discussion_id}/documents", filename)


class DocumentVersion(models.Model):
    """One version of a document. A correction is a new version; old versions stay public."""

    document = models.ForeignKey(
        DiscussionDocument, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=_version_path, max_length=300)
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
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+")
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


class ModerationReason(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("Contains personal data")
    INSULT = "insult", _("Insulting language")
    OFF_TOPIC = "off_topic", _("Not about the discussed project")
    DUPLICATE = "duplicate", _("Duplicate")


class Participant(models.Model):
    """A person or legal entity identified for one discussion.

    Identification data (name, birth date, address, masked document) go into the protocol's
    participant list and are never shown publicly: public pages say "Participant No. N".
    """

    class Type(models.TextChoices):
        RESIDENT = "resident", _("Resident of the territory")
        RIGHT_HOLDER = "right_holder", _("Right holder in the territory")
        LEGAL_ENTITY = "legal_entity", _("Legal entity in the territory")
        OTHER = "other", _("Other participant")

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="participants"
    )
    number = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discussion_participations",
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    is_legal_entity = models.BooleanField(default=False)
    full_name = models.CharField(max_length=400)
    birth_date = models.DateField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    document_masked = models.CharField(max_length=40, blank=True)
    identity_key = models.CharField(max_length=64, help_text="hash identifying the person")
    from_territory = models.BooleanField(default=False)
    district = models.ForeignKey(
        "geo.District", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["discussion_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "number"], name="discussions_participant_number"
            ),
            models.UniqueConstraint(
                fields=["discussion", "identity_key"], name="discussions_participant_identity"
            ),
        ]

    def __str__(self) -> str:
        return f"Participant No. {self.number}"

    @property
    def public_name(self) -> str:
        """Legal entities are named; private persons never are."""
        if self.is_legal_entity:
            return self.full_name
        return str(_("Participant No. %(number)s") % {"number": self.number})


class Proposal(models.Model):
    """A proposal, remark or question, registered with a gap-free number and time."""

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal")
        REMARK = "remark", _("Remark")
        QUESTION = "question", _("Question")

    class Channel(models.TextChoices):
        WEB = "web", _("On the website")
        WRITTEN = "written", _("In writing")
        VISITORS_BOOK = "visitors_book", _("Exposition visitors' book")
        ORAL_MEETING = "oral_meeting", _("Orally at the meeting")
        BULK_IMPORT = "bulk_import", _("Paper batch import")

    class Visibility(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden")

    class Recommendation(models.TextChoices):
        NONE = "", _("Not yet considered")
        ACCEPT = "accept", _("Take into account")
        REJECT = "reject", _("Not advisable to take into account")

    # No single-column index on these three keys: each leads one of the indexes in Meta
    # (every proposal registered writes each index; a redundant one is pure cost).
    discussion = models.ForeignKey(
        Discussion, on_delete=models.PROTECT, related_name="proposals", db_index=False
    )
    number = models.PositiveIntegerField(_("number"))
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="proposals", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discussion_proposals",
        db_index=False,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(pgettext_lazy("type", "kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"))
    text_hash = models.CharField(max_length=64, editable=False)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    area = models.JSONField(_("area (GeoJSON)"), null=True, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)
    from_territory = models.BooleanField(default=False)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    hidden_reason = models.CharField(max_length=30, choices=ModerationReason.choices, blank=True)
    support_count = models.PositiveIntegerField(default=0)
    recommendation = models.CharField(
        max_length=10, choices=Recommendation.choices, default="", blank=True
    )
    recommendation_reason = models.TextField(blank=True)
    same_as = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grouped",
        verbose_name=_("identical to proposal"),
    )

    class Meta:
        ordering = ["discussion_id", "number"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "number"], name="discussions_proposal_number"
            ),
            models.CheckConstraint(
                condition=Q(visibility="visible") | ~Q(hidden_reason=""),
                name="discussions_proposal_hidden_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["participant", "text_hash", "registered_at"]),
            models.Index(fields=["discussion", "kind", "number"]),
            models.Index(fields=["author", "discussion"]),
        ]

    def __str__(self) -> str:
        return f"No. {self.number}"


def _attachment_path(instance: ProposalAttachment, filename: str) -> str:
    return files.stored_name(f"discussions/{instance.proposal.discussion_id}/proposals", filename)


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.original_name


class Answer(models.Model):
    """An expert's public answer to a question."""

    question = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="answer")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("answer"))
    answered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


class Comment(models.Model):
    """A participant's comment on a proposal; threaded by ``parent``."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)
    visibility = models.CharField(
        max_length=10, choices=Proposal.Visibility.choices, default=Proposal.Visibility.VISIBLE
    )
    hidden_reason = models.CharField(max_length=30, choices=ModerationReason.choices, blank=True)

    class Meta:
        ordering = ["proposal_id", "created_at", "id"]
        indexes = [models.Index(fields=["proposal", "parent", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk}"


class Support(models.Model):
    """One person supports a proposal once."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="discussions_support_once")
        ]

    def __str__(self) -> str:
        return f"support {self.user_id} → {self.proposal_id}"


class Flag(models.Model):
    """A user's report that an item breaks the rules; it queues the item for moderators."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=30, choices=ModerationReason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["resolved_at", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal__isnull=False, comment__isnull=True)
                | Q(proposal__isnull=True, comment__isnull=False),
                name="discussions_flag_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"flag {self.pk}: {self.reason}"


class ModerationAction(models.Model):
    """A moderator hid or restored an item, for a listed reason; append-only."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="moderation"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="moderation"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.CharField(max_length=30, choices=ModerationReason.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.reason}"


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


def _new_token() -> str:
    return uuid.uuid4().hex


class Subscription(TimeStampedModel):
    """E-mail news of discussions in a territory and/or of a document type (topic).

    The territory is at most one of: a district, a suburb, or a point (an address the person
    typed, or a point chosen on the map; ``place`` is how the page names it). None = the whole
    city. A discussion matches a point its territory covers, a suburb it overlaps."""

    email = models.EmailField(_("e-mail"))
    district = models.ForeignKey(
        "geo.District", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    suburb = models.ForeignKey(
        "geo.Suburb", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    place = models.CharField(_("address or point"), max_length=300, blank=True)
    document_type = models.ForeignKey(
        DocumentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=32, unique=True, default=_new_token, editable=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["email"]), models.Index(fields=["is_active", "lat", "lon"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True)
                | Q(lat__isnull=False, lon__isnull=False),
                name="discussions_subscription_point_whole",
            ),
            models.CheckConstraint(
                condition=Q(district__isnull=True, suburb__isnull=True)
                | Q(district__isnull=True, lat__isnull=True)
                | Q(suburb__isnull=True, lat__isnull=True),
                name="discussions_subscription_one_territory",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


class ReminderSent(models.Model):
    """Which reminder went to whom, so the periodic job sends each only once."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "discussion", "kind"], name="discussions_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.discussion_id}"


class Follow(models.Model):
    """A signed-in person asked to be reminded of a discussion's deadlines ("remind me")."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["discussion", "user"], name="discussions_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.discussion_id}"


class PersonalReminder(models.Model):
    """Which reminder went to which follower or participant; each is sent at most once."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("The exposition is open")
        DEADLINE = "deadline", _("Proposals close soon")
        CONCLUSION = "conclusion", _("The conclusion is published")

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "user", "kind"], name="discussions_personal_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.discussion_id} → {self.user_id}"


class RecommendationTemplate(TimeStampedModel):
    """A reusable reasoned answer for the organiser's recommendations."""

    title = models.CharField(_("title"), max_length=200)
    recommendation = models.CharField(max_length=10, choices=Proposal.Recommendation.choices)
    text = models.TextField(_("reasons"))

    def __str__(self) -> str:
        return self.title


def _final_path(instance: FinalDocument, filename: str) -> str:
    return f"discussions/{instance.discussion_id}/final/{uuid.uuid4().hex}/{filename}"


class FinalDocument(models.Model):
    """The protocol or the conclusion: PDF + JSON with their SHA-256, signed in the system.

    Generated in the background; ``progress`` is polled by the page. Same data → same bytes.
    """

    class Kind(models.TextChoices):
        PROTOCOL = "protocol", _("Protocol")
        CONCLUSION = "conclusion", _("Conclusion")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        GENERATING = "generating", _("Generating")
        READY = "ready", _("Ready for signature")
        SIGNED = "signed", _("Signed")
        FAILED = "failed", _("Failed")

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="final_documents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.CharField(max_length=40)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(upload_to=_final_path, max_length=300, blank=True)
    json = models.FileField(upload_to=_final_path, max_length=300, blank=True)
    appendix = models.FileField(
        upload_to=_final_path,
        max_length=300,
        blank=True,
        help_text="participant list with identification data; never public",
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    json_sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["discussion", "kind"], name="discussions_final_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
