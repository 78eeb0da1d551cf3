"""Eligibility comes from verified attributes only, and an ineligible person is told exactly
why and what to do."""

from __future__ import annotations

import datetime as dt

import pytest

from cityhall.accounts.models import Membership, Role
from cityhall.discussions.eligibility import eligibility_of
from tests.factories import OrganisationFactory, UserFactory
from tests.geo.factories import BuildingFactory, box

from .factories import DiscussionFactory, verified_person

pytestmark = pytest.mark.django_db


def test_resident_of_the_territory_is_eligible(discussion, resident):
    result = eligibility_of(discussion, resident)
    assert result.eligible and result.participant_type == "resident" and result.from_territory


def test_typed_address_does_not_count_only_verified(discussion, east_home, west_home):
    person = verified_person(east_home, username="typed")
    # What a person types on their profile is not a verified attribute.
    person.first_name = west_home.address
    person.save()
    assert not eligibility_of(discussion, person).eligible


def test_unverified_person_is_told_to_verify(client, discussion):
    person = UserFactory()
    result = eligibility_of(discussion, person)
    assert not result.eligible
    assert [r.code for r in result.reasons] == ["not_verified"]
    client.force_login(person)
    page = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert "Your identity is not verified." in page
    assert "service centre" in page


def test_anonymous_is_told_to_sign_in(client, discussion):
    page = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert "Sign in to take part." in page


def test_outsider_told_why_and_what_to_do(client, discussion, outsider):
    client.force_login(outsider)
    page = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert "outside the territory of this discussion" in page
    assert "have your rights confirmed" in page


def test_right_holder_outside_residence_is_eligible(discussion, east_home, west_home):
    owner = verified_person(east_home, rights_in=[west_home], username="owner")
    result = eligibility_of(discussion, owner)
    assert result.eligible and result.participant_type == "right_holder"


def test_right_holders_can_be_excluded(discussion, east_home, west_home):
    discussion.allow_right_holders = False
    discussion.save()
    owner = verified_person(east_home, rights_in=[west_home], username="owner2")
    assert not eligibility_of(discussion, owner).eligible


def test_age_bounds_from_the_verified_birth_date(discussion, west_home):
    discussion.min_age, discussion.max_age = 18, 35
    discussion.save()
    today = dt.date.today()
    young = verified_person(west_home, birth_date=today.replace(year=today.year - 16))
    old = verified_person(west_home, birth_date=dt.date(1950, 1, 1))
    fits = verified_person(west_home, birth_date=dt.date(today.year - 25, 1, 1))
    assert [r.code for r in eligibility_of(discussion, young).reasons] == ["too_young"]
    assert [r.code for r in eligibility_of(discussion, old).reasons] == ["too_old"]
    assert eligibility_of(discussion, fits).eligible


def test_territory_polygon_decides(city, council):
    small = DiscussionFactory(organiser=council, territory=box(49.04, 55.77, 49.06, 55.79))
    inside = BuildingFactory(street="ул. Внутренняя", house="1", lat=55.78, lon=49.05)
    outside_same_district = BuildingFactory(street="ул. Соседняя", house="2", lat=55.83, lon=49.02)
    assert eligibility_of(small, verified_person(inside)).eligible
    assert not eligibility_of(small, verified_person(outside_same_district)).eligible


def test_legal_entity_located_in_the_territory(discussion, west_home, east_home):
    company = OrganisationFactory(type="legal_entity", name="ООО Ромашка", building=west_home)
    rep = UserFactory(business=True)
    from cityhall.accounts.models import VerifiedIdentity

    VerifiedIdentity.objects.create(
        user=rep,
        method="service_centre",
        last_name="Петров",
        first_name="Пётр",
        birth_date=dt.date(1980, 1, 1),
        document_hash="x" * 64,
        document_masked="****1111",
        verified_at="2026-01-01T00:00Z",
    )
    Membership.objects.create(user=rep, organisation=company, role=Role.REPRESENTATIVE)
    result = eligibility_of(discussion, rep)
    assert result.eligible and result.participant_type == "legal_entity"
    company.building = east_home
    company.save()
    result = eligibility_of(discussion, rep)
    assert not result.eligible
    assert result.reasons[0].code == "company_outside"


def test_open_to_all_verified_lists_others_separately(discussion, outsider):
    discussion.open_to_all_verified = True
    discussion.save()
    result = eligibility_of(discussion, outsider)
    assert result.eligible and not result.from_territory and result.participant_type == "other"


def test_api_tells_the_reasons(client, discussion, outsider):
    client.force_login(outsider)
    body = client.get(f"/api/v1/discussions/{discussion.pk}/eligibility").json()
    assert body["eligible"] is False
    assert body["reasons"][0]["code"] == "outside_territory"


def test_verified_person_without_a_registered_address_is_told_what_to_do(discussion):
    homeless = verified_person(None, username="no-address")
    result = eligibility_of(discussion, homeless)
    assert not result.eligible
    assert [r.code for r in result.reasons] == ["no_registered_address"]
    assert "service centre" in result.reasons[0].what_to_do


def test_a_changed_territory_is_seen_at_once_by_the_submission_check(
    client, city, discussion, outsider
):
    """The open discussions' rules are kept per process; a change drops that copy."""
    client.force_login(outsider)
    url = f"/api/v1/discussions/{discussion.pk}/proposals"
    refused = client.post(url, {"text": "С востока"}, content_type="application/json")
    assert refused.status_code == 403

    discussion.districts.add(city.east)

    accepted = client.post(url, {"text": "С востока"}, content_type="application/json")
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["number"] == 1
