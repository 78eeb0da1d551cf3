"""Services and their versions: a definition is data with versions; a published version
never changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import TimeStampedModel

from ..definition import text_in


class Service(TimeStampedModel):
    """A municipal service offered by one department (its definition lives in versions)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    department = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="municipal_services",
        verbose_name=_("department"),
    )
    name = models.JSONField(_("name (ru/tt/en)"), default=dict)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipal service")
        verbose_name_plural = _("municipal services")

    def __str__(self) -> str:
        return self.title()

    def title(self, language: str | None = None) -> str:
        return text_in(self.name, language) or self.code


class ServiceVersion(TimeStampedModel):
    """One version of a service definition: draft → published → retired.

    Published and retired versions are immutable (services refuse edits, the admin shows them
    read-only); open applications keep the version they were submitted on.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    class Identity(models.TextChoices):
        ACCOUNT = "account", _("Anyone with an account")
        VERIFIED = "verified", _("Only people with a verified identity")

    #: The definition fields, exported and imported as one file.
    DEFINITION_FIELDS = (
        "form_schema",
        "ui",
        "documents",
        "fees",
        "term_days",
        "identity",
        "result_types",
        "workflow",
        "status_texts",
        "variants",
        "rules",
        "result_template",
        "registry",
        "refusal_reasons",
    )

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="versions", verbose_name=_("service")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    form_schema = models.JSONField(_("form (JSON Schema 2020-12)"), default=dict)
    ui = models.JSONField(_("form hints (labels, help, order, conditions)"), default=dict)
    documents = models.JSONField(_("required documents and file rules"), default=list)
    fees = models.JSONField(_("fees"), default=list, blank=True)
    term_days = models.PositiveSmallIntegerField(_("legal term, working days"), default=20)
    identity = models.CharField(
        _("who may apply"),
        max_length=10,
        choices=Identity.choices,
        default=Identity.ACCOUNT,
        help_text=_(
            "A service that needs a verified identity registers applications only of people "
            "whose identity was verified (identity portal or service centre), on every channel."
        ),
    )
    result_types = models.JSONField(_("result types"), default=list)
    workflow = models.JSONField(_("staff workflow"), default=dict)
    status_texts = models.JSONField(_("status texts for notifications"), default=dict)
    variants = models.JSONField(_("variants (sub-services)"), default=list, blank=True)
    rules = models.JSONField(_("decision rules"), default=list, blank=True)
    result_template = models.JSONField(_("result document template"), default=dict, blank=True)
    registry = models.CharField(_("registry the result is recorded in"), max_length=80, blank=True)
    refusal_reasons = models.JSONField(
        _("listed reasons for a return or refusal"),
        default=list,
        blank=True,
        help_text=_(
            'The grounds the regulation lists, as [{"code": …, "title": {"ru": …, "tt": …, '
            '"en": …}}]; staff tick them at the document check and the decision, free text '
            "only as an addition."
        ),
    )
    revision = models.PositiveIntegerField(
        _("revision"),
        default=1,
        help_text=_(
            "Counts the saves of a draft: an edit made on an older revision is refused as a "
            "conflict, so two officials editing one draft never overwrite each other silently."
        ),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["service", "-number"]
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="ms_version_number"),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status="published"),
                name="ms_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.number} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def definition(self) -> dict:
        return {name: getattr(self, name) for name in self.DEFINITION_FIELDS}
