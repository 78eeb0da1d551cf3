"""API bearer tokens: generated once, stored hashed."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cityhall.core import audit

from .models import ApiToken, User

TOKEN_PREFIX = "ch_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(*, user: User, name: str, actor: User | None = None) -> str:
    """Create a token for ``user`` and return it in clear (the only time it is known)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name, prefix=token[:10], token_hash=_hash(token))
    audit.record(actor=actor, action="api_token.created", target=row, after={"user": user.pk})
    return token


def _lookup_sql(connection) -> str:
    """The person of a live token, with the token's id and last use, in one statement.

    Raw SQL on purpose: every API call with a token runs it, and building the equivalent ORM
    query costs several times more than running it. Names come from the models."""
    sql = _LOOKUP_SQL.get(connection.vendor)
    if sql is None:
        quote = connection.ops.quote_name
        users, tokens = quote(User._meta.db_table), quote(ApiToken._meta.db_table)
        sql = _LOOKUP_SQL[connection.vendor] = (
            f"SELECT u.*, t.{quote('id')} AS token_pk, t.{quote('last_used_at')} AS token_used "  # noqa: S608
            f"FROM {users} u JOIN {tokens} t ON t.{quote('user_id')} = u.{quote('id')} "
            f"WHERE t.{quote('token_hash')} = %s AND t.{quote('revoked_at')} IS NULL"
        )
    return sql


_LOOKUP_SQL: dict[str, str] = {}


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
    """The active person a live (not revoked) token belongs to, or None. One query; the token's
    last use is written at most once a minute."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    connection = connections[User.objects.db]
    found = list(User.objects.raw(_lookup_sql(connection), [_hash(token)]))
    if not found or not found[0].is_active:
        return None
    user = found[0]
    now = timezone.now()
    last_used = _as_datetime(user.token_used)
    if last_used is None or (now - last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=user.token_pk).update(last_used_at=now)
    del user.token_pk, user.token_used
    return user
