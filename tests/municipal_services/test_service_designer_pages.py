"""The service designer (issue 15), through its pages as an administrator uses them: the
office permit built from lists (no JSON, no codes), published, and a resident's small case
decided automatically; the template typo refused at publishing; a conflict between two
officials; who may design; the preview in the applicant's language; export and import."""

from __future__ import annotations

import json

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application, Service, ServiceVersion
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .designer_steps import BASE, build_office_permit, land_registry, ok, revision, texts
from .factories import Department, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept():
    department = Department()
    department.admin = MembershipFactory(organisation=department.org, role="administrator").user
    land_registry(OrganisationFactory(name="Rosreestr"))
    return department


def test_an_administrator_builds_publishes_and_a_small_office_is_decided_automatically(
    client, dept
):
    client.force_login(dept.admin)
    service = build_office_permit(client, dept.org)
    version = service.versions.get()
    assert version.form_schema["properties"]["area"] == {
        "type": "number",
        "minimum": 1,
        "maximum": 100000,
    }
    assert version.ui["fields"]["area"]["unit"] == "м²"
    assert version.form_schema["properties"]["purpose"]["enum"] == ["office", "shop"]
    assert version.variants[1]["requests"] == ["land-registry"]
    assert version.rules[0]["when"] == {
        "and": [
            {"==": [{"var": "purpose"}, "office"]},
            {"<=": [{"var": "area"}, 300]},
            {"!": {"var": "heritage_zone"}},
        ]
    }
    rules_page = client.get(f"{BASE}/{service.code}/v1/rules/").content.decode()
    assert "&quot;var&quot;: &quot;area&quot;" in rules_page  # the JSON Logic, for who wants it
    publish_page = client.get(f"{BASE}/{service.code}/v1/publish/").content.decode()
    assert "Nothing is published yet" in publish_page and "cannot be published" not in publish_page
    ok(client.post(f"{BASE}/{service.code}/v1/publish/", {"revision": version.revision}))
    version.refresh_from_db()
    assert version.status == ServiceVersion.Status.PUBLISHED

    resident = UserFactory()
    application = services.start_application(actor=resident, service=service)
    answers = {"applicant": "ООО Ромашка", "purpose": "office", "area": 120}
    services.save_draft(application=application, actor=resident, answers=answers)
    services.upload_file(
        application=application, actor=resident, document_code="site-plan", upload=upload()
    )
    services.submit_application(application=application, actor=resident)
    application.refresh_from_db()
    # the term chosen in calendar days: 10 days later (a day off moves it to the next working
    # day), not the two weeks and more that 10 working days take
    waited = (application.due_at.date() - application.submitted_at.date()).days
    assert 10 <= waited <= 12
    client.force_login(dept.operator)
    client.post(f"/services/applications/{application.pk}/act/", {"action": "accept"})
    application.refresh_from_db()
    assert application.variant == "small-office"
    assert application.status == Application.Status.RESULT_ISSUED


def test_a_template_typo_is_refused_at_publishing_with_the_problem_named(client, dept):
    client.force_login(dept.admin)
    service = build_office_permit(client, dept.org)
    url = f"{BASE}/{service.code}/v1/template/"
    ok(
        client.post(
            url,
            {
                "revision": revision(client, url),
                "action": "save",
                **texts("title", "Разрешение", "Рөхсәт", "Permit"),
                **texts("body", "{% if answers.area %}{{ holder }}", "x", "x"),
            },
        )
    )
    version = service.versions.get()
    response = client.post(
        f"{BASE}/{service.code}/v1/publish/",
        {"revision": version.revision},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Документ результата" in page or "Result document" in page
    assert "endif" in page
    version.refresh_from_db()
    assert version.status == ServiceVersion.Status.DRAFT


def test_two_administrators_saving_one_draft_see_a_conflict(client, dept):
    client.force_login(dept.admin)
    service = build_office_permit(client, dept.org)
    url = f"{BASE}/{service.code}/v1/stages/"
    opened = revision(client, url)
    form = {
        "revision": opened,
        "term_days": "12",
        "term_in": "working",
        "identity": "account",
        "result_types": ["document"],
        "roles_acceptance": ["operator"],
        "roles_consideration": ["expert"],
        "roles_decision": ["decision_maker"],
    }
    ok(client.post(url, form))
    page = client.post(url, {**form, "term_days": "30"}).content.decode()
    assert "Someone else saved this draft" in page
    assert service.versions.get().term_days == 12


def test_only_the_departments_designers_may_design(client, dept):
    client.force_login(dept.operator)
    assert client.get(f"{BASE}/").status_code == 403
    other = UserFactory(staff=True)
    MembershipFactory(user=other, role="service_designer")  # another organisation
    client.force_login(dept.admin)
    service = build_office_permit(client, dept.org)
    client.force_login(other)
    assert client.get(f"{BASE}/").status_code == 200
    assert client.get(f"{BASE}/{service.code}/v1/fields/").status_code == 403


def test_the_preview_shows_the_form_in_tatar_with_the_variants_documents(client, dept):
    client.force_login(dept.admin)
    service = build_office_permit(client, dept.org)
    page = client.get(
        f"{BASE}/{service.code}/v1/preview/?language=tt&variant=large-office"
    ).content.decode()
    assert "Мәйдан" in page and "Зур офис" in page and "Участок планы *" in page


def test_new_version_copies_the_published_one_and_export_imports_back(client, dept):
    client.force_login(dept.admin)
    service = build_office_permit(client, dept.org)
    version = service.versions.get()
    ok(client.post(f"{BASE}/{service.code}/v1/publish/", {"revision": version.revision}))
    ok(client.post(f"{BASE}/{service.code}/new-version/"))
    v2 = service.versions.get(number=2)
    assert v2.definition() == version.definition()
    exported = client.get(f"{BASE}/{service.code}/v2/export.json")
    data = json.loads(exported.content)
    data["code"] = "office-permit-copy"
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("d.json", json.dumps(data).encode(), "application/json")
    ok(client.post(f"{BASE}/import/", {"file": file, "department": dept.org.pk}))
    copy = Service.objects.get(code="office-permit-copy").versions.get()
    assert copy.rules == v2.rules
