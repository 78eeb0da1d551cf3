"""The discussion's lifecycle: setting it up and moving it through its stages.

A discussion is created and edited here (dates checked against its document type's legal
bounds), and moves between statuses only through :func:`transition`, which checks
:data:`ALLOWED` and the rules of the moment, appends the status history, writes the audit record
and schedules the notices. :func:`run_scheduled_transitions` makes the on-time moves. The other
workflows ask :func:`require_organiser` who may act for the organiser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation, Role
from cityhall.accounts.selectors import has_role
from cityhall.core import audit, jobs
from cityhall.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cityhall.core.numbering import next_value
from cityhall.core.selectors import business_calendar
from cityhall.geo.geometry import area_shape

from ..file_access import follow_discussion
from ..intake import fmt_local
from ..models import (
    Discussion,
    DiscussionDocument,
    DocumentType,
    DocumentVersion,
    FinalDocument,
    Status,
    StatusChange,
)

__all__ = [
    "ALLOWED",
    "DATE_FIELDS",
    "EDITABLE_FIELDS",
    "ORGANISER_ROLES",
    "SIGNER_FIELDS",
    "check_responsible_official",
    "create_discussion",
    "local_date",
    "reason_shown",
    "require_organiser",
    "run_scheduled_transitions",
    "transition",
    "update_discussion",
    "validate_dates",
]


#: The workflow: from each status, where it may go and why (the reason shown in the history).
#: The history keeps these reasons as written here (the record does not change with the
#: reader's language); pages show them through :func:`reason_shown`, in the reader's language.
ALLOWED: dict[str, dict[str, str]] = {
    Status.DRAFT: {
        Status.ANNOUNCED: gettext_noop("The notice of the discussion is published."),
        Status.CANCELLED: gettext_noop("The discussion will not be held."),
    },
    Status.ANNOUNCED: {
        Status.EXPOSITION_OPEN: gettext_noop(
            "The project is posted and the exposition opens (art. 5.1 p. 8)."
        ),
        Status.CANCELLED: gettext_noop("The discussion is cancelled before the exposition."),
    },
    Status.EXPOSITION_OPEN: {
        Status.PROPOSALS_CLOSED: gettext_noop("The proposal deadline has passed."),
        Status.CANCELLED: gettext_noop(
            "The discussion is stopped (a court decision, the project withdrawn)."
        ),
    },
    Status.PROPOSALS_CLOSED: {
        Status.PROTOCOL_SIGNED: gettext_noop("The protocol is signed by the responsible official."),
    },
    Status.PROTOCOL_SIGNED: {
        Status.CONCLUSION_PUBLISHED: gettext_noop("The conclusion is signed and published."),
    },
    Status.CONCLUSION_PUBLISHED: {
        Status.ARCHIVED: gettext_noop("The discussion is complete and kept read-only."),
    },
    Status.ARCHIVED: {},
    Status.CANCELLED: {},
}

ORGANISER_ROLES = (Role.ORGANISER, Role.ADMINISTRATOR)
#: What announcing records: the real moment and place of the notice's publication.
NOTICE_FIELDS = ["notice_published_at", "notice_date", "notice_source"]


EDITABLE_FIELDS = (
    "title",
    "description",
    "exposition_place",
    "territory_description",
    "with_meeting",
    "allow_residents",
    "allow_right_holders",
    "allow_legal_entities",
    "open_to_all_verified",
    "min_age",
    "max_age",
    "notice_date",
    "exposition_start",
    "exposition_end",
    "proposal_deadline",
    "conclusion_due",
    "territory",
    "responsible_official",
    "responsible_official_position",
)
#: What may still change once proposals are closed: who signs the protocol and the conclusion.
SIGNER_FIELDS = ("responsible_official", "responsible_official_position")
DATE_FIELDS = (
    "notice_date",
    "exposition_start",
    "exposition_end",
    "proposal_deadline",
    "conclusion_due",
)


def local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def _days_after(doc_type: DocumentType, start: dt.date, days: int) -> dt.date:
    """The date ``days`` legal days after ``start`` (calendar or working days, as configured)."""
    if doc_type.terms_in_working_days:
        return business_calendar().add_working_days(start, days)
    return start + dt.timedelta(days=days)


def validate_dates(
    *,
    document_type: DocumentType,
    notice_date: dt.date,
    exposition_start: dt.datetime,
    exposition_end: dt.date,
    proposal_deadline: dt.datetime,
    conclusion_due: dt.date,
    today: dt.date | None = None,
) -> None:
    """Check the discussion's dates against its document type's legal bounds.

    ``today`` is given while the notice is not yet published: a notice cannot be published in
    the past, so the terms count from today at the earliest (a typed date never backdates it).
    Raises :class:`InvalidInput` with a message on each offending field.
    """
    errors: dict[str, list[str]] = {}
    if today is not None and notice_date < today:
        notice_date = today
    start_day = local_date(exposition_start)
    earliest_start = _days_after(document_type, notice_date, document_type.min_notice_days)
    if start_day < earliest_start:
        errors.setdefault("exposition_start", []).append(
            _(
                "The project may be posted no earlier than %(days)s days after the notice, "
                "that is on %(date)s or later."
            )
            % {"days": document_type.min_notice_days, "date": fmt_local(earliest_start)}
        )
    if exposition_end < start_day:
        errors.setdefault("exposition_end", []).append(
            _("The exposition cannot end before it starts.")
        )
    else:
        length = (exposition_end - start_day).days + 1
        if document_type.terms_in_working_days:
            length = business_calendar().working_days_between(start_day, exposition_end) + 1
        if length < document_type.min_exposition_days:
            errors.setdefault("exposition_end", []).append(
                _("The exposition must last at least %(days)s days.")
                % {"days": document_type.min_exposition_days}
            )
        if document_type.max_exposition_days and length > document_type.max_exposition_days:
            errors.setdefault("exposition_end", []).append(
                _("The exposition may last at most %(days)s days.")
                % {"days": document_type.max_exposition_days}
            )
    deadline_day = local_date(proposal_deadline)
    if proposal_deadline < exposition_start or deadline_day > exposition_end:
        errors.setdefault("proposal_deadline", []).append(
            _("Proposals are accepted during the exposition: the deadline must fall within it.")
        )
    elif deadline_day < exposition_end:
        errors.setdefault("proposal_deadline", []).append(
            _(
                "Proposals are accepted throughout the exposition: the deadline falls on its "
                "last day, %(date)s."
            )
            % {"date": fmt_local(exposition_end)}
        )
    if conclusion_due <= exposition_end:
        errors.setdefault("conclusion_due", []).append(
            _("The conclusion is due after the exposition ends.")
        )
    if document_type.max_days_to_conclusion:
        latest = _days_after(document_type, notice_date, document_type.max_days_to_conclusion)
        if conclusion_due > latest:
            errors.setdefault("conclusion_due", []).append(
                _(
                    "For %(type)s the conclusion must be published within %(days)s days of the "
                    "notice, that is by %(date)s."
                )
                % {
                    "type": document_type.name,
                    "days": document_type.max_days_to_conclusion,
                    "date": fmt_local(latest),
                }
            )
    if errors:
        raise InvalidInput(fields=errors)


def check_responsible_official(
    official: Any, position: str, organiser: Organisation, *, required: bool = False
) -> None:
    """The responsible official is an official of the organiser who may sign for it (an
    organiser or administrator there), named with their position."""
    errors: dict[str, list[str]] = {}
    if official is None:
        if required:
            errors["responsible_official"] = [
                _("Choose the responsible official who signs the protocol and the conclusion.")
            ]
    elif not has_role(official, ORGANISER_ROLES, organiser):
        errors["responsible_official"] = [
            _("The responsible official must be an official of the organiser who may sign for it.")
        ]
    elif not (position or "").strip():
        errors["responsible_official_position"] = [
            _("Give the position of the responsible official, as printed under the signature.")
        ]
    if errors:
        raise InvalidInput(fields=errors)


def require_organiser(actor: Any, organisation: Organisation) -> None:
    if not has_role(actor, ORGANISER_ROLES, organisation):
        raise Forbidden(_("Only the organiser of this discussion may do this."))


def _territory_bbox(territory: dict | None) -> dict[str, float | None]:
    if not territory:
        return {"min_lon": None, "min_lat": None, "max_lon": None, "max_lat": None}
    shape = area_shape(territory, field="territory")
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    return {"min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat}


def create_discussion(
    *,
    actor: Any,
    organiser: Organisation,
    document_type: DocumentType,
    title: str,
    notice_date: dt.date,
    exposition_start: dt.datetime,
    exposition_end: dt.date,
    proposal_deadline: dt.datetime,
    conclusion_due: dt.date,
    districts: Iterable[Any] = (),
    territory: dict | None = None,
    **options: Any,
) -> Discussion:
    """A new discussion in draft; dates are checked against the type's legal bounds."""
    require_organiser(actor, organiser)
    if not title.strip():
        raise InvalidInput(fields={"title": [_("Give the discussion a title.")]})
    validate_dates(
        document_type=document_type,
        notice_date=notice_date,
        exposition_start=exposition_start,
        exposition_end=exposition_end,
        proposal_deadline=proposal_deadline,
        conclusion_due=conclusion_due,
        today=timezone.localdate(),
    )
    unknown = set(options) - set(EDITABLE_FIELDS) - {"initiation"}
    if unknown:
        raise TypeError(f"unknown discussion fields: {sorted(unknown)}")
    check_responsible_official(
        options.get("responsible_official"),
        options.get("responsible_official_position", ""),
        organiser,
    )
    with transaction.atomic():
        year = notice_date.year
        number = f"{year}-{next_value(f'discussions.discussion.{year}'):04d}"
        discussion = Discussion.objects.create(
            number=number,
            title=title.strip(),
            document_type=document_type,
            organiser=organiser,
            notice_date=notice_date,
            exposition_start=exposition_start,
            exposition_end=exposition_end,
            proposal_deadline=proposal_deadline,
            conclusion_due=conclusion_due,
            territory=territory or None,
            **_territory_bbox(territory),
            **options,
        )
        if districts:
            discussion.districts.set(districts)
        StatusChange.objects.create(
            discussion=discussion, from_status="", to_status=Status.DRAFT, actor=actor
        )
        audit.record(
            actor=actor,
            action="discussions.discussion_created",
            target=discussion,
            after=audit.snapshot(discussion, ["number", "title", "status", *DATE_FIELDS]),
        )
    return discussion


