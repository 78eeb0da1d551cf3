"""Districts, suburbs and buildings: the city's map.

Geometry is stored as GeoJSON text with a bounding box for a cheap SQL pre-filter, and tested
exactly with shapely (no spatial database extension needed on SQLite or PostgreSQL).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import TimeStampedModel


class Area(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(pgettext_lazy("object name", "name"), max_length=200)
    name_tt = models.CharField(_("name (Tatar)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    geometry = models.JSONField(_("boundary (GeoJSON geometry)"))
    min_lon = models.FloatField(editable=False, default=0)
    min_lat = models.FloatField(editable=False, default=0)
    max_lon = models.FloatField(editable=False, default=0)
    max_lat = models.FloatField(editable=False, default=0)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        # Choices, lists and the admin show the reader's language (issue 16 item 25); code
        # that needs the official Russian name reads ``name``.
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (Russian when there is no translation)."""
        language = (get_language() or "ru")[:2]
        if language == "tt" and self.name_tt:
            return self.name_tt
        if language == "en" and self.name_en:
            return self.name_en
        return self.name

    @property
    def other_names(self) -> list[tuple[str, str]]:
        """(language code, name) of the names not shown as ``display_name``."""
        shown = self.display_name
        names = [("ru", self.name), ("tt", self.name_tt), ("en", self.name_en)]
        return [(code, name) for code, name in names if name and name != shown]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat), the GeoJSON order."""
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)


class District(Area):
    """An administrative district of the city (Kazan has seven)."""

    class Meta(Area.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Suburb(Area):
    """A neighbourhood or settlement inside a district."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="suburbs", verbose_name=_("district")
    )

    class Meta(Area.Meta):
        verbose_name = _("suburb")
        verbose_name_plural = _("suburbs")


class Building(TimeStampedModel):
    """A building with its postal address and a point; requests and rights attach here."""

    street = models.CharField(_("street"), max_length=200)
    house = models.CharField(_("house"), max_length=30)
    # The leading number of ``house``, so that lists go 2, 10, 10а, 100 (kept by the services).
    house_number = models.PositiveIntegerField(default=0, editable=False)
    address = models.CharField(_("address"), max_length=300, db_index=True)
    address_normalised = models.CharField(max_length=300, db_index=True, editable=False)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="buildings",
        null=True,
        blank=True,
        verbose_name=_("district"),
    )
    suburb = models.ForeignKey(
        Suburb,
        on_delete=models.PROTECT,
        related_name="buildings",
        null=True,
        blank=True,
        verbose_name=_("suburb"),
    )
    cadastral_number = models.CharField(_("cadastral number"), max_length=40, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    apartments = models.PositiveIntegerField(_("apartments"), null=True, blank=True)
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)

    class Meta:
        ordering = ["street", "house_number", "house"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(
                fields=["address_normalised"], name="geo_building_unique_address"
            ),
            models.CheckConstraint(
                condition=models.Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                name="geo_building_point_on_earth",
            ),
        ]
        indexes = [models.Index(fields=["lat", "lon"])]

    def __str__(self) -> str:
        return self.address
