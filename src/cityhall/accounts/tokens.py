"""API bearer tokens: generated once, stored hashed; with a name, scopes (read / submit /
staff), an optional expiry and the last use (written at most once a minute)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cityhall.core import audit, prepared

from .models import ApiToken, User
from .selectors import lean_identity_sql, needs_second_factor

__all__ = [
    "TOKEN_PREFIX",
    "create_api_token",
    "default_scopes",
    "revoke_api_token",
    "user_for_token",
]

TOKEN_PREFIX = "ch_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def default_scopes(user: User) -> list[str]:
    """What a token does when nobody chose: read and submit, and staff work for staff."""
    scopes = [ApiToken.Scope.READ, ApiToken.Scope.SUBMIT]
    if needs_second_factor(user):
        scopes.append(ApiToken.Scope.STAFF)
    return [str(s) for s in scopes]


def create_api_token(
    *,
    user: User,
    name: str,
    actor: User | None = None,
    scopes: list[str] | None = None,
    expires_at: dt.datetime | None = None,
) -> str:
    """Create a token for ``user`` and return it in clear (the only time it is known)."""
    chosen = default_scopes(user) if scopes is None else scopes
    known = [str(s) for s in ApiToken.Scope]
    clean = [s for s in known if s in chosen]
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=token[:10],
        token_hash=_hash(token),
        scopes=" ".join(clean),
        expires_at=expires_at,
    )
    audit.record(
        actor=actor,
        action="api_token.created",
        target=row,
        after={
            "user": user.pk,
            "name": row.name,
            "scopes": row.scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token


def revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token (its owner, or an administrator through the admin site)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            audit.record(
                actor=actor,
                action="api_token.revoked",
                target=token,
                after={"user": token.user_id, "name": token.name},
            )
    return token


class _Lookup:
    """The person of a live token, with the token's id and last use and the person's verified
    identity as ``accounts.selectors.lean_identity`` reads it, in one prepared statement.

    Raw SQL and ``User.from_db`` on purpose: every API call with a token runs it, and building
    the ORM's (or a raw queryset's) machinery cost several times more than running it. Names
    and column converters come from the models, once per database."""

    def __init__(self, connection) -> None:
        quote = connection.ops.quote_name
        self.fields = User._meta.concrete_fields
        self.names = [f.attname for f in self.fields]
        columns = ", ".join(f"u.{quote(f.column)}" for f in self.fields)
        users, tokens = quote(User._meta.db_table), quote(ApiToken._meta.db_table)
        self.identity = lean_identity_sql(connection)
        self.sql = (
            f"SELECT {columns}, t.{quote('id')}, t.{quote('last_used_at')}, "  # noqa: S608
            f"t.{quote('scopes')}, "
            f"{self.identity.select} "
            f"FROM {users} u JOIN {tokens} t ON t.{quote('user_id')} = u.{quote('id')} "
            f"{self.identity.joins('u.' + quote('id'))} "
            f"WHERE t.{quote('token_hash')} = %s AND t.{quote('revoked_at')} IS NULL "
            f"AND (t.{quote('expires_at')} IS NULL OR t.{quote('expires_at')} > %s)"
        )
        self.converters = []
        for index, field in enumerate(self.fields):
            column = field.get_col(User._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((index, column, found))

    def user(self, connection, row) -> User:
        values = list(row[: len(self.fields)])
        for index, column, converters in self.converters:
            for convert in converters:
                values[index] = convert(values[index], column, connection)
        return User.from_db(connection.alias, self.names, values)


_LOOKUPS: dict[str, _Lookup] = {}


def _lookup(connection) -> _Lookup:
    found = _LOOKUPS.get(connection.alias)
    if found is None:
        found = _LOOKUPS[connection.alias] = _Lookup(connection)
    return found


def _as_datetime(value: Any) -> dt.datetime | None:
    """A timestamp column read without the ORM (SQLite gives text, PostgreSQL a datetime)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = parse_datetime(str(value))
        if value is None:
            return None
    return timezone.make_aware(value, dt.UTC) if timezone.is_naive(value) else value


def user_for_token(token: str) -> User | None:
    """The active person a live (not revoked, not expired) token belongs to, or None. One
    query, which also brings the person's identity for ``lean_identity``; the token's last use
    is written at most once a minute. The person carries the token's scopes
    (``user.token_scopes``); without ``staff`` they act with no staff role and no superuser or
    admin-site rights."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    connection = connections[User.objects.db]
    lookup = _lookup(connection)
    now = timezone.now()
    with prepared.cursor(connection) as cursor:
        cursor.execute(lookup.sql, [_hash(token), connection.ops.adapt_datetimefield_value(now)])
        row = cursor.fetchone()
    if row is None:
        return None
    user = lookup.user(connection, row)
    if not user.is_active:
        return None
    width = len(lookup.fields)
    token_pk, used, scopes = row[width : width + 3]
    user._lean_identity = lookup.identity.read(row[width + 3 :])
    user.token_scopes = frozenset((scopes or "").split())
    if ApiToken.Scope.STAFF not in user.token_scopes:
        user.is_superuser = user.is_staff = False
        user.token_without_staff = True
    last_used = _as_datetime(used)
    if last_used is None or (now - last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
    return user
