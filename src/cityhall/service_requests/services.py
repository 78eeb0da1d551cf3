"""Business actions on resident requests: the only place that changes their state.

Every channel (web form, call-centre screen, Open311, the JSON API, demo, tests) is registered
by the one batch handler of :mod:`.intake` behind the intake inbox — :func:`submit_request` does
it at once, for the pages; every workflow move goes through :func:`transition` and its
``ALLOWED`` table. Each action runs in one transaction, writes the append-only history and the
audit trail, and queues notifications in the outbox of the same transaction — a registered
request is committed with its notification, which is never lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation, Role, User
from cityhall.accounts.selectors import has_role
from cityhall.core import audit, inbox, jobs
from cityhall.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cityhall.core.process_cache import ProcessCache
from cityhall.core.selectors import business_calendar

from . import intake, notices, rating
from .deadlines import due_time
from .intake import number_for
from .models import (
    OPEN_STATUSES,
    TIMED_STATUSES,
    ApplicantKind,
    Category,
    CategoryVersion,
    Comment,
    DailyStat,
    Escalation,
    Feedback,
    Open311Client,
    OrganisationRating,
    Photo,
    ServiceRequest,
    Stage,
    StageLimit,
    Status,
    StatusChange,
)
from .selectors import committee

__all__ = [
    "ALLOWED",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTOS",
    "submit_request",
    "registered",
    "check_photos",
    "number_for",
    "roles_on",
    "TRACKING_LINK",
    "transition",
    "merge",
    "add_comment",
    "leave_feedback",
    "publish_category_version",
    "export_catalogue",
    "import_catalogue",
    "forget_catalogue",
    "create_open311_client",
    "open311_client_for_key",
    "sweep_overdue",
    "send_escalation_notices",
    "auto_confirm",
    "recompute_ratings",
    "rebuild_daily_stats",
]

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 5
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
#: A stage still open this long after its due time is escalated to the committee.
ESCALATE_TO_COMMITTEE_AFTER = dt.timedelta(hours=24)

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
    Status.CONFIRMED: {},
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


def _holds_link(request: ServiceRequest, public_token: str | None) -> bool:
    """Whether ``public_token`` is this request's private tracking token."""
    return bool(public_token) and constant_time_compare(
        str(public_token), request.public_token or ""
    )


_SNAPSHOT = ["status", "organisation", "executor", "stage_due_at", "reopen_count", "parent"]


# --- photos ----------------------------------------------------------------------------------


