"""The public registry page (issue 16.20): a search in any letter case finds Cyrillic text on
every database ("петербургская" finds "Петербургская"), the cadastral number is searchable,
the register is shown by its name, and record numbers read cleanly."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import Registry, RegistryRecord

from .factories import Department, definition, published_service, submitted_application

pytestmark = pytest.mark.django_db

CADASTRAL = "16:50:011105:27"


def _issued(dept, service):
    application = submitted_application(
        service,
        answers={
            "applicant_name": "ООО Ромашка",
            "purpose": "shop",
            "area": 500,
            "address": "г. Казань, ул. Петербургская, д. 52",
            "cadastral_number": CADASTRAL,
        },
    )
    services.accept_application(application=application, actor=dept.operator)
    services.send_to_decision(application=application, actor=dept.expert, conclusion="ok")
    services.decide(application=application, actor=dept.decider, outcome="approve", reasons=["ok"])
    application.refresh_from_db()
    return application.registry_record


@pytest.fixture
def record():
    dept = Department()
    schema = definition()["form_schema"]
    schema["properties"]["cadastral_number"] = {"type": "string", "maxLength": 40}
    service = published_service(dept, code="land-plot-lease", form_schema=schema)
    RegistryRecord.objects.create(
        registry="building-permits",
        number="16-RU-0001",
        title="Разрешение",
        holder="ООО Прочие",
        address="г. Казань, ул. Баумана, 1",
        issued_on=dt.date(2026, 1, 10),
    )
    return _issued(dept, service)


def _rows(client, **query) -> str:
    client.cookies["django_language"] = "ru"
    html = client.get("/services/registry/", query).content.decode()
    return html.split("<tbody>")[1].split("</tbody>")[0]


@pytest.mark.parametrize("query", ["петербургская", "ПЕТЕРБУРГСКАЯ", "ул. петербургская"])
def test_a_search_in_any_letter_case_finds_cyrillic_text(client, record, query):
    rows = _rows(client, q=query)
    assert record.number in rows and "Баумана" not in rows


def test_the_cadastral_number_is_searchable_and_shown(client, record):
    assert record.cadastral_number == CADASTRAL
    rows = _rows(client, q=CADASTRAL)
    assert CADASTRAL in rows and "Баумана" not in rows


def test_a_record_number_reads_cleanly(record):
    assert re.fullmatch(r"LPL-\d{4}-\d{6}", record.number), record.number


def test_the_register_is_shown_by_its_name(client, record):
    Registry.objects.create(
        code="building-permits",
        name={"ru": "Реестр разрешений на строительство", "tt": "Реестр", "en": "Permits"},
    )
    client.cookies["django_language"] = "ru"
    html = client.get("/services/registry/").content.decode()
    select = html.split('name="registry"')[1].split("</select>")[0]
    assert ">Реестр разрешений на строительство</option>" in select
    assert ">building-permits<" not in select
