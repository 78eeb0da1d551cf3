"""Versions that cannot break cases (issue 15): a result template with a typo is refused at
publishing with the problem named; a case on a version published before that check is still
decided, with a staff error instead of a failure; two officials editing one draft see a
conflict; each publication is audited with its difference; a resumed draft follows the new
version, a submitted case keeps its own."""

from __future__ import annotations

import pytest

from cityhall.core.errors import Conflict, InvalidInput
from cityhall.core.models import AuditRecord
from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application, ServiceVersion
from tests.factories import UserFactory

from .factories import Department, definition, published_service, submitted_application, texts

pytestmark = pytest.mark.django_db

TYPO = texts("{% if answers.floors %}Этажей: {{ answers.floors }}\nВыдано: {{ holder }}")
SMALL = {"applicant_name": "ООО Ромашка", "purpose": "office", "area": 120}


def _new_draft(service, **overrides):
    version = services.create_draft(actor=None, service=service)
    if overrides:
        services.update_draft(actor=None, version=version, definition=overrides)
    return version


def test_a_template_with_a_missing_endif_is_refused_at_publishing():
    service = published_service(Department())
    draft = _new_draft(service, result_template={"title": texts("Разрешение"), "body": TYPO})
    with pytest.raises(InvalidInput) as exc:
        services.publish_version(actor=None, version=draft)
    [message, *_rest] = exc.value.fields["result_template"]
    assert "(ru) does not compile" in message and "endif" in message
    draft.refresh_from_db()
    assert draft.status == ServiceVersion.Status.DRAFT


def test_a_template_naming_a_missing_field_or_variable_is_refused():
    service = published_service(Department())
    body = texts("{{ answers.storeys }} {{ holdr }}")
    draft = _new_draft(service, result_template={"title": texts("Р"), "body": body})
    with pytest.raises(InvalidInput) as exc:
        services.publish_version(actor=None, version=draft)
    text = " ".join(exc.value.fields["result_template"])
    assert "unknown variables: holdr" in text
    assert "fields the form does not have: storeys" in text


def test_a_case_whose_template_fails_is_still_decided_with_a_staff_error(client):
    dept = Department()
    service = published_service(dept)
    # a version published before templates were checked
    ServiceVersion.objects.filter(service=service).update(
        result_template={"title": texts("Разрешение"), "body": TYPO}
    )
    application = submitted_application(service, UserFactory(), SMALL)
    client.force_login(dept.operator)
    response = client.post(
        f"/services/applications/{application.pk}/act/", {"action": "accept"}, follow=True
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.RESULT_ISSUED
    assert application.result.stored.size > 0
    page = response.content.decode()
    assert "could not be used" in page and "Correct the template in a new version" in page
    step = application.events.get(kind="result_template_failed")
    assert step.internal
    assert AuditRecord.objects.filter(action="municipal_services.result_template_failed").exists()


def test_two_officials_editing_one_draft_see_a_conflict():
    service = published_service(Department())
    draft = _new_draft(service)
    opened = draft.revision
    services.update_draft(
        actor=None, version=draft, definition={"term_days": 12}, expected_revision=opened
    )
    with pytest.raises(Conflict) as exc:
        services.update_draft(
            actor=None, version=draft, definition={"term_days": 15}, expected_revision=opened
        )
    assert exc.value.code == "draft_changed"
    draft.refresh_from_db()
    assert draft.term_days == 12


def test_each_publication_is_audited_with_its_difference():
    service = published_service(Department())
    draft = _new_draft(service, term_days=15)
    services.publish_version(actor=None, version=draft)
    record = AuditRecord.objects.filter(action="municipal_services.version_published").last()
    changes = record.after["difference"]
    assert record.after["previous"] == 1
    assert [(c["part"], c["before"], c["after"]) for c in changes] == [("term_days", "10", "15")]


def test_a_resumed_draft_moves_to_the_new_version_and_names_the_new_question(client):
    service = published_service(Department())
    applicant = UserFactory()
    draft_case = services.start_application(actor=applicant, service=service)
    services.save_draft(application=draft_case, actor=applicant, answers=SMALL)
    submitted = submitted_application(service, UserFactory(), SMALL)
    v2 = services.create_draft(actor=None, service=service)
    schema = v2.form_schema
    schema["properties"]["plot_owner"] = {"type": "string", "maxLength": 200}
    schema["required"].append("plot_owner")
    ui = v2.ui
    ui["fields"]["plot_owner"] = {"label": texts("Владелец участка", "Owner of the plot")}
    services.update_draft(actor=None, version=v2, definition={"form_schema": schema, "ui": ui})
    services.publish_version(actor=None, version=v2)

    client.force_login(applicant)
    page = client.get(
        f"/services/applications/{draft_case.pk}/edit/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "please also answer: Owner of the plot" in page
    draft_case.refresh_from_db()
    submitted.refresh_from_db()
    assert draft_case.version_id == v2.pk
    assert draft_case.answers["area"] == 120  # answers the new form still asks for are kept
    assert submitted.version.number == 1


def test_an_inn_with_wrong_check_digits_is_refused_on_the_form():
    schema = definition()["form_schema"]
    schema["properties"]["inn"] = {"type": "string", "format": "inn"}
    service = published_service(Department(), form_schema=schema)
    applicant = UserFactory()
    application = services.start_application(actor=applicant, service=service)
    services.save_draft(
        application=application, actor=applicant, answers={**SMALL, "inn": "7707083894"}
    )
    with pytest.raises(InvalidInput) as exc:
        services.submit_application(application=application, actor=applicant)
    assert "not a valid INN" in " ".join(exc.value.fields["inn"])


def test_a_document_a_variant_requires_is_required_of_its_cases_only():
    variants = definition()["variants"]
    variants[1]["documents"] = ["extra"]  # the general procedure needs the other document
    service = published_service(Department(), variants=variants)
    small = submitted_application(service, UserFactory(), SMALL)
    assert small.status == Application.Status.ACCEPTANCE
    with pytest.raises(InvalidInput) as exc:
        submitted_application(
            service,
            UserFactory(),
            {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 500},
        )
    assert list(exc.value.fields) == ["extra"]
