"""Who may do what: role checks used by every app, pages and API alike (server-side)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Membership, Organisation, Role, User

__all__ = ["has_role", "organisations_where", "roles_of"]


def roles_of(user: User) -> set[tuple[int, str]]:
    """(organisation id, role) pairs the user holds directly, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_cityhall_roles", None)
    if cached is None:
        cached = set(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user._cityhall_roles = cached
    return cached


def has_role(
    user: User,
    role: str | Iterable[str],
    organisation: Organisation | None = None,
) -> bool:
    """True if ``user`` holds ``role`` in ``organisation`` or in one of its ancestors; with no
    organisation, in any organisation. Superusers hold every role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    wanted = {role} if isinstance(role, str) else set(role)
    held = roles_of(user)
    if organisation is None:
        return any(r in wanted for _, r in held)
    scope = {organisation.pk, *(o.pk for o in organisation.ancestors())}
    return any(org_id in scope and r in wanted for org_id, r in held)


def organisations_where(user: User, role: str | Iterable[str]) -> QuerySet[Organisation]:
    """Organisations where ``user`` holds ``role`` directly."""
    wanted = [role] if isinstance(role, str) else list(role)
    return Organisation.objects.filter(memberships__user=user, memberships__role__in=wanted)


ROLE_CHOICES = Role.choices
