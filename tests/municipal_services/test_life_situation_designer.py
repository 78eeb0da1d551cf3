"""The life-situation designer, through its pages: steps built from lists (service, when it
applies, mappings from the questionnaire's fields to the service's form fields, what it waits
for), validated on save. Regression for issue 15: a step that prefills a misspelled field was
saved silently and the applicant's drafts lacked that answer."""

from __future__ import annotations

import pytest

from cityhall.core.models import AuditRecord
from cityhall.municipal_services.models import (
    Application,
    LifeSituationCase,
    LifeSituationStep,
)
from cityhall.municipal_services.services.life_situation_versions import start_situation_version
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .test_life_situation import build_an_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def situation():
    """The office with its published version 1 and a draft version 2 copying it."""
    built = build_an_office()
    start_situation_version(actor=None, situation=built[0])
    return built


@pytest.fixture
def designer(client, settings):
    settings.STAFF_REQUIRE_OTP = False
    person = MembershipFactory(organisation=OrganisationFactory(), role="administrator").user
    client.force_login(person)
    return person


def _steps(office, status: str = "draft") -> dict[str, LifeSituationStep]:
    version = office.versions.get(status=status)
    return {s.service.code: s for s in version.steps.select_related("service")}


def test_a_misspelled_mapping_is_refused_on_save_naming_the_field(client, situation, designer):
    office, *_ = situation
    step = _steps(office)["facade-design"]
    url = f"/services/staff/situations/{office.pk}/steps/{step.pk}/"
    page = client.get(url).content.decode()
    # The mapping is offered as lists: the service's fields, the questionnaire's fields.
    assert 'name="map_applicant_name"' in page and '<option value="company" selected>' in page
    response = client.post(
        url,
        {
            "service": step.service.pk,
            "order": "1",
            "applies": "always",
            "map_aplicant_name": "company",
        },
    )
    assert response.status_code == 422
    assert "has no field “aplicant_name”" in response.content.decode()
    step.refresh_from_db()
    assert step.prefill == {"applicant_name": "company", "address": "address"}  # unchanged


def test_a_stored_misspelled_mapping_opens_nothing_and_the_applicant_is_told(client, situation):
    office, *_ = situation
    LifeSituationStep.objects.filter(pk=_steps(office, "published")["excavation"].pk).update(
        prefill={"aplicant_name": "company", "address": "address"}
    )
    client.force_login(UserFactory())
    response = client.post(
        "/services/situations/build-an-office/",
        {"company": "ООО Казань-Офис", "address": "ул. Баумана, 10", "underground_networks": "on"},
    )
    assert response.status_code == 422
    assert "Nothing has been opened or sent" in response.content.decode()
    assert not LifeSituationCase.objects.exists() and not Application.objects.exists()


def test_an_administrator_adds_a_step_from_lists_and_orders_it_after_another(
    client, situation, designer
):
    office, *_ = situation
    steps = _steps(office)
    digging = steps.pop("excavation")
    service = digging.service
    digging.delete()
    url = f"/services/staff/situations/{office.pk}/steps/new/"
    shown = client.post(url, {"service": service.pk, "order": "3", "step": "fields"})
    text = shown.content.decode()
    assert shown.status_code == 200 and 'name="map_needs_excavation"' in text
    assert "When “underground_networks” is yes" in text or "is yes" in text
    response = client.post(
        url,
        {
            "service": service.pk,
            "order": "3",
            "applies": "underground_networks:yes",
            "map_applicant_name": "company",
            "map_address": "address",
            "requires": [str(steps["building-permit"].pk)],
        },
    )
    assert response.status_code == 302
    created = _steps(office)["excavation"]
    assert created.prefill == {"applicant_name": "company", "address": "address"}
    assert created.condition == {"==": [{"var": "underground_networks"}, True]}
    assert list(created.requires.all()) == [steps["building-permit"]]
    assert AuditRecord.objects.filter(
        action="municipal_services.life_situation_step_saved"
    ).exists()
    # The permit now waiting for the excavation too would wait forever: refused.
    permit = steps["building-permit"]
    response = client.post(
        f"/services/staff/situations/{office.pk}/steps/{permit.pk}/",
        {
            "service": permit.service.pk,
            "order": "2",
            "applies": "always",
            "map_applicant_name": "company",
            "requires": [str(created.pk)],
        },
    )
    assert response.status_code == 422 and "wait forever" in response.content.decode()
    assert not permit.requires.exists()
    page = client.get(f"/services/staff/situations/{office.pk}/").content.decode()
    assert "Decided only after" in page


def test_people_without_the_administrator_role_cannot_design(client, situation, settings):
    settings.STAFF_REQUIRE_OTP = False
    office, *_ = situation
    client.force_login(MembershipFactory(organisation=OrganisationFactory(), role="expert").user)
    assert client.get("/services/staff/situations/").status_code == 403
    assert client.get(f"/services/staff/situations/{office.pk}/steps/new/").status_code == 403
