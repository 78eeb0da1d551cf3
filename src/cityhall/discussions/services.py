"""Business actions of public discussions: the only place that changes their state.

Every function takes keyword-only arguments and an explicit actor (None = the scheduler), runs in
one transaction, writes the audit trail and queues notifications inside it (delivered after
commit). The discussion's workflow is :data:`ALLOWED` and :func:`transition`, nowhere else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation, Role
from cityhall.accounts.selectors import has_role
from cityhall.core import audit, inbox, jobs
from cityhall.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from cityhall.core.numbering import next_value
from cityhall.core.selectors import business_calendar
from cityhall.geo import selectors as geo
from cityhall.geo.geometry import area_shape
from cityhall.notifications.services import notify, notify_address

from . import events, intake, selectors
from .eligibility import building_in_territory, eligibility_of, open_discussion
from .models import (
    Answer,
    Comment,
    Discussion,
    DiscussionDocument,
    DocumentType,
    DocumentVersion,
    FinalDocument,
    Flag,
    Follow,
    InitiationRequest,
    Meeting,
    ModerationAction,
    ModerationReason,
    Participant,
    PersonalReminder,
    Proposal,
    ReminderSent,
    Status,
    StatusChange,
    Subscription,
)
from .uploads import (
    MAX_ATTACHMENT_BYTES,
    MAX_DOCUMENT_BYTES,
    check_upload,
    discard_attachments,
    store_attachment,
)

__all__ = [
    "ALLOWED",
    "OfflineIdentity",
    "add_comment",
    "add_document_version",
    "answer_question",
    "create_discussion",
    "decide_initiation",
    "flag_item",
    "follow",
    "import_proposals",
    "moderate",
    "receive_proposal",
    "record_meeting",
    "remind_conclusion",
    "register_offline_proposal",
    "request_final_document",
    "request_initiation",
    "run_scheduled_transitions",
    "send_deadline_reminders",
    "send_personal_reminders",
    "set_recommendation",
    "sign_final_document",
    "submit_proposal",
    "subscribe",
    "support_proposal",
    "transition",
    "unfollow",
    "unsubscribe",
    "update_discussion",
    "validate_dates",
]

#: The workflow: from each status, where it may go and why (the reason shown in the history).
ALLOWED: dict[str, dict[str, str]] = {
    Status.DRAFT: {
        Status.ANNOUNCED: "The notice of the discussion is published.",
        Status.CANCELLED: "The discussion will not be held.",
    },
    Status.ANNOUNCED: {
        Status.EXPOSITION_OPEN: "The project is posted and the exposition opens (art. 5.1 p. 8).",
        Status.CANCELLED: "The discussion is cancelled before the exposition.",
    },
    Status.EXPOSITION_OPEN: {
        Status.PROPOSALS_CLOSED: "The proposal deadline has passed.",
        Status.CANCELLED: "The discussion is stopped (a court decision, the project withdrawn).",
    },
    Status.PROPOSALS_CLOSED: {
        Status.PROTOCOL_SIGNED: "The protocol is signed by the responsible official.",
    },
    Status.PROTOCOL_SIGNED: {
        Status.CONCLUSION_PUBLISHED: "The conclusion is signed and published.",
    },
    Status.CONCLUSION_PUBLISHED: {
        Status.ARCHIVED: "The discussion is complete and kept read-only.",
    },
    Status.ARCHIVED: {},
    Status.CANCELLED: {},
}

ORGANISER_ROLES = (Role.ORGANISER, Role.ADMINISTRATOR)
DUPLICATE_WINDOW = dt.timedelta(minutes=1)
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
)
DATE_FIELDS = (
    "notice_date",
    "exposition_start",
    "exposition_end",
    "proposal_deadline",
    "conclusion_due",
)


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


_fmt = intake.fmt_local
_plain = intake.fmt_plain


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
) -> None:
    """Check the discussion's dates against its document type's legal bounds.

    Raises :class:`InvalidInput` with a message on each offending field.
    """
    errors: dict[str, list[str]] = {}
    start_day = _local_date(exposition_start)
    earliest_start = _days_after(document_type, notice_date, document_type.min_notice_days)
    if start_day < earliest_start:
        errors.setdefault("exposition_start", []).append(
            _(
                "The project may be posted no earlier than %(days)s days after the notice, "
                "that is on %(date)s or later."
            )
            % {"days": document_type.min_notice_days, "date": _fmt(earliest_start)}
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
    deadline_day = _local_date(proposal_deadline)
    if proposal_deadline < exposition_start or deadline_day > exposition_end:
        errors.setdefault("proposal_deadline", []).append(
            _("Proposals are accepted during the exposition: the deadline must fall within it.")
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
                    "date": _fmt(latest),
                }
            )
    if errors:
        raise InvalidInput(fields=errors)


def _require_organiser(actor: Any, organisation: Organisation) -> None:
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
    _require_organiser(actor, organiser)
    if not title.strip():
        raise InvalidInput(fields={"title": [_("Give the discussion a title.")]})
    validate_dates(
        document_type=document_type,
        notice_date=notice_date,
        exposition_start=exposition_start,
        exposition_end=exposition_end,
        proposal_deadline=proposal_deadline,
        conclusion_due=conclusion_due,
    )
    unknown = set(options) - set(EDITABLE_FIELDS) - {"initiation"}
    if unknown:
        raise TypeError(f"unknown discussion fields: {sorted(unknown)}")
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
        _require_organiser(actor, discussion.organiser)
        if discussion.version != expected_version:
            raise Conflict(
                _(
                    "Someone else saved this discussion after you opened it (version %(theirs)s, "
                    "you edited version %(yours)s). Reload to see their changes."
                )
                % {"theirs": discussion.version, "yours": expected_version}
            )
        if discussion.status not in (Status.DRAFT, Status.ANNOUNCED):
            raise Conflict(_("The discussion can no longer be edited at this stage."))
        fields = [f for f in changes if f != "districts"]
        before = audit.snapshot(discussion, fields + ["version"])
        for name in fields:
            setattr(discussion, name, changes[name])
        validate_dates(
            document_type=discussion.document_type,
            **{name: getattr(discussion, name) for name in DATE_FIELDS},
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


def _guard(discussion: Discussion, to: str, now: dt.datetime, reason: str) -> str | None:
    """Why the move is not possible now (None when it is)."""
    if to == Status.CANCELLED and not reason.strip():
        return _("Give the reason for cancelling the discussion.")
    if to == Status.ANNOUNCED and now >= discussion.exposition_start:
        return _("The exposition date has passed; correct the dates before announcing.")
    if to == Status.EXPOSITION_OPEN:
        if now < discussion.exposition_start:
            return _("The exposition opens on %(date)s; it cannot open earlier.") % {
                "date": _fmt(discussion.exposition_start)
            }
        has_project = DocumentVersion.objects.filter(
            document__discussion=discussion, document__kind=DiscussionDocument.Kind.PROJECT
        ).exists()
        if not has_project:
            return _("Publish the project document before opening the exposition.")
    if to == Status.PROPOSALS_CLOSED and now <= discussion.proposal_deadline:
        return _("Proposals are accepted until %(date)s; they cannot be closed earlier.") % {
            "date": _fmt(discussion.proposal_deadline)
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


def transition(
    *, discussion: Discussion, to: str, actor: Any, reason: str = "", now: dt.datetime | None = None
) -> Discussion:
    """Move ``discussion`` to status ``to`` if :data:`ALLOWED` and the rules permit it now.

    ``actor=None`` is the scheduler (on-time moves); a person must be the organiser. Writes the
    status history, the audit record, and tells the participants.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Discussion.objects.select_for_update().get(pk=discussion.pk)
        if actor is not None:
            _require_organiser(actor, locked.organiser)
        allowed = ALLOWED.get(locked.status, {})
        if to not in allowed:
            raise Conflict(
                _("A discussion cannot move from “%(from)s” to “%(to)s”.")
                % {"from": Status(locked.status).label, "to": Status(to).label}
            )
        problem = _guard(locked, to, now, reason)
        if problem:
            raise Conflict(problem)
        before = audit.snapshot(locked, ["status", "version"])
        from_status = locked.status
        locked.status = to
        locked.version += 1
        update = ["status", "version", "updated_at"]
        if to == Status.CANCELLED:
            locked.cancel_reason = reason.strip()
            update.append("cancel_reason")
        locked.save(update_fields=update)
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
            after=audit.snapshot(locked, ["status", "version"]),
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


