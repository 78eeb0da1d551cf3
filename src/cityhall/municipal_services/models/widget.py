"""The widget on other portals: the sites allowed to embed it and the hand-offs of their
answers to this portal."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityhall.core.models import TimeStampedModel

from .applications import Application
from .catalogue import Service, ServiceVersion


class WidgetSite(TimeStampedModel):
    """Another portal allowed to embed the application widget (by its origin)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(pgettext_lazy("object name", "name"), max_length=200)
    origin = models.CharField(
        _("allowed origins"),
        max_length=500,
        help_text=_(
            "Scheme and host of each page allowed to embed the widget, separated by spaces, "
            "e.g. https://uslugi.example https://mfc.example"
        ),
    )
    services = models.ManyToManyField(Service, blank=True, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("widget site")
        verbose_name_plural = _("widget sites")

    def __str__(self) -> str:
        return f"{self.name} ({self.origin})"

    @property
    def origins(self) -> list[str]:
        """The allowed origins that are well formed (scheme://host[:port], nothing more)."""
        from urllib.parse import urlparse

        result = []
        for item in self.origin.split():
            parsed = urlparse(item)
            if parsed.scheme in ("http", "https") and parsed.netloc and not parsed.path.strip("/"):
                result.append(f"{parsed.scheme}://{parsed.netloc}")
        return result

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not self.origins or len(self.origins) != len(self.origin.split()):
            raise ValidationError(
                {"origin": _("Give each origin as scheme and host, e.g. https://uslugi.example")}
            )


class WidgetHandoff(models.Model):
    """Answers collected in the widget on another portal, waiting for the person to continue
    on this portal (first-party, in a new tab): no third-party cookie is needed. The token is
    random, single-use and expires; only its SHA-256 is stored."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    site = models.ForeignKey(WidgetSite, on_delete=models.CASCADE, related_name="handoffs")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ServiceVersion, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(_("answers"), default=dict)
    language = models.CharField(_("language"), max_length=5, default="ru")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    claimed_at = models.DateTimeField(_("continued at"), null=True, blank=True)
    application = models.OneToOneField(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="widget_handoff",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("widget handoff")
        verbose_name_plural = _("widget handoffs")
        indexes = [models.Index(fields=["expires_at"], name="ms_handoff_expiry")]

    def __str__(self) -> str:
        return f"{self.site.key}/{self.service.code} @ {self.created_at:%Y-%m-%d %H:%M}"
