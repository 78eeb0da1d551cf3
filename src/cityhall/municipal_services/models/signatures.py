"""The simple electronic signature of an application: one-time codes and stored signatures
(see ``signing.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .applications import Application


class SigningCode(models.Model):
    """A one-time code that signs one application in the state it had when the code was sent.

    The code is bound to the document digest: if the draft changes before the code is entered,
    the code no longer signs anything and the applicant must review and sign again. Only an HMAC
    of the code is kept; it expires, allows a few attempts, and new codes are rationed
    (see ``signing.CODE_*``).
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="signing_codes"
    )
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(_("document digest (SHA-256)"), max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("sent to"), max_length=254)
    code_hash = models.CharField(max_length=64, editable=False)
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("signing code")
        verbose_name_plural = _("signing codes")
        indexes = [models.Index(fields=["application", "signer", "-sent_at"], name="ms_sign_code")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.channel} @ {self.sent_at:%Y-%m-%d %H:%M}"


class ApplicationSignature(models.Model):
    """A simple electronic signature (a one-time code to the signer's confirmed phone or
    e-mail) over the canonical content of an application: service, version, answers and the
    SHA-256 of every file. Append-only; re-signing after a return adds a row."""

    class Method(models.TextChoices):
        SIMPLE = "simple", _("Simple electronic signature (one-time code)")

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="signatures",
        verbose_name=_("application"),
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signer"),
    )
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.SIMPLE
    )
    digest = models.CharField(_("document digest (SHA-256)"), max_length=64)
    content = models.JSONField(_("signed content"), default=dict)
    channel = models.CharField(
        _("code sent by"), max_length=10, choices=SigningCode.Channel.choices
    )
    address = models.CharField(_("code sent to (masked)"), max_length=254, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("application signature")
        verbose_name_plural = _("application signatures")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.digest[:12]}… ({self.signed_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("signatures are append-only")
        super().save(*args, **kwargs)
