"""The request catalogue: categories and their published versions (questions and stage time
limits). A version never changes once requests use it; editing publishes a new one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.models import Organisation
from cityhall.core.models import TimeStampedModel

from .choices import TIMED_STATUSES, LimitUnit

__all__ = [
    "RESPONSIBLE_TYPES",
    "Category",
    "CategoryVersion",
    "StageLimit",
]


RESPONSIBLE_TYPES = [
    (Organisation.Type.MANAGING_ORGANISATION.value, Organisation.Type.MANAGING_ORGANISATION.label),
    (Organisation.Type.RESOURCE_SUPPLIER.value, Organisation.Type.RESOURCE_SUPPLIER.label),
    (Organisation.Type.CONTRACTOR.value, Organisation.Type.CONTRACTOR.label),
    (Organisation.Type.EXECUTIVE_DEPARTMENT.value, Organisation.Type.EXECUTIVE_DEPARTMENT.label),
]


class Category(TimeStampedModel):
    """A service type residents choose ("Roof leak"). What changes over time (questions, limits)
    lives in :class:`CategoryVersion`; ``current_version`` is the one new requests use."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_tt = models.CharField(_("name (Tatar)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    is_emergency = models.BooleanField(_("emergency"), default=False)
    #: What to do right now, shown before the form of an emergency category ("if people are
    #: stuck in a lift, call 112 or the dispatch line; do not try to open the doors").
    guidance_ru = models.TextField(_("guidance (Russian)"), blank=True)
    guidance_tt = models.TextField(_("guidance (Tatar)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    responsible_type = models.CharField(
        _("responsible organisation type"), max_length=30, choices=RESPONSIBLE_TYPES
    )
    is_active = models.BooleanField(_("active"), default=True)
    current_version = models.ForeignKey(
        "CategoryVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )

    class Meta:
        ordering = ["group", "code"]
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "ru")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_ru

    @property
    def guidance(self) -> str:
        lang = (get_language() or "ru")[:2]
        return getattr(self, f"guidance_{lang}", "") or self.guidance_ru


class CategoryVersion(models.Model):
    """One published edition of a category's questions and stage limits. Never edited once a
    request uses it; the admin publishes a new version instead."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="versions", verbose_name=_("category")
    )
    number = models.PositiveIntegerField(_("version"))
    attributes = models.JSONField(
        _("questions (Open311 attributes)"),
        default=list,
        blank=True,
        help_text=_(
            "List of {code, datatype, required, description, order, values:[{key, name}]}; "
            "datatype is string, number, datetime, text, singlevaluelist or multivaluelist."
        ),
    )
    created_at = models.DateTimeField(_("published"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["category", "-number"]
        verbose_name = _("category version")
        verbose_name_plural = _("category versions")
        constraints = [
            models.UniqueConstraint(fields=["category", "number"], name="sr_catversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category.code} v{self.number}"


class StageLimit(models.Model):
    """How long a request may stay in one status, for one category version."""

    version = models.ForeignKey(
        CategoryVersion, on_delete=models.CASCADE, related_name="limits", verbose_name=_("version")
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=[(s.value, s.label) for s in TIMED_STATUSES]
    )
    amount = models.PositiveIntegerField(_("limit"))
    unit = models.CharField(_("unit"), max_length=20, choices=LimitUnit.choices)

    class Meta:
        verbose_name = _("stage limit")
        verbose_name_plural = _("stage limits")
        constraints = [
            models.UniqueConstraint(fields=["version", "stage"], name="sr_stagelimit_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="sr_stagelimit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.stage}: {self.amount} {self.unit}"
