"""The final documents: the protocol (after proposals close) and the conclusion (after the
protocol is signed, every proposal answered). They are generated in the background
(``discussions.generate_final_document``), then signed by the responsible official, which
moves the discussion on through :func:`lifecycle.transition`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cityhall.core import audit, jobs
from cityhall.core.errors import Conflict, Forbidden, InvalidInput

from ..file_access import follow_final_document
from ..models import Discussion, FinalDocument, Proposal, Status
from .lifecycle import check_responsible_official, require_organiser, transition

__all__ = [
    "final_number",
    "list_unanswered_in_conclusion",
    "unanswered_questions",
    "request_final_document",
    "save_conclusions",
    "sign_final_document",
]


def request_final_document(*, actor: Any, discussion: Discussion, kind: str) -> FinalDocument:
    """Start (or restart) generating the protocol or conclusion in the background."""
    require_organiser(actor, discussion.organiser)
    check_responsible_official(
        discussion.responsible_official,
        discussion.responsible_official_position,
        discussion.organiser,
        required=True,
    )
    # A signed document is final: say so first (the discussion has moved on by then, and the
    # stage checks below would give a misleading reason).
    if FinalDocument.objects.filter(
        discussion=discussion, kind=kind, state=FinalDocument.State.SIGNED
    ).exists():
        raise Conflict(_("It is already signed and cannot be regenerated."))
    if kind == FinalDocument.Kind.PROTOCOL and discussion.status != Status.PROPOSALS_CLOSED:
        raise Conflict(_("The protocol is drafted after proposals close."))
    if kind == FinalDocument.Kind.CONCLUSION:
        if discussion.status != Status.PROTOCOL_SIGNED:
            raise Conflict(_("The conclusion is prepared after the protocol is signed."))
        pending = (
            Proposal.objects.filter(discussion=discussion, recommendation="")
            .exclude(kind=Proposal.Kind.QUESTION)
            .count()
        )
        if pending:
            raise Conflict(
                _("%(n)s proposals have no recommendation yet.") % {"n": pending},
                code="recommendations_missing",
            )
        unanswered = unanswered_questions(discussion)
        if unanswered and not discussion.lists_unanswered_questions:
            raise Conflict(
                ngettext(
                    "%(n)s question has no answer yet: answer it, or decide to list it in the "
                    "conclusion as unanswered.",
                    "%(n)s questions have no answer yet: answer them, or decide to list them in "
                    "the conclusion as unanswered.",
                    len(unanswered),
                )
                % {"n": len(unanswered)},
                code="questions_unanswered",
            )
        if not discussion.conclusions.strip():
            raise InvalidInput(fields={"conclusions": [_("Write the conclusions first.")]})
    with transaction.atomic():
        doc, _created = FinalDocument.objects.select_for_update().get_or_create(
            discussion=discussion,
            kind=kind,
            defaults={"number": final_number(discussion, kind)},
        )
        if doc.state == FinalDocument.State.SIGNED:
            raise Conflict(_("It is already signed and cannot be regenerated."))
        doc.state, doc.progress, doc.error = FinalDocument.State.QUEUED, 0, ""
        doc.save(update_fields=["state", "progress", "error"])
        audit.record(actor=actor, action=f"discussions.{kind}_requested", target=discussion)
        jobs.enqueue_on_commit("discussions.generate_final_document", doc.pk, delay=0)
    return doc


def unanswered_questions(discussion: Discussion) -> list[int]:
    """The numbers of the discussion's questions without an expert's answer."""
    return list(
        Proposal.objects.filter(
            discussion=discussion, kind=Proposal.Kind.QUESTION, answer__isnull=True
        )
        .order_by("number")
        .values_list("number", flat=True)
    )


def list_unanswered_in_conclusion(*, actor: Any, discussion: Discussion) -> Discussion:
    """The organiser decides to publish the conclusion listing the unanswered questions as
    unanswered (audited with their numbers); they stay on the experts' desk."""
    require_organiser(actor, discussion.organiser)
    if discussion.status != Status.PROTOCOL_SIGNED:
        raise Conflict(_("This is decided while the conclusion is prepared."))
    with transaction.atomic():
        locked = Discussion.objects.select_for_update().get(pk=discussion.pk)
        numbers = unanswered_questions(locked)
        locked.lists_unanswered_questions = True
        locked.save(update_fields=["lists_unanswered_questions", "updated_at"])
        audit.record(
            actor=actor,
            action="discussions.unanswered_questions_listed",
            target=locked,
            after={"numbers": numbers if len(numbers) <= 200 else f"{len(numbers)} questions"},
        )
    discussion.lists_unanswered_questions = True
    return locked


def final_number(discussion: Discussion, kind: str) -> str:
    prefix = "P" if kind == FinalDocument.Kind.PROTOCOL else "C"
    return f"{prefix}-{discussion.number}"


def save_conclusions(*, actor: Any, discussion: Discussion, text: str) -> Discussion:
    require_organiser(actor, discussion.organiser)
    if discussion.status != Status.PROTOCOL_SIGNED:
        raise Conflict(_("The conclusions are written after the protocol is signed."))
    with transaction.atomic():
        before = {"conclusions": discussion.conclusions}
        discussion.conclusions = text.strip()
        discussion.save(update_fields=["conclusions", "updated_at"])
        audit.record(
            actor=actor,
            action="discussions.conclusions_written",
            target=discussion,
            before=before,
            after={"conclusions": discussion.conclusions},
        )
    return discussion


def sign_final_document(*, actor: Any, document: FinalDocument) -> FinalDocument:
    """The responsible official signs the generated document in the system: the audit record
    binds their name to the SHA-256 of both files; then the discussion moves on."""
    discussion = document.discussion
    check_responsible_official(
        discussion.responsible_official,
        discussion.responsible_official_position,
        discussion.organiser,
        required=True,
    )
    if actor.pk != discussion.responsible_official_id:
        raise Forbidden(
            _("Only the responsible official signs the %(what)s.")
            % {"what": document.get_kind_display().lower()}
        )
    require_organiser(actor, discussion.organiser)
    with transaction.atomic():
        locked = FinalDocument.objects.select_for_update().get(pk=document.pk)
        if locked.state != FinalDocument.State.READY:
            raise Conflict(_("The document is not ready for signature."))
        locked.state, locked.signed_by, locked.signed_at = (
            FinalDocument.State.SIGNED,
            actor,
            timezone.now(),
        )
        locked.save(update_fields=["state", "signed_by", "signed_at"])
        follow_final_document(locked)  # signed: public, with long cache headers
        audit.record(
            actor=actor,
            action=f"discussions.{locked.kind}_signed",
            target=discussion,
            after={
                "number": locked.number,
                "pdf_sha256": locked.pdf_sha256,
                "json_sha256": locked.json_sha256,
            },
        )
        to = (
            Status.PROTOCOL_SIGNED
            if locked.kind == FinalDocument.Kind.PROTOCOL
            else Status.CONCLUSION_PUBLISHED
        )
        transition(discussion=discussion, to=to, actor=actor)
    return locked
