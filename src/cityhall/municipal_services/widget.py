"""The widget another portal embeds, without third-party cookies.

Browsers increasingly block cookies in a cross-site iframe, so the iframe never relies on a
session: it collects the answers (checked against the version's schema on the server), keeps
them as a :class:`WidgetHandoff` bound to a random single-use token, and links to this portal in
a new top-level tab (first-party). There the person signs in if needed, continues
(:func:`claim_handoff`) and finds a draft prefilled with the answers, to attach documents, sign
and submit. The URL carries only the token; its SHA-256 is what is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import Conflict, InvalidInput, NotFound, TooManyRequests

from . import services
from .definition import applicable_answers
from .models import Application, Service, WidgetHandoff, WidgetSite
from .schema_form import errors_of

__all__ = [
    "HANDOFF_TTL",
    "CreatedHandoff",
    "claim_handoff",
    "create_handoff",
    "handoff_by_token",
]

HANDOFF_TTL = dt.timedelta(hours=2)
#: Handoffs are kept this long after they expire (to tell "expired" from "unknown"), then purged.
PURGE_AFTER = dt.timedelta(days=1)
#: At most this many handoffs per client address and site in :data:`RATE_WINDOW` (the widget's
#: form is anonymous: this keeps a script from filling the table).
RATE_LIMIT = 20
RATE_WINDOW = dt.timedelta(minutes=10)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedHandoff:
    handoff: WidgetHandoff
    token: str  # shown once, in the iframe's link; only its hash is stored


def _count_attempt(site: WidgetSite, client: str) -> None:
    """Refuse a client past :data:`RATE_LIMIT` handoffs on ``site`` in the current window."""
    window = int(timezone.now().timestamp() // RATE_WINDOW.total_seconds())
    key = f"widget-handoffs:{site.pk}:{client}:{window}"
    cache.add(key, 0, timeout=int(RATE_WINDOW.total_seconds()) + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=int(RATE_WINDOW.total_seconds()) + 5)
        count = 1
    if count > RATE_LIMIT:
        raise TooManyRequests()


def purge_expired_handoffs() -> int:
    """Delete handoffs (and the answers they hold) a day after they expired; the count."""
    deleted, _by_model = WidgetHandoff.objects.filter(
        expires_at__lt=timezone.now() - PURGE_AFTER
    ).delete()
    return deleted


def create_handoff(
    *,
    site: WidgetSite,
    service: Service,
    answers: dict,
    language: str = "ru",
    client: str = "",
) -> CreatedHandoff:
    """Keep the widget's answers for :data:`HANDOFF_TTL` behind a new token. The answers must
    already satisfy the schema (documents are attached later, on the portal). ``client`` (the
    sender's address) is limited to :data:`RATE_LIMIT` handoffs per site per window."""
    if client:
        _count_attempt(site, client)
    version = services.published_version_of(service)
    known = set((version.form_schema.get("properties") or {}).keys())
    answers = applicable_answers(version.ui, {k: v for k, v in answers.items() if k in known})
    problems = errors_of(
        version.form_schema, answers, key=(version.pk, version.updated_at), hints=version.ui
    )
    if problems:
        raise InvalidInput(fields=problems)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        handoff = WidgetHandoff.objects.create(
            token_hash=_hash(token),
            site=site,
            service=service,
            version=version,
            answers=answers,
            language=language or "ru",
            created_at=now,
            expires_at=now + HANDOFF_TTL,
        )
    return CreatedHandoff(handoff=handoff, token=token)


def handoff_by_token(token: str) -> WidgetHandoff:
    handoff = (
        WidgetHandoff.objects.select_related("site", "service", "version", "application")
        .filter(token_hash=_hash(token or ""))
        .first()
    )
    if handoff is None:
        raise NotFound(_("This link is not valid. Fill in the form on the site again."))
    return handoff


def claim_handoff(*, token: str, actor: User) -> Application:
    """The signed-in person continues: a widget-channel draft with the answers is started once;
    the same person opening the link again gets the same draft, anyone else is refused."""
    with transaction.atomic():
        handoff = (
            WidgetHandoff.objects.select_for_update()
            .filter(token_hash=_hash(token or ""))
            .select_related("site", "service")
            .first()
        )
        if handoff is None:
            raise NotFound(_("This link is not valid. Fill in the form on the site again."))
        if handoff.claimed_at is not None:
            if handoff.application is not None and handoff.application.applicant_id == actor.pk:
                return handoff.application
            raise Conflict(_("This link has already been used."), code="handoff_used")
        if handoff.expires_at <= timezone.now() or not handoff.site.is_active:
            raise Conflict(
                _("This link has expired. Fill in the form on the site again."),
                code="handoff_expired",
            )
        application = services.start_application(
            actor=actor,
            service=handoff.service,
            channel=Application.Channel.WIDGET,
            answers=handoff.answers,
            widget_site=handoff.site,
            language=handoff.language,
        )
        handoff.claimed_at = timezone.now()
        handoff.application = application
        handoff.answers = {}  # they live in the draft now; the handoff keeps no personal data
        handoff.save(update_fields=["claimed_at", "application", "answers"])
        audit.record(
            actor=actor,
            action="municipal_services.widget_handoff_claimed",
            target=application,
            after={"site": handoff.site.key, "service": handoff.service.code},
        )
    return application
