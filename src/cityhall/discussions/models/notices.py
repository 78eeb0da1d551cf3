"""Who hears about discussions: e-mail subscriptions by territory and topic, followers
("remind me"), and the rows that record each notice sent so none goes twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import TimeStampedModel

from .discussion import Discussion, DocumentType


def new_token() -> str:
    """A subscription's secret for its unsubscribe link."""
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
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    # Receiving news: only once the address's owner confirmed it (double opt-in) and until
    # they unsubscribe. A new subscription waits, inactive, for its confirmation link.
    is_active = models.BooleanField(default=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

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
