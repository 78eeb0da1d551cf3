"""The request workflow: the ``ALLOWED`` table of status moves, who may make them, and
:func:`transition`, the one place where a request's ``status`` changes.

A move is checked against ``ALLOWED`` and the actor's parts on the request
(:func:`roles_on`), then closes the open stage and starts the next one's clock
(:func:`start_stage`), appends the status history, writes the audit record and tells the
organisation and the applicants — all in one transaction, under the request's row lock
(:func:`lock_request`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation, Role, User
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cityhall.core.selectors import business_calendar

from .. import notices
from ..deadlines import due_time
from ..models import (
    TIMED_STATUSES,
    Photo,
    ServiceRequest,
    Stage,
    Status,
    StatusChange,
)
from ..selectors import committee, handover_partner_ids
from .catalogue import stage_limits
from .photos import check_photos, save_photos

__all__ = [
    "ALLOWED",
    "AUTHOR",
    "DISPATCHER",
    "ORGANISATION",
    "SYSTEM",
    "SNAPSHOT_FIELDS",
    "TRACKING_LINK",
    "Move",
    "authors_following",
    "holds_link",
    "check_handover",
    "check_version",
    "lock_request",
    "may_reopen_confirmed",
    "roles_on",
    "start_stage",
    "transition",
]


DISPATCHER = "dispatcher"
ORGANISATION = "organisation"
AUTHOR = "author"
SYSTEM = "system"


@dataclass(frozen=True)
class Move:
    who: frozenset[str]
    needs_reason: bool = False
    reopens: bool = False
    why: str = ""


def _move(*who: str, reason: bool = False, reopens: bool = False, why: str = "") -> Move:
    return Move(frozenset(who), reason, reopens, why)


#: The workflow: from each status, where a request may go, who may move it, and whether a
#: reason is required. Checked only in :func:`transition`.
ALLOWED: dict[str, dict[str, Move]] = {
    Status.NEW: {
        Status.ROUTED: _move(DISPATCHER, why="the dispatcher chooses the organisation"),
        Status.REJECTED: _move(DISPATCHER, reason=True, why="not a housing matter, spam"),
        Status.MERGED: _move(DISPATCHER, why="duplicate of an open request"),
    },
    # An organisation moves ``routed`` → ``routed`` only to a partner the dispatcher allowed
    # (see check_handover); otherwise it returns the request to the dispatcher (→ ``new``).
    Status.ROUTED: {
        Status.ACCEPTED: _move(ORGANISATION, why="the organisation takes it"),
        Status.ROUTED: _move(DISPATCHER, ORGANISATION, reason=True, why="forward or reassign"),
        Status.NEW: _move(ORGANISATION, reason=True, why="not ours: back to the dispatcher"),
        Status.REJECTED: _move(DISPATCHER, ORGANISATION, reason=True),
        Status.MERGED: _move(DISPATCHER),
    },
    Status.ACCEPTED: {
        Status.IN_WORK: _move(ORGANISATION, why="a crew is on it"),
        Status.DONE: _move(ORGANISATION, why="fixed at once"),
        Status.ROUTED: _move(DISPATCHER, ORGANISATION, reason=True, why="forward or reassign"),
        Status.NEW: _move(ORGANISATION, reason=True),
        Status.REJECTED: _move(DISPATCHER, ORGANISATION, reason=True),
        Status.MERGED: _move(DISPATCHER),
    },
    Status.IN_WORK: {
        Status.DONE: _move(ORGANISATION, why="report and photos"),
        Status.ROUTED: _move(DISPATCHER, reason=True, why="reassign"),
        Status.REJECTED: _move(DISPATCHER, reason=True),
        Status.MERGED: _move(DISPATCHER),
    },
    Status.DONE: {
        Status.CONFIRMED: _move(AUTHOR, DISPATCHER, SYSTEM, why="the resident is satisfied"),
        Status.IN_WORK: _move(AUTHOR, DISPATCHER, reason=True, reopens=True, why="reopened"),
    },
    Status.REJECTED: {
        Status.NEW: _move(DISPATCHER, reason=True, reopens=True, why="rejected by mistake"),
    },
    # A confirmed request may be reopened by its author (or the dispatcher) within
    # settings.REQUESTS_REOPEN_CONFIRMED_DAYS of the confirmation: see may_reopen_confirmed.
    Status.CONFIRMED: {
        Status.IN_WORK: _move(AUTHOR, DISPATCHER, reason=True, reopens=True, why="came back"),
    },
    Status.MERGED: {},
}


class _TrackingLink:
    """The audit trail's actor for someone acting through a request's private tracking link
    (a caller without an account, an Open311 submitter): no user, named in ``actor_repr``."""

    pk = None

    def __str__(self) -> str:
        return "tracking link"


#: Pass as ``actor`` to :func:`audit.record` for actions done through the tracking link.
TRACKING_LINK = _TrackingLink()


def holds_link(request: ServiceRequest, public_token: str | None) -> bool:
    """Whether ``public_token`` is this request's private tracking token."""
    return bool(public_token) and constant_time_compare(
        str(public_token), request.public_token or ""
    )