def add_document_version(
    *,
    actor: Any,
    discussion: Discussion,
    upload: Any,
    document: DiscussionDocument | None = None,
    kind: str = DiscussionDocument.Kind.PROJECT,
    title: str = "",
    note: str = "",
) -> DocumentVersion:
    """Publish a document or a corrected version of it. Earlier versions stay public."""
    _require_organiser(actor, discussion.organiser)
    if discussion.is_read_only:
        raise Conflict(_("The discussion is archived; its record cannot change."))
    checked = check_upload(upload, field="file", max_bytes=MAX_DOCUMENT_BYTES)
    if document is None and not title.strip():
        raise InvalidInput(fields={"title": [_("Give the document a title.")]})
    if kind == DiscussionDocument.Kind.TERRITORY and checked.content_type != "application/geo+json":
        raise InvalidInput(fields={"file": [_("The territory map must be a GeoJSON file.")]})
    with transaction.atomic():
        if document is None:
            position = discussion.documents.count()
            document = DiscussionDocument.objects.create(
                discussion=discussion, kind=kind, title=title.strip(), position=position
            )
        last = document.versions.order_by("-number").values_list("number", flat=True).first()
        version = DocumentVersion(
            document=document,
            number=(last or 0) + 1,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            note=note.strip(),
            uploaded_by=actor,
        )
        version.file.save(checked.name, checked.upload, save=False)
        version.save(force_insert=True)
        audit.record(
            actor=actor,
            action="discussions.document_published",
            target=document,
            after={"version": version.number, "sha256": version.sha256, "note": version.note},
        )
    return version


# --- initiation --------------------------------------------------------------------------------


def request_initiation(
    *,
    initiator: Any,
    initiator_kind: str,
    organiser: Organisation,
    document_type: DocumentType,
    title: str,
    description: str,
    territory_description: str = "",
) -> InitiationRequest:
    """A resident, business, land owner or authority asks the organiser to hold a discussion."""
    errors = {}
    if not title.strip():
        errors["title"] = [_("State what the discussion should be about.")]
    if not description.strip():
        errors["description"] = [_("Describe the project.")]
    if initiator_kind not in InitiationRequest.InitiatorKind.values:
        errors["initiator_kind"] = [_("Choose who you are.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        request = InitiationRequest.objects.create(
            initiator=initiator,
            initiator_kind=initiator_kind,
            organiser=organiser,
            document_type=document_type,
            title=title.strip(),
            description=description.strip(),
            territory_description=territory_description.strip(),
        )
        audit.record(actor=initiator, action="discussions.initiation_requested", target=request)
    return request


def decide_initiation(
    *, actor: Any, request: InitiationRequest, accept: bool, reason: str = ""
) -> InitiationRequest:
    """The organiser accepts (then creates the discussion from it) or refuses with a reason."""
    with transaction.atomic():
        locked = InitiationRequest.objects.select_for_update().get(pk=request.pk)
        _require_organiser(actor, locked.organiser)
        if locked.state != InitiationRequest.State.PENDING:
            raise Conflict(_("This request has already been decided."))
        if not accept and not reason.strip():
            raise InvalidInput(fields={"reason": [_("Give the reason for refusing.")]})
        locked.state = (
            InitiationRequest.State.ACCEPTED if accept else InitiationRequest.State.REFUSED
        )
        locked.refusal_reason = "" if accept else reason.strip()
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "refusal_reason", "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action="discussions.initiation_decided",
            target=locked,
            after={"state": locked.state, "reason": locked.refusal_reason},
        )
        notify(
            recipient=locked.initiator,
            event=events.INITIATION_DECIDED,
            context={
                "title": locked.title,
                "decision": str(locked.get_state_display()),
                "reason": locked.refusal_reason,
            },
        )
    return locked


