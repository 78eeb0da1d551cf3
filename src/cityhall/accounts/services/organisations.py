"""Organisations and roles: the tree of organisations, who holds which role where, and
deactivating an account.

Only an administrator of an organisation (or of one above it) manages it and its people;
superusers manage everything, ``actor=None`` is the system.
"""

from __future__ import annotations

import contextlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import Forbidden, InvalidInput, NotFound

from ..models import ApiToken, Membership, Organisation, Role, User
from ..selectors import has_role

__all__ = [
    "create_organisation",
    "deactivate_user",
    "grant_role",
    "revoke_role",
    "set_parent",
]


def _forget_roles(user: User) -> None:
    """Drop the roles cached on the user object by ``selectors.roles_of``."""
    with contextlib.suppress(AttributeError):
        del user._cityhall_roles


def _require_administrator(actor: User | None, organisation: Organisation | None) -> None:
    """Administrators manage their organisation and everything below it; superusers all."""
    if actor is None:  # the system: demo loader, management commands
        return
    if organisation is None:
        if has_role(actor, Role.ADMINISTRATOR) and actor.is_superuser:
            return
    elif has_role(actor, Role.ADMINISTRATOR, organisation):
        return
    raise Forbidden(_("Only an administrator of this organisation may do this."))


_ORGANISATION_FIELDS = ["name", "short_name", "type", "parent", "inn", "ogrn", "is_active"]


def create_organisation(
    *,
    actor: User | None,
    name: str,
    type: str,
    parent: Organisation | None = None,
    short_name: str = "",
    inn: str = "",
    ogrn: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    website: str = "",
) -> Organisation:
    """A new organisation under ``parent`` (a root only by a superuser or the system)."""
    _require_administrator(actor, parent)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Please give the organisation's name.")]
    if type not in Organisation.Type.values:
        errors["type"] = [_("Choose a type from the list.")]
    if inn and Organisation.objects.filter(inn=inn).exists():
        errors["inn"] = [_("An organisation with this taxpayer number already exists.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name=name.strip(),
            short_name=short_name.strip(),
            type=type,
            parent=parent,
            inn=inn,
            ogrn=ogrn,
            address=address,
            phone=phone,
            email=email,
            website=website,
        )
        audit.record(
            actor=actor,
            action="accounts.organisation_created",
            target=organisation,
            after=audit.snapshot(organisation, _ORGANISATION_FIELDS),
        )
    return organisation


def set_parent(
    *, actor: User | None, organisation: Organisation, parent: Organisation | None
) -> Organisation:
    """Move ``organisation`` under ``parent``. The hierarchy stays a tree: an organisation can
    be neither its own parent nor a parent of one of its ancestors."""
    _require_administrator(actor, organisation)
    if parent is not None:
        _require_administrator(actor, parent)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        node = parent
        while node is not None:
            if node.pk == organisation.pk:
                raise InvalidInput(
                    fields={
                        "parent": [
                            _(
                                "An organisation cannot be placed under itself or under one of "
                                "its own sub-organisations."
                            )
                        ]
                    }
                )
            node = node.parent
        before = audit.snapshot(organisation, ["parent"])
        organisation.parent = parent
        organisation.save(update_fields=["parent", "updated_at"])
        audit.record(
            actor=actor,
            action="accounts.organisation_moved",
            target=organisation,
            before=before,
            after=audit.snapshot(organisation, ["parent"]),
        )
    return organisation


def grant_role(
    *, actor: User | None, user: User, organisation: Organisation, role: str
) -> Membership:
    """Give ``user`` a role in ``organisation``. Granting a role already held changes nothing."""
    _require_administrator(actor, organisation)
    if role not in Role.values:
        raise InvalidInput(fields={"role": [_("Choose a role from the list.")]})
    if not user.is_active:
        raise InvalidInput(fields={"user": [_("This person's account is not active.")]})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role
        )
        if created:
            audit.record(
                actor=actor,
                action="accounts.role_granted",
                target=membership,
                after=audit.snapshot(membership, ["user", "organisation", "role"]),
            )
    _forget_roles(user)
    return membership


def revoke_role(*, actor: User | None, user: User, organisation: Organisation, role: str) -> None:
    """Take a role away from ``user`` in ``organisation``."""
    _require_administrator(actor, organisation)
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(user=user, organisation=organisation, role=role)
            .first()
        )
        if membership is None:
            raise NotFound(_("This person does not hold this role here."))
        audit.record(
            actor=actor,
            action="accounts.role_revoked",
            target=membership,
            before=audit.snapshot(membership, ["user", "organisation", "role"]),
        )
        membership.delete()
    _forget_roles(user)


def deactivate_user(*, actor: User | None, user: User, reason: str = "") -> User:
    """Close an account: no sign-in, no API tokens. Staff accounts are closed by an
    administrator of every organisation they work in; residents' by a superuser."""
    if actor is not None:
        if actor.pk == user.pk:
            raise InvalidInput(_("You cannot deactivate your own account."))
        organisations = list(Organisation.objects.filter(memberships__user=user).distinct())
        allowed = has_role(actor, Role.ADMINISTRATOR) and (
            actor.is_superuser
            or (
                organisations and all(has_role(actor, Role.ADMINISTRATOR, o) for o in organisations)
            )
        )
        if not allowed:
            raise Forbidden(_("Only an administrator of this person's organisations may do this."))
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = audit.snapshot(user, ["is_active"])
        user.is_active = False
        user.save(update_fields=["is_active"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        audit.record(
            actor=actor,
            action="accounts.user_deactivated",
            target=user,
            before=before,
            after=audit.snapshot(user, ["is_active"]),
            message=reason,
        )
    return user
