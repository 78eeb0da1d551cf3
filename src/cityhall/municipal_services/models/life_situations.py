"""Life situations: one questionnaire, the services it opens (steps), and the resulting case.

The questionnaire and the steps belong to a :class:`LifeSituationVersion` (draft → published →
retired, like a service's versions): the designer edits only a draft, residents see the one
published version, and a case keeps the version it was submitted on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import TimeStampedModel

from ..definition import expression_problems, schema_problems, text_in
from .catalogue import Service


class LifeSituation(TimeStampedModel):
    """A bundle of services behind one questionnaire ("build an office")."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.JSONField(_("name (ru/tt/en)"), default=dict)
    description = models.JSONField(_("description (ru/tt/en)"), default=dict, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("life situation")
        verbose_name_plural = _("life situations")

    def __str__(self) -> str:
        return text_in(self.name) or self.code

    @property
    def intro(self) -> str:
        """The description in the reader's language (Russian when there is no translation)."""
        return text_in(self.description)

    def published_version(self) -> LifeSituationVersion | None:
        """The version residents see (None: nothing published yet)."""
        return self.versions.filter(status=LifeSituationVersion.Status.PUBLISHED).first()


class LifeSituationVersion(TimeStampedModel):
    """One edition of a situation's questionnaire (schema and hints) and steps:
    draft → published → retired. Published and retired versions are never changed (the
    services refuse); a change is a new draft copying the published one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    situation = models.ForeignKey(LifeSituation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    questionnaire = models.JSONField(_("questionnaire (JSON Schema 2020-12)"), default=dict)
    ui = models.JSONField(_("questionnaire hints"), default=dict, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["situation", "-number"]
        verbose_name = _("life situation version")
        verbose_name_plural = _("life situation versions")
        constraints = [
            models.UniqueConstraint(fields=["situation", "number"], name="ms_situation_number"),
            models.UniqueConstraint(
                fields=["situation"], condition=Q(status="draft"), name="ms_situation_one_draft"
            ),
            models.UniqueConstraint(
                fields=["situation"],
                condition=Q(status="published"),
                name="ms_situation_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.situation.code} v{self.number} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def definition(self) -> dict:
        """The questionnaire in the form builder's terms (:mod:`..designer.fields`)."""
        return {"form_schema": self.questionnaire or {}, "ui": self.ui or {}}

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if problems := schema_problems(self.questionnaire):
            raise ValidationError({"questionnaire": problems})


class LifeSituationStep(models.Model):
    """One service of a life situation, with when it applies and how answers map to its form."""

    version = models.ForeignKey(
        LifeSituationVersion, on_delete=models.CASCADE, related_name="steps"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    condition = models.JSONField(
        _("applies when (JSON Logic over the answers)"), null=True, blank=True
    )
    prefill = models.JSONField(
        _("prefill: service field → questionnaire field"), default=dict, blank=True
    )
    constants = models.JSONField(_("fixed answers for the service"), default=dict, blank=True)
    requires = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_by",
        verbose_name=_("decided only after these steps' results are issued"),
    )

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "service"], name="ms_situation_version_step")
        ]

    def __str__(self) -> str:
        return f"{self.version}#{self.order}: {self.service.code}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        fields = set((self.version.questionnaire or {}).get("properties") or {})
        errors = {}
        if self.condition is not None and (problems := expression_problems(self.condition, fields)):
            errors["condition"] = problems
        unknown = sorted(set((self.prefill or {}).values()) - fields)
        if unknown:
            errors["prefill"] = [
                _("The prefill names questionnaire fields that do not exist: %(f)s")
                % {"f": ", ".join(unknown)}
            ]
        if errors:
            raise ValidationError(errors)


class LifeSituationCase(TimeStampedModel):
    """One life-situation application: one questionnaire, a sub-application per department."""

    situation = models.ForeignKey(LifeSituation, on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey(
        LifeSituationVersion,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("submitted on version"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(_("answers"), default=dict)
    number = models.CharField(_("number"), max_length=30, unique=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("life situation application")
        verbose_name_plural = _("life situation applications")

    def __str__(self) -> str:
        return self.number
