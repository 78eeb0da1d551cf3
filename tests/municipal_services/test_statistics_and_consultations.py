"""Real-time statistics (by service, channel, department; document check; time per stage;
overdue) with SVG charts and CSV/XLSX export; the consultations log."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cityhall.municipal_services import services
from cityhall.municipal_services.models import Consultation
from tests.factories import UserFactory

from .factories import Department, published_service, submitted_application

pytestmark = pytest.mark.django_db


def test_statistics_count_applications_and_the_document_check(client):
    dept = Department()
    service = published_service(dept)
    accepted = submitted_application(service)
    returned = submitted_application(service)
    submitted_application(service)
    services.accept_application(application=accepted, actor=dept.operator)
    services.return_application(application=returned, actor=dept.operator, reasons=["unsigned"])
    client.force_login(dept.decider)
    page = client.get("/services/statistics/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Applications: <strong>3</strong>" in html
    assert "Accepted at the document check: 1; returned: 1 (50.0 %)" in html
    assert "<svg" in html and "Building permit" in html
    csv_text = client.get("/services/statistics/export.csv").content.decode()
    assert "Document check,Returned,1" in csv_text
    assert "By channel,Portal,3" in csv_text
    assert f"By day,{timezone.localtime(accepted.submitted_at).date().isoformat()}," in csv_text
    xlsx = client.get("/services/statistics/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert ("Total", "Applications", 3) in rows


def test_statistics_are_for_staff_only(client):
    client.force_login(UserFactory())
    assert client.get("/services/statistics/").status_code == 403


def test_staff_log_consultations(client):
    dept = Department()
    service = published_service(dept)
    client.force_login(dept.operator)
    response = client.post(
        "/services/consultations/",
        {
            "department": dept.org.pk,
            "service": service.pk,
            "channel": "phone",
            "question": "",
            "answer": "",
        },
    )
    assert response.status_code == 422
    client.post(
        "/services/consultations/",
        {
            "department": dept.org.pk,
            "service": service.pk,
            "channel": "phone",
            "question": "Нужен ли план участка?",
            "answer": "Да, в PDF",
        },
    )
    consultation = Consultation.objects.get()
    assert consultation.staff == dept.operator and consultation.service == service
    page = client.get("/services/consultations/", {"q": "план"})
    assert "Нужен ли план участка?" in page.content.decode()
    other = Department("Other")
    client.force_login(other.operator)
    response = client.post(
        "/services/consultations/", {"department": dept.org.pk, "question": "q", "answer": "a"}
    )
    assert response.status_code == 403
