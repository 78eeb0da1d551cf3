"""The discussion's files and who sees them (the purposes this app declares to ``core``).

A file follows what it belongs to, the rule the serving view asks before a byte leaves:

- a proposal's attachment is public while the proposal is; once moderation hides it (by a
  moderator, or by the platform after reports, pending review) only its author and the
  discussion's moderators, organisers and administrators see it, as they see the hidden text;
- a document version is public once the discussion is (anything but a draft); a draft's
  documents are seen by the organiser's organisers and administrators only;
- the protocol's and conclusion's PDF and JSON are public once signed, the organiser's before;
  the protocol's appendix (the participants with their identification data) never is.

``StoredFile.visibility`` is kept in step (``follow_*``, called by the services that change the
state) so public files are sent with the long cache headers of public files; the rule itself
reads the current state, so a file is never shown on a stale flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from cityhall.accounts.models import Role
from cityhall.accounts.selectors import has_role
from cityhall.core.file_purposes import Purpose
from cityhall.core.models import StoredFile

from .models import (
    Discussion,
    DocumentVersion,
    FinalDocument,
    Proposal,
    ProposalAttachment,
    Status,
)

__all__ = [
    "ATTACHMENT",
    "DOCUMENT",
    "FINAL_DOCUMENT",
    "PARTICIPANT_LIST",
    "attachment_visibility",
    "document_visibility",
    "follow_discussion",
    "follow_final_document",
    "follow_proposals",
    "may_read_attachments",
    "purposes",
]

ATTACHMENT = "discussions.attachment"
DOCUMENT = "discussions.document"
FINAL_DOCUMENT = "discussions.final_document"
PARTICIPANT_LIST = "discussions.participant_list"

#: Who sees what moderation hid, and a draft's documents (as they see the pages).
MODERATING = (Role.MODERATOR, Role.ORGANISER, Role.ADMINISTRATOR)
ORGANISING = (Role.ORGANISER, Role.ADMINISTRATOR)

PUBLIC = StoredFile.Visibility.PUBLIC


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _own(user: Any, stored_file: StoredFile) -> bool:
    """A file not (yet) linked — stored at receipt, before registration — is its owner's."""
    return _signed_in(user) and stored_file.owner_id == user.pk


def attachment_visibility(proposal: Proposal) -> str:
    if proposal.visibility == Proposal.Visibility.VISIBLE:
        return PUBLIC
    return StoredFile.Visibility.CASE


def document_visibility(discussion: Discussion) -> str:
    return StoredFile.Visibility.STAFF if discussion.status == Status.DRAFT else PUBLIC


def can_view_attachment(user: Any, stored_file: StoredFile) -> bool:
    row = (
        ProposalAttachment.objects.select_related("proposal__discussion__organiser")
        .filter(stored_id=stored_file.pk)
        .first()
    )
    if row is None:
        return _own(user, stored_file)
    return may_read_attachments(user, row.proposal)


def may_read_attachments(user: Any, proposal: Proposal) -> bool:
    """Whether ``user`` may read ``proposal``'s attachments: everyone while it is public; once
    moderation hid it, its author and the discussion's moderators, organisers and
    administrators. The file service serves by this rule and the proposal's page links by it,
    so a link is never shown to someone the file is refused to, nor hidden from the others."""
    if proposal.visibility == Proposal.Visibility.VISIBLE:
        return True
    if not _signed_in(user):
        return False
    return user.pk == proposal.author_id or has_role(
        user, MODERATING, proposal.discussion.organiser
    )


def can_view_document(user: Any, stored_file: StoredFile) -> bool:
    row = (
        DocumentVersion.objects.select_related("document__discussion__organiser")
        .filter(stored_id=stored_file.pk)
        .first()
    )
    if row is None:
        return _own(user, stored_file)
    discussion = row.document.discussion
    return discussion.status != Status.DRAFT or has_role(user, ORGANISING, discussion.organiser)


def _final_document(stored_file: StoredFile) -> FinalDocument | None:
    pk = stored_file.pk
    return (
        FinalDocument.objects.select_related("discussion__organiser")
        .filter(Q(pdf_file_id=pk) | Q(json_file_id=pk) | Q(appendix_file_id=pk))
        .first()
    )


def can_view_final_document(user: Any, stored_file: StoredFile) -> bool:
    doc = _final_document(stored_file)
    if doc is None:
        return False
    if doc.state == FinalDocument.State.SIGNED and doc.appendix_file_id != stored_file.pk:
        return True
    return has_role(user, ORGANISING, doc.discussion.organiser)


def follow_proposals(proposals: Iterable[Proposal]) -> None:
    """Keep the attachments' visibility in step with their proposals' (after moderation)."""
    for proposal in proposals:
        StoredFile.objects.filter(
            pk__in=ProposalAttachment.objects.filter(proposal=proposal).values("stored_id")
        ).exclude(visibility=attachment_visibility(proposal)).update(
            visibility=attachment_visibility(proposal)
        )


def follow_discussion(discussion: Discussion) -> None:
    """Documents uploaded while the discussion was a draft become public when it is."""
    StoredFile.objects.filter(
        pk__in=DocumentVersion.objects.filter(document__discussion=discussion).values("stored_id")
    ).exclude(visibility=document_visibility(discussion)).update(
        visibility=document_visibility(discussion)
    )


def follow_final_document(doc: FinalDocument) -> None:
    """A signed protocol or conclusion is public; the appendix stays the organiser's."""
    shown = PUBLIC if doc.state == FinalDocument.State.SIGNED else StoredFile.Visibility.STAFF
    ids = [pk for pk in (doc.pdf_file_id, doc.json_file_id) if pk]
    if ids:
        StoredFile.objects.filter(pk__in=ids).exclude(visibility=shown).update(visibility=shown)


def purposes(*, attachment_bytes: int, document_bytes: int) -> list[Purpose]:
    generated = 2**31  # the platform's own files are stored, not checked against a limit
    return [
        Purpose(
            code=ATTACHMENT,
            kinds=("pdf", "image", "geojson"),
            max_bytes=attachment_bytes,
            folder="discussions/proposals/%Y/%m",
            can_view=can_view_attachment,
        ),
        Purpose(
            code=DOCUMENT,
            kinds=("pdf", "image", "geojson"),
            max_bytes=document_bytes,
            folder="discussions/documents/%Y/%m",
            can_view=can_view_document,
        ),
        Purpose(
            code=FINAL_DOCUMENT,
            kinds=("pdf", "json"),
            max_bytes=generated,
            folder="discussions/final/%Y",
            can_view=can_view_final_document,
        ),
        Purpose(
            code=PARTICIPANT_LIST,
            kinds=("json",),
            max_bytes=generated,
            folder="discussions/final/%Y",
            can_view=can_view_final_document,
            download=True,
        ),
    ]
