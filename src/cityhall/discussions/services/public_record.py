"""The discussion's public record kept by the organiser: the project documents (each
correction a new version, earlier versions stay public) and the hearing meetings with their
minutes. Nothing here changes once the discussion is archived.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.core import audit, uploads
from cityhall.core.errors import Conflict, InvalidInput

from ..file_access import document_visibility
from ..models import Discussion, DiscussionDocument, DocumentVersion, Meeting
from ..uploads import check_document
from .lifecycle import require_organiser

__all__ = ["add_document_version", "record_meeting"]


def add_document_version(
    *,
    actor: Any,
    discussion: Discussion,
    upload: Any,
    document: DiscussionDocument | None = None,
    kind: str = DiscussionDocument.Kind.PROJECT,
    title: str = "",
    note: str = "",
) -> DocumentVersion:
    """Publish a document or a corrected version of it. Earlier versions stay public. The file
    goes through the file service (checked, stored under a random name); a draft's documents
    are the organiser's until the discussion is announced (``file_access``)."""
    require_organiser(actor, discussion.organiser)
    if discussion.is_read_only:
        raise Conflict(_("The discussion is archived; its record cannot change."))
    checked = check_document(upload, field="file")
    if document is None and not title.strip():
        raise InvalidInput(fields={"title": [_("Give the document a title.")]})
    if kind == DiscussionDocument.Kind.TERRITORY and checked.content_type != "application/geo+json":
        raise InvalidInput(fields={"file": [_("The territory map must be a GeoJSON file.")]})
    with transaction.atomic():
        if document is None:
            position = discussion.documents.count()
            document = DiscussionDocument.objects.create(
                discussion=discussion, kind=kind, title=title.strip(), position=position
            )
        last = document.versions.order_by("-number").values_list("number", flat=True).first()
        stored = uploads.store(checked, owner=actor, visibility=document_visibility(discussion))
        version = DocumentVersion.objects.create(
            document=document,
            number=(last or 0) + 1,
            stored=stored,
            original_name=stored.label,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            note=note.strip(),
            uploaded_by=actor,
        )
        audit.record(
            actor=actor,
            action="discussions.document_published",
            target=document,
            after={"version": version.number, "sha256": version.sha256, "note": version.note},
        )
    return version


def record_meeting(
    *,
    actor: Any,
    discussion: Discussion,
    starts_at: dt.datetime,
    place: str,
    minutes: str = "",
    attendees: int | None = None,
    meeting: Meeting | None = None,
) -> Meeting:
    """Schedule a hearing meeting or record its minutes."""
    require_organiser(actor, discussion.organiser)
    if discussion.is_read_only:
        raise Conflict(_("The discussion is archived; its record cannot change."))
    if not place.strip():
        raise InvalidInput(fields={"place": [_("Where is the meeting held?")]})
    with transaction.atomic():
        if meeting is None:
            meeting = Meeting(discussion=discussion)
        before = audit.snapshot(meeting, ["starts_at", "place", "minutes"]) if meeting.pk else None
        meeting.starts_at, meeting.place = starts_at, place.strip()
        meeting.minutes, meeting.attendees, meeting.recorded_by = minutes.strip(), attendees, actor
        meeting.save()
        audit.record(
            actor=actor,
            action="discussions.meeting_recorded",
            target=meeting,
            before=before,
            after=audit.snapshot(meeting, ["starts_at", "place", "minutes"]),
        )
    return meeting
