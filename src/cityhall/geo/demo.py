"""Demo city: Kazan's seven districts, their neighbourhoods and about 350 buildings.

The boundaries are not the official ones: the city outline is drawn by hand around Kazan and
split into districts by a Voronoi diagram of points near each district's real centre, then each
district into 2–4 neighbourhoods the same way. Buildings stand along real street names of each
district. Everything comes from a seeded random generator and goes in through
:func:`services.import_geojson`, so loading twice changes nothing.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import shapely
from shapely import affinity
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

from cityhall.core.demo import DemoLogin

from . import services
from .geometry import metres_to_degrees, to_geojson
from .models import Building, District, Suburb

SEED = 20261124
BUILDINGS_PER_DISTRICT = 50
CENTRE_LAT = 55.79
# x = lon · cos(55.79°) makes degrees square, so the Voronoi split is fair on the ground.
X_SCALE = math.cos(math.radians(CENTRE_LAT))

# Clockwise from the north-west; the Volga bounds the city on the west and south.
CITY_OUTLINE = [
    (48.94, 55.862),
    (48.99, 55.878),
    (49.05, 55.892),
    (49.12, 55.886),
    (49.18, 55.872),
    (49.24, 55.848),
    (49.285, 55.812),
    (49.298, 55.772),
    (49.272, 55.732),
    (49.222, 55.702),
    (49.162, 55.684),
    (49.102, 55.69),
    (49.056, 55.716),
    (49.026, 55.752),
    (48.962, 55.762),
    (48.892, 55.779),
    (48.862, 55.808),
    (48.896, 55.84),
]


@dataclass(frozen=True)
class DemoArea:
    code: str
    name: str
    name_tt: str
    name_en: str


@dataclass(frozen=True)
class DemoDistrict:
    area: DemoArea
    centre: tuple[float, float]  # lon, lat
    block: int  # the cadastral block prefix
    suburbs: tuple[DemoArea, ...]
    streets: tuple[str, ...]


def _a(code: str, name: str, name_tt: str, name_en: str) -> DemoArea:
    return DemoArea(code, name, name_tt, name_en)


DISTRICTS = (
    DemoDistrict(
        _a(
            "aviastroitelny",
            "Авиастроительный район",
            "Авиатөзелеш районы",
            "Aviastroitelny District",
        ),
        (49.07, 55.857),
        1,
        (
            _a("sotsgorod", "Соцгород", "Соцгород", "Sotsgorod"),
            _a("karavaevo", "Караваево", "Каравай", "Karavaevo"),
            _a("severny", "Северный", "Төньяк", "Severny"),
            _a("staroe-pobedilovo", "Старое Победилово", "Иске Победилово", "Staroye Pobedilovo"),
        ),
        (
            "ул. Королёва",
            "ул. Лукина",
            "ул. Дементьева",
            "ул. Ленинградская",
            "ул. Челюскина",
            "ул. Копылова",
            "ул. Белинского",
        ),
    ),
    DemoDistrict(
        _a("vakhitovsky", "Вахитовский район", "Вахитов районы", "Vakhitovsky District"),
        (49.12, 55.787),
        2,
        (
            _a("tsentr", "Центр", "Үзәк", "City Centre"),
            _a(
                "staro-tatarskaya-sloboda",
                "Старо-Татарская слобода",
                "Иске Татар бистәсе",
                "Old Tatar Sloboda",
            ),
            _a("sukonnaya-sloboda", "Суконная слобода", "Суконный бистәсе", "Sukonnaya Sloboda"),
            _a("kaluga", "Калуга", "Калуга", "Kaluga"),
        ),
        (
            "ул. Баумана",
            "ул. Пушкина",
            "ул. Карла Маркса",
            "ул. Островского",
            "ул. Бутлерова",
            "ул. Татарстан",
            "ул. Габдуллы Тукая",
        ),
    ),
    DemoDistrict(
        _a("kirovsky", "Кировский район", "Киров районы", "Kirovsky District"),
        (48.935, 55.8),
        3,
        (
            _a("yudino", "Юдино", "Юдино", "Yudino"),
            _a("zalesny", "Залесный", "Залесный", "Zalesny"),
            _a("arakchino", "Аракчино", "Аракчын", "Arakchino"),
            _a("nagorny", "Нагорный", "Нагорный", "Nagorny"),
        ),
        (
            "ул. Гладилова",
            "ул. Горсоветская",
            "ул. Кировская",
            "ул. Шамова",
            "ул. Болотникова",
            "ул. Ташкентская",
            "ул. Мира",
        ),
    ),
    DemoDistrict(
        _a("moskovsky", "Московский район", "Мәскәү районы", "Moskovsky District"),
        (49.035, 55.818),
        4,
        (
            _a("zhilploshchadka", "Жилплощадка", "Жилплощадка", "Zhilploshchadka"),
            _a("leninsky", "Ленинский посёлок", "Ленин бистәсе", "Leninsky"),
            _a("dalnee-ustye", "Дальнее Устье", "Ерак Тамак", "Dalneye Ustye"),
            _a("vosstaniya", "Восстания", "Восстания", "Vosstaniya"),
        ),
        (
            "ул. Восстания",
            "пр-кт Ибрагимова",
            "ул. Саид-Галеева",
            "ул. Серова",
            "ул. Декабристов",
            "ул. Короленко",
            "ул. Гудованцева",
        ),
    ),
    DemoDistrict(
        _a(
            "novo-savinovsky",
            "Ново-Савиновский район",
            "Яңа Савин районы",
            "Novo-Savinovsky District",
        ),
        (49.145, 55.835),
        5,
        (
            _a("savinovo", "Савиново", "Савин", "Savinovo"),
            _a("yashlek", "Яшьлек", "Яшьлек", "Yashlek"),
            _a("novoe-savinovo", "Новое Савиново", "Яңа Савин", "Novoye Savinovo"),
            _a("chistopolsky", "Чистопольский", "Чистай", "Chistopolsky"),
        ),
        (
            "пр-кт Ямашева",
            "ул. Чистопольская",
            "ул. Адоратского",
            "ул. Гаврилова",
            "пр-кт Фатыха Амирхана",
            "ул. Карбышева",
            "ул. Бондаренко",
        ),
    ),
    DemoDistrict(
        _a("privolzhsky", "Приволжский район", "Идел буе районы", "Privolzhsky District"),
        (49.15, 55.722),
        6,
        (
            _a("gorki", "Горки", "Горки", "Gorki"),
            _a("otary", "Отары", "Отары", "Otary"),
            _a("boriskovo", "Борисково", "Борисково", "Boriskovo"),
            _a("mirny", "Мирный", "Мирный", "Mirny"),
        ),
        (
            "пр-кт Победы",
            "ул. Юлиуса Фучика",
            "ул. Закиева",
            "ул. Рихарда Зорге",
            "ул. Кул Гали",
            "ул. Габишева",
            "ул. Тэцевская",
        ),
    ),
    DemoDistrict(
        _a("sovetsky", "Советский район", "Совет районы", "Sovetsky District"),
        (49.225, 55.79),
        7,
        (
            _a("azino", "Азино", "Әзин", "Azino"),
            _a("derbyshki", "Дербышки", "Дербеш", "Derbyshki"),
            _a("konstantinovka", "Константиновка", "Константиновка", "Konstantinovka"),
            _a("tankodrom", "Танкодром", "Танкодром", "Tankodrom"),
        ),
        (
            "ул. Ершова",
            "Сибирский тракт",
            "ул. Гвардейская",
            "ул. Академика Сахарова",
            "ул. Аделя Кутуя",
            "ул. Патриса Лумумбы",
            "ул. Глушко",
        ),
    ),
)


def _square(geom: BaseGeometry) -> BaseGeometry:
    return affinity.scale(geom, xfact=X_SCALE, yfact=1.0, origin=(0, 0))


def _unsquare(geom: BaseGeometry) -> BaseGeometry:
    return affinity.scale(geom, xfact=1 / X_SCALE, yfact=1.0, origin=(0, 0))


def _split(region: BaseGeometry, seeds: list[tuple[float, float]]) -> list[BaseGeometry]:
    """The Voronoi cells of ``seeds`` (lon, lat) clipped to ``region``, in the seeds' order."""
    square_region = _square(region)
    points = _square(MultiPoint(seeds))
    cells = shapely.voronoi_polygons(points, extend_to=square_region, ordered=True)
    parts = []
    for cell in cells.geoms:
        part = _unsquare(cell.intersection(square_region))
        parts.append(shapely.set_precision(part, 1e-6))
    return parts


