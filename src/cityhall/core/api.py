"""Receipts of submissions registered in the background (core.inbox): what became of a token."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from ninja import Router, Schema, Status

from cityhall.api import OptionalAuth

from . import inbox
from .errors import NotFound

router = Router(tags=["receipts"])


class AcceptedOut(Schema):
    """The 202 answer of an endpoint that takes submissions through the inbox."""

    token: str
    state: str
    receipt_url: str


def accepted(item: inbox.Item) -> Status:
    """``202 Accepted`` with the receipt of a submission still being registered."""
    return Status(
        202,
        {
            "token": item.token,
            "state": item.state,
            "receipt_url": reverse("api:receipt", args=[item.token]),
        },
    )


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
    auth=OptionalAuth(),
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
