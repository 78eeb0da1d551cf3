"""Who may do what, and what is known about a person: read queries used by every app.

Role checks are server-side and live here only (pages and the API alike). What a person *is* —
age, territory, rights — is derived from their :class:`VerifiedIdentity`, never from what they
typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Membership, Organisation, Role, User, VerifiedIdentity
from .phones import normalise_phone

__all__ = [
    "STAFF_ROLES",
    "administered_organisations",
    "age_of",
    "can_verify_in_person",
    "descendants_of",
    "find_people",
    "has_role",
    "identity_of",
    "is_verified",
    "needs_second_factor",
    "organisations_where",
    "people_of",
    "rights_of",
    "roles_of",
    "session_lacks_second_factor",
    "territory_of",
]

#: Roles that act for the city; holding any of them means signing in with a second factor.
#: A legal entity's representative acts for their company only and signs in like a resident.
STAFF_ROLES = frozenset(Role.values) - {Role.REPRESENTATIVE}


def roles_of(user: User) -> set[tuple[int, str]]:
    """(organisation id, role) pairs the user holds directly, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_cityhall_roles", None)
    if cached is None:
        cached = set(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user._cityhall_roles = cached
    return cached


def needs_second_factor(user: User) -> bool:
    """Staff, superusers, admin-site users and anyone holding a staff role use TOTP."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.kind == User.Kind.STAFF or user.is_superuser or user.is_staff:
        return True
    return any(role in STAFF_ROLES for _, role in roles_of(user))


def session_lacks_second_factor(user: User) -> bool:
    """True for a browser session of someone who must pass the second factor and has not.

    ``OTPMiddleware`` gives session users ``is_verified()``; users that did not come from a
    browser session (bearer tokens, background jobs, commands) have none and are exempt.
    """
    if not settings.STAFF_REQUIRE_OTP:
        return False
    check = getattr(user, "is_verified", None)
    if check is None:
        return False
    return needs_second_factor(user) and not check()


def has_role(
    user: User,
    role: str | Iterable[str],
    organisation: Organisation | None = None,
) -> bool:
    """True if ``user`` holds ``role`` in ``organisation`` or in one of its ancestors; with no
    organisation, in any organisation. Superusers hold every role.

    A browser session that has not passed the second factor holds no role at all, so every
    staff page and staff API call refuses it (see :func:`session_lacks_second_factor`).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if session_lacks_second_factor(user):
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


def descendants_of(organisations: Iterable[Organisation]) -> list[Organisation]:
    """The given organisations and everything below them, each once, parents first."""
    result: list[Organisation] = []
    seen: set[int] = set()
    level = [o for o in organisations if o.pk not in seen]
    while level:
        fresh = [o for o in level if o.pk not in seen]
        result.extend(fresh)
        seen.update(o.pk for o in fresh)
        level = list(
            Organisation.objects.filter(parent_id__in=[o.pk for o in fresh]).exclude(pk__in=seen)
        )
    return result


def administered_organisations(user: User) -> list[Organisation]:
    """Organisations whose people ``user`` may manage: where they are an administrator, and
    everything below. Superusers manage every organisation."""
    if not has_role(user, Role.ADMINISTRATOR):
        return []
    if user.is_superuser:
        return list(Organisation.objects.select_related("parent").order_by("name"))
    roots = organisations_where(user, Role.ADMINISTRATOR).distinct()
    return descendants_of(roots)


def people_of(organisation: Organisation) -> QuerySet[Membership]:
    """Who holds which role in ``organisation`` (directly)."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )


def find_people(query: str, *, limit: int = 20) -> QuerySet[User]:
    """People matching a phone number, an e-mail, a user name or part of a name."""
    query = (query or "").strip()
    if not query:
        return User.objects.none()
    condition = Q(username__iexact=query) | Q(email__iexact=query)
    phone = normalise_phone(query)
    if phone:
        condition |= Q(phone=phone)
    words = query.split()
    if words and "@" not in query and not phone:
        name_match = Q()
        for word in words[:3]:
            name_match &= (
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(middle_name__icontains=word)
            )
        condition |= name_match
    return (
        User.objects.filter(condition)
        .select_related("verified_identity")
        .order_by("last_name", "first_name", "pk")[:limit]
    )


def can_verify_in_person(user: User) -> bool:
    """Operators of a service centre check identity documents in person."""
    if not has_role(user, Role.OPERATOR):
        return False
    if user.is_superuser:
        return True
    return (
        organisations_where(user, Role.OPERATOR)
        .filter(type=Organisation.Type.SERVICE_CENTRE, is_active=True)
        .exists()
    )


# --- Verified attributes ----------------------------------------------------------------------


def identity_of(user: User) -> VerifiedIdentity | None:
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    return (
        VerifiedIdentity.objects.select_related(
            "registered_building__district", "registered_building__suburb", "verified_by"
        )
        .filter(user_id=user.pk)
        .first()
    )


def is_verified(user: User) -> bool:
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    return VerifiedIdentity.objects.filter(user_id=user.pk).exists()


def age_of(user: User, on: dt.date | None = None) -> int | None:
    """Full years on ``on`` (today by default) from the verified birth date; None if unknown."""
    identity = identity_of(user)
    if identity is None:
        return None
    return identity.age_on(on or timezone.localdate())


def territory_of(user: User) -> dict[str, Any]:
    """Where the person is registered: ``{"building", "district", "suburb"}`` (None if unknown),
    from the verified registered address matched to a building."""
    identity = identity_of(user)
    building = identity.registered_building if identity else None
    return {
        "building": building,
        "district": building.district if building else None,
        "suburb": building.suburb if building else None,
    }


def rights_of(user: User) -> list[dict[str, Any]]:
    """Verified rights to land and buildings: ``{"kind", "cadastral_number", "building"}``."""
    from cityhall.geo.models import Building

    identity = identity_of(user)
    if identity is None:
        return []
    ids = {r.get("building_id") for r in identity.rights if r.get("building_id")}
    buildings = Building.objects.in_bulk(ids) if ids else {}
    return [
        {
            "kind": r.get("kind", ""),
            "cadastral_number": r.get("cadastral_number", ""),
            "building": buildings.get(r.get("building_id")),
        }
        for r in identity.rights
    ]


ROLE_CHOICES = Role.choices
