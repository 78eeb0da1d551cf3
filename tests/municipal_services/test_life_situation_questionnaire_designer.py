"""A life situation's questionnaire built in the designer (issue 15), through its pages: the
questions from field kinds (yes/no, a choice …) with "show when" and the steps' "applies when"
picked from the questionnaire's own questions; a condition naming a question or an answer the
questionnaire does not have is refused with the question named; removing a question a step
uses is refused; two officials see a conflict; the resident's page asks the built questions."""

from __future__ import annotations

import pytest

from cityhall.core.models import AuditRecord
from cityhall.municipal_services.models import LifeSituationCase
from cityhall.municipal_services.services.life_situation_versions import start_situation_version
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .designer_steps import ok, revision, texts
from .test_life_situation import build_an_office


def _draft(office):
    return office.versions.get(status="draft")


pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    """The office with its published version 1 and a draft version 2 copying it."""
    built = build_an_office()[0]
    start_situation_version(actor=None, situation=built)
    return built


@pytest.fixture
def designer(client):
    person = MembershipFactory(organisation=OrganisationFactory(), role="administrator").user
    client.force_login(person)
    return person


def _url(office, tail: str = "") -> str:
    return f"/services/staff/situations/{office.pk}/questions/{tail}"


def _question(client, office, **values):
    return client.post(_url(office), {"revision": revision(client, _url(office)), **values})


def _questions(office) -> dict:
    return _draft(office).questionnaire["properties"]


def test_questions_built_from_kinds_decide_which_steps_apply(client, office, designer):
    page = client.get(_url(office)).content.decode()
    assert "Company" in page and "underground_networks" in page
    ok(
        _question(
            client,
            office,
            kind="yes_no",
            **texts("label", "Офис больше 300 м²?", "Офис 300 м²дан зурмы?", "Large office"),
        )
    )
    ok(
        _question(
            client,
            office,
            kind="choice",
            required="on",
            show_field="large_office",
            show_operator="yes",
            **texts("label", "Земля", "Җир", "Land"),
            **texts("options", "Своя\nВ аренде", "Үзенеке\nАрендада", "Own\nLeased"),
        )
    )
    questions = _questions(office)
    assert questions["large_office"] == {"type": "boolean"}
    assert questions["land"]["enum"] == ["own", "leased"]
    assert _draft(office).ui["fields"]["land"]["show_if"] == {"!!": {"var": "large_office"}}
    assert (
        AuditRecord.objects.filter(
            action="municipal_services.life_situation_questionnaire_saved"
        ).count()
        == 2
    )
    # The excavation step now applies when the land is leased: picked from a list.
    step = _draft(office).steps.get(service__code="excavation")
    step_url = f"/services/staff/situations/{office.pk}/steps/{step.pk}/"
    step_page = client.get(step_url).content.decode()
    assert 'value="land:leased"' in step_page and "When “Land” is Leased" in step_page
    ok(
        client.post(
            step_url,
            {
                "service": step.service.pk,
                "order": 3,
                "applies": "land:leased",
                "map_applicant_name": "company",
                "map_address": "address",
            },
        )
    )
    step.refresh_from_db()
    assert step.condition == {"==": [{"var": "land"}, "leased"]}
    # Published, the resident is asked the built questions, and the answer decides what opens.
    publish = f"/services/staff/situations/{office.pk}/publish/"
    ok(client.post(publish, {"revision": _draft(office).revision}))
    client.force_login(UserFactory())
    resident = client.get("/services/situations/build-an-office/").content.decode()
    assert "Large office" in resident and 'value="leased"' in resident
    answers = {"company": "ООО Офис", "address": "ул. Пушкина, 1", "large_office": "on"}
    ok(client.post("/services/situations/build-an-office/", answers | {"land": "leased"}))
    case = LifeSituationCase.objects.get()
    assert "excavation" in set(case.applications.values_list("service__code", flat=True))


def test_a_show_when_naming_an_answer_not_offered_is_refused_on_its_field(client, office, designer):
    ok(
        _question(
            client,
            office,
            kind="choice",
            **texts("label", "Земля", "Җир", "Land"),
            **texts("options", "Своя\nВ аренде", "Үзенеке\nАрендада", "Own\nLeased"),
        )
    )
    response = _question(
        client,
        office,
        kind="text",
        show_field="land",
        show_operator="eq",
        show_value="Rented",
        **texts("label", "Арендодатель", "Арендага бирүче", "Landlord"),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "depends on an answer “Rented” the question “Land” does not offer" in page
    assert 'id="id_show_value-error"' in page or "field-invalid" in page
    assert "landlord" not in _questions(office)


def test_a_question_a_step_depends_on_cannot_be_removed(client, office, designer):
    before = dict(_questions(office))
    response = client.post(
        _url(office, "company/act/"),
        {"action": "remove", "revision": revision(client, _url(office))},
        follow=True,
    )
    page = response.content.decode()
    assert "fills the service&#x27;s form from the question “company”" in page
    assert _questions(office) == before


def test_a_stored_step_condition_naming_a_missing_answer_is_listed_with_the_step(
    client, office, designer
):
    step = _draft(office).steps.get(service__code="excavation")
    step.condition = {"==": [{"var": "underground_networks"}, "perhaps"]}
    step.save(update_fields=["condition"])
    page = client.get(f"/services/staff/situations/{office.pk}/").content.decode()
    assert "compares the yes/no question “underground_networks” with “perhaps”" in page


def test_two_officials_saving_the_questionnaire_see_a_conflict(client, office, designer):
    stale = revision(client, _url(office))
    ok(_question(client, office, kind="yes_no", **texts("label", "Да?", "Әйе?", "Yes")))
    response = client.post(
        _url(office),
        {"revision": stale, "kind": "yes_no", **texts("label", "Нет?", "Юк?", "Other")},
    )
    assert response.status_code == 422
    assert "Someone else changed this questionnaire" in response.content.decode()
    assert "other" not in _questions(office)
    assert _questions(office)["yes"] == {"type": "boolean"}