def update_discussion(
    *, actor: Any, discussion_id: int, expected_version: int, changes: dict[str, Any]
) -> Discussion:
    """Edit a draft or announced discussion. ``expected_version`` is the version the editor
    saw; if someone saved in between, :class:`Conflict` — nothing is silently overwritten."""
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"districts"}
    if unknown:
        raise InvalidInput(fields={f: [_("This field cannot be changed.")] for f in unknown})
    with transaction.atomic():
        discussion = Discussion.objects.select_for_update().filter(pk=discussion_id).first()
        if discussion is None:
            raise NotFound()
        require_organiser(actor, discussion.organiser)
        if discussion.version != expected_version:
            raise Conflict(
                _(
                    "Someone else saved this discussion after you opened it (version %(theirs)s, "
                    "you edited version %(yours)s). Reload to see their changes."
                )
                % {"theirs": discussion.version, "yours": expected_version}
            )
        signer_only = set(changes) <= set(SIGNER_FIELDS) and discussion.status in (
            Status.PROPOSALS_CLOSED,
            Status.PROTOCOL_SIGNED,
        )
        if discussion.status not in (Status.DRAFT, Status.ANNOUNCED) and not signer_only:
            raise Conflict(_("The discussion can no longer be edited at this stage."))
        published = discussion.notice_published_at is not None
        if (
            published
            and "notice_date" in changes
            and changes["notice_date"] != (discussion.notice_date)
        ):
            raise InvalidInput(
                fields={
                    "notice_date": [
                        _("The notice is published; its date is the day of publication.")
                    ]
                }
            )
        fields = [f for f in changes if f != "districts"]
        before = audit.snapshot(discussion, fields + ["version"])
        for name in fields:
            setattr(discussion, name, changes[name])
        check_responsible_official(
            discussion.responsible_official,
            discussion.responsible_official_position,
            discussion.organiser,
        )
        if not signer_only:  # once proposals close, only who signs may change
            validate_dates(
                document_type=discussion.document_type,
                **{name: getattr(discussion, name) for name in DATE_FIELDS},
                today=None if published else timezone.localdate(),
            )
        if "territory" in changes:
            for key, value in _territory_bbox(changes["territory"]).items():
                setattr(discussion, key, value)
            fields += ["min_lon", "min_lat", "max_lon", "max_lat"]
        discussion.version += 1
        discussion.save(update_fields=[*fields, "version", "updated_at"])
        if "districts" in changes:
            discussion.districts.set(changes["districts"])
            discussion._district_ids = None
        audit.record(
            actor=actor,
            action="discussions.discussion_edited",
            target=discussion,
            before=before,
            after=audit.snapshot(discussion, fields + ["version"]),
        )
    return discussion


