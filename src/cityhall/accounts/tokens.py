"""API bearer tokens: generated once, stored hashed."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

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


def user_for_token(token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
