"""Standard interdepartmental requests and their types."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityhall.core.models import TimeStampedModel

from ..definition import schema_problems, text_in
from .applications import Application


class StandardRequestType(TimeStampedModel):
    """A reusable interdepartmental request ("extract from the land registry")."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.JSONField(_("name (ru/tt/en)"), default=dict)
    form_schema = models.JSONField(_("form (JSON Schema 2020-12)"), default=dict)
    addressee = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("addressee department"),
    )
    answer_days = models.PositiveSmallIntegerField(_("answer term, working days"), default=5)

    class Meta:
        ordering = ["code"]
        verbose_name = _("standard request type")
        verbose_name_plural = _("standard request types")

    def __str__(self) -> str:
        return text_in(self.name) or self.code

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if problems := schema_problems(self.form_schema):
            raise ValidationError({"form_schema": problems})


class StandardRequest(TimeStampedModel):
    """One interdepartmental request sent from an application: sent → accepted →
    answered / rejected / expired."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", pgettext_lazy("interagency request status", "Accepted")
        ANSWERED = "answered", _("Answered")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    OPEN = (Status.SENT, Status.ACCEPTED)

    type = models.ForeignKey(StandardRequestType, on_delete=models.PROTECT, related_name="requests")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="standard_requests"
    )
    addressee = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    payload = models.JSONField(_("request"), default=dict)
    answer = models.TextField(_("answer"), blank=True)
    answer_stored = models.OneToOneField(
        "core.StoredFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answer document"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(pgettext_lazy("date", "sent"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))
    closed_at = models.DateTimeField(pgettext_lazy("date", "closed"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("standard request")
        verbose_name_plural = _("standard requests")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["sent", "accepted"]),
                name="ms_request_open_due",
            ),
            models.Index(fields=["addressee", "status"], name="ms_request_desk"),
        ]

    def __str__(self) -> str:
        return f"{self.type.code} for {self.application_id} ({self.status})"
