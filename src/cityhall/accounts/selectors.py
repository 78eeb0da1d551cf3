"""Who may do what, and what is known about a person: read queries used by every app.

Role checks are server-side and live here only (pages and the API alike). What a person *is* —
age, territory, rights — is derived from their :class:`VerifiedIdentity`, never from what they
typed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone

from cityhall.core import prepared

from .models import Membership, Organisation, Role, User, VerifiedIdentity
from .phones import normalise_phone

__all__ = [
    "STAFF_ROLES",
    "administered_organisations",
    "address_matches_no_building",
    "age_of",
    "can_sign_in",
    "building_for_address",
    "can_import_register",
    "can_verify_in_person",
    "descendants_of",
    "find_organisations",
    "find_people",
    "has_role",
    "identity_of",
    "is_verified",
    "verified_among",
    "lean_identity",
    "lean_identity_sql",
    "needs_second_factor",
    "organisations_where",
    "people_of",
    "people_with_role",
    "represented_organisations",
    "representatives_of",
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
        if getattr(user, "token_without_staff", False):  # an API token without ``staff``
            cached = {(org, role) for org, role in cached if role not in STAFF_ROLES}
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


def represented_organisations(user: User) -> QuerySet[Organisation]:
    """The active companies and public authorities ``user`` may act for (their representative
    role), by name: a person takes part in a discussion as themself or for one of these."""
    return (
        organisations_where(user, Role.REPRESENTATIVE)
        .filter(
            is_active=True,
            type__in=[Organisation.Type.LEGAL_ENTITY, Organisation.Type.PUBLIC_AUTHORITY],
        )
        .distinct()
        .order_by("name", "pk")
    )


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


def people_with_role(role: str | Iterable[str], organisation: Organisation) -> QuerySet[User]:
    """Active people who hold ``role`` in ``organisation`` or in one of its ancestors — the
    same people :func:`has_role` lets act there (roles are inherited down the tree)."""
    wanted = [role] if isinstance(role, str) else list(role)
    scope = [organisation.pk, *(o.pk for o in organisation.ancestors())]
    return (
        User.objects.filter(
            is_active=True, memberships__role__in=wanted, memberships__organisation_id__in=scope
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def can_sign_in(user: User) -> bool:
    """Whether the person can open their cabinet: a password of their own, or an identity
    portal account they sign in with. A person a service centre or call centre registered from
    a paper form has neither, so news left only in the cabinet would never reach them."""
    if user.has_usable_password():
        return True
    return VerifiedIdentity.objects.filter(user_id=user.pk).exclude(subject="").exists()


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


def find_organisations(query: str, *, limit: int = 20) -> QuerySet[Organisation]:
    """Companies and public authorities by taxpayer or registration number, or part of the
    name: the organisations verified at a service centre."""
    query = (query or "").strip()
    if not query:
        return Organisation.objects.none()
    digits = "".join(ch for ch in query if ch.isdigit())
    condition = Q(name__icontains=query) | Q(short_name__icontains=query)
    if digits and len(digits) >= 10:
        condition |= Q(inn=digits) | Q(ogrn=digits)
    return (
        Organisation.objects.filter(condition)
        .filter(type__in=[Organisation.Type.LEGAL_ENTITY, Organisation.Type.PUBLIC_AUTHORITY])
        .select_related("building")
        .order_by("name", "pk")[:limit]
    )


def representatives_of(organisation: Organisation) -> QuerySet[User]:
    """The people who act for a company or public authority."""
    return User.objects.filter(
        memberships__organisation=organisation, memberships__role=Role.REPRESENTATIVE
    ).order_by("last_name", "first_name", "pk")


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


def can_import_register(user: User) -> bool:
    """Administrators of a service centre (and superusers) import verification registers."""
    if not has_role(user, Role.ADMINISTRATOR):
        return False
    if user.is_superuser:
        return True
    return (
        organisations_where(user, Role.ADMINISTRATOR)
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


# The identity as participation rules read it, on every proposal submitted: raw SQL read into
# Model.from_db, because building the ORM's four-table query cost more than running it.
_LEAN_COLUMNS = (  # in the model's field order, as Model.from_db takes them
    "id",
    "user_id",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "document_hash",
    "document_masked",
    "registered_address",
    "registered_building_id",
    "rights",
)


#: What a lean identity holds of the registered building (in the model's field order too).
_LEAN_BUILDING = ("id", "address", "lat", "lon", "district_id")
_BIRTH, _RIGHTS = _LEAN_COLUMNS.index("birth_date"), _LEAN_COLUMNS.index("rights")


class LeanIdentitySQL:
    """The columns and joins of :func:`lean_identity` for one database, and the reader of its
    rows. The token lookup (accounts.tokens) selects them beside the person, so an API call
    made with a token has the person's identity without a query of its own."""

    def __init__(self, connection) -> None:
        from cityhall.geo.models import Building, District

        quote = connection.ops.quote_name
        self.alias = connection.alias
        point = _LEAN_BUILDING[2:]  # the rest comes with the identity
        self.select = ", ".join(
            [f"lean_i.{quote(c)}" for c in _LEAN_COLUMNS] + [f"lean_b.{quote(c)}" for c in point]
        )
        self.width = len(_LEAN_COLUMNS) + len(point)
        self._identities = quote(VerifiedIdentity._meta.db_table)
        self._buildings = quote(Building._meta.db_table)
        self._quote = quote
        self._building, self._district = Building, District

    def joins(self, user_id: str) -> str:
        """``LEFT JOIN``s that bring the identity of the person whose id is ``user_id`` (SQL)."""
        quote = self._quote
        return (
            f"LEFT JOIN {self._identities} lean_i ON lean_i.{quote('user_id')} = {user_id} "
            f"LEFT JOIN {self._buildings} lean_b "
            f"ON lean_b.{quote('id')} = lean_i.{quote('registered_building_id')}"
        )

    def read(self, row: Sequence[Any]) -> VerifiedIdentity | None:
        """The identity in ``row`` (this object's columns, in order), or None if there is none."""
        if row[0] is None:
            return None
        values = list(row[: len(_LEAN_COLUMNS)])
        lat, lon, district_id = row[len(_LEAN_COLUMNS) : self.width]
        birth, rights = values[_BIRTH], values[_RIGHTS]
        if isinstance(birth, str):  # SQLite
            values[_BIRTH] = dt.date.fromisoformat(birth)
        if isinstance(rights, str):  # SQLite keeps JSON as text
            values[_RIGHTS] = json.loads(rights)
        # Model.from_db builds positionally and leaves the fields not read deferred (reading
        # one loads it): the keyword path of Model.__init__ cost more than the query.
        identity = VerifiedIdentity.from_db(self.alias, _LEAN_COLUMNS, values)
        home = None
        if identity.registered_building_id is not None and lat is not None:
            place = (identity.registered_building_id, identity.registered_address, lat, lon)
            home = self._building.from_db(self.alias, _LEAN_BUILDING, (*place, district_id))
            if district_id is not None:  # a reference: only its id is read
                district = self._district.from_db(self.alias, ("id",), (district_id,))
                home._state.fields_cache["district"] = district
        identity._state.fields_cache["registered_building"] = home
        return identity


