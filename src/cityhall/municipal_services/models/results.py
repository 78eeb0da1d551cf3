"""What an approved application issues: the result document and the registry record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityhall.core.models import TimeStampedModel

from .applications import Application


class ResultDocument(TimeStampedModel):
    """The generated result of an application (PDF from the definition's template)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="result")
    kind = models.CharField(pgettext_lazy("type", "kind"), max_length=20)
    number = models.CharField(_("number"), max_length=40)
    stored = models.OneToOneField(
        "core.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name=_("file")
    )

    class Meta:
        verbose_name = _("result document")
        verbose_name_plural = _("result documents")

    def __str__(self) -> str:
        return self.number


def folded(text: str) -> str:
    """Text as the registry search compares it: case-folded (Cyrillic too, which SQLite's
    LIKE does not fold), "ё" as "е", runs of spaces as one."""
    return " ".join(str(text or "").casefold().replace("ё", "е").split())


class Registry(TimeStampedModel):
    """A public register's name (ru/tt/en) for its code, as officials call it; a service's
    definition names the register it records into by the code."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.JSONField(_("name (ru/tt/en)"), default=dict)

    class Meta:
        ordering = ["code"]
        verbose_name = _("register")
        verbose_name_plural = _("registers")

    def __str__(self) -> str:
        from ..definition import text_in

        return text_in(self.name) or self.code


class RegistryRecord(TimeStampedModel):
    """A public registry entry (e.g. the register of issued building permits).

    ``search_text`` holds the searchable fields folded once when the row is written
    (:func:`folded`), so one ``LIKE`` finds "петербургская" in "Петербургская" on SQLite as
    on PostgreSQL, and the cadastral number is searchable like the rest.
    """

    registry = models.CharField(_("registry"), max_length=80, db_index=True)
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    holder = models.CharField(_("holder"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    cadastral_number = models.CharField(_("cadastral number"), max_length=40, blank=True)
    search_text = models.TextField(_("search text (folded)"), blank=True, editable=False)
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

    def fold_search_text(self) -> RegistryRecord:
        """Fill ``search_text`` from the searchable fields (``save`` does it; a bulk insert
        calls it for each row)."""
        self.search_text = folded(
            " ".join((self.number, self.title, self.holder, self.address, self.cadastral_number))
        )
        return self

    def save(self, *args, **kwargs):
        self.fold_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)
