"""Turning an event's template and context into the text of a message.

The template is the active :class:`NotificationTemplate` row for the language (officials' wording)
or, before ``sync_notification_templates`` has run, the event's declared default. Languages are
tried in the order: the one asked for, Russian, English, then any other.
Plain texts (subject, body, SMS) are rendered without HTML escaping; the HTML part of an e-mail
is the rendered text escaped as a whole, so that neither what a resident typed nor anything
in the wording can become markup.

``notify`` runs on hot paths (a resident's request intake), so the active templates of each
event are kept in process memory and only the parts the channels need are rendered. The cache
follows :class:`cityhall.core.process_cache.ProcessCache`: an edit in this process (an
official's, ``sync_templates``) drops it at once and a rolled-back edit is never served; edits
by other processes are noticed within ``NOTIFICATIONS_TEMPLATE_RECHECK_SECONDS`` (default 2 s).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.html import escape, linebreaks

from cityhall.core.process_cache import ProcessCache

from .events import TemplateText, get_event
from .models import NotificationTemplate

__all__ = [
    "PARTS",
    "in_recipient_language",
    "RenderedNotification",
    "render_notification",
    "language_order",
    "templates_changed",
]

FALLBACK_LANGUAGES = ("ru", "en")
SUBJECT_MAX = 300
SHORT_TEXT_MAX = 500
#: What a rendering can produce; ``subject`` is always rendered (every message has one).
PARTS = frozenset({"subject", "body", "body_html", "short_text"})


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


def in_recipient_language(wording: Callable[[], str]) -> Promise:
    """A context value worded when the message is rendered, in the recipient's language.

    Rule: every message is written wholly in its recipient's language, whoever caused it. A
    status label or a category name turned into ``str`` by the caller is in the *acting*
    person's language (an English-speaking dispatcher's "In work" inside a Russian resident's
    message); pass labels lazily (``Status.X.label``, ``gettext_lazy``) or wrap model wording
    here (``in_recipient_language(lambda: category.name)``): :func:`render_notification` renders
    under the recipient's language, which is when these are read.
    """
    return lazy(wording, str)()


def _one_line(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


@lru_cache(maxsize=1024)
def _compiled(source: str) -> Template:
    """Compiled templates are reused: notify() runs on hot paths (request intake)."""
    return Template(source)


def _render(source: str, context: dict[str, Any], *, autoescape: bool) -> str:
    return _compiled(source).render(Context(context, autoescape=autoescape))


# --- the in-process cache of active templates (see the module docstring) -------------------

_Texts = dict[str, tuple[TemplateText, int | None] | None]


def _read_templates(event: str) -> _Texts:
    """The event's active wording per language; a language whose wording an administrator
    withdrew (rows, none active) maps to None: it falls back to another language, never to
    the program's default."""
    texts: _Texts = {}
    for row in NotificationTemplate.objects.filter(event=event).order_by("is_active"):
        if row.is_active:
            texts[row.language] = (TemplateText(row.subject, row.body, row.short_text), row.version)
        else:
            texts.setdefault(row.language, None)
    return texts


#: {event: {language: (text, version)}}, filled per event on first use; dropped whenever the
#: template table changes (core.process_cache rules: other processes' edits within
#: NOTIFICATIONS_TEMPLATE_RECHECK_SECONDS, this process's at once, rollbacks never served).
_cache: ProcessCache[dict[str, _Texts]] = ProcessCache(
    name="notification-templates",
    watched=(NotificationTemplate,),
    build=lambda _fingerprint: {},
    recheck_setting="NOTIFICATIONS_TEMPLATE_RECHECK_SECONDS",
)
_cache.connect_signals()
#: Drop the cache by hand after a bulk change that sends no signals.
templates_changed = _cache.mark_changed


def _active_templates(event: str) -> _Texts:
    """{language: (text, version)} of the event's active template rows."""
    by_event = _cache.current()
    texts = by_event.get(event)
    if texts is None:
        texts = by_event[event] = _read_templates(event)
    return texts


def render_notification(
    event: str,
    language: str | None,
    context: dict[str, Any],
    parts: Collection[str] = PARTS,
) -> RenderedNotification:
    """Render ``event`` for ``language``; raises if the event is unknown or context is missing
    a declared variable (a programming error, found by the first test that sends it).

    Only the subject and the named ``parts`` are rendered; the others are left empty."""
    declaration = get_event(event)
    missing = [name for name in declaration.variables if name not in context]
    if missing:
        raise ImproperlyConfigured(
            f"notification event {event!r} needs context {', '.join(missing)}"
        )
    stored = _active_templates(event)
    texts = {lang: text for lang, text in stored.items() if text is not None}
    for lang, text in declaration.defaults.items():
        if lang not in stored:
            texts.setdefault(lang, (text, None))
    chosen = language_order(language, list(texts))[0]
    text, version = texts[chosen]

    full_context = {
        "site_url": settings.SITE_URL.rstrip("/"),
        "city_name": settings.CITY_NAME,
        **context,
    }
    body = body_html = short_text = ""
    if translation.get_language() == chosen:
        switch = contextlib.nullcontext()
    else:
        switch = translation.override(chosen)
    with switch:
        plain_subject = _render(text.subject, full_context, autoescape=False)
        subject = _one_line(plain_subject, SUBJECT_MAX)
        if "body" in parts or "body_html" in parts:
            body = _render(text.body, full_context, autoescape=False).strip()
        if "body_html" in parts:
            # Templates are plain text: the HTML part is that text, escaped as a whole (what an
            # official typed shows as typed), one rendering instead of two.
            body_html = linebreaks(escape(body))
            if "body" not in parts:
                body = ""
        if "short_text" in parts:
            if text.short_text:
                short_source = _render(text.short_text, full_context, autoescape=False)
                short_text = _one_line(short_source, SHORT_TEXT_MAX)
            else:
                short_text = _one_line(plain_subject, SHORT_TEXT_MAX)
    if "body_html" in parts:
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