def check_photos(photos: Sequence[UploadedFile], field: str = "photos") -> dict[str, list[str]]:
    """Field errors for uploads that are too many, too large or not images (Pillow-verified)."""
    from PIL import Image

    errors: list[str] = []
    if len(photos) > MAX_PHOTOS:
        errors.append(_("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS})
    for upload in photos:
        name = getattr(upload, "name", "") or _("photo")
        if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
            errors.append(
                _("%(name)s is larger than %(mb)d MB.")
                % {"name": name, "mb": MAX_PHOTO_BYTES // (1024 * 1024)}
            )
            continue
        try:
            upload.seek(0)
            with Image.open(upload) as image:
                kind = image.format
                image.verify()
            if kind not in PHOTO_FORMATS:
                raise ValueError(kind)
        except Exception:  # noqa: BLE001 - anything Pillow cannot read is not a photo
            errors.append(_("%(name)s is not a JPEG, PNG, WebP or GIF image.") % {"name": name})
        finally:
            upload.seek(0)
    return {field: errors} if errors else {}


def _save_photos(
    request: ServiceRequest,
    photos: Sequence[UploadedFile],
    *,
    kind: str,
    by: User | None,
    comment: Comment | None = None,
) -> None:
    from PIL import Image

    for upload in photos:
        upload.seek(0)
        with Image.open(upload) as image:
            width, height = image.size
        upload.seek(0)
        photo = Photo(
            request=request, comment=comment, kind=kind, uploaded_by=by, width=width, height=height
        )
        photo.image.save(upload.name or "photo", upload, save=False)
        photo.save()


# --- intake ----------------------------------------------------------------------------------


#: Each process keeps the catalogue this long; an official's change reaches every worker within
#: it. Versions never change once published, so only the "current version" pointer can lag.
CATALOGUE_TTL_SECONDS = 30
_catalogue_cache: dict[str, tuple[float, Category | None]] = {}


def _category(category: Category | str) -> Category:
    if isinstance(category, Category):
        found = category
    else:
        code = str(category or "").strip()
        cached = _catalogue_cache.get(code)
        if cached is not None and time.monotonic() - cached[0] < CATALOGUE_TTL_SECONDS:
            found = cached[1]
        else:
            found = (
                Category.objects.select_related("current_version")
                .filter(code=code, is_active=True)
                .first()
            )
            _catalogue_cache[code] = (time.monotonic(), found)
    if found is None or not found.is_active or found.current_version_id is None:
        raise InvalidInput(fields={"category": [_("Choose a category from the list.")]})
    return found


def forget_catalogue() -> None:
    """Drop this process's copies of the catalogue, limits and api_keys (after publishing, so
    the writer sees it at once; and between tests, whose databases reuse ids)."""
    _catalogue_cache.clear()
    _LIMITS.clear()
    open311_clients.forget()


def check_attributes(version: CategoryVersion, answers: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors (``attribute[code]``) for the category's questions."""
    errors: dict[str, list[str]] = {}
    for question in version.attributes or []:
        if question.get("variable") is False:
            continue
        code = question["code"]
        value = answers.get(code)
        key = f"attribute[{code}]"
        if value in (None, "", []):
            if question.get("required"):
                errors[key] = [_("Answer this question.")]
            continue
        datatype = question.get("datatype", "string")
        allowed = {str(v["key"]) for v in question.get("values", [])}
        if datatype == "number":
            try:
                float(value)
            except (TypeError, ValueError):
                errors[key] = [_("Enter a number.")]
        elif datatype == "singlevaluelist" and str(value) not in allowed:
            errors[key] = [_("Choose one of the offered answers.")]
        elif datatype == "multivaluelist":
            values = value if isinstance(value, list) else [value]
            if not {str(v) for v in values} <= allowed:
                errors[key] = [_("Choose among the offered answers.")]
    return errors


_LIMITS: dict[int, dict[str, tuple[int, str]]] = {}


def stage_limits(version_id: int) -> dict[str, tuple[int, str]]:
    """A version's limits; versions never change once used, so each process keeps them."""
    limits = _LIMITS.get(version_id)
    if limits is None:
        limits = {
            row.stage: (row.amount, row.unit)
            for row in StageLimit.objects.filter(version_id=version_id)
        }
        _LIMITS[version_id] = limits
    return limits


def _due(request: ServiceRequest, stage: str, start: dt.datetime) -> dt.datetime | None:
    limit = stage_limits(request.category_version_id).get(stage)
    if limit is None:
        return None
    return due_time(start=start, amount=limit[0], unit=limit[1], calendar=business_calendar())


def _start_stage(request: ServiceRequest, now: dt.datetime) -> None:
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


def submit_request(
    *,
    category: Category | str,
    description: str,
    channel: str,
    author: User | None = None,
    building: Any = None,
    address: str = "",
    lat: Any = None,
    lon: Any = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    applicant_kind: str = ApplicantKind.PERSON,
    attributes: dict[str, Any] | None = None,
    photos: Sequence[UploadedFile] = (),
    entered_by: User | None = None,
    open311_client: Open311Client | None = None,
) -> ServiceRequest:
    """Take a request from any channel and register it now: checked by
    :func:`intake.prepare` (all field errors together, nothing written unless everything is
    valid), registered by the intake's batch handler like every other channel's — routed to
    its one responsible organisation (or the dispatcher queue), numbered, its first stage's
    clock started, audited, the applicant told."""
    payload = intake.prepare(
        category=category,
        description=description,
        channel=channel,
        author=author,
        building=building,
        address=address,
        lat=lat,
        lon=lon,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        applicant_kind=applicant_kind,
        attributes=attributes,
        photos=photos,
        entered_by=entered_by,
        open311_client=open311_client,
    )
    item = intake.receive(payload, inline=True)
    return registered(item)


def registered(item: inbox.Item) -> ServiceRequest:
    """The request an inbox item became; its refusal as ``InvalidInput`` otherwise."""
    if item.object_id is None:
        raise InvalidInput(item.error or _("The request could not be registered."))
    return ServiceRequest.objects.select_related("category", "organisation").get(pk=item.object_id)


# --- workflow --------------------------------------------------------------------------------


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


def _lock(request: ServiceRequest | int, expected_version: int | None) -> ServiceRequest:
    pk = request.pk if isinstance(request, ServiceRequest) else int(request)
    locked = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "category", "author")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("There is no such request."))
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
    return locked


def _authors_following(request: ServiceRequest) -> list[ServiceRequest]:
    """The request and the requests merged into it: everyone whose problem this is."""
    children = list(ServiceRequest.objects.filter(parent=request).select_related("author"))
    return [request, *children]


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
    errors = check_photos(list(photos))
    if errors:
        raise InvalidInput(fields=errors)
    now = timezone.now()
    with transaction.atomic():
        req = _lock(request, expected_version)
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
        if public_token is not None:
            if actor is not None or not _holds_link(req, public_token):
                raise Forbidden(_("You may not make this change to this request."))
            parts = {AUTHOR}
        else:
            parts = roles_on(actor, req)
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
        if fields:
            raise InvalidInput(fields=fields)

        before = audit.snapshot(req, _SNAPSHOT)
        from_status = req.status
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
        _start_stage(req, now)
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
        if photos:
            _save_photos(req, photos, kind=Photo.Kind.REPORT, by=actor)
        audit.record(
            actor=TRACKING_LINK if public_token is not None else actor,
            action=f"service_requests.{to}",
            target=req,
            before=before,
            after=audit.snapshot(req, _SNAPSHOT),
            message=reason,
        )
        if to == Status.ROUTED:
            notices.alert_organisation(req)
        notices.tell_applicants(
            _authors_following(req),
            event=notices.STATUS_CHANGED,
            context={"status": str(req.get_status_display()), "note": req.status_note},
        )
    return req


def merge(
    *,
    request: ServiceRequest | int,
    parent: ServiceRequest | int,
    actor: User,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Join a duplicate to the request it repeats. The duplicate (and anything merged into it)
    then follows the parent; every author is told."""
    now = timezone.now()
    with transaction.atomic():
        req = _lock(request, expected_version)
        parent_pk = parent.pk if isinstance(parent, ServiceRequest) else int(parent)
        target = _lock(parent_pk, None)
        if DISPATCHER not in roles_on(actor, req):
            raise Forbidden(_("Only a dispatcher may merge requests."))
        if target.pk == req.pk:
            raise InvalidInput(fields={"parent": [_("A request cannot be merged into itself.")]})
        if Status.MERGED not in ALLOWED.get(req.status, {}):
            raise InvalidInput(
                _("A request that is “%(status)s” cannot be merged.")
                % {"status": req.get_status_display()}
            )
        if target.status not in OPEN_STATUSES:
            raise InvalidInput(fields={"parent": [_("Merge into a request that is still open.")]})
        before = audit.snapshot(req, _SNAPSHOT)
        from_status = req.status
        req.status = Status.MERGED
        req.parent = target
        req.closed_at = now
        req.version += 1
        req.updated_at = now
        req.status_note = _("Merged into %(number)s") % {"number": target.number}
        _start_stage(req, now)
        req.save(
            update_fields=[
                "status",
                "parent",
                "closed_at",
                "version",
                "updated_at",
                "status_note",
                "stage_due_at",
                "is_overdue",
            ]
        )
        ServiceRequest.objects.filter(parent=req).update(parent=target, updated_at=now)
        StatusChange.objects.create(
            request=req,
            from_status=from_status,
            to_status=Status.MERGED,
            organisation_id=req.organisation_id,
            actor=actor,
            reason=req.status_note,
            created_at=now,
        )
        audit.record(
            actor=actor,
            action="service_requests.merged",
            target=req,
            before=before,
            after=audit.snapshot(req, _SNAPSHOT),
        )
        notices.tell_applicants(
            [req, target], event=notices.MERGED, context={"parent_number": target.number}
        )
    return req


def add_comment(
    *,
    request: ServiceRequest,
    author: User,
    text: str,
    photos: Sequence[UploadedFile] = (),
) -> Comment:
    """A message between the resident and the people working on the request."""
    text = (text or "").strip()
    errors = check_photos(list(photos))
    if not text:
        errors["text"] = [_("Write a message.")]
    if errors:
        raise InvalidInput(fields=errors)
    parts = roles_on(author, request)
    if not parts & {AUTHOR, ORGANISATION, DISPATCHER}:
        raise Forbidden(_("Only the author and the people handling a request may write here."))
    staff_side = bool(parts & {ORGANISATION, DISPATCHER})
    with transaction.atomic():
        comment = Comment.objects.create(
            request=request, author=author, text=text[:5000], is_staff=staff_side
        )
        if photos:
            _save_photos(request, photos, kind=Photo.Kind.COMMENT, by=author, comment=comment)
        audit.record(actor=author, action="service_requests.commented", target=request)
        context = {"text": text[:1000]}
        if staff_side:
            notices.tell_applicants(
                _authors_following(request), event=notices.COMMENTED, context=context
            )
        elif request.executor_id is not None:
            from cityhall.notifications.services import notify

            notify(
                recipient=request.executor,
                event=notices.COMMENTED,
                context={
                    "number": request.number,
                    "url": notices.staff_url(request),
                    **context,
                },
            )
    return comment


def leave_feedback(
    *,
    request: ServiceRequest,
    author: User | None,
    score: int,
    text: str = "",
    public_token: str | None = None,
) -> Feedback:
    """The resident's 1–5 vote after the work is done; one per request.

    With ``public_token`` (and ``author=None``) the holder of the request's private tracking
    link votes as its author; the audit record says "tracking link"."""
    request = ServiceRequest.objects.get(pk=request.pk)
    if public_token is not None:
        if author is not None or not _holds_link(request, public_token):
            raise Forbidden(_("Only the author of a request may rate it."))
    elif author is None or request.author_id is None or request.author_id != author.pk:
        raise Forbidden(_("Only the author of a request may rate it."))
    if request.status not in (Status.DONE, Status.CONFIRMED):
        raise InvalidInput(_("A request can be rated once the work is done."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise InvalidInput(fields={"score": [_("Choose a score from 1 to 5.")]})
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                request=request,
                organisation_id=request.organisation_id,
                author=author,
                score=score,
                text=(text or "").strip()[:2000],
            )
            audit.record(
                actor=TRACKING_LINK if public_token is not None else author,
                action="service_requests.rated",
                target=request,
                after={"score": score},
            )
    except IntegrityError:
        raise Conflict(_("You have already rated this request.")) from None
    return feedback


# --- catalogue and clients -------------------------------------------------------------------


def publish_category_version(
    *,
    category: Category,
    actor: User | None,
    attributes: list[dict] | None = None,
    limits: dict[str, tuple[int, str]] | None = None,
) -> CategoryVersion:
    """Publish a new edition of a category's questions and limits; open requests keep theirs."""
    with transaction.atomic():
        locked = Category.objects.select_for_update().get(pk=category.pk)
        last = locked.versions.order_by("-number").first()
        version = CategoryVersion.objects.create(
            category=locked,
            number=(last.number + 1) if last else 1,
            attributes=attributes if attributes is not None else (last.attributes if last else []),
            created_by=actor,
        )
        source = (
            limits
            if limits is not None
            else ({row.stage: (row.amount, row.unit) for row in last.limits.all()} if last else {})
        )
        StageLimit.objects.bulk_create(
            StageLimit(version=version, stage=stage, amount=amount, unit=unit)
            for stage, (amount, unit) in source.items()
        )
        locked.current_version = version
        locked.save(update_fields=["current_version", "updated_at"])
        audit.record(
            actor=actor,
            action="service_requests.category_published",
            target=locked,
            after={"version": version.number, "limits": {k: list(v) for k, v in source.items()}},
        )
    category.current_version = version
    forget_catalogue()
    return version


CATALOGUE_FIELDS = ("name_ru", "name_tt", "name_en", "group", "is_emergency", "responsible_type")


def export_catalogue() -> list[dict[str, Any]]:
    """The catalogue as data: each category with its current version's questions and limits."""
    result = []
    for category in Category.objects.select_related("current_version").order_by("code"):
        version = category.current_version
        result.append(
            {
                "code": category.code,
                **{name: getattr(category, name) for name in CATALOGUE_FIELDS},
                "is_active": category.is_active,
                "version": version.number if version else None,
                "attributes": version.attributes if version else [],
                "limits": (
                    {row.stage: [row.amount, row.unit] for row in version.limits.all()}
                    if version
                    else {}
                ),
            }
        )
    return result


def import_catalogue(*, data: list[dict[str, Any]], actor: User | None) -> dict[str, int]:
    """Create or update categories from exported data. Questions or limits that differ from the
    current version are published as a new version (open requests keep theirs)."""
    from .models import LimitUnit

    counts = {"created": 0, "updated": 0, "published": 0, "unchanged": 0}
    errors: dict[str, list[str]] = {}
    for position, item in enumerate(data):
        code = str(item.get("code", "")).strip()
        limits = item.get("limits") or {}
        bad = [
            stage
            for stage, pair in limits.items()
            if stage not in TIMED_STATUSES
            or not isinstance(pair, list | tuple)
            or len(pair) != 2
            or pair[1] not in LimitUnit.values
            or not isinstance(pair[0], int)
            or pair[0] <= 0
        ]
        if not code or not item.get("name_ru") or bad:
            errors[f"[{position}]"] = [_("Needs a code, a Russian name and valid limits.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        for item in data:
            defaults = {name: item[name] for name in CATALOGUE_FIELDS if name in item}
            defaults["is_active"] = item.get("is_active", True)
            category, created = Category.objects.get_or_create(code=item["code"], defaults=defaults)
            changed = False
            if not created:
                for name, value in defaults.items():
                    if getattr(category, name) != value:
                        setattr(category, name, value)
                        changed = True
                if changed:
                    category.save()
                    audit.record(
                        actor=actor,
                        action="service_requests.category_updated",
                        target=category,
                        after=defaults,
                    )
            wanted_limits = {k: (int(v[0]), v[1]) for k, v in (item.get("limits") or {}).items()}
            current = category.current_version
            same = current is not None and (
                current.attributes == (item.get("attributes") or [])
                and {r.stage: (r.amount, r.unit) for r in current.limits.all()} == wanted_limits
            )
            if not same:
                publish_category_version(
                    category=category,
                    actor=actor,
                    attributes=item.get("attributes") or [],
                    limits=wanted_limits,
                )
                counts["published"] += 1
            if created:
                counts["created"] += 1
            elif changed:
                counts["updated"] += 1
            elif same:
                counts["unchanged"] += 1
    forget_catalogue()
    return counts


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_open311_client(*, name: str, actor: User | None) -> tuple[Open311Client, str]:
    """Issue an api_key for a client system. The key is returned once; only its hash is kept."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(fields={"name": [_("Name the client system.")]})
    if Open311Client.objects.filter(name=name).exists():
        raise InvalidInput(fields={"name": [_("A client with this name exists.")]})
    key = "o311_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=name, key_prefix=key[:10], key_hash=_key_hash(key), created_by=actor
        )
        audit.record(actor=actor, action="service_requests.open311_key_issued", target=client)
    return client, key


def _active_clients(_fingerprint: tuple) -> dict[str, Open311Client]:
    return {c.key_hash: c for c in Open311Client.objects.filter(is_active=True)}


#: The active api_keys' hashes, kept in each process (see core.process_cache): a key issued or
#: revoked here counts at once, in another process within OPEN311_CLIENTS_RECHECK_SECONDS.
open311_clients: ProcessCache[dict[str, Open311Client]] = ProcessCache(
    name="service-requests-open311-clients",
    watched=(Open311Client,),
    build=_active_clients,
    recheck_setting="OPEN311_CLIENTS_RECHECK_SECONDS",
)


def open311_client_for_key(key: str) -> Open311Client | None:
    """The active client system holding this api_key (no query while the keys are unchanged)."""
    if not key:
        return None
    return open311_clients.current().get(_key_hash(key))


# --- scheduled work --------------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def sweep_overdue(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Escalate open stages that ran over their limit, with one INSERT … SELECT per level: the
    partial index on open stages' ``due_at`` finds the late ones and the unique
    (stage, level) index skips those already escalated, so the cost follows the number of late
    stages, not the millions of open ones. Stages themselves are never edited here.

    Level 1 (due time passed): the organisation's head is told. Level 2 (still open
    ``ESCALATE_TO_COMMITTEE_AFTER`` later): the committee is told.
    """
    now = now or timezone.now()
    stage_t, esc_t = _table(Stage), _table(Escalation)
    adapt = connection.ops.adapt_datetimefield_value
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for level, limit in ((1, now), (2, now - ESCALATE_TO_COMMITTEE_AFTER)):
            cursor.execute(
                f"INSERT INTO {esc_t} (stage_id, request_id, organisation_id, level, created_at) "  # noqa: S608
                f"SELECT s.id, s.request_id, s.organisation_id, %s, %s FROM {stage_t} s "
                "WHERE s.finished_at IS NULL AND s.due_at < %s AND NOT EXISTS "
                f"(SELECT 1 FROM {esc_t} e WHERE e.stage_id = s.id AND e.level = %s)",
                [level, adapt(now), adapt(limit), level],
            )
            counts[f"level{level}"] = cursor.rowcount
    if counts.get("level1") or counts.get("level2"):
        jobs.enqueue_on_commit("service_requests.send_escalation_notices")
    return counts


def send_escalation_notices(*, now: dt.datetime | None = None) -> int:
    """One notice per organisation and level, however many requests: level 1 to the
    organisation's head, level 2 to the committee's head and dispatchers."""
    from django.urls import reverse

    from cityhall.notifications.services import notify

    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        pending = list(
            Escalation.objects.filter(notified_at__isnull=True)
            .values("organisation_id", "level")
            .annotate(count=Count("id"))
        )
        centre = committee()
        orgs = Organisation.objects.in_bulk(
            [p["organisation_id"] for p in pending if p["organisation_id"]]
        )
        url = reverse("service_requests:queue")
        for row in pending:
            org = orgs.get(row["organisation_id"])
            recipients: list[User] = []
            if row["level"] == 1 and org is not None:
                if org.head_id:
                    recipients.append(org.head)
                else:  # no head named: the organisation's own dispatchers
                    recipients.extend(
                        User.objects.filter(
                            memberships__organisation=org,
                            memberships__role=Role.DISPATCHER,
                            is_active=True,
                        )
                    )
            if (row["level"] == 2 or org is None) and centre is not None:
                if centre.head_id:
                    recipients.append(centre.head)
                recipients.extend(
                    User.objects.filter(
                        memberships__organisation=centre,
                        memberships__role=Role.DISPATCHER,
                        is_active=True,
                    )
                )
            for user in {u.pk: u for u in recipients}.values():
                notify(
                    recipient=user,
                    event=notices.OVERDUE,
                    context={
                        "organisation": str(org) if org else _("dispatcher queue"),
                        "count": row["count"],
                        "level": row["level"],
                        "url": url,
                    },
                )
                sent += 1
        Escalation.objects.filter(notified_at__isnull=True).update(notified_at=now)
    return sent


#: A resident who neither confirms nor reopens within this time is taken to be satisfied.
AUTO_CONFIRM_AFTER = dt.timedelta(days=7)


def auto_confirm(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Confirm requests left "done" for a week, through the workflow (audited, notified)."""
    now = now or timezone.now()
    ids = list(
        ServiceRequest.objects.filter(status=Status.DONE, closed_at__lt=now - AUTO_CONFIRM_AFTER)
        .order_by("closed_at")
        .values_list("pk", flat=True)[:limit]
    )
    confirmed = 0
    for pk in ids:
        try:
            transition(
                request=pk,
                actor=None,
                to=Status.CONFIRMED,
                reason=_("Confirmed automatically: no answer from the resident for 7 days."),
            )
            confirmed += 1
        except (Conflict, InvalidInput):
            continue  # somebody acted on it meanwhile
    return confirmed


def recompute_ratings(*, now: dt.datetime | None = None) -> int:
    """Recompute every organisation's public figures (volumes, timeliness, Bayesian score)."""
    now = now or timezone.now()
    votes = {
        row["organisation_id"]: row
        for row in Feedback.objects.values("organisation_id").annotate(
            n=Count("id"), total=Sum("score")
        )
    }
    volumes = {
        row["organisation_id"]: row
        for row in ServiceRequest.objects.filter(organisation__isnull=False)
        .values("organisation_id")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            closed=Count("id", filter=Q(status__in=[Status.DONE, Status.CONFIRMED])),
            on_time=Count(
                "id", filter=Q(status__in=[Status.DONE, Status.CONFIRMED], is_overdue=False)
            ),
        )
    }
    rows = []
    for org_id in set(votes) | set(volumes):
        if org_id is None:
            continue
        v = votes.get(org_id, {"n": 0, "total": 0})
        r = rating.bayesian_score(votes=v["n"], total=v["total"] or 0)
        vol = volumes.get(org_id, {})
        rows.append(
            OrganisationRating(
                organisation_id=org_id,
                votes=r.votes,
                mean=r.mean,
                score=r.score,
                requests_total=vol.get("total", 0),
                requests_open=vol.get("open", 0),
                closed_total=vol.get("closed", 0),
                closed_on_time=vol.get("on_time", 0),
                computed_at=now,
            )
        )
    with transaction.atomic():
        OrganisationRating.objects.all().delete()
        OrganisationRating.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


STAGE_KINDS = ("new", "routed", "accepted", "in_work")
_MEASURES = (
    "total, open, done, confirmed, rejected, merged, closed_on_time, overdue, reopened, "
    "resolution_seconds, " + ", ".join(f"{k}_seconds, {k}_count" for k in STAGE_KINDS)
)
_DIMENSIONS = "district_id, suburb_id, organisation_id, category_id, channel, applicant_kind"


def _local_day_sql(column: str) -> str:
    """The local calendar day of a UTC timestamp column, in the database's dialect."""
    if connection.vendor == "sqlite":
        offset = int(timezone.localtime().utcoffset().total_seconds() // 60)
        return f"date({column}, '{offset:+d} minutes')"
    return f"({column} AT TIME ZONE '{timezone.get_current_timezone_name()}')::date"


def _month_sql(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"strftime('%%Y-%%m-01', {column})"
    return f"date_trunc('month', {column})::date"


def rebuild_daily_stats(*, days: Iterable[dt.date] | None = None) -> int:
    """Re-aggregate the roll-ups for the given local creation days (all when None): one
    INSERT … SELECT … GROUP BY into the daily table, then the touched months are re-summed
    from it. Reports read only the roll-ups."""
    from .models import MonthlyStat

    stat_t, month_t, req_t = _table(DailyStat), _table(MonthlyStat), _table(ServiceRequest)
    day_expr = _local_day_sql("r.created_at")
    vendor = connection.vendor

    def seconds_between(start: str, end: str) -> str:
        if vendor == "sqlite":
            return f"CAST((julianday({end}) - julianday({start})) * 86400 AS INTEGER)"
        return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS BIGINT)"

    stage_t = _table(Stage)
    per_stage = ", ".join(
        f"SUM(CASE WHEN s.stage = '{k}' THEN {seconds_between('s.started_at', 's.finished_at')} "
        f"ELSE 0 END) AS {k}_s, SUM(CASE WHEN s.stage = '{k}' THEN 1 ELSE 0 END) AS {k}_n"
        for k in STAGE_KINDS
    )
    # Finished stages summed per request, only for the requests being rolled up.
    stages_of = (
        f"LEFT JOIN (SELECT s.request_id, {per_stage} FROM {stage_t} s "  # noqa: S608
        f"JOIN {req_t} q ON q.id = s.request_id WHERE s.finished_at IS NOT NULL {{window}} "
        "GROUP BY s.request_id) st ON st.request_id = r.id "
    )
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    closed = "('done', 'confirmed')"
    stage_sums = ", ".join(
        f"COALESCE(SUM(st.{k}_s), 0), COALESCE(SUM(st.{k}_n), 0)" for k in STAGE_KINDS
    )
    insert_daily = (
        f"INSERT INTO {stat_t} (day, {_DIMENSIONS}, {_MEASURES}) "  # noqa: S608
        f"SELECT {day_expr}, r.district_id, r.suburb_id, r.organisation_id, r.category_id, "
        "r.channel, r.applicant_kind, COUNT(*), "
        f"SUM(CASE WHEN r.status IN ({open_list}) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'done' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'confirmed' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'rejected' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'merged' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN r.status IN {closed} AND NOT r.is_overdue THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN r.is_overdue OR (r.status IN ({open_list}) AND r.stage_due_at < %s) "
        "THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.reopen_count > 0 THEN 1 ELSE 0 END), "
        f"COALESCE(SUM(CASE WHEN r.status IN {closed} AND r.closed_at IS NOT NULL "
        f"THEN {seconds_between('r.created_at', 'r.closed_at')} ELSE 0 END), 0), "
        f"{stage_sums} "
        f"FROM {req_t} r {{stages}}"
    )
    group = (
        f" GROUP BY {day_expr}, r.district_id, r.suburb_id, r.organisation_id, r.category_id, "
        "r.channel, r.applicant_kind"
    )
    sums = ", ".join(f"SUM({m.strip()})" for m in _MEASURES.split(","))
    insert_monthly = (
        f"INSERT INTO {month_t} (month, {_DIMENSIONS}, {_MEASURES}) "  # noqa: S608
        f"SELECT {_month_sql('d.day')}, {_DIMENSIONS}, {sums} FROM {stat_t} d "
        "WHERE d.day >= %s AND d.day < %s "
        f"GROUP BY {_month_sql('d.day')}, {_DIMENSIONS}"
    )
    adapt_dt = connection.ops.adapt_datetimefield_value
    adapt_d = connection.ops.adapt_datefield_value
    tz = timezone.get_current_timezone()
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        if days is None:
            if vendor == "postgresql":
                # A full rebuild follows bulk loads: without fresh statistics the planner
                # re-aggregates the stages once per request (minutes instead of a second).
                cursor.execute(f"ANALYZE {req_t}, {stage_t}")
            DailyStat.objects.all().delete()
            MonthlyStat.objects.all().delete()
            sql = insert_daily.format(stages=stages_of.format(window=""))
            cursor.execute(sql + group, [adapt_dt(now)])
            total = cursor.rowcount
            cursor.execute(
                insert_monthly, [adapt_d(dt.date(1, 1, 1)), adapt_d(dt.date(9999, 1, 1))]
            )
            return total
        day_list = sorted(set(days))
        if not day_list:
            return 0
        DailyStat.objects.filter(day__in=day_list).delete()
        total = 0
        for day in day_list:
            start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            window = "AND q.created_at >= %s AND q.created_at < %s"
            sql = insert_daily.format(stages=stages_of.format(window=window))
            cursor.execute(
                sql + "WHERE r.created_at >= %s AND r.created_at < %s" + group,
                [adapt_dt(now), adapt_dt(start), adapt_dt(end), adapt_dt(start), adapt_dt(end)],
            )
            total += cursor.rowcount
        for month in sorted({d.replace(day=1) for d in day_list}):
            following = (month + dt.timedelta(days=32)).replace(day=1)
            MonthlyStat.objects.filter(month=month).delete()
            cursor.execute(insert_monthly, [adapt_d(month), adapt_d(following)])
        return total
