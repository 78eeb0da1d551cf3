"""Life situations: one questionnaire and one application; a sub-application is opened in
every department concerned with the shared data prefilled, each signed and submitted by the
applicant like any application; a step may wait for others (issue 16 item 16); one combined
status that tells the truth, and a timeline."""

from __future__ import annotations

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import (
    Application,
    LifeSituationCase,
    LifeSituationStep,
)
from tests.factories import UserFactory

from .factories import (
    Department,
    definition,
    life_situation,
    published_service,
    published_steps,
    texts,
)

pytestmark = pytest.mark.django_db

SIMPLE_FORM = {
    "type": "object",
    "properties": {
        "applicant_name": {"type": "string", "minLength": 3},
        "address": {"type": "string"},
        "needs_excavation": {"type": "boolean"},
    },
    "required": ["applicant_name", "address"],
}


@pytest.fixture
def situation():
    return build_an_office()


def build_an_office():
    """Three steps: the facade design, the permit, and the excavation when there are
    underground networks (also used by the designer's tests)."""
    planning = Department("Department of Urban Planning Permits")
    roads = Department("Committee of External Improvement")
    simple = {
        "form_schema": SIMPLE_FORM,
        "ui": {},
        "documents": [],
        "variants": [],
        "rules": [],
        "result_types": ["document"],
        "registry": "",
        # the result template names only this form's fields (checked at publishing)
        "result_template": {"title": texts("Решение"), "body": texts("Выдано: {{ holder }}")},
    }
    permit = published_service(planning, code="building-permit")  # needs more fields + a plan
    design = published_service(planning, code="facade-design", **simple)
    digging = published_service(roads, code="excavation", **simple)
    office = life_situation(
        "build-an-office",
        texts("Построить офис", "Build an office"),
        {
            "type": "object",
            "properties": {
                "company": {"type": "string", "minLength": 3},
                "address": {"type": "string", "minLength": 5},
                "underground_networks": {"type": "boolean"},
            },
            "required": ["company", "address"],
        },
        {"fields": {"company": {"label": texts("Организация", "Company")}}},
    )
    version = office.versions.get()
    prefill = {"applicant_name": "company", "address": "address"}
    LifeSituationStep.objects.create(version=version, service=design, order=1, prefill=prefill)
    LifeSituationStep.objects.create(
        version=version,
        service=permit,
        order=2,
        prefill=prefill,
        constants={"purpose": "shop", "area": 300},
    )
    LifeSituationStep.objects.create(
        version=version,
        service=digging,
        order=3,
        prefill=prefill,
        condition={"==": [{"var": "underground_networks"}, True]},
        constants={"needs_excavation": True},
    )
    return office, planning, roads


def test_one_questionnaire_opens_a_case_in_every_department_concerned(client, situation):
    office, planning, roads = situation
    applicant = UserFactory()
    client.force_login(applicant)
    page = client.get("/services/situations/build-an-office/")
    assert '<label for="f-company">Company' in page.content.decode()
    bad = client.post("/services/situations/build-an-office/", {"company": "AB"})
    assert bad.status_code == 422
    assert "Enter at least 3 characters." in bad.content.decode()

    response = client.post(
        "/services/situations/build-an-office/",
        {"company": "ООО Казань-Офис", "address": "ул. Баумана, 10", "underground_networks": "on"},
    )
    case = LifeSituationCase.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{case.pk}/")
    apps = {a.service.code: a for a in case.applications.select_related("service")}
    assert set(apps) == {"facade-design", "building-permit", "excavation"}
    assert apps["excavation"].department == roads.org
    assert apps["facade-design"].answers == {
        "applicant_name": "ООО Казань-Офис",
        "address": "ул. Баумана, 10",
    }
    assert apps["excavation"].answers["needs_excavation"] is True
    # Nothing is submitted unsigned: each sub-application waits for the applicant to sign it.
    assert {a.status for a in apps.values()} == {Application.Status.DRAFT}
    assert not any(a.number for a in apps.values())

    page = client.get(f"/services/situations/cases/{case.pk}/").content.decode()
    assert "Your action is needed" in page and "0 of 3 done" in page
    assert page.count('Check and sign<span class="visually-hidden">') == 3
    assert f"/services/applications/{apps['excavation'].pk}/edit/" in page


