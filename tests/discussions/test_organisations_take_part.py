"""Issue 20.8 and 20.10: companies and public authorities take part through their
representatives. A company's location comes from its address verified on a staff screen (not
/admin/); a person acts as themself or for the organisation they represent, chosen on the
proposal form or in the API, and the participant record shows which."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.accounts.models import Membership, Organisation, Role
from cityhall.core.models import AuditRecord
from cityhall.discussions.models import Participant, Proposal
from tests.factories import MembershipFactory, OrganisationFactory

from .factories import DiscussionFactory, verified_person

pytestmark = pytest.mark.django_db

VERIFY_ORGANISATION = reverse("accounts:verify_organisation")


@pytest.fixture
def company():
    return OrganisationFactory(legal_entity=True, name="ООО «Татпромстрой»", inn="1655012345")


@pytest.fixture
def representative(company, east_home):
    """A representative's account (registered as a business) whose own verified address is
    in the east district."""
    person = verified_person(east_home, username="rep", business=True)
    Membership.objects.create(user=person, organisation=company, role=Role.REPRESENTATIVE)
    return person


@pytest.fixture
def city_wide_plan(council):
    """The general plan: no territory and no districts, so the whole city."""
    return DiscussionFactory(organiser=council, title="Генеральный план")


@pytest.fixture
def operator(client):
    centre = OrganisationFactory(service_centre=True)
    return MembershipFactory(organisation=centre, role=Role.OPERATOR).user


def _verify(client, company, address):
    return client.post(
        VERIFY_ORGANISATION,
        {
            "organisation": company.pk,
            "name": "ООО «Татпромстрой»",
            "type": "legal_entity",
            "ogrn": "1161690012345",
            "address": address,
            "extract_checked": "on",
        },
    )


def test_a_company_verified_on_the_staff_screen_takes_part_in_the_city_wide_plan(
    client, city, west_home, company, representative, city_wide_plan, operator
):
    client.force_login(representative)
    url = f"/api/v1/discussions/{city_wide_plan.pk}/proposals"
    refused = client.post(
        url, {"text": "От компании", "on_behalf": str(company.pk)}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert "is not verified yet" in refused.json()["detail"]

    client.force_login(operator)
    found = client.get(VERIFY_ORGANISATION, {"q": "1655012345"}).content.decode()
    assert f"?organisation={company.pk}" in found
    response = _verify(client, company, "ул. Западная, д. 1, оф. 3")
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.building == west_home and company.verified_by == operator
    assert company.ogrn == "1161690012345"
    assert AuditRecord.objects.filter(action="accounts.organisation_verified").exists()

    client.force_login(representative)
    accepted = client.post(
        url, {"text": "От компании", "on_behalf": str(company.pk)}, content_type="application/json"
    )
    assert accepted.status_code == 201, accepted.json()
    participant = Proposal.objects.get(discussion=city_wide_plan).participant
    assert participant.is_legal_entity and participant.full_name == "ООО «Татпромстрой»"
    assert participant.type == Participant.Type.LEGAL_ENTITY
    assert participant.document_masked == "1161690012345"


def test_the_operator_is_warned_when_the_company_address_matches_no_building(
    client, city, company, operator
):
    client.force_login(operator)
    response = _verify(client, company, "ул. Несуществующая, д. 99")
    page = client.get(response["Location"]).content.decode()
    assert "matches no building in the city&#x27;s address register" in page
    company.refresh_from_db()
    assert company.verified_at is not None and company.building is None


def test_only_service_centre_operators_verify_organisations(client, city, company):
    dispatcher = MembershipFactory(
        role=Role.DISPATCHER, organisation=OrganisationFactory(managing=True)
    ).user
    client.force_login(dispatcher)
    assert client.get(VERIFY_ORGANISATION).status_code == 403
    assert _verify(client, company, "ул. Западная, д. 1").status_code == 403
    company.refresh_from_db()
    assert company.verified_at is None
    assert VERIFY_ORGANISATION not in client.get(reverse("portal:workspace")).content.decode()


def test_a_representative_chooses_on_the_form_to_act_as_themself_or_for_the_company(
    client, city, west_home, company, representative, city_wide_plan
):
    Organisation.objects.filter(pk=company.pk).update(building=west_home)
    client.force_login(representative)
    submit = reverse("discussions:submit", args=[city_wide_plan.pk])
    form = client.get(submit).content.decode()
    assert 'name="on_behalf"' in form
    assert "For ООО «Татпромстрой»" in form and "As myself (a private person)" in form

    for on_behalf, text in ((str(company.pk), "Как компания"), ("self", "Как житель")):
        response = client.post(submit, {"kind": "proposal", "text": text, "on_behalf": on_behalf})
        assert response.status_code == 302, response.content.decode()[:2000]
    as_company = Proposal.objects.get(text="Как компания").participant
    as_person = Proposal.objects.get(text="Как житель").participant
    assert as_company.is_legal_entity and as_company.full_name == "ООО «Татпромстрой»"
    assert not as_person.is_legal_entity and as_person.type == Participant.Type.RESIDENT
    assert as_person.pk != as_company.pk

    options = client.get(f"/api/v1/discussions/{city_wide_plan.pk}/eligibility").json()["options"]
    assert [o["on_behalf"] for o in options] == [str(company.pk), "self"]


def test_a_representative_takes_part_as_a_resident_when_the_company_may_not(
    client, discussion, company, representative, west_home
):
    """The west-district discussion: the company is outside it, the representative lives in
    it (``verified_person`` at west_home), so they take part as a resident."""
    person = verified_person(west_home, username="rep-west", business=True)
    Membership.objects.create(user=person, organisation=company, role=Role.REPRESENTATIVE)
    client.force_login(person)
    body = client.get(f"/api/v1/discussions/{discussion.pk}/eligibility").json()
    assert body["eligible"] is True
    assert [o["on_behalf"] for o in body["options"]] == ["self"]
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Как житель"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Proposal.objects.get().participant.type == Participant.Type.RESIDENT


def test_nobody_acts_for_an_organisation_they_do_not_represent(
    client, city_wide_plan, company, resident
):
    client.force_login(resident)
    response = client.post(
        f"/api/v1/discussions/{city_wide_plan.pk}/proposals",
        {"text": "Чужая компания", "on_behalf": str(company.pk)},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Proposal.objects.exists()


def test_a_public_authority_takes_part_and_is_listed_apart_from_the_territory(
    client, discussion, east_home
):
    """Issue 20.10: a public authority may put proposals forward in any discussion; it is
    named publicly and counted apart from the territory's participants."""
    ministry = OrganisationFactory(
        public_authority=True, name="Министерство строительства РТ", building=east_home
    )
    official = verified_person(east_home, username="ministry-rep", business=True)
    Membership.objects.create(user=official, organisation=ministry, role=Role.REPRESENTATIVE)
    client.force_login(official)
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Предложение министерства"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    proposal = Proposal.objects.get()
    assert proposal.participant.type == Participant.Type.PUBLIC_AUTHORITY
    assert proposal.participant.is_legal_entity and not proposal.from_territory
    page = client.get(reverse("discussions:proposal", args=[discussion.pk, 1])).content.decode()
    assert "Министерство строительства РТ" in page


def test_a_resident_without_a_company_is_asked_nothing(client, discussion, resident):
    client.force_login(resident)
    form = client.get(reverse("discussions:submit", args=[discussion.pk])).content.decode()
    assert 'name="on_behalf"' not in form


def test_a_self_registered_company_is_not_published_until_staff_verify_it(
    client, discussion, company, representative
):
    """Open to all verified, a company outside the territory may take part, but only once
    staff verified it: its name is published, and a typed name proves nothing."""
    discussion.open_to_all_verified = True
    discussion.save()
    client.force_login(representative)
    url = f"/api/v1/discussions/{discussion.pk}/eligibility"
    assert [o["on_behalf"] for o in client.get(url).json()["options"]] == ["self"]

    Organisation.objects.filter(pk=company.pk).update(verified_at="2026-12-01T10:00Z")
    options = client.get(url).json()["options"]
    assert [(o["on_behalf"], o["participant_type"]) for o in options] == [
        (str(company.pk), "other"),
        ("self", "other"),
    ]
