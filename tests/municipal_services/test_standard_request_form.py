"""Staff send an interdepartmental request with the request type's own form, prefilled from the
case — not a JSON box (issue 15)."""

from __future__ import annotations

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import StandardRequest, StandardRequestType

from .factories import Department, published_service, submitted_application, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    dept = Department()
    registry = Department("Committee of Land and Property Relations")
    kind = StandardRequestType.objects.create(
        code="land-registry-extract",
        name=texts("Выписка из реестра", "Land registry extract"),
        form_schema={
            "type": "object",
            "properties": {
                "applicant_name": {"type": "string", "title": "Applicant"},
                "cadastral_number": {
                    "type": "string",
                    "title": "Cadastral number",
                    "pattern": "^16:50:[0-9]+:[0-9]+$",
                },
            },
            "required": ["applicant_name", "cadastral_number"],
        },
        addressee=registry.org,
    )
    application = submitted_application(published_service(dept))
    services.accept_application(application=application, actor=dept.operator)
    return dept, kind, application


def test_the_request_form_is_prefilled_from_the_case_and_sent_without_json(client, case):
    dept, kind, application = case
    client.force_login(dept.expert)
    url = f"/services/applications/{application.pk}/"
    page = client.get(url).content.decode()
    assert "JSON" not in page and 'name="request_type"' in page
    page = client.get(url, {"request_type": kind.pk}).content.decode()
    assert 'name="applicant_name" value="ООО Ромашка"' in page.replace("\n", " ") or (
        'value="ООО Ромашка"' in page
    )
    assert 'name="cadastral_number"' in page
    client.post(
        url + "act/",
        {"action": "send_request", "type": kind.pk, "applicant_name": "ООО Ромашка"},
    )
    assert not StandardRequest.objects.exists()  # the missing cadastral number is refused
    client.post(
        url + "act/",
        {
            "action": "send_request",
            "type": kind.pk,
            "applicant_name": "ООО Ромашка",
            "cadastral_number": "16:50:110101:42",
        },
    )
    sent = StandardRequest.objects.get()
    assert sent.payload == {"applicant_name": "ООО Ромашка", "cadastral_number": "16:50:110101:42"}
