"""Versions of an interdepartmental request type's form, built in the designer.

A version holds the form (JSON Schema) and its hints (labels, order, where each field is filled
from on the case); a draft is edited with a ``revision`` (a save from an older one is a
conflict), published after its checks, and the published one is what staff sending a request
get. Publishing copies the form onto :class:`.StandardRequestType` (``form_schema``), which
sending validates against, so requests already sent keep the payload they were sent with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import TimeStampedModel

from .standard_requests import StandardRequestType


class RequestTypeFormVersion(TimeStampedModel):
    """One edition of a request type's form: draft → published → retired."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    type = models.ForeignKey(
        StandardRequestType, on_delete=models.CASCADE, related_name="form_versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    form_schema = models.JSONField(_("form (JSON Schema 2020-12)"), default=dict)
    ui = models.JSONField(_("form hints"), default=dict, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["type", "-number"]
        verbose_name = _("request type form version")
        verbose_name_plural = _("request type form versions")
        constraints = [
            models.UniqueConstraint(fields=["type", "number"], name="ms_request_form_number"),
            models.UniqueConstraint(
                fields=["type"], condition=Q(status="draft"), name="ms_request_form_one_draft"
            ),
            models.UniqueConstraint(
                fields=["type"],
                condition=Q(status="published"),
                name="ms_request_form_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type.code} v{self.number} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def definition(self) -> dict:
        """The parts the form builder (:mod:`..designer.fields`) reads and writes."""
        return {"form_schema": self.form_schema, "ui": self.ui}


def published_form(type: StandardRequestType) -> tuple[dict, dict]:
    """The form staff sending a request of this type get: the published version's form and
    hints, else (a type not designed yet) the type's own form without hints."""
    version = type.form_versions.filter(status=RequestTypeFormVersion.Status.PUBLISHED).first()
    if version is None:
        return type.form_schema or {}, {}
    return version.form_schema or {}, version.ui or {}
