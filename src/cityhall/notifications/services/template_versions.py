"""Notification templates as versioned data: seeding the declared events' defaults, saving a
new version after checking its syntax, activating one. Versions are never edited in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.template import Template, TemplateSyntaxError
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import Conflict, InvalidInput

from ..events import declared_events, get_event
from ..models import NotificationTemplate

if TYPE_CHECKING:
    from cityhall.accounts.models import User

__all__ = [
    "PLATFORM_VARIABLES",
    "SyncReport",
    "activate_template",
    "check_template_syntax",
    "save_template",
    "sync_templates",
    "template_variables",
    "withdraw_translation",
]

#: What every template may use besides its event's variables (``render_notification`` adds them).
PLATFORM_VARIABLES = ("site_url", "city_name")
_VARIABLE = re.compile(r"{{\s*([A-Za-z_][A-Za-z0-9_]*)")
#: Names a template binds itself (``{% for x in … %}``, ``{% with x=… %}``).
_BOUND = re.compile(r"{%\s*(?:for\s+([\w, ]+?)\s+in|with\s+(\w+)\s*=)")


@dataclass(frozen=True)
class SyncReport:
    created: int = 0
    updated: int = 0
    kept_edited: int = 0


def sync_templates(*, actor: User | None = None) -> SyncReport:
    """Copy every declared default into the template table: a missing (event, language) gets
    version 1; a default that changed in code gets a new version, unless an official edited the
    wording (then theirs is kept). Idempotent."""
    created = updated = kept = 0
    with transaction.atomic():
        active = {
            (t.event, t.language): t
            for t in NotificationTemplate.objects.select_for_update().filter(is_active=True)
        }
        stored = set(NotificationTemplate.objects.values_list("event", "language").distinct())
        for declaration in declared_events():
            for language, text in declaration.defaults.items():
                current = active.get((declaration.code, language))
                parts = {"subject": text.subject, "body": text.body, "short_text": text.short_text}
                if current is None and (declaration.code, language) in stored:
                    kept += 1  # an administrator withdrew this translation: it stays missing
                elif current is None:
                    _new_version(
                        event=declaration.code,
                        language=language,
                        parts=parts,
                        source=NotificationTemplate.Source.DEFAULT,
                        actor=actor,
                        action="notification_template.seeded",
                    )
                    created += 1
                elif current.source == NotificationTemplate.Source.EDITED:
                    kept += 1
                elif any(getattr(current, k) != v for k, v in parts.items()):
                    _new_version(
                        event=declaration.code,
                        language=language,
                        parts=parts,
                        source=NotificationTemplate.Source.DEFAULT,
                        actor=actor,
                        action="notification_template.seeded",
                    )
                    updated += 1
    return SyncReport(created=created, updated=updated, kept_edited=kept)


def _new_version(
    *, event: str, language: str, parts: dict[str, str], source: str, actor, action: str
) -> NotificationTemplate:
    rows = NotificationTemplate.objects.select_for_update().filter(event=event, language=language)
    previous = rows.filter(is_active=True).first()
    latest = rows.aggregate(v=Max("version"))["v"] or 0
    if previous is not None:
        previous.is_active = False
        previous.save(update_fields=["is_active", "updated_at"])
    template = NotificationTemplate.objects.create(
        event=event,
        language=language,
        version=latest + 1,
        is_active=True,
        source=source,
        changed_by=actor if getattr(actor, "pk", None) else None,
        **parts,
    )
    audit.record(
        actor=actor,
        action=action,
        target=template,
        before=audit.snapshot(previous, ["version", *parts]) if previous else None,
        after=audit.snapshot(template, ["event", "language", "version", *parts]),
    )
    return template


def check_template_syntax(**parts: str) -> dict[str, list[str]]:
    """Errors per field for template sources that do not compile (for the admin form)."""
    errors: dict[str, list[str]] = {}
    for name, source in parts.items():
        try:
            Template(source or "")
        except TemplateSyntaxError as exc:
            errors[name] = [_("The template does not compile: %(error)s") % {"error": exc}]
    return errors


def save_template(
    *,
    actor: User,
    event: str,
    language: str,
    subject: str,
    body: str,
    short_text: str = "",
    based_on_version: int | None = None,
) -> NotificationTemplate:
    """An official changes the wording: a new active version; the old ones stay for history.
    ``based_on_version`` (the active version the editor showed, 0 for none) makes a save based
    on an older reading a :class:`~cityhall.core.errors.Conflict`, not a silent overwrite."""
    declaration = get_event(event)
    errors = check_template_syntax(subject=subject, body=body, short_text=short_text)
    offered = set(template_variables(declaration))
    for name, source in (("subject", subject), ("body", body), ("short_text", short_text)):
        bound = {
            name
            for groups in _BOUND.findall(source or "")
            for name in re.findall(r"\w+", " ".join(groups))
        }
        unknown = sorted(set(_VARIABLE.findall(source or "")) - offered - bound)
        if unknown:
            errors.setdefault(name, []).append(
                _("This event does not provide %(names)s; use the variables listed.")
                % {"names": ", ".join("{{ " + n + " }}" for n in unknown)}
            )
    if not subject.strip():
        errors.setdefault("subject", []).append(_("The subject is required."))
    if not body.strip():
        errors.setdefault("body", []).append(_("The text is required."))
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        if based_on_version is not None:
            rows = NotificationTemplate.objects.select_for_update().filter(
                event=event, language=language
            )
            active = rows.filter(is_active=True).first()
            if (active.version if active else 0) != based_on_version:
                raise Conflict(
                    _(
                        "%(who)s changed this wording after you opened it (now version "
                        "%(version)s); your text was not saved. Compare and save again."
                    )
                    % {
                        "who": (active.changed_by if active else None) or _("Someone"),
                        "version": active.version if active else "—",
                    }
                )
        return _new_version(
            event=event,
            language=language,
            parts={"subject": subject.strip(), "body": body.strip(), "short_text": short_text},
            source=NotificationTemplate.Source.EDITED,
            actor=actor,
            action="notification_template.edited",
        )


def activate_template(*, actor: User, template: NotificationTemplate) -> NotificationTemplate:
    """Go back to an earlier version (it becomes active; the others inactive)."""
    with transaction.atomic():
        rows = NotificationTemplate.objects.select_for_update().filter(
            event=template.event, language=template.language
        )
        previous = rows.filter(is_active=True).exclude(pk=template.pk).first()
        if previous is None:
            return template
        previous.is_active = False
        previous.save(update_fields=["is_active", "updated_at"])
        template.is_active = True
        template.source = NotificationTemplate.Source.EDITED
        template.save(update_fields=["is_active", "source", "updated_at"])
        audit.record(
            actor=actor,
            action="notification_template.activated",
            target=template,
            before={"active_version": previous.version},
            after={"active_version": template.version},
        )
    return template


def template_variables(declaration) -> list[str]:
    """The variables an event's templates may use: those it declares, those its default
    wording uses (every sender passes them) and the platform's own, in that order."""
    names = list(declaration.variables)
    for text in declaration.defaults.values():
        for source in (text.subject, text.body, text.short_text):
            names += [n for n in _VARIABLE.findall(source or "") if n not in names]
    return names + [n for n in PLATFORM_VARIABLES if n not in names]


def withdraw_translation(*, actor: User, event: str, language: str) -> None:
    """Remove a language's wording (a wrong translation): its readers get the Russian text
    (then English) until a new one is saved, and the event is listed among the missing
    translations. The Russian wording, which the others fall back to, cannot be withdrawn."""
    get_event(event)
    if language == "ru":
        raise InvalidInput(
            fields={"language": [_("Every language falls back to Russian; it cannot be removed.")]}
        )
    with transaction.atomic():
        active = (
            NotificationTemplate.objects.select_for_update()
            .filter(event=event, language=language, is_active=True)
            .first()
        )
        if active is None:
            return
        active.is_active = False
        active.save(update_fields=["is_active", "updated_at"])
        audit.record(
            actor=actor,
            action="notification_template.withdrawn",
            target=active,
            before={"active_version": active.version},
            after={"active_version": None},
        )