# --- the workflow ------------------------------------------------------------------------------


def _announce_problem(discussion: Discussion, now: dt.datetime, notice_source: str) -> str | None:
    """Why the notice cannot be published now: the legal terms count from this moment."""
    if not notice_source.strip():
        return _(
            "Name the official source where the notice is published (the publication and its "
            "issue or URL)."
        )
    if now >= discussion.exposition_start:
        return _("The exposition date has passed; correct the dates before announcing.")
    try:
        validate_dates(
            document_type=discussion.document_type,
            **{name: getattr(discussion, name) for name in DATE_FIELDS if name != "notice_date"},
            notice_date=local_date(now),
        )
    except InvalidInput as exc:
        problems = [str(m) for messages in exc.fields.values() for m in messages]
        return _("Published today, the notice does not allow these dates: %(problems)s") % {
            "problems": " ".join(problems)
        }
    return None


def _guard(
    discussion: Discussion, to: str, now: dt.datetime, reason: str, notice_source: str = ""
) -> str | None:
    """Why the move is not possible now (None when it is)."""
    if to == Status.CANCELLED and not reason.strip():
        return _("Give the reason for cancelling the discussion.")
    if to == Status.ANNOUNCED:
        return _announce_problem(discussion, now, notice_source)
    if to == Status.EXPOSITION_OPEN:
        if now < discussion.exposition_start:
            return _("The exposition opens on %(date)s; it cannot open earlier.") % {
                "date": fmt_local(discussion.exposition_start)
            }
        has_project = DocumentVersion.objects.filter(
            document__discussion=discussion, document__kind=DiscussionDocument.Kind.PROJECT
        ).exists()
        if not has_project:
            return _("Publish the project document before opening the exposition.")
    if to == Status.PROPOSALS_CLOSED and now <= discussion.proposal_deadline:
        return _("Proposals are accepted until %(date)s; they cannot be closed earlier.") % {
            "date": fmt_local(discussion.proposal_deadline)
        }
    if to in (Status.PROTOCOL_SIGNED, Status.CONCLUSION_PUBLISHED):
        kind = (
            FinalDocument.Kind.PROTOCOL
            if to == Status.PROTOCOL_SIGNED
            else FinalDocument.Kind.CONCLUSION
        )
        signed = FinalDocument.objects.filter(
            discussion=discussion, kind=kind, state=FinalDocument.State.SIGNED
        ).exists()
        if not signed:
            return _("The %(what)s must be generated and signed first.") % {
                "what": FinalDocument.Kind(kind).label.lower()
            }
    return None