#: The fields of a request that the audit record of a status move (or merge) shows before
#: and after.
SNAPSHOT_FIELDS = ["status", "organisation", "executor", "stage_due_at", "reopen_count", "parent"]


def roles_on(actor: User | None, request: ServiceRequest) -> set[str]:
    """Which parts ``actor`` may play on this request (for the ALLOWED table and for pages)."""
    if actor is None:
        return {SYSTEM}
    parts: set[str] = set()
    centre = committee()
    if has_role(actor, Role.DISPATCHER, centre):
        parts.add(DISPATCHER)
    if request.organisation_id is not None and has_role(
        actor, [Role.EXECUTOR, Role.DISPATCHER, Role.OPERATOR], request.organisation
    ):
        parts.add(ORGANISATION)
    if request.author_id is not None and request.author_id == actor.pk:
        parts.add(AUTHOR)
    return parts


def lock_request(request: ServiceRequest | int) -> ServiceRequest:
    """The request under its row lock, for a move or a merge."""
    pk = request.pk if isinstance(request, ServiceRequest) else int(request)
    locked = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "category", "author")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("There is no such request."))
    return locked


def check_version(locked: ServiceRequest, expected_version: int | None) -> None:
    """:class:`Conflict` naming who moved the request first if it is no longer at
    ``expected_version`` (the version the actor saw). Call it after the permission check: the
    message names a person and the status."""
    if expected_version is not None and locked.version != expected_version:
        last = locked.history.select_related("actor").order_by("-created_at", "-pk").first()
        who = str(last.actor) if last is not None and last.actor is not None else _("someone")
        raise Conflict(
            _(
                "%(who)s changed request %(number)s first: it is now “%(status)s”. "
                "Reload the page to see the latest state."
            )
            % {"who": who, "number": locked.number, "status": locked.get_status_display()}
        )


def check_handover(req: ServiceRequest, parts: set[str], organisation: Organisation) -> None:
    """The handover rule (issue 16.5): the committee's dispatcher may send a request to any
    organisation; an organisation may pass its request straight on only to a partner the
    dispatcher allowed (:class:`~cityhall.service_requests.models.HandoverPartner`), and
    otherwise returns it to the dispatcher with the reason."""
    if DISPATCHER in parts or organisation.pk == req.organisation_id:
        return
    if organisation.pk not in handover_partner_ids(req.organisation_id):
        raise Forbidden(
            _(
                "Your organisation may not pass requests to %(organisation)s directly: return "
                "the request to the dispatcher with the reason, or ask the dispatcher to allow "
                "this handover."
            )
            % {"organisation": organisation}
        )


def authors_following(request: ServiceRequest) -> list[ServiceRequest]:
    """The request and the requests merged into it: everyone whose problem this is."""
    children = list(ServiceRequest.objects.filter(parent=request).select_related("author"))
    return [request, *children]


def _due(request: ServiceRequest, stage: str, start: dt.datetime) -> dt.datetime | None:
    limit = stage_limits(request.category_version_id).get(stage)
    if limit is None:
        return None
    return due_time(start=start, amount=limit[0], unit=limit[1], calendar=business_calendar())


def start_stage(request: ServiceRequest, now: dt.datetime) -> None:
    """Close the open stage (noting if it ran late) and, for a timed status, open the next one
    with its due time."""
    if request.stage_due_at is not None and request.stage_due_at < now:
        request.is_overdue = True
    Stage.objects.filter(request=request, finished_at__isnull=True).update(finished_at=now)
    if request.status in TIMED_STATUSES:
        due = _due(request, request.status, now)
        Stage.objects.create(
            request=request,
            stage=request.status,
            organisation_id=request.organisation_id,
            started_at=now,
            due_at=due,
        )
        request.stage_due_at = due
    else:
        request.stage_due_at = None


