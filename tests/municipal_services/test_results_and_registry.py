"""Results and registries: the approved application gets a PDF from the definition's template
(Cyrillic text) and a public, searchable registry record shown on a server-rendered map."""

from __future__ import annotations

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import RegistryRecord
from cityhall.municipal_services.results import result_body, result_context

from .factories import Department, published_service, submitted_application

pytestmark = pytest.mark.django_db


def _approved(dept, service, **answers):
    application = submitted_application(
        service,
        answers={"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 500, **answers},
    )
    application.location_lat, application.location_lon = 55.7963, 49.1088
    application.save(update_fields=["location_lat", "location_lon"])
    services.accept_application(application=application, actor=dept.operator)
    services.send_to_decision(application=application, actor=dept.expert, conclusion="ok")
    services.decide(application=application, actor=dept.decider, outcome="approve", reasons=["ok"])
    application.refresh_from_db()
    return application


def test_the_result_pdf_is_filled_from_the_template():
    dept = Department()
    application = _approved(dept, published_service(dept), address="ул. Баумана, 10")
    pdf = application.result.stored.file.read()
    assert pdf.startswith(b"%PDF") and b"Roboto" in pdf  # the Cyrillic font is embedded
    context = result_context(application, application.result.number)
    text = result_body(application, application.version.result_template, context)
    assert text == "Выдано: ООО Ромашка\nНазначение: shop, площадь 500 м²"


def test_registry_records_are_public_searchable_and_mapped(client):
    dept = Department()
    service = published_service(dept)
    first = _approved(dept, service, address="ул. Баумана, 10")
    _approved(dept, service, applicant_name="ИП Сафин", address="пр. Победы, 100")
    assert RegistryRecord.objects.count() == 2
    page = client.get("/services/registry/", {"q": "Баумана"})
    html = page.content.decode()
    assert page.status_code == 200
    assert first.registry_record.number in html and "пр. Победы" not in html
    svg = client.get("/services/registry/map.svg", {"q": "Баумана"})
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.decode().count("<circle") == 1
