"""Resident requests: the catalogue (versioned), areas of responsibility, requests, their
append-only history, SLA stages, attachments, feedback, Open311 clients and roll-ups.

A request keeps the :class:`CategoryVersion` it started on, so an official editing the
catalogue never rewrites the time limits of requests already open.

One module per part: :mod:`.choices` (statuses, channels, …), :mod:`.catalogue`,
:mod:`.responsibility`, :mod:`.requests`, :mod:`.following`, :mod:`.api_keys`,
:mod:`.statistics`. This package imports every model, so ``from .models import X`` works
for all of them (and ``models.new_public_token``, which migrations name, stays where they look).
"""

from __future__ import annotations

from .api_keys import Open311Client
from .catalogue import RESPONSIBLE_TYPES, Category, CategoryVersion, StageLimit
from .catalogue_drafts import CategoryDraft
from .choices import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    TIMED_STATUSES,
    ApplicantKind,
    Channel,
    LimitUnit,
    Status,
)
from .following import Follower
from .requests import (
    Comment,
    Escalation,
    Feedback,
    Photo,
    ServiceRequest,
    Stage,
    StatusChange,
    new_public_token,
)
from .responsibility import (
    BuildingManagement,
    DispatchCentre,
    HandoverPartner,
    ResponsibilityArea,
)
from .statistics import DailyStat, MonthlyStat, OrganisationRating, StatMeasures, StatRefresh

__all__ = [
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "RESPONSIBLE_TYPES",
    "TIMED_STATUSES",
    "ApplicantKind",
    "BuildingManagement",
    "Category",
    "CategoryDraft",
    "CategoryVersion",
    "Channel",
    "Comment",
    "DailyStat",
    "DispatchCentre",
    "Escalation",
    "Feedback",
    "Follower",
    "HandoverPartner",
    "LimitUnit",
    "MonthlyStat",
    "Open311Client",
    "OrganisationRating",
    "Photo",
    "ResponsibilityArea",
    "ServiceRequest",
    "StatRefresh",
    "Stage",
    "StageLimit",
    "StatMeasures",
    "Status",
    "StatusChange",
    "new_public_token",
]
