"""Residents who said "this is my problem too" about an open request (the Signalen and
FixMyStreet way of avoiding duplicates): they are told how the work goes, as its author is,
instead of filing a second request about the same problem.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .requests import ServiceRequest

__all__ = ["Follower"]


class Follower(models.Model):
    """One resident following a request: an account, or (registered by the call centre for a
    caller without one) the phone or e-mail they gave. Never shown to the public."""

    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="followers",
        verbose_name=_("request"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by (operator)"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("follower of a request")
        verbose_name_plural = _("followers of requests")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "user"],
                condition=Q(user__isnull=False),
                name="sr_follower_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["request", "contact_phone"],
                condition=Q(user__isnull=True) & ~Q(contact_phone=""),
                name="sr_follower_once_per_phone",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(contact_phone="") | ~Q(contact_email=""),
                name="sr_follower_reachable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} ← {self.user or self.contact_phone or self.contact_email}"
