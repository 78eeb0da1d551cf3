"""Life situations versioned like services (issue 15), through the pages: the designer edits
only a draft (the published version is read-only, with "New version"), a draft's change is not
what residents see, publishing refuses a broken draft with every problem listed and changes
nothing, publishing retires the version before, and a case keeps the version it was submitted
on (its summary and the order between its sub-applications)."""

from __future__ import annotations

import re

import pytest

from cityhall.core.errors import Conflict
from cityhall.core.models import AuditRecord
from cityhall.municipal_services import selectors
from cityhall.municipal_services.models import LifeSituationCase, LifeSituationStep
from cityhall.municipal_services.services import life_situation_design
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .designer_steps import ok, revision, texts
from .test_life_situation import build_an_office

pytestmark = pytest.mark.django_db

RESIDENT_PAGE = "/services/situations/build-an-office/"


@pytest.fixture
def office():
    return build_an_office()[0]


@pytest.fixture
def designer(client, settings):
    settings.STAFF_REQUIRE_OTP = False
    person = MembershipFactory(organisation=OrganisationFactory(), role="administrator").user
    client.force_login(person)
    return person


def _page(office, tail: str = "") -> str:
    return f"/services/staff/situations/{office.pk}/{tail}"


def _statuses(office) -> dict[int, str]:
    return dict(office.versions.values_list("number", "status"))


def _new_version(client, office):
    ok(client.post(_page(office, "new-version/")))
    return office.versions.get(status="draft")


