"""Issue 15's "done when", walked in Chromium with the keyboard only (focus, typing, Space and
Enter; no mouse): an administrator builds "permit to build an office" — four fields, a
document, two variants, the rule, the land-registry request and the result template — sees
the template typo refused at publishing, corrects it with a field inserted from the list and
publishes; a resident's small office is then decided automatically. axe checks every designer
page on the way; the pages are also read in ru and tt."""

from __future__ import annotations

import os

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application, Service, ServiceVersion
from tests.browser.support import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .designer_steps import land_registry
from .factories import Department, upload

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("DESIGNER_SCREENSHOTS", "")


@pytest.fixture
def dept(transactional_db):
    department = Department()
    department.admin = MembershipFactory(organisation=department.org, role="administrator").user
    land_registry(OrganisationFactory(name="Rosreestr"))
    return department


def _type(page, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _tick(page, selector: str) -> None:
    page.locator(selector).focus()
    page.keyboard.press("Space")


def _choose(page, selector: str, value: str) -> None:
    """Pick an option with the arrow keys, as a keyboard user does."""
    box = page.locator(selector)
    values = box.evaluate("s => Array.from(s.options).map(o => o.value)")
    box.focus()
    page.keyboard.press("Home")
    for _step in range(values.index(value)):
        page.keyboard.press("ArrowDown")
    assert box.input_value() == value


def _press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _look(page, name: str) -> None:
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/designer-{name}.png", full_page=True)


def _field(page, kind: str, ru: str, en: str, *, required=True, options=None, extra=None):
    _choose(page, "#id_kind", kind)
    _type(page, "#id_label_ru", ru)
    _type(page, "#id_label_en", en)
    if required:
        _tick(page, "#id_required")
    if options:
        _type(page, "#id_options_ru", "\n".join(o[0] for o in options))
        _type(page, "#id_options_en", "\n".join(o[1] for o in options))
    for selector, text in (extra or {}).items():
        _type(page, selector, text)
    _press(page, "Add the field")
    assert "Saved." in page.locator("main").inner_text()


def test_an_administrator_builds_the_office_permit_with_the_keyboard_and_publishes_it(
    page, client, live_server, dept
):
    sign_in(page.context, client, dept.admin, live_server)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/staff/services/")
    _look(page, "index")
    _type(page, "#id_name_ru", "Разрешение на строительство офиса")
    _type(page, "#id_name_tt", "Офис төзүгә рөхсәт")
    _type(page, "#id_name_en", "Permit to build an office")
    _choose(page, "#id_department", str(dept.org.pk))
    _press(page, "Create the service")
    service = Service.objects.get(code="permit-to-build-an-office")
    v1 = f"{live_server.url}/staff/services/{service.code}/v1"

    page.goto(f"{v1}/fields/")
    _field(page, "text", "Заявитель", "Applicant")
    _field(
        page, "choice", "Назначение", "Purpose", options=[("Офис", "Office"), ("Магазин", "Shop")]
    )
    _field(page, "number", "Площадь", "Area", extra={"#id_unit": "м²", "#id_maximum": "100000"})
    _field(page, "yes_no", "Охранная зона", "Heritage zone", required=False)
    _look(page, "fields")

    page.goto(f"{v1}/documents/")
    _type(page, "#id_r0-title_ru", "План участка")
    _type(page, "#id_r0-title_en", "Site plan")
    _tick(page, "#id_r0-required")
    _tick(page, 'input[name="r0-types"][value="application/pdf"]')
    _type(page, "#id_r0-max_size_mb", "5")
    _press(page, "Save")

    page.goto(f"{v1}/variants/")
    _type(page, "#id_r0-title_ru", "Небольшой офис")
    _type(page, "#id_r0-title_en", "Small office")
    _tick(page, "#id_r0-typical")
    for name in ("purpose", "area", "heritage_zone"):
        _tick(page, f'input[name="r0-parameters"][value="{name}"]')
    _press(page, "Save")
    _type(page, "#id_r1-title_ru", "Крупный офис")
    _type(page, "#id_r1-title_en", "Large office")
    for name in ("purpose", "area"):
        _tick(page, f'input[name="r1-parameters"][value="{name}"]')
    _tick(page, 'input[name="r1-requests"][value="land-registry"]')
    _press(page, "Save")
    _look(page, "variants")

    page.goto(f"{v1}/rules/")
    _choose(page, "#id_r0-variant", "small-office")
    _choose(page, "#id_r0-field1", "purpose")
    _type(page, "#id_r0-value1", "Office")
    _choose(page, "#id_r0-field2", "area")
    _choose(page, "#id_r0-operator2", "le")
    _type(page, "#id_r0-value2", "300")
    _choose(page, "#id_r0-field3", "heritage_zone")
    _choose(page, "#id_r0-operator3", "no")
    _choose(page, "#id_r0-outcome", "auto")
    _press(page, "Save the rules")
    _choose(page, "#id_r1-variant", "large-office")
    _choose(page, "#id_r1-outcome", "expert")
    _press(page, "Save the rules")
    _look(page, "rules")

    page.goto(f"{v1}/stages/")
    _tick(page, 'input[name="result_types"][value="document"]')
    _press(page, "Save")
    _look(page, "stages")

    page.goto(f"{v1}/template/")
    _type(page, "#id_title_ru", "Разрешение")
    _type(page, "#id_body_ru", "{% if answers.area %}Выдано: {{ holder }}")
    _press(page, "Save")
    assert "does not compile" in page.locator("main").inner_text()
    page.goto(f"{v1}/publish/")
    _press(page, "Publish this version")
    assert "endif" in page.locator("main").inner_text()
    assert service.versions.get().status == ServiceVersion.Status.DRAFT

    page.goto(f"{v1}/template/")
    _type(page, "#id_body_ru", "Выдано: {{ holder }}\nПлощадь: ")
    _choose(page, "#id_insert", "{{ answers.area }}")
    page.get_by_role("button", name="Insert", exact=True).focus()
    page.keyboard.press("Enter")  # the script puts it at the cursor, no round trip
    assert page.locator("#id_body_ru").input_value().endswith("Площадь: {{ answers.area }}")
    _press(page, "Save")
    assert "Площадь: 12.5" in page.locator("main").inner_text()  # the sample answer
    _look(page, "template")

    page.goto(f"{v1}/preview/?language=tt&variant=large-office")
    _look(page, "preview")
    page.goto(f"{v1}/publish/")
    _look(page, "publish")
    _press(page, "Publish this version")
    assert "Version 1 is published." in page.locator("main").inner_text()

    resident = UserFactory()
    application = services.start_application(actor=resident, service=service)
    services.save_draft(
        application=application,
        actor=resident,
        answers={"applicant": "ООО Ромашка", "purpose": "office", "area": 120},
    )
    services.upload_file(
        application=application, actor=resident, document_code="site-plan", upload=upload()
    )
    services.submit_application(application=application, actor=resident)
    services.accept_application(application=application, actor=dept.operator)
    application.refresh_from_db()
    assert application.status == Application.Status.RESULT_ISSUED


@pytest.mark.parametrize(
    "language, heading", [("ru", "Правила решения"), ("tt", "Карар кагыйдәләре")]
)
def test_the_designer_reads_in_russian_and_tatar(
    page, client, live_server, dept, language, heading
):
    service = services.create_service(
        actor=None, code="office", department=dept.org, name={"ru": "Офис"}
    )
    services.start_new_version(actor=None, service=service)
    sign_in(page.context, client, dept.admin, live_server)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/staff/services/office/v1/rules/")
    assert page.get_by_role("heading", level=1).inner_text() == heading
    _look(page, f"rules-{language}")
