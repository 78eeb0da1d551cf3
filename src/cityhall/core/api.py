"""Receipts of submissions registered in the background (core.inbox): what became of a token.

The router's operations are public reads: ``cityhall.api`` mounts it with
``accounts.api_auth.OptionalAuth`` (core imports no app, so it cannot name that here)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from . import inbox
from .errors import InvalidInput, NotFound

router = Router(tags=["receipts"])


class AcceptedOut(Schema):
    """The 202 answer of an endpoint that takes submissions through the inbox."""

    token: str
    state: str
    receipt_url: str


def accepted(item: inbox.Item) -> HttpResponse:
    """``202 Accepted`` with the receipt of a submission still being registered (the shape of
    ``AcceptedOut``). Written directly: it answers every submission, and ninja's rendering and
    ``reverse()`` cost more than the rest of it."""
    prefix = get_script_prefix()
    base = _RECEIPT_BASE.get(prefix)
    if base is None:
        base = _RECEIPT_BASE[prefix] = reverse("api:receipt", args=["-"])[:-2]
    body = {"token": item.token, "state": item.state, "receipt_url": f"{base}/{item.token}"}
    return HttpResponse(json.dumps(body), status=202, content_type="application/json")


_RECEIPT_BASE: dict[str, str] = {}


class ReceiptOut(Schema):
    token: str
    kind: str
    state: str  # pending | done | refused | failed
    received_at: datetime
    processed_at: datetime | None
    number: str
    url: str
    reason: str


@router.get(
    "/{token}",
    response=ReceiptOut,
    summary="The state of a received submission: its number once registered, or the reason",
)
def receipt(request, token: str):
    item = inbox.status(token)
    if item is None:
        raise NotFound()
    return ReceiptOut(
        token=item.token,
        kind=item.kind,
        state=item.state,
        received_at=item.received_at,
        processed_at=item.processed_at,
        number=item.ref,
        url=item.url,
        reason=item.error,
    )


_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def idempotency_key(request: Any, *, scope: Any) -> str:
    """The ``Idempotency-Key`` header (or an ``idempotency_key`` form field, for clients that
    cannot set headers), scoped to ``scope`` (the caller: a user or an Open311 client), so
    two clients never share a key. Empty when none was sent; a key over 255 characters is
    refused."""
    key = request.headers.get("Idempotency-Key") or ""
    if not key and request.content_type in _FORM_TYPES:  # a JSON body has no form fields
        key = request.POST.get("idempotency_key") or ""
    key = key.strip()
    if len(key) > 255:
        raise InvalidInput(fields={"Idempotency-Key": [_("Keep the key under 256 characters.")]})
    return f"{scope}:{key}" if key else ""