def test_the_published_version_is_read_only_with_a_new_version_button(client, office, designer):
    page = client.get(_page(office)).content.decode()
    assert "Version 1 (published)" in page and "New version" in page
    assert "Add a step" not in page and "Change the step" not in page
    step = office.published_version().steps.first()
    # Posting to the step and question pages anyway changes nothing.
    response = client.post(
        _page(office, f"steps/{step.pk}/"),
        {"service": step.service.pk, "order": "9", "applies": "always"},
        follow=True,
    )
    assert "Start a new version to change it" in response.content.decode()
    response = client.post(
        _page(office, "questions/"), {"kind": "yes_no", **texts("label", "А", "Ә", "A")}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.order == 1 and set(office.published_version().questionnaire["properties"]) == {
        "company",
        "address",
        "underground_networks",
    }
    with pytest.raises(Conflict):  # the service refuses it too, whatever calls it
        life_situation_design.delete_step(step=step, actor=designer)
    assert LifeSituationStep.objects.filter(pk=step.pk).exists()


def test_new_version_copies_the_published_questionnaire_and_steps(client, office, designer):
    published = office.published_version()
    permit = published.steps.get(service__code="building-permit")
    permit.requires.add(published.steps.get(service__code="facade-design"))
    draft = _new_version(client, office)
    assert draft.number == 2 and _statuses(office) == {1: "published", 2: "draft"}
    assert draft.definition() == published.definition()
    copied = {s.service.code: s for s in draft.steps.all()}
    original = {s.service.code: s for s in published.steps.all()}
    assert set(copied) == set(original)
    for code, step in copied.items():
        assert (step.order, step.prefill, step.condition, step.constants) == (
            original[code].order,
            original[code].prefill,
            original[code].condition,
            original[code].constants,
        )
    assert list(copied["building-permit"].requires.all()) == [copied["facade-design"]]
    assert _new_version(client, office).pk == draft.pk  # one draft at a time
    assert (
        AuditRecord.objects.filter(
            action="municipal_services.life_situation_version_drafted"
        ).count()
        == 1
    )
    page = client.get(_page(office)).content.decode()
    assert "Draft version 2" in page and "Residents still see version 1" in page


def test_a_draft_edit_does_not_change_what_a_resident_sees_until_published(
    client, office, designer
):
    draft = _new_version(client, office)
    questions = _page(office, "questions/")
    ok(
        client.post(
            questions,
            {
                "revision": revision(client, questions),
                "kind": "yes_no",
                **texts("label", "Большой офис?", "Зур офис?", "Large office"),
            },
        )
    )
    digging = draft.steps.get(service__code="excavation")
    ok(client.post(_page(office, f"steps/{digging.pk}/delete/")))
    draft.refresh_from_db()
    assert "large_office" in draft.questionnaire["properties"]
    resident = UserFactory()
    client.force_login(resident)
    page = client.get(RESIDENT_PAGE).content.decode()
    assert "Large office" not in page and "Company" in page
    client.force_login(designer)
    review = client.get(_page(office, "publish/")).content.decode()
    assert "Compared with the published version 1" in review and "Large office" in review
    assert "constants.needs_excavation: true" in review and "cannot be published" not in review
    ok(client.post(_page(office, "publish/"), {"revision": draft.revision}))
    assert _statuses(office) == {1: "retired", 2: "published"}
    client.force_login(resident)
    page = client.get(RESIDENT_PAGE).content.decode()
    assert "Large office" in page
    record = AuditRecord.objects.get(action="municipal_services.life_situation_version_published")
    assert "excavation" in str(record.after["difference"])


def test_publishing_refuses_a_broken_draft_with_the_problems_listed_and_changes_nothing(
    client, office, designer
):
    draft = _new_version(client, office)
    steps = {s.service.code: s for s in draft.steps.all()}
    # Stored behind the designer's back: a misspelled mapping and steps waiting for each other.
    LifeSituationStep.objects.filter(pk=steps["excavation"].pk).update(
        prefill={"aplicant_name": "company"}
    )
    steps["building-permit"].requires.add(steps["facade-design"])
    steps["facade-design"].requires.add(steps["building-permit"])
    before = draft.revision
    page = client.get(_page(office)).content.decode()
    assert "This draft cannot be published until these are corrected" in page
    response = client.post(_page(office, "publish/"), {"revision": before})
    assert response.status_code == 422
    page = response.content.decode()
    assert "This version cannot be published yet" in page
    assert "has no field “aplicant_name”" in page and "wait forever" in page
    assert _statuses(office) == {1: "published", 2: "draft"}
    assert not AuditRecord.objects.filter(
        action__startswith="municipal_services.life_situation_version_"
    ).exclude(action="municipal_services.life_situation_version_drafted")
    # A draft changed after the official reviewed it is a conflict, not a publication.
    draft.revision += 1
    draft.save(update_fields=["revision"])
    response = client.post(_page(office, "publish/"), {"revision": before})
    assert response.status_code == 409 and _statuses(office) == {1: "published", 2: "draft"}


def test_a_case_keeps_its_version_after_a_new_one_is_published(client, office, designer):
    first = office.published_version()
    design = first.steps.get(service__code="facade-design")
    first.steps.get(service__code="building-permit").requires.add(design)
    resident = UserFactory()
    client.force_login(resident)
    answers = {"company": "ООО Офис", "address": "ул. Баумана, 10"}
    ok(client.post(RESIDENT_PAGE, answers))
    case = LifeSituationCase.objects.get()
    assert case.version == first
    # Version 2 drops the order between the permit and the design, and is published.
    client.force_login(designer)
    draft = _new_version(client, office)
    draft.steps.get(service__code="building-permit").requires.clear()
    ok(client.post(_page(office, "publish/"), {"revision": draft.revision}))
    case.refresh_from_db()
    assert case.version == first and _statuses(office) == {1: "retired", 2: "published"}
    # The situation's page lists both versions, newest first, with the applications on each.
    page = client.get(_page(office, ""), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    history = page.split('id="history-heading"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td>.*?<td>(\d+)</td></tr>", history)
    assert rows == [("2", "Published", "0"), ("1", "Retired", "1")]
    # The case's summary and its sub-applications still read version 1: the permit waits.
    permit = case.applications.get(service__code="building-permit")
    assert [a.service.code for a in selectors.life_situation_summary(case).waiting[permit.pk]] == [
        "facade-design"
    ]
    client.force_login(resident)
    page = client.get(f"/services/situations/cases/{case.pk}/").content.decode()
    assert "Decided only after:" in page


def test_people_without_the_designer_role_cannot_start_or_publish_versions(
    client, office, settings
):
    settings.STAFF_REQUIRE_OTP = False
    client.force_login(UserFactory())
    assert client.post(_page(office, "new-version/")).status_code == 403
    client.force_login(MembershipFactory(organisation=OrganisationFactory(), role="expert").user)
    assert client.post(_page(office, "new-version/")).status_code == 403
    assert client.post(_page(office, "publish/"), {"revision": 0}).status_code == 403
    client.logout()
    assert client.post(_page(office, "new-version/")).status_code == 302
    assert _statuses(office) == {1: "published"}
