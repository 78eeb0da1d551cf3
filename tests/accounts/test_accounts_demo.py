"""The demo loader: the organisation tree, a staff member per role with an authenticator,
verified residents at demo buildings; loading twice changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cityhall.accounts import demo, selectors
from cityhall.accounts.models import (
    Authenticator,
    Membership,
    Organisation,
    Role,
    User,
    VerifiedIdentity,
)
from cityhall.core.demo import DEMO_PASSWORD
from cityhall.core.models import AuditRecord
from tests.geo.factories import BuildingFactory

pytestmark = pytest.mark.django_db


def _load():
    return demo.load(io.StringIO())


def test_demo_builds_the_city_organisations_and_people():
    for number in range(12):
        BuildingFactory(cadastral_number=f"16:50:010101:{number + 1}")
    logins = _load()

    council = Organisation.objects.get(name="Казанская городская Дума")
    housing = Organisation.objects.get(short_name="Комитет ЖКХ")
    assert council.type == Organisation.Type.COUNCIL and council.parent is None
    assert housing.parent.parent == council
    counts = {t: Organisation.objects.filter(type=t).count() for t in Organisation.Type.values}
    assert counts["service_centre"] == 3 and counts["managing_organisation"] == 8
    assert counts["resource_supplier"] == 3 and counts["contractor"] >= 2

    staff_roles = {r for r in Role.values if r != Role.REPRESENTATIVE}
    assert {m.role for m in Membership.objects.filter(user__kind="staff")} == staff_roles
    by_name = {login.username: login for login in logins}
    for role in staff_roles:
        assert by_name[role].password == DEMO_PASSWORD
        assert by_name[role].note == f"TOTP: cityhall totp_code {role}"
        assert Authenticator.objects.get(user__username=role).confirmed
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and Authenticator.objects.filter(user=admin, confirmed=True).exists()
    assert admin.check_password(DEMO_PASSWORD)
    operator = User.objects.get(username="operator")
    assert selectors.can_verify_in_person(operator)

    assert VerifiedIdentity.objects.filter(user__kind="resident").count() == 20
    assert not selectors.is_verified(User.objects.get(username="newcomer"))
    business = User.objects.get(username="business")
    assert business.kind == User.Kind.BUSINESS
    company = Membership.objects.get(user=business).organisation
    assert company.type == "legal_entity" and company.building is not None
    authority = Membership.objects.get(user__username="authority").organisation
    assert authority.type == "public_authority" and authority.verified_at is not None
    # Every verified person is registered at a demo building, representatives in a flat.
    assert not VerifiedIdentity.objects.filter(registered_building=None).exists()
    assert VerifiedIdentity.objects.get(user=business).registered_address.endswith("кв. 126")
    assert any(i.rights for i in VerifiedIdentity.objects.all())


def test_demo_code_command_signs_the_operator_in(client):
    _load()
    out = io.StringIO()
    call_command("totp_code", "operator", stdout=out)
    client.post("/accounts/login/", {"login": "operator", "password": DEMO_PASSWORD})
    response = client.post("/accounts/login/code/", {"code": out.getvalue().strip()})
    assert response.status_code == 302
    assert client.get("/accounts/verify/").status_code == 200


def test_loading_twice_changes_nothing():
    BuildingFactory()
    _load()
    before = (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        Authenticator.objects.count(),
        VerifiedIdentity.objects.count(),
        AuditRecord.objects.count(),
    )
    keys = dict(Authenticator.objects.values_list("user__username", "key"))
    _load()
    after = (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        Authenticator.objects.count(),
        VerifiedIdentity.objects.count(),
        AuditRecord.objects.count(),
    )
    assert after == before
    assert dict(Authenticator.objects.values_list("user__username", "key")) == keys
