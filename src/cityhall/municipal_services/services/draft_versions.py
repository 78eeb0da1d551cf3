"""Drafts follow the service's new version: an applicant who resumes a draft started on an
older version continues on the published one (the answers the new form still asks for are
kept); the questions it adds are named so they know what to answer. Submitted cases keep the
version they were submitted on (nothing here touches them)."""

from __future__ import annotations

from django.db import transaction

from cityhall.accounts.models import User
from cityhall.core import audit

from ..definition import applicable_answers
from ..models import Application, ServiceVersion
from ..schema_form import fields_of

__all__ = ["move_draft_to_published_version"]


def move_draft_to_published_version(*, application: Application, actor: User) -> list[str]:
    """Move a draft to its service's published version when it was started on another one;
    the labels (in the active language) of the required questions it has not answered yet.
    Nothing happens (an empty list) for a submitted or returned case, or one already current."""
    if application.status != Application.Status.DRAFT:
        return []
    current = ServiceVersion.objects.filter(
        service_id=application.service_id, status=ServiceVersion.Status.PUBLISHED
    ).first()
    if current is None or current.pk == application.version_id:
        return []
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != Application.Status.DRAFT or application.version_id == current.pk:
            return []
        old_number = application.version.number
        known = set((current.form_schema.get("properties") or {}).keys())
        answers = applicable_answers(
            current.ui, {k: v for k, v in (application.answers or {}).items() if k in known}
        )
        dropped = sorted(set(application.answers or {}) - set(answers))
        application.version, application.answers = current, answers
        application.save(update_fields=["version", "answers", "updated_at"])
        audit.record(
            actor=actor,
            action="municipal_services.draft_moved_to_new_version",
            target=application,
            before={"version": old_number},
            after={"version": current.number, "dropped_answers": dropped},
        )
    return [
        f.label
        for f in fields_of(current.form_schema, current.ui, values=answers)
        if f.required and f.applies and f.value in (None, "", [])
    ]