def test_a_step_whose_condition_fails_is_not_opened(situation):
    office, *_ = situation
    applicant = UserFactory()
    case = services.submit_life_situation(
        situation=office,
        actor=applicant,
        answers={"company": "ООО Офис", "address": "ул. Пушкина, 1"},
    )
    assert sorted(case.applications.values_list("service__code", flat=True)) == [
        "building-permit",
        "facade-design",
    ]


def test_the_combined_status_completes_when_every_sub_case_is_closed(client, situation):
    office, planning, roads = situation
    applicant = UserFactory()
    case = services.submit_life_situation(
        situation=office,
        actor=applicant,
        answers={"company": "ООО Офис", "address": "ул. Пушкина, 1"},
    )
    for application in case.applications.all():
        if application.service.code == "building-permit":
            services.withdraw_application(application=application, actor=applicant)
            continue
        services.submit_application(application=application, actor=applicant)  # once signed
        services.accept_application(application=application, actor=planning.operator)
        services.send_to_decision(application=application, actor=planning.expert, conclusion="ok")
        services.decide(
            application=application, actor=planning.decider, outcome="approve", reasons=[]
        )
    client.force_login(applicant)
    page = client.get(f"/services/situations/cases/{case.pk}/").content.decode()
    # Every application not withdrawn got its result.
    assert "Completed" in page and "2 of 2 done" in page
    assert definition()  # the full permit definition stays untouched by the bundle


def test_shared_documents_are_attached_once_for_every_service_that_asks(client, situation):
    from .factories import PDF_BYTES, upload

    applicant = UserFactory()
    client.force_login(applicant)
    page = client.get("/services/situations/build-an-office/").content.decode()
    assert 'name="plan"' in page and "Building permit" in page
    bad = client.post(
        "/services/situations/build-an-office/",
        {
            "company": "ООО Офис",
            "address": "ул. Пушкина, 1",
            "plan": upload("plan.pdf", b"MZ" + b"\x00" * 100),
        },
    )
    assert bad.status_code == 422
    assert "This file type is not accepted" in bad.content.decode()
    assert not LifeSituationCase.objects.exists()
    client.post(
        "/services/situations/build-an-office/",
        {"company": "ООО Офис", "address": "ул. Пушкина, 1", "plan": upload("plan.pdf", PDF_BYTES)},
    )
    case = LifeSituationCase.objects.get()
    permit = case.applications.get(service__code="building-permit")
    assert permit.status == Application.Status.DRAFT  # the applicant signs it next
    assert permit.files.get().document_code == "plan"
    assert case.number.startswith("LS-")


