"""apply_verification: what a verifier vouched for is stored (document hashed and masked),
matched to buildings, audited; age and territory are derived from it only."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cityhall.accounts import selectors, services
from cityhall.accounts.models import Role, VerifiedIdentity
from cityhall.accounts.verification import (
    ServiceCentreVerifier,
    document_hash,
    mask_document,
    verifiers,
)
from cityhall.core.errors import Forbidden, InvalidInput
from cityhall.core.models import AuditRecord
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.geo.factories import BuildingFactory, make_city

from .factories import attributes, ownership

pytestmark = pytest.mark.django_db

OIDC = VerifiedIdentity.Method.OIDC


def test_document_is_stored_only_as_a_keyed_hash_and_a_mask():
    person = UserFactory()
    identity = services.apply_verification(
        person=person,
        attributes=attributes(document_number="92 15 123-456"),
        method=OIDC,
        actor=None,
    )
    assert identity.document_masked == "*******456"
    assert identity.document_hash == document_hash("9215123456")
    assert identity.document_hash != document_hash("9215123457")
    stored = json.dumps(list(VerifiedIdentity.objects.values()), default=str) + json.dumps(
        list(AuditRecord.objects.values("before", "after", "message")), default=str
    )
    assert "123456" not in stored and "123-456" not in stored
    assert "123456" not in repr(attributes(document_number="9215 123456"))


def test_mask_keeps_only_the_last_three_characters():
    assert mask_document("4510 987654") == "*******654"
    assert mask_document("AB1") == "***AB1"


def test_registered_address_is_matched_to_a_building_and_gives_the_territory():
    city = make_city()
    building = BuildingFactory(street="ул. Баумана", house="5", lat=55.82, lon=49.05)
    person = UserFactory()
    services.apply_verification(
        person=person,
        attributes=attributes(registered_address="г. Казань, улица Баумана, дом 5"),
        method=OIDC,
        actor=None,
    )
    territory = selectors.territory_of(person)
    assert territory["building"] == building
    assert territory["district"] == city.west
    assert territory["suburb"] == city.west_north


def test_unknown_address_is_kept_without_a_building():
    person = UserFactory()
    services.apply_verification(
        person=person,
        attributes=attributes(registered_address="г. Москва, ул. Тверская, д. 1"),
        method=OIDC,
        actor=None,
    )
    assert selectors.territory_of(person) == {"building": None, "district": None, "suburb": None}
    assert selectors.identity_of(person).registered_address == "г. Москва, ул. Тверская, д. 1"


def test_rights_are_mapped_to_buildings_by_cadastral_number():
    building = BuildingFactory(cadastral_number="16:50:011101:101")
    person = UserFactory()
    services.apply_verification(
        person=person,
        attributes=attributes(rights=(ownership("16:50:011101:101"), ownership("16:50:999:1"))),
        method=OIDC,
        actor=None,
    )
    rights = selectors.rights_of(person)
    assert rights == [
        {"kind": "ownership", "cadastral_number": "16:50:011101:101", "building": building},
        {"kind": "ownership", "cadastral_number": "16:50:999:1", "building": None},
    ]


def test_age_is_derived_from_the_verified_birth_date_only():
    person = UserFactory()
    assert selectors.age_of(person) is None
    assert not selectors.is_verified(person)
    services.apply_verification(
        person=person,
        attributes=attributes(birth_date=dt.date(2008, 6, 15)),
        method=OIDC,
        actor=None,
    )
    assert selectors.is_verified(person)
    assert selectors.age_of(person, on=dt.date(2026, 6, 14)) == 17
    assert selectors.age_of(person, on=dt.date(2026, 6, 15)) == 18


def test_reverification_replaces_and_audits_before_and_after():
    person = UserFactory()
    services.apply_verification(person=person, attributes=attributes(), method=OIDC, actor=None)
    services.apply_verification(
        person=person,
        attributes=attributes(last_name="Петрова", registered_address="ул. Новая, 1"),
        method=OIDC,
        actor=None,
    )
    assert VerifiedIdentity.objects.filter(user=person).count() == 1
    assert selectors.identity_of(person).last_name == "Петрова"
    first, second = AuditRecord.objects.filter(action="accounts.identity_verified")
    assert first.before is None
    assert second.before["last_name"] == "Иванова" and second.after["last_name"] == "Петрова"
    assert second.after["document_masked"] == "*******456"


def test_one_document_belongs_to_one_person():
    services.apply_verification(
        person=UserFactory(), attributes=attributes(), method=OIDC, actor=None
    )
    with pytest.raises(InvalidInput) as problem:
        services.apply_verification(
            person=UserFactory(),
            attributes=attributes(document_number="9215-123456"),
            method=OIDC,
            actor=None,
        )
    assert "document_number" in problem.value.fields


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": dt.date(2999, 1, 1)}, "birth_date"),
        ({"last_name": " "}, "last_name"),
        ({"document_number": "12"}, "document_number"),
    ],
)
def test_implausible_attributes_are_refused(overrides, field):
    with pytest.raises(InvalidInput) as problem:
        services.apply_verification(
            person=UserFactory(), attributes=attributes(**overrides), method=OIDC, actor=None
        )
    assert field in problem.value.fields
    assert not VerifiedIdentity.objects.exists()


def test_in_person_verification_needs_an_operator_of_a_service_centre():
    centre = OrganisationFactory(service_centre=True)
    operator = MembershipFactory(organisation=centre, role=Role.OPERATOR).user
    elsewhere = MembershipFactory(role=Role.OPERATOR).user  # operator, but not at a centre
    person = UserFactory()
    with pytest.raises(Forbidden):
        services.apply_verification(
            person=person,
            attributes=attributes(),
            method=VerifiedIdentity.Method.SERVICE_CENTRE,
            actor=elsewhere,
        )
    identity = services.apply_verification(
        person=person,
        attributes=attributes(),
        method=VerifiedIdentity.Method.SERVICE_CENTRE,
        actor=operator,
    )
    assert identity.verified_by == operator
    assert AuditRecord.objects.get(action="accounts.identity_verified").actor_id == operator.pk


def test_verifiers_are_configured_as_a_list(settings):
    assert [v.method for v in verifiers()] == ["oidc", "service_centre"]
    settings.CITYHALL_IDENTITY_VERIFIERS = ["cityhall.accounts.verification.ServiceCentreVerifier"]
    assert [type(v) for v in verifiers()] == [ServiceCentreVerifier]
