"""Notification templates, the outbox of messages, the delivery log and people's channel choices.

The :class:`Message` row is the source of truth: it is written in the same transaction as the
business change that caused it, and the delivery worker (huey) moves it through
``queued → sent/delivered`` or ``temp_failed → … → perm_failed``. Every try is one
:class:`DeliveryAttempt` row, never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import TimeStampedModel

LANGUAGE_CHOICES = [("ru", "Русский"), ("tt", "Татарча"), ("en", "English")]


class ChannelCode(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Browser notifications")
    CABINET = "cabinet", _("Personal cabinet")


class NotificationTemplate(TimeStampedModel):
    """The wording of one event in one language. Officials edit it in the admin; each edit is a
    new version and only one version per (event, language) is active.

    ``subject`` and ``body`` are used by e-mail and the cabinet; ``short_text`` by SMS and
    browser notifications (the subject is used when it is empty). All three are Django templates
    rendered with the event's context.
    """

    class Source(models.TextChoices):
        DEFAULT = "default", _("Declared default")
        EDITED = "edited", _("Edited by an official")

    event = models.CharField(_("event"), max_length=100, db_index=True)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.DEFAULT
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    short_text = models.CharField(
        _("short text (SMS, browser notification)"), max_length=500, blank=True
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        ordering = ["event", "language", "-version"]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "language", "version"], name="notifications_template_version"
            ),
            models.UniqueConstraint(
                fields=["event", "language"],
                condition=Q(is_active=True),
                name="notifications_template_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} [{self.language}] v{self.version}"


class Message(models.Model):
    """One notification to one address over one channel (the transactional outbox)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        TEMP_FAILED = "temp_failed", _("Temporary failure")
        PERM_FAILED = "perm_failed", _("Failed")

    PENDING = (Status.QUEUED, Status.TEMP_FAILED)
    PROBLEMS = (Status.TEMP_FAILED, Status.PERM_FAILED)

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,  # notif_msg_inbox (Meta) leads with it
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelCode.choices)
    address = models.CharField(_("address"), max_length=1000, blank=True)
    event = models.CharField(_("event"), max_length=100)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    template_version = models.PositiveIntegerField(_("template version"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # A message of a mailing list (a subscription): the e-mail carries it as List-Unsubscribe
    # with one-click unsubscribing (RFC 8058) beside the link in the text.
    unsubscribe_url = models.CharField(_("unsubscribe link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The sweeper: due pending messages, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "temp_failed"]),
                name="notif_msg_due",
            ),
            # The delivery-problems page.
            models.Index(
                fields=["status", "-created_at"],
                condition=Q(status__in=["temp_failed", "perm_failed"]),
                name="notif_msg_problems",
            ),
            # A person's cabinet list and unread counter.
            models.Index(fields=["recipient", "channel", "-created_at"], name="notif_msg_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.address or self.recipient_id} ({self.channel})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class DeliveryAttempt(models.Model):
    """One try to deliver one message: append-only, so the history of failures is kept."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        TEMP_FAILED = "temp_failed", _("Temporary failure")
        PERM_FAILED = "perm_failed", _("Permanent failure")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["message", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"#{self.number} {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("delivery attempts are append-only")
        super().save(*args, **kwargs)


class ChannelPreference(TimeStampedModel):
    """A person's choice for one channel; without a row the channel's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelCode.choices)
    enabled = models.BooleanField(_("enabled"))

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="notifications_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.channel}={'on' if self.enabled else 'off'}"


class PushSubscription(TimeStampedModel):
    """A browser's web-push subscription (endpoint and keys from the Push API)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.endpoint[:60]}"


class SmsLog(models.Model):
    """What the log-only SMS gateway "sent" (development, demo, or no SMS contract yet)."""

    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=30)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("SMS log entry")
        verbose_name_plural = _("SMS log")

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:40]}"
