"""Business actions of public discussions: the only place that changes their state.

Every function takes keyword-only arguments and an explicit actor (None = the scheduler), runs in
one transaction, writes the audit trail and queues notifications inside it (delivered after
commit). The discussion's workflow is :data:`ALLOWED` and :func:`transition`, nowhere else.

One module per workflow; this package re-exports their public functions, so callers keep
writing ``services.submit_proposal(...)``. The modules import each other (never this package):

- :mod:`.lifecycle`: creating and editing a discussion, its status workflow, on-time moves;
- :mod:`.public_record`: project documents and their versions, hearing meetings;
- :mod:`.initiation`: requests to hold a discussion and the organiser's decision;
- :mod:`.proposals`: receiving proposals by every channel (registration: ``intake``);
- :mod:`.participation`: comments and support during the exposition;
- :mod:`.answers`: experts' answers to questions, the organiser's recommendations;
- :mod:`.moderation`: reports, hiding and restoring items;
- :mod:`.final_documents`: protocol and conclusion, generated then signed;
- :mod:`.subscriptions`: e-mail subscriptions (double opt-in, signed links) and their news;
- :mod:`.notices`: following, reminders and status news;
- :mod:`.sections`: sections of the project document proposals attach to (participatory texts);
- :mod:`.questions_desk`: the experts' desk: bulk answers, templates, assignment;
- :mod:`.territory`: the territory drawn, picked or uploaded by the organiser.
"""

from .answers import answer_question, set_recommendation
from .final_documents import (
    list_unanswered_in_conclusion,
    request_final_document,
    save_conclusions,
    sign_final_document,
    unanswered_questions,
)
from .initiation import decide_initiation, request_initiation
from .lifecycle import (
    ALLOWED,
    EDITABLE_FIELDS,
    create_discussion,
    reason_shown,
    run_scheduled_transitions,
    transition,
    update_discussion,
    validate_dates,
)
from .moderation import BULK_ACTIONS, dismiss_flag, flag_item, moderate, moderate_many
from .notices import (
    FOLLOWABLE,
    follow,
    remind_conclusion,
    send_deadline_reminders,
    send_personal_reminders,
    tell_participants,
    unfollow,
)
from .participation import add_comment, support_proposal
from .proposals import (
    IMPORT_COLUMNS,
    OfflineIdentity,
    import_proposals,
    receive_proposal,
    register_offline_proposal,
    strip_attachment_metadata,
    submit_proposal,
)
from .public_record import add_document_version, record_meeting
from .questions_desk import MAX_BATCH, answer_questions, assign_questions
from .sections import check_section, set_sections
from .subscriptions import (
    confirm_subscription,
    subscribe,
    subscription_link,
    tell_subscribers,
    unsubscribe,
)
from .territory import TerritoryParts, set_territory

__all__ = [
    "TerritoryParts",
    "set_territory",
    "ALLOWED",
    "BULK_ACTIONS",
    "EDITABLE_FIELDS",
    "FOLLOWABLE",
    "IMPORT_COLUMNS",
    "MAX_BATCH",
    "OfflineIdentity",
    "add_comment",
    "add_document_version",
    "answer_question",
    "confirm_subscription",
    "answer_questions",
    "assign_questions",
    "check_section",
    "create_discussion",
    "decide_initiation",
    "dismiss_flag",
    "flag_item",
    "follow",
    "import_proposals",
    "moderate",
    "moderate_many",
    "receive_proposal",
    "record_meeting",
    "register_offline_proposal",
    "remind_conclusion",
    "list_unanswered_in_conclusion",
    "request_final_document",
    "unanswered_questions",
    "request_initiation",
    "run_scheduled_transitions",
    "save_conclusions",
    "send_deadline_reminders",
    "send_personal_reminders",
    "set_recommendation",
    "set_sections",
    "sign_final_document",
    "strip_attachment_metadata",
    "submit_proposal",
    "subscribe",
    "subscription_link",
    "support_proposal",
    "tell_participants",
    "tell_subscribers",
    "reason_shown",
    "transition",
    "unfollow",
    "unsubscribe",
    "update_discussion",
    "validate_dates",
]