# --- proposals ---------------------------------------------------------------------------------
# Every channel checks what it can from the input and the submitter, then hands the proposal to
# the inbox (core.inbox); intake.handle registers it — at once for the web form and staff
# (inline), in the background batch for the API. See intake.py.

DUPLICATE_WINDOW = intake.DUPLICATE_WINDOW
_text_hash = intake.text_hash
_identity_key = intake.identity_key
_check_open = intake.check_open
_receipt_context = intake.receipt_context


def _validate_text(text: str, kind: str) -> str:
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = [_("Write your proposal.")]
    elif len(text) > 20000:
        errors["text"] = [_("The text is too long (at most 20,000 characters).")]
    if kind not in Proposal.Kind.values:
        errors["kind"] = [_("Choose proposal, remark or question.")]
    if errors:
        raise InvalidInput(fields=errors)
    return text


def _validate_place(lat: Any, lon: Any, area: Any) -> None:
    if (lat is None) != (lon is None):
        raise InvalidInput(fields={"lat": [_("Give both latitude and longitude.")]})
    if lat is not None and not geo.is_inside_city(float(lat), float(lon)):
        raise InvalidInput(fields={"lat": [_("The point is outside the city.")]})
    if area:
        area_shape(area, field="area")


def _participant_for(
    discussion: Discussion, *, key: str, defaults: dict[str, Any]
) -> tuple[Participant, bool]:
    """Find or register the participant (discussion row already locked: gap-free numbers)."""
    existing = Participant.objects.filter(discussion=discussion, identity_key=key).first()
    if existing is not None:
        return existing, False
    discussion.participant_count += 1
    participant = Participant.objects.create(
        discussion=discussion, number=discussion.participant_count, identity_key=key, **defaults
    )
    return participant, True


def _register(
    *,
    discussion: Discussion,
    participant: Participant,
    author: Any,
    registered_by: Any,
    text: str,
    kind: str,
    channel: str,
    registered_at: dt.datetime,
) -> Proposal:
    """Write one proposal of a known participant without the receipt-time checks (demo data
    with past dates); the discussion row is locked by the caller."""
    users = {u.pk: u for u in (author, registered_by) if u is not None}
    entry = intake.Entry(
        text=text,
        kind=kind,
        channel=channel,
        registered_at=registered_at,
        key=participant.identity_key,
        participant=participant,
        author_id=getattr(author, "pk", None),
        registered_by_id=getattr(registered_by, "pk", None),
    )
    return intake.write(discussion, [entry], users=users, receipts=False)[0]


def _registered(item: inbox.Item) -> Proposal:
    """The proposal an inline registration made. If the inbox worker took the item first,
    wait (briefly) for it to finish; its refusal is raised as the worker recorded it."""
    waited = 0.0
    while item.object_id is None and item.state == "pending" and waited < 10:
        time.sleep(0.05)
        waited += 0.05
        row = inbox.status(item.token)
        item.state, item.object_id, item.error = row.state, row.object_id, row.error
    if item.object_id is None:
        raise Conflict(item.error or _("The proposal could not be registered; try again."))
    return Proposal.objects.select_related("participant").get(pk=item.object_id)


def receive_proposal(
    *,
    discussion_id: int,
    author: Any,
    text: str,
    kind: str = Proposal.Kind.PROPOSAL,
    attachments: Sequence[Any] = (),
    lat: float | None = None,
    lon: float | None = None,
    area: dict | None = None,
    discussion: Discussion | None = None,
    inline: bool | None = None,
) -> inbox.Item:
    """Check a participant's proposal, remark or question and receive it (core.inbox).

    Refused at once — nothing stored — when the input is wrong, the exposition is not open,
    the author is not eligible or sent the same text within a minute. Otherwise the proposal
    is durably received (the returned item's ``token`` is its receipt) and registered by
    :func:`intake.handle`: here when ``inline`` (default ``settings.INBOX_INLINE``), else by
    the inbox worker. The discussion's rules come from this process's copy when it is open
    (``discussion`` may be given fresh instead); registration re-checks them under its lock.
    """
    text = _validate_text(text, kind)
    _validate_place(lat, lon, area)
    checked = [
        check_upload(f, field="attachments", max_bytes=MAX_ATTACHMENT_BYTES) for f in attachments
    ]
    if discussion is None:
        discussion = open_discussion(discussion_id)
    if discussion is None:  # not open: the page's rules (drafts are not public) and the reason
        discussion = selectors.get_discussion(discussion_id, user=author)
    now = timezone.now()
    intake.check_open(discussion, now)
    eligibility = eligibility_of(discussion, author)
    if not eligibility.eligible:
        raise Forbidden(" ".join(str(r.message) for r in eligibility.reasons), code="not_eligible")
    identity = eligibility.identity
    company = eligibility.organisation
    if company is not None:
        participant = intake.participant_payload(
            key=intake.identity_key("org", company.pk),
            type=Participant.Type.LEGAL_ENTITY,
            is_legal_entity=True,
            full_name=company.name,
            address=company.address,
            document_masked=company.ogrn or company.inn,
            from_territory=eligibility.from_territory,
            district=eligibility.district,
        )
    else:
        participant = intake.participant_payload(
            key=intake.identity_key("person", identity.document_hash or f"user{author.pk}"),
            type=eligibility.participant_type,
            full_name=identity.full_name,
            birth_date=identity.birth_date,
            address=identity.registered_address,
            document_masked=identity.document_masked,
            from_territory=eligibility.from_territory,
            district=eligibility.district,
        )
    digest = intake.text_hash(text)
    stored = [store_attachment(discussion.pk, c) for c in checked]
    payload = {
        "discussion": discussion.pk,
        "text": text,
        "kind": kind,
        "channel": Proposal.Channel.WEB,
        "lat": lat,
        "lon": lon,
        "area": area or None,
        "author": author.pk,
        "participant": participant,
        "attachments": stored,
    }
    try:
        return inbox.receive(
            intake.KIND,
            payload,
            actor=author,
            dedupe=inbox.dedupe_key(author.pk, discussion.pk, digest),
            dedupe_message=_(
                "This text was already registered from you a moment ago; it is not repeated."
            ),
            inline=inline,
        )
    except BaseException:
        discard_attachments(stored)
        raise


