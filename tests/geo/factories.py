"""Geo factories: areas and buildings made through the services (checked and audited).

``box(...)`` draws a rectangle; :func:`make_city` builds the small test city most geo tests use:

    west (49.00–49.10 E, 55.75–55.85 N)   | east (49.10–49.20 E)
      west-north (55.80–55.85 N)           |   (no suburbs)
      west-south (55.75–55.80 N)           |
"""

from __future__ import annotations

from dataclasses import dataclass

import factory

from cityhall.geo import services
from cityhall.geo.models import Building, District, Suburb


def box(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> dict:
    """A GeoJSON Polygon rectangle."""
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [min_lon, min_lat],
                [max_lon, min_lat],
                [max_lon, max_lat],
                [min_lon, max_lat],
                [min_lon, min_lat],
            ]
        ],
    }


def _district_box(n: int) -> dict:
    column, row = n % 1000, n // 1000
    return box(60 + column * 0.1, 50.0 + row * 0.1, 60.1 + column * 0.1, 50.1 + row * 0.1)


class DistrictFactory(factory.Factory):
    """Districts side by side, rows of 1,000 east of 60° E (a row further north every 1,000, so
    a long run never leaves the globe), unless a geometry is given."""

    class Meta:
        model = District

    code = factory.Sequence(lambda n: f"district-{n}")
    name = factory.Sequence(lambda n: f"Район {n}")
    name_tt = factory.Sequence(lambda n: f"{n} районы")
    name_en = factory.Sequence(lambda n: f"District {n}")
    geometry = factory.Sequence(lambda n: _district_box(n))

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.save_area(actor=kwargs.pop("actor", None), kind="district", **kwargs)


class SuburbFactory(factory.Factory):
    class Meta:
        model = Suburb

    code = factory.Sequence(lambda n: f"suburb-{n}")
    name = factory.Sequence(lambda n: f"Посёлок {n}")
    name_en = factory.Sequence(lambda n: f"Suburb {n}")
    district = factory.SubFactory(DistrictFactory)
    geometry = factory.LazyAttribute(lambda o: o.district.geometry)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.save_area(actor=kwargs.pop("actor", None), kind="suburb", **kwargs)


class BuildingFactory(factory.Factory):
    """A building; without lat/lon it stands in the middle of the first district (made when
    there is none)."""

    class Meta:
        model = Building

    street = factory.Sequence(lambda n: f"ул. Тестовая {n}-я")
    house = factory.Sequence(lambda n: str(n + 1))
    lat = None
    lon = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        if kwargs.get("lat") is None or kwargs.get("lon") is None:
            district = District.objects.order_by("code").first() or DistrictFactory()
            kwargs["lat"] = (district.min_lat + district.max_lat) / 2
            kwargs["lon"] = (district.min_lon + district.max_lon) / 2
        return services.create_building(actor=kwargs.pop("actor", None), **kwargs)


@dataclass
class City:
    west: District
    east: District
    west_north: Suburb
    west_south: Suburb


def make_city() -> City:
    west = DistrictFactory(
        code="west",
        name="Западный район",
        name_en="West District",
        geometry=box(49.0, 55.75, 49.1, 55.85),
    )
    east = DistrictFactory(
        code="east",
        name="Восточный район",
        name_en="East District",
        geometry=box(49.1, 55.75, 49.2, 55.85),
    )
    west_north = SuburbFactory(
        code="west-north",
        name="Северный",
        name_en="North",
        district=west,
        geometry=box(49.0, 55.8, 49.1, 55.85),
    )
    west_south = SuburbFactory(
        code="west-south",
        name="Южный",
        name_en="South",
        district=west,
        geometry=box(49.0, 55.75, 49.1, 55.8),
    )
    return City(west=west, east=east, west_north=west_north, west_south=west_south)