_STANDARD_REASONS = frozenset(r for moves in ALLOWED.values() for r in moves.values())


def reason_shown(reason: str) -> str:
    """A history reason for the page: the workflow's own reasons in the reader's language,
    what a person typed as typed."""
    return gettext(reason) if reason in _STANDARD_REASONS else reason


def transition(
    *,
    discussion: Discussion,
    to: str,
    actor: Any,
    reason: str = "",
    notice_source: str = "",
    now: dt.datetime | None = None,
) -> Discussion:
    """Move ``discussion`` to status ``to`` if :data:`ALLOWED` and the rules permit it now.

    ``actor=None`` is the scheduler (on-time moves); a person must be the organiser. Announcing
    records the moment and the official source (``notice_source``) of the notice: the notice
    date becomes the day it is really published. Writes the status history, the audit record,
    and tells the participants.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Discussion.objects.select_for_update().get(pk=discussion.pk)
        if actor is not None:
            require_organiser(actor, locked.organiser)
        allowed = ALLOWED.get(locked.status, {})
        if to not in Status.values:
            raise InvalidInput(
                _("There is no stage “%(to)s”.") % {"to": to}, fields={"to": [_("Unknown stage.")]}
            )
        if to not in allowed:
            raise Conflict(
                _("A discussion cannot move from “%(from)s” to “%(to)s”.")
                % {"from": Status(locked.status).label, "to": Status(to).label}
            )
        problem = _guard(locked, to, now, reason, notice_source)
        if problem:
            raise Conflict(problem)
        tracked = ["status", "version", *NOTICE_FIELDS]
        before = audit.snapshot(locked, tracked)
        from_status = locked.status
        locked.status = to
        locked.version += 1
        update = ["status", "version", "updated_at"]
        if to == Status.CANCELLED:
            locked.cancel_reason = reason.strip()
            update.append("cancel_reason")
        if to == Status.ANNOUNCED:
            locked.notice_published_at = now
            locked.notice_date = local_date(now)
            locked.notice_source = notice_source.strip()[:500]
            update += NOTICE_FIELDS
        locked.save(update_fields=update)
        if from_status == Status.DRAFT:  # its documents are published with it
            follow_discussion(locked)
        StatusChange.objects.create(
            discussion=locked,
            from_status=from_status,
            to_status=to,
            actor=actor,
            reason=reason.strip() or allowed[to],
            at=now,
        )
        audit.record(
            actor=actor,
            action="discussions.status_changed",
            target=locked,
            before=before,
            after=audit.snapshot(locked, tracked),
            message=reason.strip() or allowed[to],
        )
        _after_commit_announce(locked, to)
    discussion.status, discussion.version = locked.status, locked.version
    return locked


def _after_commit_announce(discussion: Discussion, to: str) -> None:
    pk = discussion.pk
    if to == Status.ANNOUNCED:
        jobs.enqueue_on_commit("discussions.tell_subscribers", pk, delay=0)
    if to in (Status.PROPOSALS_CLOSED, Status.CONCLUSION_PUBLISHED, Status.CANCELLED):
        jobs.enqueue_on_commit("discussions.tell_participants", pk, str(to), delay=0)


def run_scheduled_transitions(*, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """On-time moves: open the exposition at its start, close proposals after the deadline.

    Idempotent: each discussion is re-checked under its row lock; a second run finds nothing.
    """
    now = now or timezone.now()
    done: list[tuple[str, str]] = []
    due = [
        (Status.ANNOUNCED, Status.EXPOSITION_OPEN, {"exposition_start__lte": now}),
        (Status.EXPOSITION_OPEN, Status.PROPOSALS_CLOSED, {"proposal_deadline__lt": now}),
    ]
    for current, target, condition in due:
        for pk in Discussion.objects.filter(status=current, **condition).values_list(
            "pk", flat=True
        ):
            try:
                with transaction.atomic():
                    discussion = Discussion.objects.select_for_update().get(pk=pk)
                    if discussion.status != current:
                        continue
                    transition(discussion=discussion, to=target, actor=None, now=now)
                    done.append((discussion.number, target))
            except Conflict:
                continue  # e.g. no project published yet: the organiser sees it on the page
    return done


# --- documents ---------------------------------------------------------------------------------
