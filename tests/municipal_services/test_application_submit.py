"""Applying through the portal: the form rendered from the schema works without JavaScript,
drafts are saved and resumed, uploads are stored at once and refused when of the wrong type or
size, answers are validated against the exact version with field-level messages, and a
returned application is fixed and resubmitted as the same case."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application, ApplicationFile
from cityhall.notifications.models import Message
from tests.core.hostile_files import png as hostile_png
from tests.factories import UserFactory

from .factories import PDF_BYTES, Department, published_service, sign_through_pages, upload

pytestmark = pytest.mark.django_db

PNG = hostile_png()  # a real picture: the file service decodes what it keeps


@pytest.fixture
def setup(client):
    dept = Department()
    service = published_service(dept)
    applicant = UserFactory(email_confirmed_at=timezone.now())  # signs by a code sent there
    client.force_login(applicant)
    return dept, service, applicant


def _start(client, service) -> Application:
    response = client.post(f"/services/{service.code}/apply/")
    assert response.status_code == 302
    return Application.objects.get(service=service)


def test_the_form_is_rendered_from_the_schema_and_works_without_javascript(client, setup):
    _, service, _ = setup
    application = _start(client, service)
    page = client.get(f"/services/applications/{application.pk}/edit/")
    html = page.content.decode()
    assert '<label for="f-applicant_name">Applicant' in html
    assert 'type="number"' in html and 'name="area"' in html
    assert '<select id="f-purpose" name="purpose"' in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main  # plain controls and a real submit button
    assert 'name="action" value="submit"' in main and '<form method="post"' in main


def test_submission_errors_come_back_beside_their_fields(client, setup):
    _, service, _ = setup
    application = _start(client, service)
    response = client.post(
        f"/services/applications/{application.pk}/edit/",
        {"action": "submit", "applicant_name": "AB", "purpose": "castle", "area": "много"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter at least 3 characters." in html
    assert "Choose one of the listed values." in html
    assert "Enter a number." in html
    assert "Attach this document." in html
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.answers["applicant_name"] == "AB"  # nothing typed is lost


def test_a_draft_is_saved_and_resumed(client, setup):
    _, service, _ = setup
    application = _start(client, service)
    client.post(
        f"/services/applications/{application.pk}/edit/",
        {"action": "save", "applicant_name": "ООО Ромашка", "area": "250"},
    )
    page = client.get(f"/services/applications/{application.pk}/edit/")
    assert 'value="ООО Ромашка"' in page.content.decode()
    assert 'value="250"' in page.content.decode()


def test_uploads_are_stored_at_once_and_wrong_files_are_refused(client, setup):
    _, service, applicant = setup
    application = _start(client, service)
    url = f"/services/applications/{application.pk}/upload/"
    exe = upload("plan.pdf", b"MZ\x90\x00" + b"\x00" * 300)  # a program named .pdf
    response = client.post(url, {"document_code": "plan", "file": exe})
    assert response.status_code == 422
    assert "This file type is not accepted" in response.content.decode()
    big = upload("plan.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    response = client.post(url, {"document_code": "plan", "file": big})
    assert response.status_code == 422
    assert "too large: at most 1 MB" in response.content.decode()
    png_for_pdf_only = upload("scan.png", PNG)
    response = client.post(url, {"document_code": "extra", "file": png_for_pdf_only})
    assert response.status_code == 422
    assert ApplicationFile.objects.count() == 0

    response = client.post(url, {"document_code": "plan", "file": upload("plan.png", PNG)})
    assert response.status_code == 302
    stored = ApplicationFile.objects.get()
    assert stored.content_type == "image/png" and stored.uploaded_by == applicant
    # The connection drops now: the draft still has its document for the next visit.
    page = client.get(f"/services/applications/{application.pk}/edit/")
    assert "plan.png" in page.content.decode()


def test_a_valid_application_is_submitted_numbered_and_notified(
    client, setup, django_capture_on_commit_callbacks
):
    _, service, applicant = setup
    application = _start(client, service)
    client.post(
        f"/services/applications/{application.pk}/upload/",
        {"document_code": "plan", "file": upload()},
    )
    response = client.post(
        f"/services/applications/{application.pk}/edit/",
        {"action": "submit", "applicant_name": "ООО Ромашка", "purpose": "shop", "area": "500"},
    )
    assert response.status_code == 302
    sign_through_pages(client, application, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTANCE
    assert application.number and application.due_at > application.submitted_at
    assert application.answers == {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 500}
    message = Message.objects.filter(
        recipient=applicant, event="municipal_services.status_changed"
    ).first()
    assert message is not None
    assert "Documents are being checked" in message.body or "Заявление принято" in message.body
    page = client.get(f"/services/applications/{application.pk}/")
    assert application.number in page.content.decode()


def test_answers_are_validated_against_the_exact_version(setup):
    dept, service, applicant = setup
    application = services.start_application(actor=applicant, service=service)
    # A new version adds a required field; the draft started on v1 keeps v1's rules.
    v2 = services.create_draft(actor=None, service=service)
    schema = v2.form_schema
    schema["properties"]["cadastral_number"] = {"type": "string", "pattern": "^16:50:"}
    schema["required"].append("cadastral_number")
    services.update_draft(actor=None, version=v2, definition={"form_schema": schema})
    services.publish_version(actor=None, version=v2)
    services.save_draft(
        application=application,
        actor=applicant,
        answers={"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 80},
    )
    services.upload_file(
        application=application, actor=applicant, document_code="plan", upload=upload()
    )
    services.submit_application(application=application, actor=applicant)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTANCE
    assert application.version.number == 1


def test_a_returned_application_is_fixed_and_resubmitted_as_the_same_case(
    client, setup, django_capture_on_commit_callbacks
):
    dept, service, applicant = setup
    application = _start(client, service)
    client.post(
        f"/services/applications/{application.pk}/upload/",
        {"document_code": "plan", "file": upload()},
    )
    client.post(
        f"/services/applications/{application.pk}/edit/",
        {"action": "submit", "applicant_name": "ООО Ромашка", "purpose": "shop", "area": "500"},
    )
    sign_through_pages(client, application, django_capture_on_commit_callbacks)
    services.return_application(
        application=application,
        actor=dept.operator,
        reasons=["The site plan is not signed", "Area differs from the cadastral extract"],
    )
    application.refresh_from_db()
    assert application.status == Application.Status.RETURNED
    page = client.get(f"/services/applications/{application.pk}/edit/")
    assert "The site plan is not signed" in page.content.decode()
    number = application.number
    response = client.post(
        f"/services/applications/{application.pk}/edit/",
        {"action": "submit", "applicant_name": "ООО Ромашка", "purpose": "shop", "area": "480"},
    )
    assert response.status_code == 302
    sign_through_pages(client, application, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTANCE
    assert application.number == number
    assert Application.objects.count() == 1
    assert list(application.events.values_list("kind", flat=True)) == [
        "created",
        "submitted",
        "returned",
        "resubmitted",
    ]


def test_a_field_whose_condition_fails_is_neither_kept_nor_validated(client, setup):
    _, service, _ = setup  # "floors" applies only when the purpose is an office
    application = _start(client, service)
    client.post(
        f"/services/applications/{application.pk}/upload/",
        {"document_code": "plan", "file": upload()},
    )
    response = client.post(
        f"/services/applications/{application.pk}/edit/",
        {
            "action": "save",
            "applicant_name": "ООО Ромашка",
            "purpose": "shop",
            "area": "50",
            "floors": "999",
        },
    )
    application.refresh_from_db()
    assert "floors" not in application.answers
    page = client.get(f"/services/applications/{application.pk}/edit/").content.decode()
    folded = page.split("More fields (only if they apply to you)", 1)[1]
    assert 'name="floors"' in folded
    response = client.post(
        f"/services/applications/{application.pk}/edit/",
        {
            "action": "submit",
            "applicant_name": "ООО Ромашка",
            "purpose": "office",
            "area": "50",
            "floors": "999",
        },
    )
    assert response.status_code == 422
    assert "Enter a number not greater than 50." in response.content.decode()
    response = client.post(
        f"/services/applications/{application.pk}/edit/",
        {
            "action": "submit",
            "applicant_name": "ООО Ромашка",
            "purpose": "shop",
            "area": "50",
            "floors": "999",
        },
    )
    assert response.status_code == 302


def test_the_portal_registers_through_the_intake_inbox_with_gap_free_numbers(client, setup):
    from cityhall.core.models import AuditRecord, InboxItem

    _, service, applicant = setup
    _start(client, service)  # a draft never sent takes no number
    submitted = []
    for area in ("500", "90"):
        client.post(f"/services/{service.code}/apply/")
        application = Application.objects.filter(service=service).order_by("-pk").first()
        services.save_draft(
            application=application,
            actor=applicant,
            answers={"applicant_name": "ООО Ромашка", "purpose": "shop", "area": int(area)},
        )
        services.upload_file(
            application=application, actor=applicant, document_code="plan", upload=upload()
        )
        submitted.append(services.submit_application(application=application, actor=applicant))
    year = timezone.localdate().year
    assert [a.number for a in submitted] == [f"{year}-000001", f"{year}-000002"]
    items = InboxItem.objects.filter(kind="municipal_services.application").order_by("pk")
    assert [(i.state, i.object_id, i.actor_id) for i in items] == [
        ("done", a.pk, applicant.pk) for a in submitted
    ]
    assert (
        AuditRecord.objects.filter(
            action="municipal_services.application_submitted",
            object_id__in=[str(a.pk) for a in submitted],
        ).count()
        == 2
    )
