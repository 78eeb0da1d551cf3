"""Open311 client systems and their api_keys: issuing a key (shown once, only its hash kept) and
finding the active client holding a key without a query while the keys are unchanged.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import InvalidInput
from cityhall.core.process_cache import ProcessCache

from ..models import (
    Open311Client,
)

__all__ = [
    "create_open311_client",
    "open311_client_for_key",
    "open311_clients",
]


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_open311_client(*, name: str, actor: User | None) -> tuple[Open311Client, str]:
    """Issue an api_key for a client system. The key is returned once; only its hash is kept."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(fields={"name": [_("Name the client system.")]})
    if Open311Client.objects.filter(name=name).exists():
        raise InvalidInput(fields={"name": [_("A client with this name exists.")]})
    key = "o311_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=name, key_prefix=key[:10], key_hash=_key_hash(key), created_by=actor
        )
        audit.record(actor=actor, action="service_requests.open311_key_issued", target=client)
    return client, key


def _active_clients(_fingerprint: tuple) -> dict[str, Open311Client]:
    return {c.key_hash: c for c in Open311Client.objects.filter(is_active=True)}


#: The active api_keys' hashes, kept in each process (see core.process_cache): a key issued or
#: revoked here counts at once, in another process within OPEN311_CLIENTS_RECHECK_SECONDS.
open311_clients: ProcessCache[dict[str, Open311Client]] = ProcessCache(
    name="service-requests-open311-clients",
    watched=(Open311Client,),
    build=_active_clients,
    recheck_setting="OPEN311_CLIENTS_RECHECK_SECONDS",
)


def open311_client_for_key(key: str) -> Open311Client | None:
    """The active client system holding this api_key (no query while the keys are unchanged)."""
    if not key:
        return None
    return open311_clients.current().get(_key_hash(key))
