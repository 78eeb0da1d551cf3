"""Issue 16, municipal services, walked in Chromium end to end: item 12 (an upload keeps what
was typed, without and with JavaScript), item 13 (a paper applicant is told by SMS and the
service centre prints their letter), item 15 (forwarding to an expert who inherits the role;
the desk shows who has the case) and item 16 (a life situation's applications are signed one by
one, a dependent step waits for its prerequisite, the overall status tells a refusal)."""

from __future__ import annotations

import re

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import (
    Application,
    LifeSituationCase,
    LifeSituationStep,
)
from cityhall.notifications.models import Message
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.municipal_services.factories import (
    PDF_BYTES,
    Department,
    life_situation,
    published_service,
    texts,
)

from .support import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIMPLE = {
    "form_schema": {
        "type": "object",
        "properties": {"applicant_name": {"type": "string", "minLength": 3}},
        "required": ["applicant_name"],
    },
    "ui": {},
    "documents": [],
    "variants": [],
    "rules": [],
    "result_types": ["document"],
    "registry": "",
    # the result template names only this form's fields (checked at publishing)
    "result_template": {"title": texts("Решение"), "body": texts("Выдано: {{ holder }}")},
}
PLAN = {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}


@pytest.fixture
def city(settings):
    settings.STAFF_REQUIRE_OTP = False
    committee = OrganisationFactory(name="Executive Committee")
    dept = Department()
    dept.org.parent = committee
    dept.org.save(update_fields=["parent"])
    inherited = MembershipFactory(organisation=committee, role="expert").user
    return dept, inherited, published_service(dept)


def _tab(new_context, client, user, live_server, **options):
    context = new_context(**options)
    sign_in(context, client, user, live_server)
    return context.new_page()


