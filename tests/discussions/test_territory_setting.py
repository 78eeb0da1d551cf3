"""The organiser sets a discussion's territory on its territory page (drawn on the map, picked
districts, suburbs and buildings, or an uploaded GeoJSON file — all plain form fields, so it
works without JavaScript), bad files are refused with the reason, and eligibility follows the
stored polygon."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cityhall.core.models import AuditRecord
from cityhall.discussions.models import Discussion, Status
from tests.geo.factories import BuildingFactory, box

from .factories import DiscussionFactory, _dates

pytestmark = pytest.mark.django_db

SQUARE_AROUND_WEST_HOME = box(49.04, 55.77, 49.06, 55.79)


@pytest.fixture
def draft(city, council):
    return DiscussionFactory(organiser=council, status=Status.ANNOUNCED, title="Автомойка")


def _post(client, discussion, **fields):
    data = {"version": discussion.version, **fields}
    return client.post(f"/discussions/manage/{discussion.pk}/territory/", data)


def _open(discussion):
    Discussion.objects.filter(pk=discussion.pk).update(
        status=Status.EXPOSITION_OPEN, **_dates(Status.EXPOSITION_OPEN)
    )


def test_drawn_territory_decides_who_may_take_part(client, organiser, draft, resident, outsider):
    client.force_login(organiser)
    response = _post(client, draft, drawn=json.dumps(SQUARE_AROUND_WEST_HOME))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.territory["type"] == "Polygon"
    assert [d.name for d in draft.districts.all()] == ["Западный район"]
    assert AuditRecord.objects.filter(action="discussions.discussion_edited").exists()
    _open(draft)
    client.force_login(resident)
    page = client.get(f"/discussions/{draft.pk}/").content.decode()
    assert "You may submit proposals" in page and "Territory on the map" in page
    client.force_login(outsider)
    page = client.get(f"/discussions/{draft.pk}/").content.decode()
    assert (
        "outside the territory of this discussion" in page
        and "You may submit proposals" not in page
    )


def test_picked_suburb_and_building_make_one_territory(client, organiser, draft, city, west_home):
    far_east = BuildingFactory(street="ул. Дальняя", house="9", lat=55.8, lon=49.18)
    client.force_login(organiser)
    response = _post(client, draft, suburbs=[city.west_north.pk], buildings="Дальняя 9\n")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.territory["type"] == "MultiPolygon"
    page = client.get("/discussions/?address=Дальняя+9").content.decode()
    assert draft.title in page
    page = client.get("/discussions/?address=Западная+1").content.decode()  # west-south
    assert draft.title not in page
    assert far_east.district_id == city.east.pk


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "it cannot be read as JSON"),
        (
            json.dumps({"type": "Feature", "geometry": {"type": "Point", "coordinates": [49, 55]}}),
            "the file must hold polygons only, but it also has Point",
        ),
        (
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [49.02, 55.76],
                            [49.08, 55.82],
                            [49.08, 55.76],
                            [49.02, 55.82],
                            [49.02, 55.76],
                        ]
                    ],
                }
            ),
            "The boundary crosses itself near latitude 55.79000, longitude 49.05000",
        ),
        (json.dumps(box(30.0, 59.9, 30.1, 60.0)), "This territory lies outside the city"),
        (json.dumps(box(5_450_000, 7_500_000, 5_460_000, 7_510_000)), "Coordinates must be"),
    ],
    ids=["not-json", "point", "self-intersection", "outside-city", "metres-not-degrees"],
)
def test_bad_geojson_upload_is_refused_with_the_reason(client, organiser, draft, content, message):
    client.force_login(organiser)
    upload = SimpleUploadedFile(
        "territory.geojson", content if isinstance(content, bytes) else content.encode()
    )
    response = _post(client, draft, upload=upload)
    assert response.status_code == 422
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.territory is None


def test_uploaded_file_partly_outside_is_cut_to_the_city(client, organiser, draft):
    client.force_login(organiser)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": box(48.9, 55.7, 49.05, 55.8)}
        ],
    }
    upload = SimpleUploadedFile("t.geojson", json.dumps(collection).encode())
    response = _post(client, draft, upload=upload)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "The part of the territory outside the city was left out." in page
    draft.refresh_from_db()
    lons = [p[0] for p in draft.territory["coordinates"][0]]
    assert min(lons) == pytest.approx(49.0)


def test_territory_page_is_for_the_organiser_only(client, draft, resident):
    client.force_login(resident)
    response = _post(client, draft, drawn=json.dumps(SQUARE_AROUND_WEST_HOME))
    assert response.status_code in (302, 403)
    draft.refresh_from_db()
    assert draft.territory is None
