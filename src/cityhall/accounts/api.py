"""Accounts API: who am I; an organisation's people and their roles (administrators)."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status

from . import selectors, services
from .models import Organisation, Role, User
from .permissions import require_role

router = Router(tags=["accounts"])


class RoleOut(Schema):
    organisation_id: int
    organisation: str
    role: str


class IdentityOut(Schema):
    method: str
    full_name: str
    birth_date: dt.date
    age: int
    document_masked: str
    registered_address: str
    address_matched: bool = True
    district: str | None = None
    verified_at: dt.datetime


class MeOut(Schema):
    id: int
    username: str
    kind: str
    full_name: str
    is_verified: bool
    identity: IdentityOut | None = None
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="The signed-in person, their roles and verification")
def me(request):
    user = request.user
    roles = [
        {"organisation_id": m.organisation_id, "organisation": str(m.organisation), "role": m.role}
        for m in user.memberships.select_related("organisation")
    ]
    identity = selectors.identity_of(user)
    identity_out = None
    if identity is not None:
        district = selectors.territory_of(user)["district"]
        identity_out = {
            "method": identity.method,
            "full_name": identity.full_name,
            "birth_date": identity.birth_date,
            "age": identity.age_on(timezone.localdate()),
            "document_masked": identity.document_masked,
            "registered_address": identity.registered_address,
            "address_matched": not selectors.address_matches_no_building(identity),
            "district": str(district) if district else None,
            "verified_at": identity.verified_at,
        }
    return {
        "id": user.pk,
        "username": user.username,
        "kind": user.kind,
        "full_name": str(user),
        "is_verified": identity is not None,
        "identity": identity_out,
        "roles": roles,
    }


class PersonRoleOut(Schema):
    membership_id: int
    user_id: int
    username: str
    full_name: str
    role: str


class RoleIn(Schema):
    user_id: int
    role: Role


@router.get(
    "/organisations/{organisation_id}/people",
    response=list[PersonRoleOut],
    summary="People of an organisation and their roles (administrators)",
)
def organisation_people(request, organisation_id: int):
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    require_role(request.user, Role.ADMINISTRATOR, organisation)
    return [
        {
            "membership_id": m.pk,
            "user_id": m.user_id,
            "username": m.user.username,
            "full_name": str(m.user),
            "role": m.role,
        }
        for m in selectors.people_of(organisation)
    ]


@router.post(
    "/organisations/{organisation_id}/roles",
    response={201: PersonRoleOut},
    summary="Grant a role in an organisation (administrators)",
)
def grant_role(request, organisation_id: int, payload: RoleIn):
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    person = get_object_or_404(User, pk=payload.user_id)
    membership = services.grant_role(
        actor=request.user, user=person, organisation=organisation, role=payload.role
    )
    return Status(
        201,
        {
            "membership_id": membership.pk,
            "user_id": person.pk,
            "username": person.username,
            "full_name": str(person),
            "role": membership.role,
        },
    )


@router.delete(
    "/organisations/{organisation_id}/roles",
    response={204: None},
    summary="Revoke a role in an organisation (administrators)",
)
def revoke_role(request, organisation_id: int, payload: RoleIn):
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    person = get_object_or_404(User, pk=payload.user_id)
    services.revoke_role(
        actor=request.user, user=person, organisation=organisation, role=payload.role
    )
    return Status(204, None)
