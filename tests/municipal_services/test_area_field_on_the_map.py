"""Issue 14: a service form's "area" field is answered by drawing a polygon on the map — with
the outline pasted as GeoJSON without JavaScript — checked on the server (one valid polygon,
inside the city, bounded corners and size) on the page and the API alike, stored as the
Polygon in the answers, and shown on the case to the applicant and to staff."""

from __future__ import annotations

import copy
import json

import pytest
from django.utils import timezone

from cityhall.accounts.tokens import create_api_token
from cityhall.municipal_services.area_field import AREA_PROPERTY
from cityhall.municipal_services.models import Application
from tests.factories import UserFactory
from tests.geo.factories import make_city

from .factories import BASE_DEFINITION, Department, published_service, texts, upload

pytestmark = pytest.mark.django_db

# About 64 m × 56 m inside the test city's west district (49.0–49.1, 55.75–55.85).
PLOT = {
    "type": "Polygon",
    "coordinates": [
        [[49.05, 55.78], [49.051, 55.78], [49.051, 55.7805], [49.05, 55.7805], [49.05, 55.78]]
    ],
}


def _service(dept, **hints):
    schema = copy.deepcopy(BASE_DEFINITION["form_schema"])
    schema["properties"]["plot"] = copy.deepcopy(AREA_PROPERTY)
    schema["required"] = [*schema["required"], "plot"]
    ui = copy.deepcopy(BASE_DEFINITION["ui"])
    ui["order"].append("plot")
    ui["fields"]["plot"] = {"label": texts("Участок", "Plot"), "widget": "area", **hints}
    return published_service(dept, form_schema=schema, ui=ui)


@pytest.fixture
def setup(client):
    make_city()
    dept = Department()
    service = _service(dept, max_area_m2=100_000)
    applicant = UserFactory(email_confirmed_at=timezone.now())
    client.force_login(applicant)
    client.post(f"/services/{service.code}/apply/")
    return Application.objects.get(service=service), dept


def _edit(client, application, plot: str, **fields):
    data = {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": "50", "plot": plot}
    return client.post(f"/services/applications/{application.pk}/edit/", {**data, **fields})


def _errors(response) -> str:
    return response.content.decode()


def test_the_area_field_is_a_drawing_map_with_its_geojson_box(client, setup):
    application, _ = setup
    html = client.get(f"/services/applications/{application.pk}/edit/").content.decode()
    assert '<legend>Plot <span class="required"' in html
    assert '<textarea id="f-plot" name="plot"' in html
    assert "paste the outline here as a GeoJSON Polygon" in html  # the no-JavaScript way, said
    assert "municipal_services/area-field.js" in html and "leaflet/draw/leaflet.draw.js" in html
    config = html.split('id="f-plot-map-config"', 1)[1].split(">", 1)[1].split("</script>")[0]
    assert json.loads(config)["draw"] is True


def test_a_pasted_outline_is_stored_as_the_polygon_and_shown_again(client, setup):
    application, _ = setup
    feature = {"type": "Feature", "properties": {}, "geometry": PLOT}
    _edit(client, application, json.dumps({"type": "FeatureCollection", "features": [feature]}))
    application.refresh_from_db()
    assert application.answers["plot"] == PLOT
    html = client.get(f"/services/applications/{application.pk}/edit/").content.decode()
    assert "[49.051,55.7805]" in html.split('name="plot"', 1)[1].split("</textarea>")[0]


@pytest.mark.parametrize(
    ("plot", "message"),
    [
        ("not json", "This is not GeoJSON"),
        (json.dumps({"type": "Point", "coordinates": [49.05, 55.78]}), "not Point"),
        (  # a bow tie: the ring crosses itself
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [49.05, 55.78],
                            [49.051, 55.7805],
                            [49.051, 55.78],
                            [49.05, 55.7805],
                            [49.05, 55.78],
                        ]
                    ],
                }
            ),
            "not a valid polygon",
        ),
        (  # south of the city
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[49.05, 55.6], [49.051, 55.6], [49.051, 55.601], [49.05, 55.6]]
                    ],
                }
            ),
            "This area is outside the city",
        ),
        (  # across the city's southern edge
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[49.05, 55.749], [49.051, 55.749], [49.051, 55.751], [49.05, 55.749]]
                    ],
                }
            ),
            "Part of this area is outside the city",
        ),
        (  # about 1.3 km², over the service's 100,000 m²
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [49.02, 55.77],
                            [49.04, 55.77],
                            [49.04, 55.78],
                            [49.02, 55.78],
                            [49.02, 55.77],
                        ]
                    ],
                }
            ),
            "at most 100 000 m² is accepted",
        ),
    ],
    ids=["not-json", "a-point", "self-crossing", "outside", "partly-outside", "too-large"],
)
def test_a_bad_area_is_refused_with_its_reason_and_the_answers_kept(client, setup, plot, message):
    application, _ = setup
    refused = _edit(client, application, plot, action="submit")
    assert refused.status_code == 422
    assert message in refused.content.decode()
    application.refresh_from_db()
    assert application.answers["applicant_name"] == "ООО Ромашка"  # nothing typed is lost
    assert application.status == "draft"


