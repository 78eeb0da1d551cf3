"""Business actions on resident requests: the only place that changes their state.

Every channel (web form, call-centre screen, Open311, the JSON API, demo, tests) is registered
by the one batch handler of :mod:`.intake` behind the intake inbox — :func:`submit_request` does
it at once, for the pages; every workflow move goes through :func:`transition` and its
``ALLOWED`` table. Each action runs in one transaction, writes the append-only history and the
audit trail, and queues notifications in the outbox of the same transaction — a registered
request is committed with its notification, which is never lost.

One module per workflow; this package only re-exports their public functions:

- :mod:`.intake`: checking a submission and registering requests (the inbox handler);
- :mod:`.workflow`: the ``ALLOWED`` table, roles on a request, :func:`transition`, stage clocks;
- :mod:`.merging`: joining duplicates;
- :mod:`.following`: "this is my problem too": following a request instead of a duplicate;
- :mod:`.moderation`: hiding or redacting a request's public description (audited);
- :mod:`.comments`: messages between the resident and the people handling the request;
- :mod:`.handover`: which organisations may pass requests straight to which (the dispatcher's
  list);
- :mod:`.feedback`: the resident's vote and the automatic confirmation;
- :mod:`.escalation`: overdue stages escalated to the organisation's head and dispatchers, then
  the committee;
- :mod:`.statistics`: organisation ratings and the daily/monthly roll-ups;
- :mod:`.catalogue`: categories, their versions (questions, limits) and catalogue files;
- :mod:`.api_keys`: Open311 client systems and their api_keys;
- :mod:`.photos`: what an uploaded photo must be, and storing it;
- :mod:`.photo_visibility`: staff showing a photo to everyone or keeping it to the case.

Submodules import from each other, never from this package.
"""

from __future__ import annotations

from .api_keys import create_open311_client, open311_client_for_key, open311_clients
from .catalogue import (
    check_attributes,
    check_questions,
    export_catalogue,
    forget_catalogue,
    import_catalogue,
    publish_category_version,
    stage_limits,
)
from .comments import add_comment
from .escalation import (
    ESCALATE_TO_COMMITTEE_AFTER,
    escalation_recipients,
    send_escalation_notices,
    sweep_overdue,
)
from .feedback import AUTO_CONFIRM_AFTER, auto_confirm, leave_feedback
from .following import FollowOutcome, follow_request
from .handover import allow_handover, withdraw_handover
from .intake import number_for, registered, submit_request
from .merging import merge
from .moderation import MODERATION_ACTIONS, may_moderate, moderate_description
from .photo_visibility import may_change_photo_visibility, set_photo_visibility
from .photos import MAX_PHOTO_BYTES, MAX_PHOTOS, check_photos
from .statistics import rebuild_daily_stats, recompute_ratings, refresh_todays_figures
from .workflow import (
    ALLOWED,
    AUTHOR,
    DISPATCHER,
    ORGANISATION,
    SNAPSHOT_FIELDS,
    SYSTEM,
    TRACKING_LINK,
    may_reopen_confirmed,
    roles_on,
    transition,
)

__all__ = [
    "ALLOWED",
    "AUTHOR",
    "AUTO_CONFIRM_AFTER",
    "DISPATCHER",
    "ESCALATE_TO_COMMITTEE_AFTER",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTOS",
    "MODERATION_ACTIONS",
    "ORGANISATION",
    "SNAPSHOT_FIELDS",
    "SYSTEM",
    "TRACKING_LINK",
    "add_comment",
    "allow_handover",
    "auto_confirm",
    "check_attributes",
    "check_questions",
    "check_photos",
    "may_change_photo_visibility",
    "set_photo_visibility",
    "create_open311_client",
    "export_catalogue",
    "FollowOutcome",
    "follow_request",
    "forget_catalogue",
    "import_catalogue",
    "leave_feedback",
    "may_moderate",
    "may_reopen_confirmed",
    "merge",
    "moderate_description",
    "number_for",
    "open311_client_for_key",
    "open311_clients",
    "publish_category_version",
    "rebuild_daily_stats",
    "recompute_ratings",
    "refresh_todays_figures",
    "registered",
    "roles_on",
    "escalation_recipients",
    "send_escalation_notices",
    "stage_limits",
    "submit_request",
    "sweep_overdue",
    "withdraw_handover",
    "transition",
]
