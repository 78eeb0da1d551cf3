"""Open data: sets listed, generated into immutable versions, downloadable in every format
(with ranges), harvestable (DCAT, passport files), queryable through the API."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from cityhall.opendata.generation import generate
from cityhall.opendata.models import DatasetVersion
from tests.factories import UserFactory
from tests.service_requests.factories import make_world, submit


@pytest.fixture
def requests_world(db, settings):
    settings.STAFF_REQUIRE_OTP = False  # the second factor has its own tests
    world = make_world()
    for n in range(3):
        submit(world, description=f"Течёт крыша, кв. {n + 10}", lat=55.7801, lon=49.0502)
    return world


def _get(client, url, **headers):
    response = client.get(url, **headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_the_list_page_shows_every_set_with_its_downloads(client, requests_world):
    generate("requests")
    response = client.get("/opendata/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Resident requests" in page and "Organisations" in page
    assert "/opendata/requests/latest/csv" in page
    assert "CC BY 4.0" in page
    # every page's footer leads here
    assert 'href="/opendata/"' in client.get("/").content.decode()


def test_a_version_has_csv_with_bom_json_geojson_and_xlsx_with_their_sha256(client, requests_world):
    version = generate("requests")
    assert version.state == DatasetVersion.State.PUBLISHED and version.rows == 3
    response, body = _get(client, f"/opendata/requests/{version.version}/csv")
    assert response.status_code == 200 and response["Accept-Ranges"] == "bytes"
    assert hashlib.sha256(body).hexdigest() == version.files["csv"]["sha256"]
    text = gzip.decompress(body).decode("utf-8")
    assert text.startswith("\ufeffid,number,category,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 3 and rows[0]["address"] == requests_world.building.address
    # the building's point, not the typed one
    assert rows[0]["lat"] == str(requests_world.building.lat)
    _, body = _get(client, "/opendata/requests/latest/json")
    data = json.loads(gzip.decompress(body))
    assert [r["number"] for r in data] == [r["number"] for r in rows]
    _, body = _get(client, "/opendata/requests/latest/geojson")
    features = json.loads(gzip.decompress(body))["features"]
    assert features[0]["geometry"]["coordinates"] == [
        requests_world.building.lon,
        requests_world.building.lat,
    ]
    _, body = _get(client, "/opendata/requests/latest/xlsx")
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][:2] == ["id", "number"]


def test_a_public_description_is_published_masked_and_a_private_one_not_at_all(
    client, requests_world
):
    resident = requests_world.resident
    resident.last_name, resident.first_name = "Галиуллин", "Рамиль"
    resident.save()
    public = submit(
        requests_world,
        description="Течёт крыша над кв. 15, звоните +7 917 123-45-67 или r.g@example.org, "
        "Галиуллин",
    )
    private = submit(requests_world, description="Секретная протечка", description_private=True)
    generate("requests")
    _, body = _get(client, "/opendata/requests/latest/json")
    rows = {row["number"]: row for row in json.loads(gzip.decompress(body))}
    assert rows[public.number]["description"] == ("Течёт крыша над ***, звоните *** или ***, ***")
    assert rows[private.number]["description"] == ""
    for fmt in ("csv", "json", "geojson"):
        _, body = _get(client, f"/opendata/requests/latest/{fmt}")
        text = gzip.decompress(body).decode()
        assert "кв. 1" not in text and "Секретная" not in text and "123-45-67" not in text


def test_an_interrupted_download_resumes_with_a_range(client, requests_world):
    version = generate("requests")
    url = f"/opendata/requests/{version.version}/csv"
    _, whole = _get(client, url)
    response, part = _get(client, url, HTTP_RANGE="bytes=10-")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-{len(whole) - 1}/{len(whole)}"
    assert part == whole[10:]
    response, _ = _get(client, url, HTTP_RANGE=f"bytes={len(whole) + 5}-")
    assert response.status_code == 416
    # a changed file (If-Range no longer matches) is sent whole
    response, body = _get(client, url, HTTP_RANGE="bytes=10-", HTTP_IF_RANGE='"other"')
    assert response.status_code == 200 and body == whole


def test_a_published_version_never_changes_and_a_new_one_is_added(requests_world):
    first = generate("requests")
    first.rows = 999
    with pytest.raises(PermissionError):
        first.save()
    submit(requests_world)
    second = generate("requests")
    assert second.version != first.version or second.pk != first.pk
    assert DatasetVersion.objects.get(pk=first.pk).rows == 3 and second.rows == 4


def test_retention_keeps_the_newest_versions(settings, requests_world, monkeypatch):
    settings.OPENDATA_KEEP_VERSIONS = 2
    stamps = iter(["20261201T000000", "20261202T000000", "20261203T000000"])
    from cityhall.opendata import generation

    real = generation._start

    def start(found, *, actor):
        version = real(found, actor=actor)
        DatasetVersion.objects.filter(pk=version.pk).update(version=next(stamps))
        version.refresh_from_db()
        return version

    monkeypatch.setattr(generation, "_start", start)
    for _ in range(3):
        generate("requests")
    kept = list(DatasetVersion.objects.filter(dataset="requests").values_list("version", flat=True))
    assert sorted(kept) == ["20261202T000000", "20261203T000000"]


def test_a_failed_generation_keeps_the_previous_version_and_tells_administrators(
    client, requests_world, monkeypatch
):
    from cityhall.accounts.models import Role
    from cityhall.core.opendata import dataset
    from cityhall.notifications.models import Message
    from tests.factories import MembershipFactory

    admin = MembershipFactory(role=Role.ADMINISTRATOR).user
    good = generate("requests")

    def broken(**kwargs):
        yield dict.fromkeys(dataset("requests").field_names)
        raise RuntimeError("database went away")

    import dataclasses

    from cityhall.core import opendata

    broken_set = dataclasses.replace(dataset("requests"), rows=broken)
    monkeypatch.setitem(opendata._SETS, "requests", broken_set)
    failed = generate("requests")
    assert failed.state == DatasetVersion.State.FAILED and "database went away" in failed.error
    response, _ = _get(client, "/opendata/requests/latest/csv")
    assert response["ETag"] == f'"{good.files["csv"]["sha256"]}"'
    assert Message.objects.filter(recipient=admin, event="opendata.generation_failed").exists()


def test_unknown_set_or_version_is_a_404_listing_the_sets(client, requests_world):
    generate("requests")
    for url in ("/opendata/nothing/", "/opendata/requests/20200101T000000/csv",
                "/opendata/requests/v1/csv"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 404, url
        assert "/opendata/requests/" in response.content.decode()
    response = client.get("/api/v1/opendata/nothing")
    assert response.status_code == 404 and "requests" in response.json()["sets"]


def test_dcat_catalogue_lists_every_published_set_with_checksums(client, requests_world):
    version = generate("requests")
    response = client.get("/opendata/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    catalogue = response.json()
    assert catalogue["@type"] == "dcat:Catalog"
    entry = next(d for d in catalogue["dcat:dataset"] if d["dct:identifier"].endswith("-requests"))
    sums = {d["spdx:checksum"]["spdx:checksumValue"] for d in entry["dcat:distribution"]}
    assert version.files["csv"]["sha256"] in sums
    assert {t["@language"] for t in entry["dct:title"]} == {"ru", "tt", "en"}
    assert all(d["dcat:downloadURL"]["@id"].startswith("http") for d in entry["dcat:distribution"])


# The methodology's required rows and columns (version 3.0 of the recommendations).
META_REQUIRED = {
    "standardversion", "identifier", "title", "description", "creator", "created",
    "modified", "subject", "format", "publishername", "publishermbox", "valid",
}  # fmt: skip


def test_passport_files_follow_the_open_data_methodology(client, settings, requests_world):
    version = generate("requests")
    ident = f"{settings.OPENDATA_INN}-requests"
    listing = list(csv.reader(io.StringIO(client.get("/opendata/list.csv").content.decode())))
    assert listing[0] == ["property", "title", "value", "format"]
    row = next(r for r in listing[1:] if r[0] == ident)
    assert row[2].endswith(f"/opendata/{ident}/meta.csv") and row[3] == "csv"
    meta = dict(csv.reader(io.StringIO(client.get(f"/opendata/{ident}/meta.csv").content.decode())))
    assert set(meta) >= META_REQUIRED
    assert meta["standardversion"] == "http://opendata.gosmonitor.ru/standard/3.0"
    data_key = f"data-{version.version}-structure-{version.structure}"
    assert meta[data_key].endswith(f"/opendata/{ident}/{data_key}.csv")
    structure_url = meta[f"structure-{version.structure}"].split("127.0.0.1:8000")[-1]
    structure = list(csv.reader(io.StringIO(client.get(structure_url).content.decode())))
    assert structure[0] == ["field name", "english description", "russian description", "format"]
    assert [r[0] for r in structure[1:3]] == ["id", "number"]
    response, body = _get(client, f"/opendata/{ident}/{data_key}.csv")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(body).decode().startswith("\ufeffid,number")


def test_the_api_filters_and_pages_rows_with_a_cursor(client, requests_world):
    submit(requests_world, category=requests_world.heating)
    response = client.get("/api/v1/opendata/requests?limit=2")
    assert response.status_code == 200
    page = response.json()
    assert len(page["rows"]) == 2 and page["next_cursor"] == page["rows"][-1]["id"]
    rest = client.get(f"/api/v1/opendata/requests?limit=2&cursor={page['next_cursor']}").json()
    assert len(rest["rows"]) == 2 and rest["next_cursor"] is None
    heating = client.get("/api/v1/opendata/requests?category=heating").json()["rows"]
    assert [r["category"] for r in heating] == ["heating"]
    schema = client.get("/api/v1/openapi.json").json()
    params = {p["name"] for p in schema["paths"]["/api/v1/opendata/requests"]["get"]["parameters"]}
    assert {"category", "status", "district", "cursor", "limit"} <= params
    listing = client.get("/api/v1/opendata/").json()
    assert "requests" in {s["code"] for s in listing}


def test_administrators_generate_a_set_from_their_page_and_others_may_not(client, requests_world):
    from cityhall.accounts.models import Role
    from tests.factories import MembershipFactory

    resident = UserFactory()
    client.force_login(resident)
    assert client.get("/opendata/staff/").status_code == 403
    assert client.post("/opendata/staff/generate", {"dataset": "requests"}).status_code == 403
    admin = MembershipFactory(role=Role.ADMINISTRATOR).user
    client.force_login(admin)
    response = client.post("/opendata/staff/generate", {"dataset": "requests"}, follow=True)
    assert response.status_code == 200
    assert DatasetVersion.objects.filter(dataset="requests", state="published").exists()
    assert client.post("/opendata/staff/generate", {"dataset": "bogus"}).status_code == 302
    assert "Choose one or more data sets" in client.get("/opendata/staff/").content.decode()


def test_the_command_generates_sets(requests_world, capsys):
    call_command("opendata", "generate", "requests")
    assert "requests" in capsys.readouterr().out
    assert DatasetVersion.objects.filter(dataset="requests", state="published").count() == 1
