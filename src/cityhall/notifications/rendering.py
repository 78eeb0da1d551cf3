"""Turning an event's template and context into the text of a message.

The template is the active :class:`NotificationTemplate` row for the language (officials' wording)
or, before ``sync_notification_templates`` has run, the event's declared default. Languages are
tried in the order: the one asked for, Russian, English, then any other.
Plain texts (subject, body, SMS) are rendered without HTML escaping; the HTML part of an e-mail
is rendered with autoescape on, so that what a resident typed can never become markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.utils import translation
from django.utils.html import escape, linebreaks

from .events import TemplateText, get_event
from .models import NotificationTemplate

__all__ = ["RenderedNotification", "render_notification", "language_order"]

FALLBACK_LANGUAGES = ("ru", "en")
SUBJECT_MAX = 300
SHORT_TEXT_MAX = 500


@dataclass(frozen=True)
class RenderedNotification:
    event: str
    language: str
    template_version: int | None
    subject: str
    body: str
    body_html: str
    short_text: str


def language_order(wanted: str | None, available: list[str]) -> list[str]:
    """``available`` sorted by preference: ``wanted``, then ru, en, then the rest as given."""
    order: list[str] = []
    for lang in (wanted, *FALLBACK_LANGUAGES, *available):
        if lang and lang in available and lang not in order:
            order.append(lang)
    return order


def _one_line(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


@lru_cache(maxsize=1024)
def _compiled(source: str) -> Template:
    """Compiled templates are reused: notify() runs on hot paths (request intake)."""
    return Template(source)


def _render(source: str, context: dict[str, Any], *, autoescape: bool) -> str:
    return _compiled(source).render(Context(context, autoescape=autoescape))


def render_notification(
    event: str, language: str | None, context: dict[str, Any]
) -> RenderedNotification:
    """Render ``event`` for ``language``; raises if the event is unknown or context is missing
    a declared variable (a programming error, found by the first test that sends it)."""
    declaration = get_event(event)
    missing = [name for name in declaration.variables if name not in context]
    if missing:
        raise ImproperlyConfigured(
            f"notification event {event!r} needs context {', '.join(missing)}"
        )
    rows = {
        row.language: row
        for row in NotificationTemplate.objects.filter(event=event, is_active=True)
    }
    texts: dict[str, tuple[TemplateText, int | None]] = {
        lang: (TemplateText(row.subject, row.body, row.short_text), row.version)
        for lang, row in rows.items()
    }
    for lang, text in declaration.defaults.items():
        texts.setdefault(lang, (text, None))
    chosen = language_order(language, list(texts))[0]
    text, version = texts[chosen]

    full_context = {
        "site_url": settings.SITE_URL.rstrip("/"),
        "city_name": settings.CITY_NAME,
        **context,
    }
    with translation.override(chosen):
        subject = _one_line(_render(text.subject, full_context, autoescape=False), SUBJECT_MAX)
        body = _render(text.body, full_context, autoescape=False).strip()
        body_html = linebreaks(_render(text.body, full_context, autoescape=True).strip())
        short_source = text.short_text or text.subject
        short_text = _one_line(
            _render(short_source, full_context, autoescape=False), SHORT_TEXT_MAX
        )
    body_html = (
        f'<!doctype html><html lang="{chosen}"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head><body>{body_html}</body></html>"
    )
    return RenderedNotification(
        event=event,
        language=chosen,
        template_version=version,
        subject=subject,
        body=body,
        body_html=body_html,
        short_text=short_text,
    )
