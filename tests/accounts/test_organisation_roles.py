"""Organisations in one hierarchy; administrators grant and revoke roles (audited); the people
page and the API refuse everyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.accounts import selectors, services
from cityhall.accounts.models import Membership, Organisation, Role
from cityhall.core.errors import Forbidden, InvalidInput
from cityhall.core.models import AuditRecord
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    sign_in_with_second_factor,
)

pytestmark = pytest.mark.django_db

PEOPLE = reverse("accounts:people")


@pytest.fixture
def tree():
    """council → executive committee → housing committee → managing organisation."""
    council = services.create_organisation(actor=None, name="Гордума", type="council")
    executive = services.create_organisation(
        actor=None, name="Исполком", type="executive_department", parent=council
    )
    housing = services.create_organisation(
        actor=None, name="Комитет ЖКХ", type="executive_department", parent=executive
    )
    managing = services.create_organisation(
        actor=None, name="УК №1", type="managing_organisation", parent=housing
    )
    return council, executive, housing, managing


def _admin_of(organisation, **user):
    return MembershipFactory(
        organisation=organisation,
        role=Role.ADMINISTRATOR,
        **{f"user__{k}": v for k, v in user.items()},
    ).user


def test_organisations_form_a_hierarchy_and_creation_is_audited(tree):
    council, executive, housing, managing = tree
    assert managing.ancestors() == [housing, executive, council]
    assert [o.name for o in selectors.descendants_of([executive])] == [
        "Исполком",
        "Комитет ЖКХ",
        "УК №1",
    ]
    created = AuditRecord.objects.filter(action="accounts.organisation_created")
    assert created.count() == 4


def test_set_parent_refuses_loops(tree):
    council, executive, housing, managing = tree
    with pytest.raises(InvalidInput) as problem:
        services.set_parent(actor=None, organisation=executive, parent=managing)
    assert "parent" in problem.value.fields
    with pytest.raises(InvalidInput):
        services.set_parent(actor=None, organisation=housing, parent=housing)
    executive.refresh_from_db()
    assert executive.parent == council


def test_set_parent_moves_and_audits(tree):
    council, executive, housing, managing = tree
    services.set_parent(actor=None, organisation=managing, parent=executive)
    managing.refresh_from_db()
    assert managing.parent == executive
    record = AuditRecord.objects.get(action="accounts.organisation_moved")
    assert record.before == {"parent": housing.pk} and record.after == {"parent": executive.pk}


def test_only_administrators_above_may_move_an_organisation(tree):
    council, executive, housing, managing = tree
    housing_admin = _admin_of(housing)
    with pytest.raises(Forbidden):  # may not take it out of their own subtree
        services.set_parent(actor=housing_admin, organisation=managing, parent=executive)
    services.set_parent(actor=_admin_of(executive), organisation=managing, parent=executive)


def test_administrator_grants_and_revokes_roles_below_them(tree):
    council, executive, housing, managing = tree
    admin = _admin_of(housing, username="housing-admin")
    worker = UserFactory(staff=True)
    membership = services.grant_role(
        actor=admin, user=worker, organisation=managing, role=Role.EXECUTOR
    )
    assert selectors.has_role(worker, Role.EXECUTOR, managing)
    granted = AuditRecord.objects.get(action="accounts.role_granted")
    assert granted.actor_id == admin.pk
    assert granted.after == {"user": worker.pk, "organisation": managing.pk, "role": "executor"}
    # granting again changes nothing
    services.grant_role(actor=admin, user=worker, organisation=managing, role=Role.EXECUTOR)
    assert AuditRecord.objects.filter(action="accounts.role_granted").count() == 1

    services.revoke_role(actor=admin, user=worker, organisation=managing, role=Role.EXECUTOR)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    revoked = AuditRecord.objects.get(action="accounts.role_revoked")
    assert revoked.before["role"] == "executor" and revoked.actor_id == admin.pk
    assert not selectors.has_role(worker, Role.EXECUTOR, managing)


@pytest.mark.parametrize("who", ["admin of a sibling", "dispatcher", "resident"])
def test_others_may_not_grant_roles(tree, who):
    council, executive, housing, managing = tree
    sibling = OrganisationFactory(parent=executive)
    actor = {
        "admin of a sibling": lambda: _admin_of(sibling),
        "dispatcher": lambda: MembershipFactory(organisation=housing, role=Role.DISPATCHER).user,
        "resident": lambda: UserFactory(),
    }[who]()
    with pytest.raises(Forbidden):
        services.grant_role(
            actor=actor, user=UserFactory(), organisation=managing, role=Role.EXECUTOR
        )
    assert not AuditRecord.objects.filter(action="accounts.role_granted").exists()


def test_superuser_creates_roots_others_do_not(tree):
    root = UserFactory(superuser=True)
    services.create_organisation(actor=root, name="Новая структура", type="council")
    with pytest.raises(Forbidden):
        services.create_organisation(actor=_admin_of(tree[0]), name="Ещё одна", type="council")


def test_deactivating_a_staff_member(tree):
    council, executive, housing, managing = tree
    worker = MembershipFactory(organisation=managing, role=Role.EXECUTOR).user
    with pytest.raises(Forbidden):
        services.deactivate_user(actor=_admin_of(OrganisationFactory()), user=worker)
    services.deactivate_user(actor=_admin_of(housing), user=worker, reason="left")
    worker.refresh_from_db()
    assert not worker.is_active
    record = AuditRecord.objects.get(action="accounts.user_deactivated")
    assert record.message == "left" and record.after == {"is_active": False}
    assert not selectors.has_role(worker, Role.EXECUTOR)


def test_people_page_lists_and_grants_for_administrators(client, tree):
    council, executive, housing, managing = tree
    admin = _admin_of(housing, username="housing-admin")
    sign_in_with_second_factor(client, admin)
    worker = UserFactory(username="ivanov", staff=True, last_name="Иванов")

    page = client.get(PEOPLE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Комитет ЖКХ" in text and "УК №1" in text and "Гордума" not in text

    response = client.post(
        PEOPLE,
        {"organisation": managing.pk, "action": "grant", "person": "ivanov", "role": "executor"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=worker, organisation=managing, role="executor").exists()
    listing = client.get(PEOPLE, {"organisation": managing.pk}).content.decode()
    assert "Иванов" in listing and "Executor" in listing

    unknown = client.post(
        PEOPLE,
        {"organisation": managing.pk, "action": "grant", "person": "nobody", "role": "executor"},
    )
    assert unknown.status_code == 422
    assert "No one with this user name" in unknown.content.decode()

    membership = Membership.objects.get(user=worker)
    response = client.post(
        PEOPLE, {"organisation": managing.pk, "action": "revoke", "membership": membership.pk}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=worker).exists()
    assert AuditRecord.objects.filter(action="accounts.role_revoked", actor_id=admin.pk).exists()


def test_people_page_refuses_organisations_outside_the_administrators_tree(client, tree):
    council, executive, housing, managing = tree
    sign_in_with_second_factor(client, _admin_of(managing))
    assert client.get(PEOPLE, {"organisation": housing.pk}).status_code == 403
    response = client.post(
        PEOPLE,
        {"organisation": housing.pk, "action": "grant", "person": "x", "role": "executor"},
    )
    assert response.status_code == 403


def test_people_page_is_403_for_other_staff(client, tree):
    dispatcher = MembershipFactory(organisation=tree[2], role=Role.DISPATCHER).user
    sign_in_with_second_factor(client, dispatcher)
    assert client.get(PEOPLE).status_code == 403


def test_people_page_is_in_the_administrators_workspace(client, tree):
    admin = _admin_of(tree[2])
    sign_in_with_second_factor(client, admin)
    workspace = client.get(reverse("portal:workspace")).content.decode()
    assert PEOPLE in workspace


def test_api_grant_and_revoke(client, tree):
    council, executive, housing, managing = tree
    sign_in_with_second_factor(client, _admin_of(housing))
    worker = UserFactory(staff=True)
    url = f"/api/v1/accounts/organisations/{managing.pk}/roles"
    response = client.post(
        url, {"user_id": worker.pk, "role": "dispatcher"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["role"] == "dispatcher"
    bad = client.post(url, {"user_id": worker.pk, "role": "king"}, content_type="application/json")
    assert bad.status_code == 422
    response = client.delete(
        url, {"user_id": worker.pk, "role": "dispatcher"}, content_type="application/json"
    )
    assert response.status_code == 204
    assert not Membership.objects.filter(user=worker).exists()
    elsewhere = Organisation.objects.create(name="Чужая", type="contractor")
    refused = client.post(
        f"/api/v1/accounts/organisations/{elsewhere.pk}/roles",
        {"user_id": worker.pk, "role": "executor"},
        content_type="application/json",
    )
    assert refused.status_code == 403
