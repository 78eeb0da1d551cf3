"""Who answers for what: the dispatch centre, each building's managing organisation and the
areas of responsibility (a category in a building or a district) that routing reads.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.models import Organisation
from cityhall.core.models import TimeStampedModel

from .catalogue import Category

__all__ = [
    "BuildingManagement",
    "DispatchCentre",
    "HandoverPartner",
    "ResponsibilityArea",
]


class DispatchCentre(TimeStampedModel):
    """The committee whose dispatchers take unroutable requests and escalations (one row)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    #: The round-the-clock dispatch line, shown with 112 before the form of emergency categories.
    phone = models.CharField(_("dispatch line"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("dispatch centre")
        verbose_name_plural = _("dispatch centre")

    def __str__(self) -> str:
        return str(self.organisation)


class BuildingManagement(TimeStampedModel):
    """Each building is managed by exactly one managing organisation."""

    building = models.OneToOneField(
        "geo.Building",
        on_delete=models.CASCADE,
        related_name="management",
        verbose_name=_("building"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="managed_buildings",
        verbose_name=_("managing organisation"),
        limit_choices_to={"type": Organisation.Type.MANAGING_ORGANISATION},
    )

    class Meta:
        verbose_name = _("building management")
        verbose_name_plural = _("building management")

    def __str__(self) -> str:
        return f"{self.building} → {self.organisation}"


class ResponsibilityArea(TimeStampedModel):
    """A supplier or contractor serves one category in one building or in a whole district.
    A building-level row wins over the district; uniqueness makes the answer single."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="responsibility_areas",
        verbose_name=_("organisation"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="areas", verbose_name=_("category")
    )
    building = models.ForeignKey(
        "geo.Building",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    district = models.ForeignKey(
        "geo.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )

    class Meta:
        verbose_name = _("area of responsibility")
        verbose_name_plural = _("areas of responsibility")
        constraints = [
            models.CheckConstraint(
                condition=(Q(building__isnull=False) & Q(district__isnull=True))
                | (Q(building__isnull=True) & Q(district__isnull=False)),
                name="sr_area_building_xor_district",
            ),
            models.UniqueConstraint(
                fields=["category", "building"],
                condition=Q(building__isnull=False),
                name="sr_area_one_per_building",
            ),
            models.UniqueConstraint(
                fields=["category", "district"],
                condition=Q(district__isnull=False),
                name="sr_area_one_per_district",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}: {self.building or self.district} → {self.organisation}"


class HandoverPartner(TimeStampedModel):
    """The committee's dispatcher allows ``organisation`` to pass its requests straight to
    ``partner`` (a managing organisation to the district's heat supplier, say). Without such a
    row an organisation hands a request over only by returning it to the dispatcher."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="handover_partners",
        verbose_name=_("organisation"),
    )
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("may pass requests to"),
    )
    allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("allowed by"),
    )

    class Meta:
        verbose_name = _("allowed handover")
        verbose_name_plural = _("allowed handovers")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "partner"], name="sr_handover_partner_once"
            ),
            models.CheckConstraint(
                condition=~Q(organisation=models.F("partner")), name="sr_handover_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.partner}"
