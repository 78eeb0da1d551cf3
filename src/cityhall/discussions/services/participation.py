"""Taking part beside proposals during the exposition: comments and replies, and support
(one person supports a proposal once). Only eligible participants, only while it is open.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import Conflict, Forbidden, InvalidInput

from ..eligibility import eligibility_of
from ..models import Comment, Discussion, Proposal, Status

__all__ = ["add_comment", "support_proposal"]


def _require_open_for_talk(discussion: Discussion) -> None:
    if discussion.status != Status.EXPOSITION_OPEN:
        raise Conflict(_("Comments and support are open only during the exposition."))


def add_comment(
    *, author: Any, proposal: Proposal, text: str, parent: Comment | None = None
) -> Comment:
    """An eligible participant comments on a proposal or replies to a comment."""
    _require_open_for_talk(proposal.discussion)
    eligibility = eligibility_of(proposal.discussion, author)
    if not eligibility.eligible:
        raise Forbidden(" ".join(str(r.message) for r in eligibility.reasons), code="not_eligible")
    text = (text or "").strip()
    if not text:
        raise InvalidInput(fields={"text": [_("Write your comment.")]})
    if len(text) > 5000:
        raise InvalidInput(fields={"text": [_("The comment is too long (at most 5,000).")]})
    if parent is not None and parent.proposal_id != proposal.pk:
        raise InvalidInput(fields={"parent": [_("Reply to a comment on the same proposal.")]})
    with transaction.atomic():
        comment = Comment.objects.create(proposal=proposal, parent=parent, author=author, text=text)
        audit.record(actor=author, action="discussions.comment_added", target=comment)
    return comment


def support_proposal(*, user: Any, proposal: Proposal) -> bool:
    """One person supports a proposal once; returns False if they already did."""
    _require_open_for_talk(proposal.discussion)
    eligibility = eligibility_of(proposal.discussion, user)
    if not eligibility.eligible:
        raise Forbidden(" ".join(str(r.message) for r in eligibility.reasons), code="not_eligible")
    with transaction.atomic():
        _obj, created = proposal.supports.get_or_create(user=user)
        if created:
            Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
            audit.record(actor=user, action="discussions.proposal_supported", target=proposal)
    return created


# --- moderation --------------------------------------------------------------------------------
