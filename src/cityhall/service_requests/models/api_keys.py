"""Open311 client systems: the api_key holders allowed to post requests (only the key's hash is
kept).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityhall.core.models import TimeStampedModel

__all__ = [
    "Open311Client",
]


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
