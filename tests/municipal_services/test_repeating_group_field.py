"""The repeating group field (issue 15): built in the designer (the group, its item's own
fields, fewest/most items, what one item is called), answered in the applicant's form without
JavaScript ("add another" and "remove" show the form again, answers kept), validated as a JSON
Schema array of objects with each error beside its row's field, shown on the staff's case page,
looped over in the result template and its preview, and carried by export/import."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cityhall.municipal_services import services
from cityhall.municipal_services.models import Service
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .designer_steps import BASE, build_office_permit, land_registry, ok, revision, texts
from .factories import Department, upload

pytestmark = pytest.mark.django_db

ROOMS = {
    "type": "array",
    "minItems": 1,
    "maxItems": 3,
    "items": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 200, "minLength": 1},
            "area": {"type": "number", "minimum": 1},
        },
        "required": ["name"],
    },
}


@pytest.fixture
def dept():
    department = Department()
    department.admin = MembershipFactory(organisation=department.org, role="administrator").user
    land_registry(OrganisationFactory(name="Rosreestr"))
    return department


def add_rooms(client, service) -> None:
    """The administrator adds "Rooms" (1 to 3 items, each called "Room") with a name and an
    area for each room, all from lists and plain words."""
    v = f"{BASE}/{service.code}/v1"
    group = {
        "kind": "group",
        "required": "on",
        "min_items": "1",
        "max_items": "3",
        **texts("label", "Помещения", "Бүлмәләр", "Rooms"),
        **texts("item_label", "Помещение", "Бүлмә", "Room"),
    }
    ok(client.post(f"{v}/fields/", {"revision": revision(client, f"{v}/fields/"), **group}))
    items = f"{v}/fields/rooms/items/"
    for sub in (
        {"kind": "text", "required": "on", **texts("label", "Название", "Исем", "Name")},
        {
            "kind": "number",
            "minimum": "1",
            "unit": "м²",
            **texts("label", "Площадь", "Мәйдан", "Area"),
        },
    ):
        ok(client.post(items, {"revision": revision(client, items), **sub}))


def test_an_administrator_builds_a_repeating_group_from_the_designer_pages(client, dept):
    client.force_login(dept.admin)
    service = build_office_permit(client, dept.org)
    add_rooms(client, service)
    version = service.versions.get()
    assert version.form_schema["properties"]["rooms"] == ROOMS
    hints = version.ui["fields"]["rooms"]
    assert hints["kind"] == "group" and hints["order"] == ["name", "area"]
    assert hints["item_label"] == {"ru": "Помещение", "tt": "Бүлмә", "en": "Room"}
    assert hints["fields"]["area"]["unit"] == "м²"
    # the designer's preview: "add another" shows one more row, the answers kept, unchecked
    preview = client.post(
        f"{BASE}/{service.code}/v1/preview/?language=en",
        {"rooms.rows": "1", "rooms.0.name": "Hall", "add_item": "rooms"},
    ).content.decode()
    assert 'name="rooms.1.name"' in preview and 'value="Hall"' in preview
    assert "The answers break the form" not in preview
    # a group's item cannot hold another group: the kind is not offered there
    items_page = client.get(f"{BASE}/{service.code}/v1/fields/rooms/items/").content.decode()
    assert 'value="group"' not in items_page and "Название" in items_page
    # moving and removing an item's field, and editing the group keeps its fields
    act = f"{BASE}/{service.code}/v1/fields/rooms/items/area/act/"
    ok(client.post(act, {"action": "up", "revision": version.revision}))
    version.refresh_from_db()
    assert version.ui["fields"]["rooms"]["order"] == ["area", "name"]
    edit = f"{BASE}/{service.code}/v1/fields/rooms/"
    form = {
        "revision": revision(client, edit),
        "kind": "group",
        "min_items": "0",
        "max_items": "5",
        **texts("label", "Помещения", "Бүлмәләр", "Rooms"),
    }
    ok(client.post(edit, form))
    version.refresh_from_db()
    rooms = version.form_schema["properties"]["rooms"]
    assert rooms["maxItems"] == 5 and "minItems" not in rooms
    assert set(rooms["items"]["properties"]) == {"name", "area"}
    # fewest above most is refused, named beside the field
    form.update(revision=revision(client, edit), min_items="4", max_items="2")
    response = client.post(edit, form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The most items is fewer than the fewest." in response.content.decode()


def test_the_result_template_loops_over_the_items_and_the_definition_travels_by_file(client, dept):
    client.force_login(dept.admin)
    service = build_office_permit(client, dept.org)
    add_rooms(client, service)
    url = f"{BASE}/{service.code}/v1/template/"
    loop = "{% for item in answers.rooms %}{{ item.name }}, {{ item.area }}\n{% endfor %}"
    page = client.get(url).content.decode()
    assert "{% for item in answers.rooms %}" in page.replace("&quot;", '"').replace("&#x27;", "'")
    form = {
        "revision": revision(client, url),
        "action": "save",
        **texts("title", "Разрешение", "Рөхсәт", "Permit"),
        **texts("body", "Помещения:\n" + loop, "Бүлмәләр:\n" + loop, "Rooms:\n" + loop),
    }
    ok(client.post(url, form))
    preview = client.get(url).content.decode()
    assert "Sample name" in preview or "Образец name" in preview or "name" in preview
    version = service.versions.get()
    ok(client.post(f"{BASE}/{service.code}/v1/publish/", {"revision": version.revision}))
    data = json.loads(client.get(f"{BASE}/{service.code}/v1/export.json").content)
    data["code"] = "office-permit-copy"
    file = SimpleUploadedFile("d.json", json.dumps(data).encode(), "application/json")
    ok(client.post(f"{BASE}/import/", {"file": file, "department": dept.org.pk}))
    copy = Service.objects.get(code="office-permit-copy").versions.get()
    assert copy.form_schema["properties"]["rooms"] == ROOMS
    assert copy.ui["fields"]["rooms"] == version.ui["fields"]["rooms"]


def _published_with_rooms(client, dept) -> Service:
    client.force_login(dept.admin)
    service = build_office_permit(client, dept.org)
    add_rooms(client, service)
    url = f"{BASE}/{service.code}/v1/template/"
    body = "{% for item in answers.rooms %}{{ item.name }}: {{ item.area }}\n{% endfor %}"
    ok(
        client.post(
            url,
            {
                "revision": revision(client, url),
                "action": "save",
                **texts("title", "Разрешение", "Рөхсәт", "Permit"),
                **texts("body", body, body, body),
            },
        )
    )
    version = service.versions.get()
    ok(client.post(f"{BASE}/{service.code}/v1/publish/", {"revision": version.revision}))
    return service


def offered(page: str, button: str) -> list[str]:
    """The values of the ``button`` submit buttons a visitor sees (not ``hidden``), outside the
    blank row the page's script copies."""
    page = re.sub(r"<template.*?</template>", "", page, flags=re.S)
    tags = re.findall(rf'<button[^>]*name="{button}"[^>]*>', page)
    return [re.search(r'value="([^"]*)"', t)[1] for t in tags if not re.search(r"\shidden[\s>]", t)]


