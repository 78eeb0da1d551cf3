"""Importing districts and suburbs from GeoJSON: all or nothing, errors by feature, idempotent."""

from __future__ import annotations

import copy

import pytest

from cityhall.core.models import AuditRecord
from cityhall.geo import services
from cityhall.geo.models import District, Suburb
from cityhall.geo.services import ImportFailed

from .factories import box

pytestmark = pytest.mark.django_db


def _feature(code, name, geometry, **properties):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, **properties},
        "geometry": geometry,
    }


def _collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


DISTRICTS = _collection(
    _feature("west", "Западный район", box(49.0, 55.75, 49.1, 55.85), name_en="West"),
    _feature("east", "Восточный район", box(49.1, 55.75, 49.2, 55.85), name_tt="Көнчыгыш"),
)
SUBURBS = _collection(
    _feature("north", "Северный", box(49.0, 55.8, 49.1, 55.85), district="west"),
    _feature("south", "Южный", box(49.0, 55.75, 49.1, 55.8), district="west"),
)


def test_districts_and_suburbs_are_imported():
    result = services.import_geojson(actor=None, data=DISTRICTS, kind="district")
    assert (result.total, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    result = services.import_geojson(actor=None, data=SUBURBS, kind="suburb")
    assert result.created == 2
    west = District.objects.get(code="west")
    assert west.name_en == "West"
    assert District.objects.get(code="east").name_tt == "Көнчыгыш"
    assert sorted(s.code for s in west.suburbs.all()) == ["north", "south"]
    summary = AuditRecord.objects.filter(action="geo.imported").order_by("seq")
    assert [r.object_id for r in summary] == ["district", "suburb"]


def test_importing_the_same_file_again_changes_nothing():
    services.import_geojson(actor=None, data=DISTRICTS, kind="district")
    records = AuditRecord.objects.count()
    result = services.import_geojson(actor=None, data=DISTRICTS, kind="district")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert AuditRecord.objects.count() == records


def test_a_changed_feature_is_updated_by_its_code():
    services.import_geojson(actor=None, data=DISTRICTS, kind="district")
    changed = copy.deepcopy(DISTRICTS)
    changed["features"][1]["properties"]["name"] = "Советский район"
    result = services.import_geojson(actor=None, data=changed, kind="district")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert District.objects.get(code="east").name == "Советский район"


def test_the_feature_id_serves_as_code_when_properties_have_none():
    data = _collection(
        {
            "type": "Feature",
            "id": "solo",
            "properties": {"name": "Район"},
            "geometry": box(49, 55, 49.1, 55.1),
        }
    )
    services.import_geojson(actor=None, data=data, kind="district")
    assert District.objects.get().code == "solo"


def test_an_invalid_geometry_is_reported_with_the_feature_index_and_nothing_is_saved():
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[49.2, 55.7], [49.3, 55.8], [49.3, 55.7], [49.2, 55.8], [49.2, 55.7]]],
    }
    data = copy.deepcopy(DISTRICTS)
    data["features"].append(_feature("bad", "Кривой район", bowtie))
    with pytest.raises(ImportFailed) as caught:
        services.import_geojson(actor=None, data=data, kind="district")
    [error] = caught.value.errors
    assert (error.index, error.field) == (2, "geometry")
    assert "Self-intersection" in error.message
    assert "features[2].geometry" in caught.value.fields
    assert not District.objects.exists()
    assert not AuditRecord.objects.exists()


def test_every_bad_feature_is_reported_not_only_the_first():
    data = _collection(
        _feature("ok", "Хороший", box(49.0, 55.75, 49.1, 55.85)),
        _feature("", "Без кода", box(49.1, 55.75, 49.2, 55.85)),
        "not a feature",
        _feature("point", "Точка", {"type": "Point", "coordinates": [49.3, 55.8]}),
        _feature("ok", "Тот же код", box(49.3, 55.75, 49.4, 55.85)),
        _feature("overlap", "Наложение", box(49.05, 55.75, 49.15, 55.85)),
    )
    with pytest.raises(ImportFailed) as caught:
        services.import_geojson(actor=None, data=data, kind="district")
    problems = {(e.index, e.field) for e in caught.value.errors}
    assert problems == {
        (1, "code"),
        (2, "type"),
        (3, "geometry"),
        (4, "code"),
        (5, "geometry"),
    }
    assert "Feature 0" in caught.value.fields["features[4].code"][0]
    assert not District.objects.exists()


def test_a_suburb_outside_its_district_fails_the_whole_file():
    services.import_geojson(actor=None, data=DISTRICTS, kind="district")
    data = copy.deepcopy(SUBURBS)
    data["features"][1]["properties"]["district"] = "east"
    with pytest.raises(ImportFailed) as caught:
        services.import_geojson(actor=None, data=data, kind="suburb")
    assert [(e.index, e.field) for e in caught.value.errors] == [(1, "geometry")]
    assert not Suburb.objects.exists()  # the good first feature was rolled back too


@pytest.mark.parametrize(
    "data",
    [
        {"type": "Feature", "features": []},
        {"type": "FeatureCollection", "features": "none"},
        ["not", "an", "object"],
    ],
)
def test_something_that_is_not_a_feature_collection_is_refused(data):
    with pytest.raises(ImportFailed) as caught:
        services.import_geojson(actor=None, data=data, kind="district")
    assert caught.value.errors[0].index is None


def test_progress_is_reported_per_feature():
    seen = []
    services.import_geojson(
        actor=None,
        data=DISTRICTS,
        kind="district",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(1, 2), (2, 2)]
