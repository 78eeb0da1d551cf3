"""``cityhall import_geojson`` and ``cityhall export_geojson``."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cityhall.geo.models import Building, District, Suburb

from .factories import box

pytestmark = pytest.mark.django_db


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


DISTRICTS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"code": "west", "name": "Западный район"},
            "geometry": box(49.0, 55.75, 49.1, 55.85),
        },
        {
            "type": "Feature",
            "properties": {"code": "east", "name": "Восточный район"},
            "geometry": box(49.1, 55.75, 49.2, 55.85),
        },
    ],
}


def test_import_prints_the_counts(tmp_path, capsys):
    path = _write(tmp_path, "districts.geojson", DISTRICTS)
    call_command("import_geojson", path, "--kind", "district")
    assert "district: 2 features — 2 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    call_command("import_geojson", path, "--kind", "district")
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert District.objects.count() == 2


def test_a_bad_file_fails_with_every_problem_and_changes_nothing(tmp_path):
    data = json.loads(json.dumps(DISTRICTS))
    data["features"][1]["geometry"] = {"type": "Point", "coordinates": [49.1, 55.8]}
    path = _write(tmp_path, "bad.geojson", data)
    with pytest.raises(CommandError) as caught:
        call_command("import_geojson", path, "--kind", "district")
    message = str(caught.value)
    assert "Nothing was imported" in message
    assert "feature 1: geometry:" in message
    assert not District.objects.exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [("{not json", "not valid JSON"), (None, "no such file")],
)
def test_unreadable_input_is_a_clear_error(tmp_path, content, words):
    path = tmp_path / "input.geojson"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=words):
        call_command("import_geojson", str(path), "--kind", "district")


def test_the_command_exits_non_zero_on_error(tmp_path):
    path = _write(tmp_path, "bad.geojson", {"type": "FeatureCollection", "features": [{}]})
    with pytest.raises(SystemExit) as caught:
        from django.core.management import ManagementUtility

        ManagementUtility(["cityhall", "import_geojson", path, "--kind", "district"]).execute()
    assert caught.value.code != 0


def test_an_unknown_actor_is_refused(tmp_path):
    path = _write(tmp_path, "districts.geojson", DISTRICTS)
    with pytest.raises(CommandError, match="no user named"):
        call_command("import_geojson", path, "--kind", "district", "--actor", "nobody")


def test_export_then_import_elsewhere_gives_the_same_map(city, tmp_path, capsys):
    from cityhall.geo import services

    services.create_building(
        actor=None, street="ул. Баумана", house="5", lat=55.82, lon=49.05, floors=5
    )
    files = {}
    for kind in ("district", "suburb", "building"):
        files[kind] = str(tmp_path / f"{kind}.geojson")
        call_command("export_geojson", "--kind", kind, "--output", files[kind])
    with open(files["building"], encoding="utf-8") as handle:
        exported = json.load(handle)
    assert exported["features"][0]["properties"]["address"] == "ул. Баумана, д. 5"

    # the same files again: nothing changes
    for kind in ("district", "suburb", "building"):
        call_command("import_geojson", files[kind], "--kind", kind)
        assert "0 created, 0 updated" in capsys.readouterr().out

    # into an empty map
    Building.objects.all().delete()
    Suburb.objects.all().delete()
    District.objects.all().delete()
    for kind in ("district", "suburb", "building"):
        call_command("import_geojson", files[kind], "--kind", kind)
    building = Building.objects.get()
    assert (building.district.code, building.suburb.code, building.floors) == (
        "west",
        "west-north",
        5,
    )


def test_export_to_standard_output_and_by_district(city, capsys):
    call_command("export_geojson", "--kind", "district")
    data = json.loads(capsys.readouterr().out)
    assert {f["id"] for f in data["features"]} == {"west", "east"}
    call_command("export_geojson", "--kind", "building", "--district", "east")
    assert json.loads(capsys.readouterr().out)["features"] == []
    with pytest.raises(CommandError, match="no district"):
        call_command("export_geojson", "--kind", "building", "--district", "nowhere")