def test_an_applicant_without_javascript_adds_and_removes_rows_keeping_the_answers(client, dept):
    service = _published_with_rooms(client, dept)
    resident = UserFactory()
    application = services.start_application(actor=resident, service=service)
    client.force_login(resident)
    url = f"/services/applications/{application.pk}/edit/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="rooms.0.name"' in page and 'name="rooms.1.name"' not in page
    # one room at least: its only row offers no "remove"
    assert offered(page, "remove_item") == [] and offered(page, "add_item") == ["rooms"]
    base = {"applicant": "ООО Ромашка", "purpose": "office", "area": "120"}
    first = {"rooms.rows": "1", "rooms.0.name": "Hall", "rooms.0.area": "40"}
    response = client.post(url, {**base, **first, "add_item": "rooms"}, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="rooms.1.name"' in page and 'value="Hall"' in page and "Room 2" in page
    assert offered(page, "remove_item") == ["rooms.0", "rooms.1"]
    application.refresh_from_db()
    assert application.answers["rooms"] == [{"name": "Hall", "area": 40}]
    both = {**first, "rooms.rows": "2", "rooms.1.name": "Office", "rooms.1.area": "80,5"}
    client.post(url, {**base, **both, "remove_item": "rooms.0"})
    application.refresh_from_db()
    assert application.answers["rooms"] == [{"name": "Office", "area": 80.5}]
    # at most three rooms: the fourth "add another" is not offered
    three = {**both, "rooms.rows": "3", "rooms.2.name": "Store"}
    page = client.post(url, {**base, **three, "action": "save"}, follow=True).content.decode()
    assert offered(page, "add_item") == [] and len(offered(page, "remove_item")) == 3
    application.refresh_from_db()
    assert [r["name"] for r in application.answers["rooms"]] == ["Hall", "Office", "Store"]


def test_each_rows_error_is_shown_beside_its_field_and_staff_read_the_items(client, dept):
    service = _published_with_rooms(client, dept)
    resident = UserFactory()
    application = services.start_application(actor=resident, service=service)
    client.force_login(resident)
    url = f"/services/applications/{application.pk}/edit/"
    answers = {"applicant": "ООО Ромашка", "purpose": "office", "area": "120"}
    rows = {"rooms.rows": "2", "rooms.0.name": "Hall", "rooms.1.area": "0"}
    response = client.post(url, {**answers, **rows, "action": "submit"}, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 422
    second_row = page.split('id="f-rooms-1-name"', 1)[0].rsplit("Room 2", 1)[1]
    assert "This field is required." in second_row
    assert "Enter a number not less than 1." in page.split('id="f-rooms-1-area"', 1)[0]
    # no rooms at all: the group says it is required, above its rows
    response = client.post(url, {**answers, "rooms.rows": "1", "action": "submit"})
    group = response.content.decode().split('id="f-rooms"', 1)[1].split("Room 1", 1)[0]
    assert response.status_code == 422 and "This field is required." in group
    services.save_draft(
        application=application,
        actor=resident,
        answers={
            "applicant": "ООО Ромашка",
            "purpose": "office",
            "area": 120,
            "rooms": [{"name": "Hall", "area": 40}, {"name": "Office", "area": 80}],
        },
    )
    services.upload_file(
        application=application, actor=resident, document_code="site-plan", upload=upload()
    )
    services.submit_application(application=application, actor=resident)
    client.force_login(dept.operator)
    page = client.get(f"/services/applications/{application.pk}/").content.decode()
    assert "Room 1: Name — Hall; Area, м² — 40" in page
    assert "Room 2: Name — Office" in page


def test_the_widget_without_javascript_adds_and_removes_rows_and_hands_over_nothing_yet(
    client, dept
):
    """On another site's page (the iframe, no cookie) "add another" and "remove" show the form
    again with a row more or less and the answers kept; only "continue" hands them over."""
    from django.test import Client

    from cityhall.municipal_services.models import WidgetHandoff, WidgetSite

    service = _published_with_rooms(client, dept)
    origin = "https://uslugi.tatarstan.example"
    WidgetSite.objects.create(key="rt", name="Regional portal", origin=origin).services.add(service)
    iframe = Client(enforce_csrf_checks=True)
    url = f"/services/widget/rt/{service.code}/"
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    page = iframe.get(url, **headers).content.decode()
    assert offered(page, "add_item") == ["rooms"] and offered(page, "remove_item") == []
    base = {"applicant": "ООО Ромашка", "purpose": "office", "area": "120"}
    first = {"rooms.rows": "1", "rooms.0.name": "Hall", "rooms.0.area": "40"}
    response = iframe.post(url, {**base, **first, "add_item": "rooms"}, **headers)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="rooms.1.name"' in page and 'value="Hall"' in page and "Room 2" in page
    assert offered(page, "remove_item") == ["rooms.0", "rooms.1"]
    assert not WidgetHandoff.objects.exists()
    both = {**first, "rooms.rows": "2", "rooms.1.name": "Office", "rooms.1.area": "80"}
    page = iframe.post(url, {**base, **both, "remove_item": "rooms.0"}, **headers)
    page = page.content.decode()
    assert 'value="Office"' in page and 'value="Hall"' not in page
    assert 'name="rooms.1.name"' not in page and not WidgetHandoff.objects.exists()
    iframe.post(url, {**base, **both}, **headers)
    assert [r["name"] for r in WidgetHandoff.objects.get().answers["rooms"]] == ["Hall", "Office"]
