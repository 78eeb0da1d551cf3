"""Notification templates as versioned data: seeding the declared events' defaults, saving a
new version after checking its syntax, activating one. Versions are never edited in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.template import Template, TemplateSyntaxError
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from ..events import declared_events, get_event
from ..models import NotificationTemplate

if TYPE_CHECKING:
    from cityhall.accounts.models import User

__all__ = [
    "SyncReport",
    "activate_template",
    "check_template_syntax",
    "save_template",
    "sync_templates",
]


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
        for declaration in declared_events():
            for language, text in declaration.defaults.items():
                current = active.get((declaration.code, language))
                parts = {"subject": text.subject, "body": text.body, "short_text": text.short_text}
                if current is None:
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
    *, actor: User, event: str, language: str, subject: str, body: str, short_text: str = ""
) -> NotificationTemplate:
    """An official changes the wording: a new active version; the old ones stay for history."""
    get_event(event)
    errors = check_template_syntax(subject=subject, body=body, short_text=short_text)
    if not subject.strip():
        errors.setdefault("subject", []).append(_("The subject is required."))
    if not body.strip():
        errors.setdefault("body", []).append(_("The text is required."))
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
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