_LEAN: dict[str, LeanIdentitySQL] = {}
_NOT_BROUGHT = object()


def lean_identity_sql(connection) -> LeanIdentitySQL:
    found = _LEAN.get(connection.alias)
    if found is None:
        found = _LEAN[connection.alias] = LeanIdentitySQL(connection)
    return found


def lean_identity(user: User) -> VerifiedIdentity | None:
    """:func:`identity_of` with only what participation rules read: the identity's own fields
    (names, birth date, document digest and mask, registered address, rights) and its registered
    building as a ``Building`` holding only its point and district id. One prepared statement,
    or none when the person came from an API token (the lookup brought the identity along)."""
    brought = getattr(user, "_lean_identity", _NOT_BROUGHT)
    if brought is not _NOT_BROUGHT:
        return brought
    connection = connections[VerifiedIdentity.objects.db]
    lean = lean_identity_sql(connection)
    users = connection.ops.quote_name(User._meta.db_table)
    sql = f"SELECT {lean.select} FROM {users} u {lean.joins('u.id')} WHERE u.id = %s"  # noqa: S608
    with prepared.cursor(connection) as cursor:
        cursor.execute(sql, [user.pk])
        row = cursor.fetchone()
    return None if row is None else lean.read(row)


def is_verified(user: User) -> bool:
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    return VerifiedIdentity.objects.filter(user_id=user.pk).exists()


def verified_among(user_ids: Iterable[int]) -> set[int]:
    """Which of these people have a verified identity (one query for a batch)."""
    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return set()
    return set(VerifiedIdentity.objects.filter(user_id__in=ids).values_list("user_id", flat=True))


def age_of(user: User, on: dt.date | None = None) -> int | None:
    """Full years on ``on`` (today by default) from the verified birth date; None if unknown."""
    identity = identity_of(user)
    if identity is None:
        return None
    return identity.age_on(on or timezone.localdate())


def building_for_address(address: str) -> Any:
    """The city's building at a verified address, or None. The flat (office, room) is not part
    of the building: "ул. Короленко, д. 32, кв. 126" is the building "ул. Короленко, д. 32"
    (``geo.addresses.parse_address``), so a resident of a flat counts as living there."""
    if not (address or "").strip():
        return None
    from cityhall.geo.selectors import find_building

    return find_building(address)


def address_matches_no_building(identity: VerifiedIdentity | None) -> bool:
    """A verified address that names no building of the city's register: the person is
    verified but no territorial discussion can count them as a resident. Staff and the person
    are told so (the verification desk, the profile); it is never shown as "all is well"."""
    return bool(
        identity is not None
        and identity.registered_address.strip()
        and identity.registered_building_id is None
    )


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
