"""Public discussions of urban-planning documents (Town Planning Code, art. 5.1).

A :class:`Discussion` moves notice → exposition → proposals → protocol → conclusion → archive;
the current status is kept in step by ``services.transition`` and every move is a
:class:`StatusChange` row. Proposals are numbered without gaps per discussion. History rows
(status changes, document versions, moderation actions) are append-only: nothing is deleted.

The models live in :mod:`.discussion`, :mod:`.proposals`, :mod:`.notices`,
:mod:`.final_documents` and :mod:`.desks`; import them from here
(``from .models import Proposal``).
"""

from .desks import AnswerTemplate, DocumentSection, QuestionAssignment
from .discussion import (
    Discussion,
    DiscussionDocument,
    DocumentType,
    DocumentVersion,
    InitiationRequest,
    Meeting,
    Status,
    StatusChange,
    version_path,
)
from .final_documents import FinalDocument, final_path
from .notices import Follow, PersonalReminder, ReminderSent, Subscription, new_token
from .proposals import (
    Answer,
    Comment,
    Flag,
    ModerationAction,
    ModerationReason,
    Participant,
    Proposal,
    ProposalAttachment,
    RecommendationTemplate,
    Support,
    attachment_path,
)

# Migration 0001 names these callables by their old dotted paths; they stay importable there.
_attachment_path = attachment_path
_final_path = final_path
_new_token = new_token
_version_path = version_path

__all__ = [
    "Answer",
    "AnswerTemplate",
    "Comment",
    "Discussion",
    "DiscussionDocument",
    "DocumentSection",
    "DocumentType",
    "DocumentVersion",
    "FinalDocument",
    "Flag",
    "Follow",
    "InitiationRequest",
    "Meeting",
    "ModerationAction",
    "ModerationReason",
    "Participant",
    "PersonalReminder",
    "Proposal",
    "ProposalAttachment",
    "QuestionAssignment",
    "RecommendationTemplate",
    "ReminderSent",
    "Status",
    "StatusChange",
    "Subscription",
    "Support",
]
