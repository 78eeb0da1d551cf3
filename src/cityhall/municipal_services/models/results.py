"""What an approved application issues: the result document and the registry record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityhall.core import files
from cityhall.core.models import TimeStampedModel

from .applications import Application


class ResultDocument(TimeStampedModel):
    """The generated result of an application (PDF from the definition's template)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="result")
    kind = models.CharField(pgettext_lazy("type", "kind"), max_length=20)
    number = models.CharField(_("number"), max_length=40)
    file = models.FileField(_("file"), upload_to=files.RandomName("municipal_services/results/%Y"))

    class Meta:
        verbose_name = _("result document")
        verbose_name_plural = _("result documents")

    def __str__(self) -> str:
        return self.number


class RegistryRecord(TimeStampedModel):
    """A public registry entry (e.g. the register of issued building permits)."""

    registry = models.CharField(_("registry"), max_length=80, db_index=True)
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    holder = models.CharField(_("holder"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    issued_on = models.DateField(_("issued"))
    application = models.OneToOneField(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registry_record",
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("registry record")
        verbose_name_plural = _("registry records")
        constraints = [
            models.UniqueConstraint(fields=["registry", "number"], name="ms_registry_number")
        ]
        indexes = [models.Index(fields=["registry", "-issued_on"], name="ms_registry_list")]

    def __str__(self) -> str:
        return f"{self.registry} {self.number}"
