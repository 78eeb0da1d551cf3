"""Read queries of public discussions, used by pages, the API, feeds and statistics.

One module per kind of question, re-exported here (``selectors.get_discussion(...)``):
:mod:`.record` (the public record, staff queues, the cabinet), :mod:`.proposal_search`
(search, filters and order inside a discussion), :mod:`.desks` (the questions desk, the
moderation log), :mod:`.statistics` and
:mod:`.territory` (places, coverage, the map). The modules import each other, never this package.
"""

from .desks import (
    DESK_STATES,
    DeskFilters,
    ModerationLogEntry,
    desk_discussions,
    desk_experts,
    moderation_log,
    pending_review_numbers,
    questions_desk,
)
from .proposal_search import (
    ANSWER_FILTERS,
    SORTS,
    STATUS_FILTERS,
    ProposalQuery,
    search_proposals,
    section_counts,
    text_filter,
)
from .record import (
    PAGE_SIZE,
    PUBLIC_STATUSES,
    ProposalPage,
    ProposalRow,
    cabinet_items,
    comments_page,
    documents_of,
    final_documents,
    get_discussion,
    get_proposal,
    is_following,
    my_participations,
    open_flags,
    proposal_rows,
    proposals_page,
    public_discussions,
    questions_awaiting_answer,
    row_of,
)
from .statistics import discussion_statistics, overall_statistics
from .territory import (
    MapEntry,
    Place,
    concerning_my_address_items,
    covers_point,
    discussions_for_place,
    discussions_for_suburb,
    find_place,
    home_place,
    map_entries,
    touches_suburb,
)

__all__ = [
    "DESK_STATES",
    "DeskFilters",
    "ModerationLogEntry",
    "desk_discussions",
    "desk_experts",
    "moderation_log",
    "pending_review_numbers",
    "questions_desk",
    "ANSWER_FILTERS",
    "SORTS",
    "STATUS_FILTERS",
    "ProposalQuery",
    "search_proposals",
    "section_counts",
    "text_filter",
    "PAGE_SIZE",
    "PUBLIC_STATUSES",
    "MapEntry",
    "Place",
    "ProposalPage",
    "ProposalRow",
    "cabinet_items",
    "comments_page",
    "concerning_my_address_items",
    "covers_point",
    "discussion_statistics",
    "discussions_for_place",
    "discussions_for_suburb",
    "documents_of",
    "final_documents",
    "find_place",
    "home_place",
    "get_discussion",
    "get_proposal",
    "is_following",
    "map_entries",
    "my_participations",
    "open_flags",
    "overall_statistics",
    "proposal_rows",
    "proposals_page",
    "public_discussions",
    "questions_awaiting_answer",
    "row_of",
    "touches_suburb",
]