def may_reopen_confirmed(req: ServiceRequest, now: dt.datetime) -> bool:
    """A confirmed request may come back within the configured period after its confirmation."""
    confirmed_at = (
        req.history.filter(to_status=Status.CONFIRMED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    ) or req.updated_at
    return now - confirmed_at <= dt.timedelta(days=settings.REQUESTS_REOPEN_CONFIRMED_DAYS)


def transition(
    *,
    request: ServiceRequest | int,
    actor: User | None,
    to: str,
    reason: str = "",
    organisation: Organisation | None = None,
    executor: User | None = None,
    report: str = "",
    photos: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
    public_token: str | None = None,
) -> ServiceRequest:
    """Move a request along the workflow. The one place where ``status`` changes.

    ``expected_version`` is the version the actor saw; if somebody changed the request in the
    meantime the actor gets a :class:`Conflict` naming who did, instead of overwriting them.

    With ``public_token`` (and no ``actor``) the holder of the request's private tracking link
    acts as its author: the history has no actor and the audit record says "tracking link".
    """
    reason = (reason or "").strip()
    report = (report or "").strip()
    checked, errors = check_photos(list(photos))
    if errors:
        raise InvalidInput(fields=errors)
    now = timezone.now()
    with transaction.atomic():
        req = lock_request(request)
        # Who the actor is comes first: somebody with no part in the request learns nothing
        # of it (not even its status) from the refusal.
        if public_token is not None:
            if actor is not None or not holds_link(req, public_token):
                raise Forbidden(_("You may not make this change to this request."))
            parts = {AUTHOR}
        else:
            parts = roles_on(actor, req)
        if not parts:
            raise Forbidden(_("You may not make this change to this request."))
        if to not in Status.values:
            raise InvalidInput(fields={"to": [_("Unknown status.")]})
        check_version(req, expected_version)
        move = ALLOWED.get(req.status, {}).get(to)
        if move is None:
            if expected_version is None and to == req.status:
                raise Conflict(
                    _("Request %(number)s is already “%(status)s”.")
                    % {"number": req.number, "status": req.get_status_display()}
                )
            raise InvalidInput(
                _("A request that is “%(status)s” cannot go to “%(to)s”.")
                % {"status": req.get_status_display(), "to": Status(to).label}
            )
        if to == Status.MERGED:
            raise InvalidInput(_("Use merging to join duplicates."))
        if not (parts & move.who):
            raise Forbidden(_("You may not make this change to this request."))
        fields: dict[str, list[str]] = {}
        if move.needs_reason and not reason:
            fields["reason"] = [_("Give the reason.")]
        if to == Status.DONE and not report:
            fields["report"] = [_("Describe the work done.")]
        if to == Status.ROUTED:
            if organisation is None:
                fields["organisation"] = [_("Choose the organisation.")]
            elif organisation.pk == req.organisation_id and req.status == Status.ROUTED:
                fields["organisation"] = [_("The request is already with this organisation.")]
        if to == Status.ROUTED and organisation is not None:
            check_handover(req, parts, organisation)
        if req.status == Status.CONFIRMED and not may_reopen_confirmed(req, now):
            raise InvalidInput(
                _(
                    "A request confirmed more than %(days)s days ago cannot be reopened: "
                    "report the problem again."
                )
                % {"days": settings.REQUESTS_REOPEN_CONFIRMED_DAYS}
            )
        if fields:
            raise InvalidInput(fields=fields)

        before = audit.snapshot(req, SNAPSHOT_FIELDS)
        from_status = req.status
        previous_organisation = req.organisation
        req.status = to
        if to == Status.ROUTED:
            req.organisation = organisation
            req.executor = None
        elif to == Status.NEW:
            req.organisation = None
            req.executor = None
        if executor is not None:
            req.executor = executor
        elif to == Status.IN_WORK and req.executor_id is None and ORGANISATION in parts:
            req.executor = actor
        if move.reopens:
            req.reopen_count += 1
            req.closed_at = None
        if to == Status.DONE:
            req.report = report
        if to in (Status.DONE, Status.REJECTED, Status.CONFIRMED) and req.closed_at is None:
            req.closed_at = now
        req.status_note = (reason or report)[:500]
        req.version += 1
        req.updated_at = now
        start_stage(req, now)
        req.save(
            update_fields=[
                "status",
                "organisation",
                "executor",
                "reopen_count",
                "report",
                "closed_at",
                "status_note",
                "version",
                "updated_at",
                "stage_due_at",
                "is_overdue",
            ]
        )
        StatusChange.objects.create(
            request=req,
            from_status=from_status,
            to_status=to,
            organisation_id=req.organisation_id,
            actor=actor,
            reason=reason or report,
            created_at=now,
        )
        if checked:
            save_photos(req, checked, kind=Photo.Kind.REPORT, by=actor)
        audit.record(
            actor=TRACKING_LINK if public_token is not None else actor,
            action=f"service_requests.{to}",
            target=req,
            before=before,
            after=audit.snapshot(req, SNAPSHOT_FIELDS),
            message=reason,
        )
        if to == Status.ROUTED:
            notices.alert_organisation(req)
        if to in (Status.ROUTED, Status.NEW) and previous_organisation != req.organisation:
            # Rule: a request changing hands is told to the side receiving it and to the
            # organisation giving it up (see notices.tell_handover).
            notices.tell_handover(req, giver=previous_organisation, actor=actor, reason=reason)
        if move.reopens:
            # Rule: a reopened request is told to the person who did the work (its executor);
            # with no executor named, to the organisation's executors.
            notices.tell_reopened(req, reason=reason)
        notices.tell_applicants(
            authors_following(req),
            event=notices.STATUS_CHANGED,
            # Lazy: worded in each recipient's language, not the acting staff member's.
            context={"status": Status(req.status).label, "note": req.status_note},
        )
        notices.tell_followers(
            req,
            event=notices.STATUS_CHANGED,
            context={"status": Status(req.status).label, "note": req.status_note},
        )
    return req
