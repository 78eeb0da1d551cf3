"""What participants send and what happens to it: participants (identified, never shown by
name), proposals numbered without gaps per discussion, attachments, experts' answers,
comments, support, reports and moderation (append-only: nothing is deleted), and the
organiser's reusable recommendation texts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityhall.core import files
from cityhall.core.models import AppendOnlyQuerySet, TimeStampedModel

from .discussion import Discussion


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
        PUBLIC_AUTHORITY = "public_authority", _("Public authority")
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
    # The section of the project document the proposal is about (participatory texts). No
    # index of its own: proposals are read per discussion (the index below), then by section,
    # and every index costs each registration a write.
    section = models.ForeignKey(
        "discussions.DocumentSection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        db_index=False,
        verbose_name=_("section of the project"),
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


def attachment_path(instance: ProposalAttachment, filename: str) -> str:
    """Where a proposal's attachment was stored before the file service (migration 0001 names
    it); files are now stored by ``core.uploads`` under random names."""
    return files.stored_name(f"discussions/{instance.proposal.discussion_id}/proposals", filename)


class ProposalAttachment(models.Model):
    """A file sent with a proposal, kept by the platform's file service (``stored``, served at
    ``/files/<id>/`` under ``discussions.file_access``'s rule). The name, type, size and
    SHA-256 are copies of the record's, so lists need no join."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    stored = models.OneToOneField(
        "core.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name=_("file")
    )
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
        AUTO_HIDE = "auto_hide", _("Hidden automatically after reports, pending review")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="moderation"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="moderation"
    )
    # None: the platform itself (hidden automatically after reports).
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.CharField(max_length=30, choices=ModerationReason.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["proposal", "at"]), models.Index(fields=["comment", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.reason}"


class RecommendationTemplate(TimeStampedModel):
    """A reusable reasoned answer for the organiser's recommendations."""

    title = models.CharField(_("title"), max_length=200)
    recommendation = models.CharField(max_length=10, choices=Proposal.Recommendation.choices)
    text = models.TextField(_("reasons"))

    def __str__(self) -> str:
        return self.title
