"""Application files through the file service: hostile files refused with the reason and
nothing stored, each file open only to the people of the case (staff reads audited), and a
file of a submitted application kept in the case file."""

from __future__ import annotations

import pytest

from cityhall.core.models import AuditRecord, StoredFile
from cityhall.municipal_services import services
from cityhall.municipal_services.models import ApplicationFile
from tests.core import hostile_files as hostile
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .factories import Department, published_service, submitted_application, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    dept = Department()
    return dept, submitted_application(published_service(dept))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (hostile.pdf_with_javascript(), "contains active content"),
        (hostile.pdf_html_polyglot(), "holds web page code"),
    ],
)
def test_hostile_pdf_is_refused_with_its_reason_and_nothing_is_stored(client, data, reason):
    dept = Department()
    applicant = UserFactory()
    application = services.start_application(actor=applicant, service=published_service(dept))
    client.force_login(applicant)
    before = StoredFile.objects.count()
    response = client.post(
        f"/services/applications/{application.pk}/upload/",
        {"document_code": "plan", "file": upload("plan.pdf", data)},
    )
    assert response.status_code == 422
    assert f"plan.pdf {reason}" in response.content.decode()
    assert StoredFile.objects.count() == before and not application.files.exists()


def test_application_file_is_open_only_to_the_people_of_the_case(client, case):
    dept, application = case
    stored = application.files.get().stored
    assert client.get(stored.url).status_code == 302  # anonymous: asked to sign in
    other_department = Department("Other")
    executor = MembershipFactory(organisation=OrganisationFactory(), role="executor").user
    for outsider in (UserFactory(), other_department.expert, executor):
        client.force_login(outsider)
        assert client.get(stored.url).status_code == 404
    client.force_login(application.applicant)
    assert client.get(stored.url).status_code == 200
    assert not AuditRecord.objects.filter(action="file.read").exists()
    client.force_login(dept.expert)
    assert client.get(stored.url).status_code == 200
    assert AuditRecord.objects.filter(action="file.read", actor_id=dept.expert.pk).exists()


def test_file_of_a_submitted_application_stays_in_the_case_file(client, case):
    dept, application = case
    services.return_application(
        application=application, actor=dept.operator, reasons=["The plan is not signed"]
    )
    sent = application.files.get()
    assert sent.submitted
    client.force_login(application.applicant)
    edit = client.get(f"/services/applications/{application.pk}/edit/").content.decode()
    assert f'name="remove" value="{sent.pk}"' not in edit
    assert "in the case file" in edit
    response = client.post(
        f"/services/applications/{application.pk}/upload/", {"remove": str(sent.pk)}
    )
    assert response.status_code == 409
    assert ApplicationFile.objects.filter(pk=sent.pk).exists()
    client.post(
        f"/services/applications/{application.pk}/upload/",
        {"document_code": "plan", "file": upload("plan-signed.pdf")},
    )
    replacement = application.files.exclude(pk=sent.pk).get()
    assert not replacement.submitted
    client.post(f"/services/applications/{application.pk}/upload/", {"remove": replacement.pk})
    assert not ApplicationFile.objects.filter(pk=replacement.pk).exists()
    assert not StoredFile.objects.filter(pk=replacement.stored_id).exists()