@pytest.mark.timeout(600)  # one long walk through four workflows and four roles
def test_municipal_services_walkthrough(new_context, client, live_server, city):
    dept, inherited, service = city
    url = live_server.url

    # --- item 12: an upload keeps what was typed, with JavaScript off … ---------------------
    resident = UserFactory(first_name="Gulnara")
    tab = _tab(new_context, client, resident, live_server, java_script_enabled=False)
    tab.goto(f"{url}/services/{service.code}/apply/")
    tab.get_by_role("button", name="Start a new application").click()
    tab.locator("#f-applicant_name").fill("ООО Ромашка")
    tab.locator("#f-purpose").select_option("shop")
    tab.locator("#f-area").fill("500")
    tab.locator("#up-plan").set_input_files(PLAN)
    tab.locator("#up-plan ~ button").click()
    assert tab.locator("#f-applicant_name").input_value() == "ООО Ромашка"
    assert tab.locator("#f-area").input_value() == "500"
    assert "plan.pdf" in tab.locator("main").inner_text()
    application = Application.objects.get(applicant=resident)
    assert application.answers["applicant_name"] == "ООО Ромашка"

    # … and on
    tab = _tab(new_context, client, resident, live_server)
    tab.goto(f"{url}/services/applications/{application.pk}/edit/")
    tab.locator("#f-applicant_name").fill("ООО Ландыш")
    tab.locator("#up-extra").set_input_files(PLAN | {"name": "extra.pdf"})
    tab.locator("#up-extra ~ button").click()
    assert tab.locator("#f-applicant_name").input_value() == "ООО Ландыш"
    assert "extra.pdf" in tab.locator("main").inner_text()
    assert_accessible(tab)
    services.submit_application(application=application, actor=resident)  # signing: elsewhere
    services.accept_application(application=application, actor=dept.operator)

    # --- item 15: forwarding to an expert who inherits the role ------------------------------
    tab = _tab(new_context, client, dept.expert, live_server)
    tab.goto(f"{url}/services/applications/{application.pk}/")
    tab.locator("#expert-f").select_option(str(inherited.pk))
    tab.get_by_role("button", name="Forward", exact=True).click()
    assert "Done." in tab.locator("main").inner_text()
    assert tab.locator("#conclusion").count() == 0  # the case is no longer theirs
    assert Message.objects.filter(
        recipient=inherited, event="municipal_services.case_forwarded"
    ).exists()
    tab.goto(f"{url}/services/desk/")
    row = tab.locator("tbody tr", has_text=application.number)
    assert str(inherited) in row.inner_text()
    assert_accessible(tab)

    # --- item 13: a paper applicant is told by SMS; the service centre prints the letter -----
    tab = _tab(new_context, client, dept.operator, live_server)
    tab.goto(f"{url}/services/desk/register/{service.code}/")
    tab.locator("#contact").fill("+79171234567")
    tab.locator("#ln").fill("Гарипов")
    tab.locator("#fn").fill("Ильдар")
    tab.get_by_role("button", name=re.compile("Continue")).click()
    tab.locator("#f-applicant_name").fill("Гарипов Ильдар")
    tab.locator("#f-purpose").select_option("shop")
    tab.locator("#f-area").fill("40")
    tab.locator("#up-plan").set_input_files(PLAN | {"name": "scan.pdf"})
    tab.get_by_role("button", name=re.compile("Submit")).click()
    paper = Application.objects.get(registered_by=dept.operator)
    assert paper.status == Application.Status.ACCEPTANCE
    assert Message.objects.filter(recipient=paper.applicant, channel="sms").exists()
    services.accept_application(application=paper, actor=dept.operator)
    services.send_to_decision(application=paper, actor=dept.expert, conclusion="ok")
    services.decide(application=paper, actor=dept.decider, outcome="refuse", reasons=["Нет плана"])
    sms = Message.objects.filter(recipient=paper.applicant, channel="sms").order_by("-pk").first()
    assert "кабинет" not in sms.body
    tab.goto(f"{url}/services/applications/{paper.pk}/")
    tab.get_by_role("link", name=re.compile("Letter for the applicant")).click()
    letter = tab.locator("main").inner_text()
    assert "Гарипов" in letter and "Нет плана" in letter and "центре обслуживания" in letter
    assert_accessible(tab)

    # --- item 16: a life situation ----------------------------------------------------------
    lease = published_service(dept, code="plot-lease", **SIMPLE)
    permit = published_service(dept, code="office-permit", **SIMPLE)
    office = life_situation(
        "build-an-office",
        texts("Построить офис", "Build an office"),
        {
            "type": "object",
            "properties": {"company": {"type": "string", "minLength": 3}},
            "required": ["company"],
        },
        {"fields": {"company": {"label": texts("Организация", "Company")}}},
    )
    prefill = {"applicant_name": "company"}
    version = office.versions.get()
    lease_step = LifeSituationStep.objects.create(
        version=version, service=lease, order=1, prefill=prefill
    )
    permit_step = LifeSituationStep.objects.create(
        version=version, service=permit, order=2, prefill=prefill
    )
    permit_step.requires.add(lease_step)
    tab = _tab(new_context, client, resident, live_server)
    tab.goto(f"{url}/services/situations/build-an-office/")
    tab.locator("#f-company").fill("ООО Казань-Офис")
    tab.get_by_role("button", name="Open the applications").click()
    case = LifeSituationCase.objects.get()
    main = tab.locator("main").inner_text()
    assert "Your action is needed" in main and main.count("Check and sign") >= 2
    assert not case.applications.exclude(status="draft").exists()  # nothing signed for them
    lease_case = case.applications.get(service=lease)
    permit_case = case.applications.get(service=permit)
    tab.get_by_role("link", name=re.compile("Check and sign")).first.click()
    assert tab.url.endswith(f"/applications/{lease_case.pk}/edit/")
    assert tab.locator("#f-applicant_name").input_value() == "ООО Казань-Офис"

    for sub in (lease_case, permit_case):
        services.submit_application(application=sub, actor=resident)  # as after signing
        services.accept_application(application=sub, actor=dept.operator)
        services.send_to_decision(application=sub, actor=dept.expert, conclusion="ok")
    tab = _tab(new_context, client, dept.decider, live_server)
    tab.goto(f"{url}/services/applications/{permit_case.pk}/")
    tab.get_by_label("Approve").check()
    tab.get_by_role("button", name="Decide").click()
    assert "can be approved only after" in tab.locator("main").inner_text()
    permit_case.refresh_from_db()
    assert permit_case.status == Application.Status.DECISION
    services.decide(application=lease_case, actor=dept.decider, outcome="refuse", reasons=["—"])

    tab = _tab(new_context, client, resident, live_server)
    tab.goto(f"{url}/services/situations/cases/{case.pk}/")
    main = tab.locator("main").inner_text()
    assert "Completed" not in main and "1 refused" in main
    assert "Decided only after:" in main
    assert_accessible(tab)