def test_the_admin_shows_versions_read_only_and_a_broken_step_does_not_validate(client, situation):
    office, *_ = situation
    version = office.published_version()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = f"/admin/municipal_services/lifesituationversion/{version.pk}/change/"
    questionnaire = '{"type": "object", "properties": {"a": {"type": "decimal"}}}'
    assert client.get(url).status_code == 200
    response = client.post(url, {"questionnaire": questionnaire, "ui": "{}"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert "a" not in version.questionnaire["properties"]
    step = published_steps(office).first()
    step.condition = {"==": [{"var": "no_such_question"}, 1]}
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        step.full_clean()
    assert "no_such_question" in str(exc.value)


def _decide(application, dept, outcome):
    services.accept_application(application=application, actor=dept.operator)
    services.send_to_decision(application=application, actor=dept.expert, conclusion="ok")
    return services.decide(
        application=application,
        actor=dept.decider,
        outcome=outcome,
        reasons=["Участок в охранной зоне"] if outcome == "refuse" else [],
    )


def test_a_sub_case_is_signed_on_the_signing_page_like_any_application(
    client, situation, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from cityhall.municipal_services.models import ApplicationSignature

    from .factories import sign_through_pages

    office, *_ = situation
    applicant = UserFactory(email="office@example.com", email_confirmed_at=timezone.now())
    client.force_login(applicant)
    client.post(
        "/services/situations/build-an-office/",
        {"company": "ООО Офис", "address": "ул. Пушкина, 1"},
    )
    design = LifeSituationCase.objects.get().applications.get(service__code="facade-design")
    edit = client.post(
        f"/services/applications/{design.pk}/edit/",
        {"action": "submit", "applicant_name": "ООО Офис", "address": "ул. Пушкина, 1"},
    )
    assert edit.status_code == 302 and edit.url.endswith(f"/{design.pk}/sign/")
    response = sign_through_pages(client, design, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    design.refresh_from_db()
    assert design.status == Application.Status.ACCEPTANCE
    assert ApplicationSignature.objects.get(application=design).signer == applicant


def test_a_step_is_approved_only_after_the_steps_it_depends_on_got_their_result(client, situation):
    office, planning, roads = situation
    design_step = published_steps(office).get(service__code="facade-design")
    digging_step = published_steps(office).get(service__code="excavation")
    digging_step.requires.add(design_step)  # digging only after the design is approved
    applicant = UserFactory()
    case = services.submit_life_situation(
        situation=office,
        actor=applicant,
        answers={"company": "ООО Офис", "address": "ул. Пушкина, 1", "underground_networks": True},
    )
    design = case.applications.get(service__code="facade-design")
    digging = case.applications.get(service__code="excavation")
    for application in (design, digging):
        services.submit_application(application=application, actor=applicant)

    client.force_login(applicant)
    page = client.get(f"/services/situations/cases/{case.pk}/").content.decode()
    assert "Decided only after: " in page and "Building permit" in page

    services.accept_application(application=digging, actor=roads.operator)
    services.send_to_decision(application=digging, actor=roads.expert, conclusion="ok")
    client.force_login(roads.decider)
    response = client.post(
        f"/services/applications/{digging.pk}/act/", {"action": "decide", "outcome": "approve"}
    )
    assert response.status_code == 302
    digging.refresh_from_db()
    assert digging.status == Application.Status.DECISION  # refused: the design is not issued
    message = [str(m) for m in response.wsgi_request._messages][0]
    assert "can be approved only after" in message

    _decide(design, planning, "approve")
    services.decide(application=digging, actor=roads.decider, outcome="approve", reasons=[])
    digging.refresh_from_db()
    assert digging.status == Application.Status.RESULT_ISSUED


def test_a_refused_prerequisite_keeps_the_dependent_step_from_approval_but_not_refusal(situation):
    from cityhall.core.errors import Conflict

    office, planning, roads = situation
    published_steps(office).get(service__code="excavation").requires.add(
        published_steps(office).get(service__code="facade-design")
    )
    applicant = UserFactory()
    case = services.submit_life_situation(
        situation=office,
        actor=applicant,
        answers={"company": "ООО Офис", "address": "ул. Пушкина, 1", "underground_networks": True},
    )
    design = case.applications.get(service__code="facade-design")
    digging = case.applications.get(service__code="excavation")
    for application in (design, digging):
        services.submit_application(application=application, actor=applicant)
    _decide(design, planning, "refuse")
    services.accept_application(application=digging, actor=roads.operator)
    services.send_to_decision(application=digging, actor=roads.expert, conclusion="ok")
    with pytest.raises(Conflict):
        services.decide(application=digging, actor=roads.decider, outcome="approve", reasons=[])
    services.decide(application=digging, actor=roads.decider, outcome="refuse", reasons=["—"])
    digging.refresh_from_db()
    assert digging.status == Application.Status.REFUSED


def test_the_overall_status_is_never_completed_while_a_sub_case_was_refused(client, situation):
    office, planning, roads = situation
    applicant = UserFactory()
    case = services.submit_life_situation(
        situation=office,
        actor=applicant,
        answers={"company": "ООО Офис", "address": "ул. Пушкина, 1", "underground_networks": True},
    )
    design = case.applications.get(service__code="facade-design")
    digging = case.applications.get(service__code="excavation")
    permit = case.applications.get(service__code="building-permit")
    services.withdraw_application(application=permit, actor=applicant)
    for application in (design, digging):
        services.submit_application(application=application, actor=applicant)
    _decide(design, planning, "approve")
    client.force_login(applicant)
    page = client.get(f"/services/situations/cases/{case.pk}/").content.decode()
    assert "In progress" in page and "2 of 3 done" in page

    _decide(digging, roads, "refuse")
    page = client.get(f"/services/situations/cases/{case.pk}/").content.decode()
    assert "Completed" not in page
    assert "Finished: some services were refused" in page and "1 refused" in page
