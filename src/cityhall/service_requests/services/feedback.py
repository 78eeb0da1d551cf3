"""After the work is done: the resident's 1–5 vote on it (one per request, by the author or
the holder of the tracking link), and the confirmation the resident's silence gives after
``AUTO_CONFIRM_AFTER`` (through the workflow, like any other move).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import Conflict, Forbidden, InvalidInput

from ..models import (
    Feedback,
    ServiceRequest,
    Status,
)
from .workflow import TRACKING_LINK, holds_link, transition

__all__ = [
    "AUTO_CONFIRM_AFTER",
    "auto_confirm",
    "leave_feedback",
]


def leave_feedback(
    *,
    request: ServiceRequest,
    author: User | None,
    score: int,
    text: str = "",
    public_token: str | None = None,
) -> Feedback:
    """The resident's 1–5 vote after the work is done; one per request.

    With ``public_token`` (and ``author=None``) the holder of the request's private tracking
    link votes as its author; the audit record says "tracking link"."""
    request = ServiceRequest.objects.get(pk=request.pk)
    if public_token is not None:
        if author is not None or not holds_link(request, public_token):
            raise Forbidden(_("Only the author of a request may rate it."))
    elif author is None or request.author_id is None or request.author_id != author.pk:
        raise Forbidden(_("Only the author of a request may rate it."))
    if request.status not in (Status.DONE, Status.CONFIRMED):
        raise InvalidInput(_("A request can be rated once the work is done."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise InvalidInput(fields={"score": [_("Choose a score from 1 to 5.")]})
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                request=request,
                organisation_id=request.organisation_id,
                author=author,
                score=score,
                text=(text or "").strip()[:2000],
            )
            audit.record(
                actor=TRACKING_LINK if public_token is not None else author,
                action="service_requests.rated",
                target=request,
                after={"score": score},
            )
    except IntegrityError:
        raise Conflict(_("You have already rated this request.")) from None
    return feedback


#: A resident who neither confirms nor reopens within this time is taken to be satisfied.
AUTO_CONFIRM_AFTER = dt.timedelta(days=7)


def auto_confirm(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Confirm requests left "done" for a week, through the workflow (audited, notified)."""
    now = now or timezone.now()
    ids = list(
        ServiceRequest.objects.filter(status=Status.DONE, closed_at__lt=now - AUTO_CONFIRM_AFTER)
        .order_by("closed_at")
        .values_list("pk", flat=True)[:limit]
    )
    confirmed = 0
    for pk in ids:
        try:
            transition(
                request=pk,
                actor=None,
                to=Status.CONFIRMED,
                reason=_("Confirmed automatically: no answer from the resident for 7 days."),
            )
            confirmed += 1
        except (Conflict, InvalidInput):
            continue  # somebody acted on it meanwhile
    return confirmed
