"""Databases that already hold files move onto the file service: migrations
municipal_services 0010 (application files, results, interdepartmental answers) and
service_requests 0012 (request photos) fill the new StoredFile links of existing rows and then
drop the old file columns. On PostgreSQL both steps in one transaction fail ("cannot ALTER TABLE
... because it has pending trigger events"); these tests migrate real rows through them, so
they fail there if the migrations ever become atomic again, and check each file is still read
through ``/files/<id>/`` afterwards (issue 13)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.core.hostile_files import minimal_pdf, png
from tests.migration_steps import migrate_to


def _served(client, user_pk, stored_pk) -> bytes:
    client.force_login(get_user_model().objects.get(pk=user_pk))
    answer = client.get(f"/files/{stored_pk}/")
    assert answer.status_code == 200
    return b"".join(answer.streaming_content)


@pytest.mark.django_db(transaction=True)
def test_application_files_results_and_answers_with_rows_reach_the_file_service(client):
    old = migrate_to([("municipal_services", "0009_merge_svca_svcb")])
    try:
        User = old.get_model("accounts", "User")
        Organisation = old.get_model("accounts", "Organisation")
        Service = old.get_model("municipal_services", "Service")
        Version = old.get_model("municipal_services", "ServiceVersion")
        Application = old.get_model("municipal_services", "Application")
        ApplicationFile = old.get_model("municipal_services", "ApplicationFile")
        ResultDocument = old.get_model("municipal_services", "ResultDocument")
        RequestType = old.get_model("municipal_services", "StandardRequestType")
        StandardRequest = old.get_model("municipal_services", "StandardRequest")
        applicant = User.objects.create(username="applicant")
        clerk = User.objects.create(username="clerk")
        department = Organisation.objects.create(name="Architecture", type="executive_department")
        registry = Organisation.objects.create(name="Land registry", type="executive_department")
        service = Service.objects.create(code="permit", department=department)
        application = Application.objects.create(
            applicant=applicant, department=department, service=service,
            version=Version.objects.create(service=service, number=1), status="result_issued",
            number="A-1", submitted_at=timezone.now(),
        )  # fmt: skip
        ApplicationFile.objects.create(
            application=application, document_code="plan", original_name="plan.pdf",
            content_type="application/pdf", size=len(minimal_pdf()), uploaded_by=applicant,
            file=default_storage.save("municipal_services/plan.pdf", ContentFile(minimal_pdf())),
        )  # fmt: skip
        ResultDocument.objects.create(
            application=application, kind="permit", number="R-1",
            file=default_storage.save("municipal_services/result.pdf", ContentFile(b"%PDF-r")),
        )  # fmt: skip
        StandardRequest.objects.create(
            application=application, addressee=registry, sent_by=clerk, handled_by=clerk,
            type=RequestType.objects.create(code="extract", addressee=registry),
            due_at=timezone.now(),
            answer_file=default_storage.save("municipal_services/answer.pdf", ContentFile(b"A")),
        )  # fmt: skip
    finally:
        new = migrate_to()

    ApplicationFile = new.get_model("municipal_services", "ApplicationFile")
    ResultDocument = new.get_model("municipal_services", "ResultDocument")
    StandardRequest = new.get_model("municipal_services", "StandardRequest")
    assert new.get_model("core", "StoredFile").objects.count() == 3
    upload = ApplicationFile.objects.select_related("stored").get()
    assert upload.submitted and upload.stored.purpose == "municipal_services.application_file"
    assert upload.stored.size == len(minimal_pdf()) and upload.stored.label == "plan.pdf"
    result = ResultDocument.objects.select_related("stored").get()
    answer = StandardRequest.objects.select_related("answer_stored").get()
    with result.stored.file.open("rb") as handle:
        assert handle.read() == b"%PDF-r"
    with answer.answer_stored.file.open("rb") as handle:
        assert handle.read() == b"A"

    # The applicant reads their own file and result at the one address of every file.
    assert _served(client, applicant.pk, upload.stored_id) == minimal_pdf()
    assert _served(client, applicant.pk, result.stored_id) == b"%PDF-r"


@pytest.mark.django_db(transaction=True)
def test_request_photos_with_rows_reach_the_file_service(client):
    old = migrate_to([("service_requests", "0011_merge_reports_and_handovers")])
    try:
        User = old.get_model("accounts", "User")
        Category = old.get_model("service_requests", "Category")
        CategoryVersion = old.get_model("service_requests", "CategoryVersion")
        ServiceRequest = old.get_model("service_requests", "ServiceRequest")
        Photo = old.get_model("service_requests", "Photo")
        author = User.objects.create(username="resident")
        category = Category.objects.create(
            code="pothole", name_ru="Яма", responsible_type="managing_organisation"
        )
        request = ServiceRequest.objects.create(
            channel="web", author=author, category=category,
            category_version=CategoryVersion.objects.create(category=category, number=1),
        )  # fmt: skip
        Photo.objects.create(
            request=request, uploaded_by=author,
            image=default_storage.save("requests/2024/05/pit.png", ContentFile(png())),
        )  # fmt: skip
    finally:
        new = migrate_to()

    photo = new.get_model("service_requests", "Photo").objects.select_related("stored").get()
    assert photo.stored.purpose == "service_requests.photo"
    assert photo.stored.owner_id == author.pk and photo.stored.size == len(png())
    with photo.stored.file.open("rb") as handle:
        assert handle.read() == png()
    assert _served(client, author.pk, photo.stored_id) == png()