def submit_proposal(
    *,
    discussion: Discussion,
    author: Any,
    text: str,
    kind: str = Proposal.Kind.PROPOSAL,
    attachments: Sequence[Any] = (),
    lat: float | None = None,
    lon: float | None = None,
    area: dict | None = None,
) -> Proposal:
    """Register an eligible participant's proposal, remark or question during the exposition,
    at once (the web form): :func:`receive_proposal` inline. Refused when late, ineligible or a
    repeat within a minute; numbered gap-free and committed before this returns, so an
    acknowledged proposal is never lost; the receipt goes to the author."""
    item = receive_proposal(
        discussion_id=discussion.pk,
        discussion=discussion,
        author=author,
        text=text,
        kind=kind,
        attachments=attachments,
        lat=lat,
        lon=lon,
        area=area,
        inline=True,
    )
    return _registered(item)


@dataclass(frozen=True)
class OfflineIdentity:
    """A person identified by staff from a document (written proposal, visitors' book, oral)."""

    full_name: str
    birth_date: dt.date
    document_number: str
    address: str
    email: str = ""


def _mask_document(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isalnum())
    return ("*" * max(len(digits) - 4, 0)) + digits[-4:]


def _offline_participant_fields(
    discussion: Discussion, person: OfflineIdentity, on: dt.date
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if not person.full_name.strip():
        errors["full_name"] = [_("Enter the person's full name.")]
    if len("".join(ch for ch in person.document_number if ch.isalnum())) < 6:
        errors["document_number"] = [_("Enter the identity document number.")]
    if errors:
        raise InvalidInput(fields=errors)
    building = geo.find_building(person.address) if person.address else None
    in_territory = discussion.allow_residents and building_in_territory(
        discussion, building, set(discussion.districts.values_list("id", flat=True))
    )
    age = (
        on.year
        - person.birth_date.year
        - ((on.month, on.day) < (person.birth_date.month, person.birth_date.day))
    )
    if discussion.min_age is not None and age < discussion.min_age:
        raise Forbidden(
            _("Participants must be at least %(age)s years old.") % {"age": discussion.min_age},
            code="not_eligible",
        )
    if discussion.max_age is not None and age > discussion.max_age:
        raise Forbidden(
            _("This discussion is for participants up to %(age)s years old.")
            % {"age": discussion.max_age},
            code="not_eligible",
        )
    if not in_territory and not discussion.open_to_all_verified:
        raise Forbidden(
            _("The person's address (%(address)s) is outside the territory of the discussion.")
            % {"address": person.address or "—"},
            code="not_eligible",
        )
    return {
        "type": Participant.Type.RESIDENT if in_territory else Participant.Type.OTHER,
        "full_name": person.full_name.strip(),
        "birth_date": person.birth_date,
        "address": person.address.strip(),
        "document_masked": _mask_document(person.document_number),
        "from_territory": bool(in_territory),
        "district": building.district if building else None,
    }


def _offline_payload(
    discussion: Discussion,
    person: OfflineIdentity,
    text: str,
    kind: str,
    channel: str,
    received_at: dt.datetime,
) -> dict[str, Any]:
    """Check a proposal received on paper or orally; the payload for :func:`intake.handle`.
    It counts if it was received within the exposition window (registration re-checks it)."""
    intake.check_receipt(discussion, received_at)
    if received_at > timezone.now():
        raise InvalidInput(fields={"received_at": [_("The date received is in the future.")]})
    fields = _offline_participant_fields(discussion, person, _local_date(received_at))
    key = intake.identity_key("person", hashlib.sha256(person.document_number.encode()).hexdigest())
    return {
        "discussion": discussion.pk,
        "text": text,
        "kind": kind,
        "channel": channel,
        "received_at": received_at.isoformat(),
        "participant": intake.participant_payload(key=key, **fields),
        "email": person.email,
    }


def register_offline_proposal(
    *,
    actor: Any,
    discussion: Discussion,
    person: OfflineIdentity,
    text: str,
    kind: str = Proposal.Kind.PROPOSAL,
    channel: str = Proposal.Channel.WRITTEN,
    received_at: dt.datetime | None = None,
) -> Proposal:
    """Staff register a proposal received in writing, in the visitors' book or orally at a
    meeting, on behalf of the identified person. It counts the same as one from the website
    (the same registration, :func:`intake.handle`, at once)."""
    _require_organiser(actor, discussion.organiser)
    if channel not in Proposal.Channel.values or channel == Proposal.Channel.WEB:
        raise InvalidInput(fields={"channel": [_("Choose how the proposal was received.")]})
    text = _validate_text(text, kind)
    payload = _offline_payload(
        discussion, person, text, kind, channel, received_at or timezone.now()
    )
    return _registered(inbox.receive(intake.KIND, payload, actor=actor, inline=True))


IMPORT_COLUMNS = ("full_name", "birth_date", "document_number", "address", "kind", "text")
IMPORT_BATCH = 500


def _import_rows(
    discussion: Discussion,
    rows: Sequence[dict[str, Any]],
    channel: str,
    received_at: dt.datetime,
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    payloads: list[tuple[str, dict[str, Any]]] = []
    for index, row in enumerate(rows, start=2):  # row 1 is the header
        label = _("row %(n)s") % {"n": index}
        try:
            birth = row.get("birth_date")
            if isinstance(birth, dt.datetime):
                birth = birth.date()
            elif not isinstance(birth, dt.date):
                birth = dt.date.fromisoformat(str(birth or "").strip())
        except ValueError:
            errors.setdefault(label, []).append(_("birth_date must be a date like 1980-05-31."))
            continue
        kind = str(row.get("kind") or Proposal.Kind.PROPOSAL).strip()
        try:
            text = _validate_text(str(row.get("text") or ""), kind)
            person = OfflineIdentity(
                full_name=str(row.get("full_name") or ""),
                birth_date=birth,
                document_number=str(row.get("document_number") or ""),
                address=str(row.get("address") or ""),
            )
            payloads.append(
                (label, _offline_payload(discussion, person, text, kind, channel, received_at))
            )
        except DomainError as exc:
            errors.setdefault(label, []).extend(_messages(exc))
    return payloads, errors


def _messages(exc: DomainError) -> list[str]:
    return [str(m) for ms in exc.fields.values() for m in ms] or [str(exc.message)]


def import_proposals(
    *,
    actor: Any,
    discussion: Discussion,
    rows: Sequence[dict[str, Any]],
    channel: str = Proposal.Channel.BULK_IMPORT,
    received_at: dt.datetime | None = None,
) -> list[Proposal]:
    """Register a paper batch: every row or none. Errors are reported per row
    (``fields`` keys like ``"row 3"``) and nothing is stored if any row is wrong. The rows are
    registered by :func:`intake.register_batch` (the inbox handler's work), a batch at a time,
    in one transaction."""
    _require_organiser(actor, discussion.organiser)
    if not rows:
        raise InvalidInput(fields={"file": [_("The file has no rows.")]})
    received_at = received_at or timezone.now()
    payloads, errors = _import_rows(discussion, rows, channel, received_at)
    if errors:
        raise InvalidInput(_("Nothing was imported: correct the rows below."), fields=errors)
    language = translation.get_language() or ""
    created: list[int] = []
    with transaction.atomic():
        for start in range(0, len(payloads), IMPORT_BATCH):
            chunk = payloads[start : start + IMPORT_BATCH]
            items = [
                inbox.Item(0, intake.KIND, "", actor.pk, language, payload, received_at)
                for _label, payload in chunk
            ]
            for (label, _payload), result in zip(chunk, intake.register_batch(items), strict=True):
                if isinstance(result, DomainError):
                    errors.setdefault(label, []).extend(_messages(result))
                else:
                    created.append(result.object_id)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise InvalidInput(_("Nothing was imported: correct the rows below."), fields=errors)
    return list(Proposal.objects.filter(pk__in=created).order_by("number"))


# --- answers, comments, support ----------------------------------------------------------------


def answer_question(*, expert: Any, question: Proposal, text: str) -> Answer:
    """An expert answers a question publicly (one answer per question; a new one replaces the
    text in place only through a new audit record)."""
    if not has_role(expert, (Role.EXPERT, Role.ORGANISER), question.discussion.organiser):
        raise Forbidden(_("Only the discussion's experts answer questions."))
    if question.kind != Proposal.Kind.QUESTION:
        raise InvalidInput(fields={"text": [_("Only questions get an expert's answer.")]})
    if not text.strip():
        raise InvalidInput(fields={"text": [_("Write the answer.")]})
    if question.discussion.is_read_only:
        raise Conflict(_("The discussion is archived; its record cannot change."))
    with transaction.atomic():
        answer, created = Answer.objects.select_for_update().get_or_create(
            question=question, defaults={"expert": expert, "text": text.strip()}
        )
        before = None
        if not created:
            before = {"text": answer.text}
            answer.text, answer.expert, answer.answered_at = text.strip(), expert, timezone.now()
            answer.save(update_fields=["text", "expert", "answered_at"])
        audit.record(
            actor=expert,
            action="discussions.question_answered",
            target=question,
            before=before,
            after={"text": answer.text},
        )
        if question.author is not None:
            notify(
                recipient=question.author,
                event=events.QUESTION_ANSWERED,
                context={
                    "number": question.number,
                    "discussion_title": question.discussion.title,
                    "url": reverse(
                        "discussions:proposal", args=[question.discussion_id, question.number]
                    ),
                },
            )
    return answer


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


def flag_item(
    *,
    reporter: Any,
    reason: str,
    proposal: Proposal | None = None,
    comment: Comment | None = None,
    note: str = "",
) -> Flag:
    """A signed-in user reports an item; it joins the moderators' queue."""
    if not getattr(reporter, "is_authenticated", False):
        raise Forbidden(_("Sign in to report an item."))
    if reason not in ModerationReason.values:
        raise InvalidInput(fields={"reason": [_("Choose a reason from the list.")]})
    if (proposal is None) == (comment is None):
        raise InvalidInput(fields={"__all__": [_("Report one item.")]})
    with transaction.atomic():
        flag = Flag.objects.create(
            reporter=reporter, reason=reason, proposal=proposal, comment=comment, note=note[:500]
        )
        audit.record(actor=reporter, action="discussions.item_flagged", target=flag)
    return flag


def moderate(
    *,
    moderator: Any,
    hide: bool,
    reason: str = "",
    proposal: Proposal | None = None,
    comment: Comment | None = None,
    note: str = "",
) -> ModerationAction:
    """Hide an item for a listed reason, or restore it. Nothing is deleted: the public page says
    the item was hidden and why, the author is told, and open flags on it are resolved."""
    item = proposal or comment
    if (proposal is None) == (comment is None):
        raise InvalidInput(fields={"__all__": [_("Moderate one item.")]})
    discussion = proposal.discussion if proposal else comment.proposal.discussion
    if not has_role(moderator, (Role.MODERATOR, Role.ORGANISER), discussion.organiser):
        raise Forbidden(_("Only moderators may hide or restore items."))
    if discussion.is_read_only:
        raise Conflict(_("The discussion is archived; its record cannot change."))
    if hide and reason not in ModerationReason.values:
        raise InvalidInput(fields={"reason": [_("Choose a reason from the list.")]})
    with transaction.atomic():
        model = type(item)
        locked = model.objects.select_for_update().get(pk=item.pk)
        before = audit.snapshot(locked, ["visibility", "hidden_reason"])
        target_visibility = Proposal.Visibility.HIDDEN if hide else Proposal.Visibility.VISIBLE
        if locked.visibility == target_visibility:
            raise Conflict(_("The item is already in that state."))
        locked.visibility = target_visibility
        locked.hidden_reason = reason if hide else ""
        locked.save(update_fields=["visibility", "hidden_reason"])
        action = ModerationAction.objects.create(
            proposal=proposal,
            comment=comment,
            moderator=moderator,
            action=ModerationAction.Action.HIDE if hide else ModerationAction.Action.RESTORE,
            reason=reason if hide else "",
            note=note[:500],
        )
        Flag.objects.filter(proposal=proposal, comment=comment, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=moderator
        )
        audit.record(
            actor=moderator,
            action="discussions.item_hidden" if hide else "discussions.item_restored",
            target=locked,
            before=before,
            after=audit.snapshot(locked, ["visibility", "hidden_reason"]),
            message=note,
        )
        author = proposal.author if proposal else comment.author
        if hide and author is not None:
            prop = proposal or comment.proposal
            with translation.override(author.preferred_language):  # the author's language
                what = (
                    _("Your proposal No. %(n)s") % {"n": prop.number}
                    if proposal
                    else _("Your comment on proposal No. %(n)s") % {"n": prop.number}
                )
                reason_label = str(ModerationReason(reason).label)
            notify(
                recipient=author,
                event=events.ITEM_HIDDEN,
                context={
                    "what": what,
                    "reason": reason_label,
                    "url": reverse("discussions:proposal", args=[discussion.pk, prop.number]),
                },
            )
    return action


def dismiss_flag(*, moderator: Any, flag: Flag) -> Flag:
    """The moderator finds nothing wrong: the flag leaves the queue (the item stays)."""
    item_discussion = (flag.proposal or flag.comment.proposal).discussion
    if not has_role(moderator, (Role.MODERATOR, Role.ORGANISER), item_discussion.organiser):
        raise Forbidden(_("Only moderators may handle reports."))
    with transaction.atomic():
        flag.resolved_at, flag.resolved_by = timezone.now(), moderator
        flag.save(update_fields=["resolved_at", "resolved_by"])
        audit.record(actor=moderator, action="discussions.flag_dismissed", target=flag)
    return flag


# --- meetings, subscriptions -------------------------------------------------------------------


def record_meeting(
    *,
    actor: Any,
    discussion: Discussion,
    starts_at: dt.datetime,
    place: str,
    minutes: str = "",
    attendees: int | None = None,
    meeting: Meeting | None = None,
) -> Meeting:
    """Schedule a hearing meeting or record its minutes."""
    _require_organiser(actor, discussion.organiser)
    if discussion.is_read_only:
        raise Conflict(_("The discussion is archived; its record cannot change."))
    if not place.strip():
        raise InvalidInput(fields={"place": [_("Where is the meeting held?")]})
    with transaction.atomic():
        if meeting is None:
            meeting = Meeting(discussion=discussion)
        before = audit.snapshot(meeting, ["starts_at", "place", "minutes"]) if meeting.pk else None
        meeting.starts_at, meeting.place = starts_at, place.strip()
        meeting.minutes, meeting.attendees, meeting.recorded_by = minutes.strip(), attendees, actor
        meeting.save()
        audit.record(
            actor=actor,
            action="discussions.meeting_recorded",
            target=meeting,
            before=before,
            after=audit.snapshot(meeting, ["starts_at", "place", "minutes"]),
        )
    return meeting


def subscribe(
    *,
    email: str,
    district: Any = None,
    suburb: Any = None,
    address: str = "",
    lat: Any = None,
    lon: Any = None,
    document_type: DocumentType | None = None,
) -> Subscription:
    """E-mail news of discussions in a territory and/or of a topic (document type).

    The territory is one of: a district, a suburb, an address, a point on the map (none = the
    whole city). An address must be a known building and a point must lie inside the city."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInput(fields={"email": [_("Enter a valid e-mail address.")]})
    place = selectors.find_place(address=address, lat=lat, lon=lon)
    chosen = [x for x in (district, suburb, place) if x is not None]
    if len(chosen) > 1:
        raise InvalidInput(
            fields={
                "__all__": [
                    _("Choose one territory: a district, a suburb, or an address or map point.")
                ]
            }
        )
    where: dict[str, Any] = {
        "district": district,
        "suburb": suburb,
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
    }
    with transaction.atomic():
        sub = Subscription.objects.filter(email=email, document_type=document_type, **where).first()
        if sub is None:
            sub = Subscription.objects.create(
                email=email,
                document_type=document_type,
                place=place.label if place else "",
                **where,
            )
        elif not sub.is_active:
            sub.is_active = True
            sub.save(update_fields=["is_active", "updated_at"])
    return sub


def unsubscribe(*, token: str) -> Subscription:
    sub = Subscription.objects.filter(token=token).first()
    if sub is None:
        raise NotFound(_("This subscription does not exist."))
    sub.is_active = False
    sub.save(update_fields=["is_active", "updated_at"])
    return sub


FOLLOWABLE = (Status.ANNOUNCED, Status.EXPOSITION_OPEN)


def follow(*, user: Any, discussion: Discussion) -> Follow:
    """ "Remind me": a person who may take part gets the discussion's reminders (exposition
    open, proposals closing soon, conclusion published) on their notification channels."""
    if discussion.status not in FOLLOWABLE:
        raise Conflict(_("Reminders can be asked for only before proposals close."))
    eligibility = eligibility_of(discussion, user)
    if not eligibility.eligible:
        raise Forbidden(
            eligibility.reasons[0].message
            if eligibility.reasons
            else _("You cannot take part in this discussion.")
        )
    with transaction.atomic():
        row, _created = Follow.objects.get_or_create(discussion=discussion, user=user)
    return row


def unfollow(*, user: Any, discussion: Discussion) -> bool:
    """Stop the reminders of a discussion; True if the person was following it."""
    deleted, _rows = Follow.objects.filter(discussion=discussion, user=user).delete()
    return bool(deleted)


# --- recommendations, protocol, conclusion -----------------------------------------------------


def set_recommendation(
    *,
    actor: Any,
    discussion: Discussion,
    numbers: Iterable[int],
    recommendation: str,
    reason: str,
    same_as: int | None = None,
) -> int:
    """The organiser's reasoned recommendation on one or many proposals (bulk answering);
    ``same_as`` groups identical proposals under one. Returns how many were set."""
    _require_organiser(actor, discussion.organiser)
    if discussion.status not in (Status.PROPOSALS_CLOSED, Status.PROTOCOL_SIGNED):
        raise Conflict(
            _("Recommendations are written after proposals close, before the conclusion.")
        )
    if recommendation not in (Proposal.Recommendation.ACCEPT, Proposal.Recommendation.REJECT):
        raise InvalidInput(fields={"recommendation": [_("Choose accept or reject.")]})
    if not reason.strip():
        raise InvalidInput(fields={"reason": [_("Give the reasons for the recommendation.")]})
    numbers = sorted({int(n) for n in numbers})
    if not numbers:
        raise InvalidInput(fields={"numbers": [_("Choose at least one proposal.")]})
    with transaction.atomic():
        qs = Proposal.objects.filter(discussion=discussion, number__in=numbers)
        found = set(qs.values_list("number", flat=True))
        missing = [n for n in numbers if n not in found]
        if missing:
            raise InvalidInput(
                fields={"numbers": [_("No such proposals: %(n)s") % {"n": missing[:10]}]}
            )
        group_id = None
        if same_as is not None:
            group_id = (
                Proposal.objects.filter(discussion=discussion, number=same_as)
                .values_list("pk", flat=True)
                .first()
            )
            if group_id is None:
                raise InvalidInput(fields={"same_as": [_("No such proposal.")]})
        count = qs.update(
            recommendation=recommendation,
            recommendation_reason=reason.strip(),
            same_as_id=group_id,
        )
        if group_id is not None:
            Proposal.objects.filter(pk=group_id).update(same_as_id=None)
        audit.record(
            actor=actor,
            action="discussions.recommendation_set",
            target=discussion,
            after={
                "numbers": numbers if len(numbers) <= 200 else f"{len(numbers)} proposals",
                "recommendation": recommendation,
                "reason": reason.strip(),
                "same_as": same_as,
            },
        )
    return count


def request_final_document(*, actor: Any, discussion: Discussion, kind: str) -> FinalDocument:
    """Start (or restart) generating the protocol or conclusion in the background."""
    _require_organiser(actor, discussion.organiser)
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
        if not discussion.conclusions.strip():
            raise InvalidInput(fields={"conclusions": [_("Write the conclusions first.")]})
    with transaction.atomic():
        doc, _created = FinalDocument.objects.select_for_update().get_or_create(
            discussion=discussion,
            kind=kind,
            defaults={"number": _final_number(discussion, kind)},
        )
        if doc.state == FinalDocument.State.SIGNED:
            raise Conflict(_("It is already signed and cannot be regenerated."))
        doc.state, doc.progress, doc.error = FinalDocument.State.QUEUED, 0, ""
        doc.save(update_fields=["state", "progress", "error"])
        audit.record(actor=actor, action=f"discussions.{kind}_requested", target=discussion)
        jobs.enqueue_on_commit("discussions.generate_final_document", doc.pk, delay=0)
    return doc


def _final_number(discussion: Discussion, kind: str) -> str:
    prefix = "P" if kind == FinalDocument.Kind.PROTOCOL else "C"
    return f"{prefix}-{discussion.number}"


def save_conclusions(*, actor: Any, discussion: Discussion, text: str) -> Discussion:
    _require_organiser(actor, discussion.organiser)
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
    if discussion.responsible_official_id and actor.pk != discussion.responsible_official_id:
        raise Forbidden(
            _("Only the responsible official signs the %(what)s.")
            % {"what": document.get_kind_display().lower()}
        )
    _require_organiser(actor, discussion.organiser)
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


# --- subscriptions and reminders (run by huey jobs) --------------------------------------------

REMINDER_BEFORE = dt.timedelta(days=2)


def _matching_subscriptions(discussion: Discussion) -> list[Subscription]:
    """Active subscriptions whose territory the discussion concerns and whose topic it is:
    the whole city, one of its districts, a suburb it overlaps, a point its territory covers
    (a discussion without its own polygon counts by its districts)."""
    from django.db.models import Q

    district_ids = list(discussion.districts.values_list("id", flat=True))
    base = Subscription.objects.filter(is_active=True).filter(
        Q(document_type__isnull=True) | Q(document_type_id=discussion.document_type_id)
    )
    if discussion.territory:
        in_area = Q(district_id__in=district_ids)
    else:
        in_area = Q(district_id__in=district_ids) if district_ids else Q(district__isnull=False)
    found = list(
        base.filter(suburb__isnull=True, lat__isnull=True).filter(
            Q(district__isnull=True) | in_area
        )
    )
    points = base.filter(lat__isnull=False)
    if discussion.territory and discussion.min_lon is not None:
        points = points.filter(
            lat__gte=discussion.min_lat,
            lat__lte=discussion.max_lat,
            lon__gte=discussion.min_lon,
            lon__lte=discussion.max_lon,
        )
    for sub in points.iterator(chunk_size=500):
        district = None if discussion.territory else geo.district_for_point(sub.lat, sub.lon)
        if selectors.covers_point(discussion, sub.lat, sub.lon, district.pk if district else None):
            found.append(sub)
    suburbs = base.filter(suburb__isnull=False).select_related("suburb")
    for sub in suburbs.iterator(chunk_size=500):
        if selectors.touches_suburb(discussion, sub.suburb):
            found.append(sub)
    return found


def tell_subscribers(*, discussion: Discussion) -> int:
    """E-mail each matching subscriber once that a discussion was announced."""
    sent = 0
    url = reverse("discussions:detail", args=[discussion.pk])
    for sub in _matching_subscriptions(discussion):
        with transaction.atomic():
            _row, created = ReminderSent.objects.get_or_create(
                subscription=sub, discussion=discussion, kind="announced"
            )
            if not created:
                continue
            notify_address(
                email=sub.email,
                event=events.NEW_DISCUSSION,
                context={
                    "discussion_number": discussion.number,
                    "discussion_title": discussion.title,
                    "exposition_start": _plain(discussion.exposition_start),
                    "url": url,
                    "stop": reverse("discussions:unsubscribe", args=[sub.token]),
                },
            )
            sent += 1
    return sent


def send_deadline_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind subscribers that proposals close soon (once per subscription and discussion),
    then the followers and participants (:func:`send_personal_reminders`)."""
    now = now or timezone.now()
    sent = 0
    for discussion in Discussion.objects.filter(
        status=Status.EXPOSITION_OPEN,
        proposal_deadline__gt=now,
        proposal_deadline__lte=now + REMINDER_BEFORE,
    ):
        url = reverse("discussions:detail", args=[discussion.pk])
        for sub in _matching_subscriptions(discussion):
            with transaction.atomic():
                _row, created = ReminderSent.objects.get_or_create(
                    subscription=sub, discussion=discussion, kind="deadline"
                )
                if not created:
                    continue
                notify_address(
                    email=sub.email,
                    event=events.DEADLINE_REMINDER,
                    context={
                        "discussion_number": discussion.number,
                        "discussion_title": discussion.title,
                        "deadline": _plain(discussion.proposal_deadline),
                        "url": url,
                        "stop": reverse("discussions:unsubscribe", args=[sub.token]),
                    },
                )
                sent += 1
    return sent + send_personal_reminders(now=now)


#: How long after the conclusion is published its notice still goes out (a late follower or a
#: job that was down catches up; older discussions are not re-announced).
CONCLUSION_NOTICE_WITHIN = dt.timedelta(days=30)


def _remind_people(
    discussion: Discussion, user_ids: Iterable[int], kind: str, event: str, context: dict
) -> int:
    """Notify each person once per (discussion, kind): the row is written in the same
    transaction as the queued messages, so a rerun never repeats and a crash never loses."""
    from django.contrib.auth import get_user_model

    ids = set(user_ids)
    if not ids:
        return 0
    already = set(
        PersonalReminder.objects.filter(discussion=discussion, kind=kind).values_list(
            "user_id", flat=True
        )
    )
    sent = 0
    users = get_user_model().objects.filter(pk__in=ids - already, is_active=True).order_by("pk")
    for user in users.iterator(chunk_size=500):
        with transaction.atomic():
            _row, created = PersonalReminder.objects.get_or_create(
                discussion=discussion, user=user, kind=kind
            )
            if not created:
                continue
            notify(recipient=user, event=event, context=context)
            sent += 1
    return sent


def _submitters(discussion: Discussion) -> set[int]:
    """People with an account who submitted a proposal, remark or question (on the site, or
    registered on their behalf by staff)."""
    return set(
        Participant.objects.filter(discussion=discussion, user__isnull=False).values_list(
            "user_id", flat=True
        )
    ) | set(
        Proposal.objects.filter(discussion=discussion, author__isnull=False).values_list(
            "author_id", flat=True
        )
    )


def _followers(discussion: Discussion) -> set[int]:
    return set(Follow.objects.filter(discussion=discussion).values_list("user_id", flat=True))


def _context(discussion: Discussion, **extra: Any) -> dict[str, Any]:
    return {
        "discussion_number": discussion.number,
        "discussion_title": discussion.title,
        "url": reverse("discussions:detail", args=[discussion.pk]),
        **extra,
    }


def remind_conclusion(*, discussion: Discussion) -> int:
    """The conclusion is published: tell everyone who submitted and every follower, once."""
    return _remind_people(
        discussion,
        _submitters(discussion) | _followers(discussion),
        PersonalReminder.Kind.CONCLUSION,
        events.CONCLUSION_PUBLISHED,
        _context(discussion),
    )


def send_personal_reminders(*, now: dt.datetime | None = None) -> int:
    """The reminders each follower or participant needs, each sent at most once:

    - the exposition is open → followers who have not submitted yet;
    - proposals close within :data:`REMINDER_BEFORE` → followers who have not submitted yet;
    - the conclusion is published → everyone who submitted, and the followers.
    """
    now = now or timezone.now()
    sent = 0
    followed = Follow.objects.values("discussion_id")
    open_now = Discussion.objects.filter(
        pk__in=followed, status=Status.EXPOSITION_OPEN, proposal_deadline__gt=now
    )
    for discussion in open_now:
        deadline = {"deadline": _plain(discussion.proposal_deadline)}
        if discussion.proposal_deadline <= now + REMINDER_BEFORE:
            kind, event = PersonalReminder.Kind.DEADLINE, events.FOLLOWED_DEADLINE
            followers = _followers(discussion)
        else:
            # "Proposals are open" is news only to those who followed before the opening.
            kind, event = PersonalReminder.Kind.OPENED, events.FOLLOWED_OPENED
            followers = set(
                Follow.objects.filter(
                    discussion=discussion, created_at__lt=discussion.exposition_start
                ).values_list("user_id", flat=True)
            )
        waiting = followers - _submitters(discussion)
        sent += _remind_people(discussion, waiting, kind, event, _context(discussion, **deadline))
    published = Discussion.objects.filter(
        status=Status.CONCLUSION_PUBLISHED,
        status_changes__to_status=Status.CONCLUSION_PUBLISHED,
        status_changes__at__gte=now - CONCLUSION_NOTICE_WITHIN,
    ).distinct()
    for discussion in published:
        sent += remind_conclusion(discussion=discussion)
    return sent


def tell_participants(*, discussion: Discussion, status: str) -> int:
    """Tell every participant with an account that the discussion moved on. The published
    conclusion goes through :func:`remind_conclusion` (submitters and followers, once)."""
    if status == Status.CONCLUSION_PUBLISHED:
        return remind_conclusion(discussion=discussion)
    sent = 0
    url = reverse("discussions:detail", args=[discussion.pk])
    users = (
        Participant.objects.filter(discussion=discussion, user__isnull=False)
        .select_related("user")
        .order_by("number")
    )
    for participant in users.iterator(chunk_size=500):
        with translation.override(participant.user.preferred_language):
            label = str(Status(status).label)  # in the language of the message
        with transaction.atomic():
            notify(
                recipient=participant.user,
                event=events.STATUS_CHANGED,
                context={
                    "discussion_number": discussion.number,
                    "discussion_title": discussion.title,
                    "status": label,
                    "url": url,
                },
            )
        sent += 1
    return sent