def _random_point_in(geom: BaseGeometry, rng: random.Random) -> tuple[float, float]:
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    inner = geom.buffer(-0.004)
    target = inner if not inner.is_empty else geom
    while True:
        lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
        if target.contains(Point(lon, lat)):
            return lon, lat


def _feature(properties: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _area_properties(area: DemoArea, **extra) -> dict:
    return {
        "code": area.code,
        "name": area.name,
        "name_tt": area.name_tt,
        "name_en": area.name_en,
        **extra,
    }


def build_city() -> tuple[dict, dict, dict]:
    """The demo's districts, suburbs and buildings as three GeoJSON FeatureCollections."""
    rng = random.Random(SEED)
    outline = Polygon(CITY_OUTLINE)
    district_shapes = _split(outline, [d.centre for d in DISTRICTS])
    districts, suburbs, buildings = [], [], []
    for district, geom in zip(DISTRICTS, district_shapes, strict=True):
        districts.append(_feature(_area_properties(district.area), to_geojson(geom)))
        count = rng.randint(2, 4)
        seeds = [_random_point_in(geom, rng) for _ in range(count)]
        parts = _split(geom, seeds)
        for area, part in zip(district.suburbs[:count], parts, strict=True):
            suburbs.append(
                _feature(
                    _area_properties(area, district=district.area.code),
                    to_geojson(part),
                )
            )
        buildings.extend(_buildings_of(district, geom, parts, rng))
    return (
        {"type": "FeatureCollection", "features": districts},
        {"type": "FeatureCollection", "features": suburbs},
        {"type": "FeatureCollection", "features": buildings},
    )


def _house_attributes(rng: random.Random) -> dict:
    era = rng.random()
    if era < 0.15:  # old town: brick, low
        year, floors = rng.randint(1890, 1955), rng.randint(2, 5)
    elif era < 0.6:  # panel blocks
        year, floors = rng.randint(1958, 1991), rng.choice([5, 5, 9, 9, 10, 12, 14])
    elif era < 0.9:  # new districts
        year, floors = rng.randint(1995, 2024), rng.choice([10, 12, 16, 17, 18, 20, 25])
    else:  # private houses
        return {"floors": rng.randint(1, 2), "apartments": 1, "year_built": rng.randint(1950, 2020)}
    entrances = rng.randint(1, 6)
    per_floor = rng.choice([3, 4, 4, 5, 6])
    return {"floors": floors, "apartments": entrances * per_floor * floors, "year_built": year}


def _buildings_of(
    district: DemoDistrict,
    geom: BaseGeometry,
    suburbs: list[BaseGeometry],
    rng: random.Random,
) -> list[dict]:
    """Houses along each street, odd numbers on the left and even on the right; the streets
    start in each neighbourhood in turn, so that every neighbourhood has houses."""
    features: list[dict] = []
    inner = geom.buffer(-0.0008)
    streets = list(district.streets)
    serial = 0
    street_no = 0
    while len(features) < BUILDINGS_PER_DISTRICT:
        street = streets[street_no % len(streets)]
        lon0, lat0 = _random_point_in(suburbs[street_no % len(suburbs)], rng)
        street_no += 1
        angle = rng.uniform(0, math.pi)
        spacing = rng.uniform(55, 95)
        dlat, dlon = metres_to_degrees(1, lat0)
        step = (math.cos(angle) * dlon, math.sin(angle) * dlat)
        side = (-math.sin(angle) * dlon, math.cos(angle) * dlat)
        first = 1 + 2 * rng.randint(0, 20) + 2 * (street_no // len(streets)) * 30
        for i in range(rng.randint(3, 5)):
            for parity, offset in ((1, 18.0), (0, -18.0)):
                number = first + 2 * i + (1 - parity)
                along = i * spacing + (spacing / 2 if parity == 0 else 0)
                lon = lon0 + step[0] * along + side[0] * offset
                lat = lat0 + step[1] * along + side[1] * offset
                if not inner.contains(Point(lon, lat)):
                    continue
                if len(features) >= BUILDINGS_PER_DISTRICT:
                    break
                house = str(number)
                if rng.random() < 0.08:
                    house += rng.choice(["а", "б", "к1", "к2"])
                serial += 1
                properties = {
                    "street": street,
                    "house": house,
                    "cadastral_number": (
                        f"16:50:{district.block:02d}{rng.randint(1, 2999):04d}:{serial + 100}"
                    ),
                    **_house_attributes(rng),
                }
                geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
                features.append(_feature(properties, geometry))
    return features


def load(stdout) -> list[DemoLogin]:
    """Loads (or confirms) the demo map; there are no demo logins here."""
    districts, suburbs, buildings = build_city()
    for kind, data in (("district", districts), ("suburb", suburbs), ("building", buildings)):
        result = services.import_geojson(actor=None, data=data, kind=kind)
        stdout.write(
            f"  {kind}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged\n"
        )
    stdout.write(
        f"  the map: {District.objects.count()} districts, {Suburb.objects.count()} "
        f"neighbourhoods, {Building.objects.count()} buildings\n"
    )
    return []
