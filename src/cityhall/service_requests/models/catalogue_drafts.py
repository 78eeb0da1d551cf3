"""A category being edited: the administrator's draft of its texts, questions and stage limits.

The published :class:`~.catalogue.CategoryVersion` never changes; a draft holds the next edition
until it is published (then it becomes a version and the draft is gone) or discarded. One draft
per category, so two administrators editing the same category edit the same draft; its
``revision`` tells a save based on an older reading from one based on the latest (a conflict,
never a silent overwrite).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .catalogue import RESPONSIBLE_TYPES, Category, CategoryVersion

__all__ = ["CategoryDraft"]


class CategoryDraft(models.Model):
    """The next edition of a category (or a new category, ``category`` empty) being edited."""

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drafts",
        verbose_name=_("category"),
    )
    based_on = models.ForeignKey(
        CategoryVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on version"),
    )
    code = models.CharField(_("code"), max_length=50, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_tt = models.CharField(_("name (Tatar)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    is_emergency = models.BooleanField(_("emergency"), default=False)
    guidance_ru = models.TextField(_("guidance (Russian)"), blank=True)
    guidance_tt = models.TextField(_("guidance (Tatar)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    responsible_type = models.CharField(
        _("responsible organisation type"), max_length=30, choices=RESPONSIBLE_TYPES, blank=True
    )
    is_active = models.BooleanField(_("offered to residents"), default=True)
    #: The questions in the published format (``CategoryVersion.attributes``).
    questions = models.JSONField(_("questions"), default=list, blank=True)
    #: ``{stage: [amount, unit]}`` as ``StageLimit`` rows hold them.
    limits = models.JSONField(_("stage limits"), default=dict, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("category draft")
        verbose_name_plural = _("category drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(category__isnull=False),
                name="sr_categorydraft_one_per_category",
            )
        ]

    def __str__(self) -> str:
        return self.name_ru or self.code or str(_("new category"))