def test_too_many_corners_are_refused(client, setup):
    application, _ = setup
    ring = [[49.05 + 0.0005 * (i % 2), 55.78 + 0.00001 * i] for i in range(300)]
    ring = [[49.04, 55.78], *ring, [49.04, 55.783], [49.04, 55.78]]
    refused = _edit(
        client, application, json.dumps({"type": "Polygon", "coordinates": [ring]}), action="submit"
    )
    assert "at most 200 are accepted" in refused.content.decode()


def test_the_api_refuses_a_bad_area_and_accepts_a_drawn_one(client, setup):
    _, _dept = setup
    headers = {"Authorization": f"Bearer {create_api_token(user=UserFactory(), name='t')}"}
    answers = {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 90}
    outside = {
        "type": "Polygon",
        "coordinates": [[[48.0, 55.0], [48.001, 55.0], [48.001, 55.001], [48.0, 55.0]]],
    }
    bad = client.post(
        "/api/v1/applications",
        {"service": "building-permit", "submit": True, "answers": {**answers, "plot": outside}},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["fields"]["plot"] == [
        "This area is outside the city. Draw it inside the city."
    ]

    created = client.post(
        "/api/v1/applications",
        {"service": "building-permit", "answers": {**answers, "plot": PLOT}},
        content_type="application/json",
        headers=headers,
    )
    app_id = created.json()["id"]
    client.post(
        f"/api/v1/applications/{app_id}/files",
        {"document_code": "plan", "file": upload()},
        headers=headers,
    )
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.content
    assert Application.objects.get(pk=app_id).answers["plot"] == PLOT


def test_the_case_shows_the_area_in_words_and_on_its_map_to_applicant_and_staff(client, setup):
    application, dept = setup
    _edit(client, application, json.dumps(PLOT))
    for reader in (None, dept.operator):
        if reader is not None:
            client.force_login(reader)
        html = client.get(f"/services/applications/{application.pk}/").content.decode()
        assert "An area of 3 484 m² with 4 corners, drawn on the map" in html
        config = html.split('id="answers-map-config"', 1)[1].split(">", 1)[1]
        shapes = json.loads(config.split("</script>")[0])["shapes"]
        assert shapes[0]["geometry"] == PLOT and shapes[0]["properties"]["title"] == "Plot"


@pytest.mark.parametrize(
    ("language", "drawn", "corners", "close"),
    [
        (
            "ru",
            "Участок нарисован, углов: %(corners)s.",
            "Поставлено углов: %(n)s.",
            "Замкнуть участок",
        ),
        (
            "tt",
            "Участок сызылды, почмаклар: %(corners)s.",
            "Куелган почмаклар: %(n)s.",
            "Участокны ябарга",
        ),
    ],
    ids=["ru", "tt"],
)
def test_the_drawing_messages_reach_the_script_in_the_readers_language(
    client, setup, language, drawn, corners, close
):
    """The messages the drawing script fills in (geo/map-drawing.js) come from the page, so
    they must be translated there: {% translate %} doubles a '%' before looking it up."""
    application, _ = setup
    client.cookies["django_language"] = language
    html = client.get(f"/services/applications/{application.pk}/edit/").content.decode()
    assert f'data-label-drawn="{drawn}"' in html
    assert f'data-label-corners="{corners}' in html
    # The button is named as the instructions beside it name it (another app's catalogue
    # translates "Close the area" for areas in general).
    assert f'data-label-finish="{close}"' in html
    assert html.count(f"«{close}»") >= 1
