"""Registration of proposals, remarks and questions: the inbox kind ``discussions.proposal``.

Every channel ends here — the API and the web form (:func:`services.receive_proposal`), staff
registering a written, visitors'-book or oral proposal, the paper batch import — so a proposal
is numbered, stored, audited and acknowledged in one way only. The entry points check what can
be refused from the input and the submitter (text, eligibility from verified attributes, the
exposition window) and hand over a JSON payload through ``core.inbox.receive``; :func:`handle`
then registers up to a batch of them in one transaction:

* it locks the discussions concerned and re-checks each item at its time of receipt (the
  item's ``received_at``, or the time staff recorded for a paper proposal): a proposal received
  before the deadline counts even if registered just after; one for a discussion cancelled in
  the meantime, or received late, is refused with the reason;
* a repeat of the same text by the same participant within a minute is refused;
* numbers are gap-free per discussion: the discussion row carries the counters (proposals,
  participants) and one batch takes a block of each under that row's lock — the lock the
  status transitions take too, so a cancel or close never crosses a registration;
* participants, proposals, attachments are inserted with one statement each, the audit records
  with ``audit.record_many``; each author's receipt (number and time) is queued in the outbox
  in the same transaction (delivered after the commit).

The rules the entry points check before receiving (:func:`validate_text`,
:func:`validate_place`, :func:`check_open`, :func:`check_receipt`) live here beside the
registration that re-checks them, so the channels (``services.proposals``) call into this module
and it never calls back into services.

Payload (all JSON): ``discussion`` (id), ``text``, ``kind``, ``channel``, ``lat``/``lon``/``area``,
``author`` (user id, web only), ``section`` (id of the project's section, optional),
``received_at`` (ISO time; paper channels only), ``email``
(receipt to a person without an account), ``participant`` (``key`` and the identification
fields, see :func:`participant_payload`), ``attachments`` (files already checked and stored by
the file service: their records' ids in ``file``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections, models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cityhall.core import audit, bulk, inbox, prepared
from cityhall.core.errors import Conflict, DomainError, InvalidInput, NotFound
from cityhall.geo import selectors as geo
from cityhall.geo.geometry import area_shape
from cityhall.notifications.services import notify, notify_address, preferences_loaded

from . import events
from .models import Discussion, Participant, Proposal, ProposalAttachment, Status

__all__ = [
    "DUPLICATE_WINDOW",
    "KIND",
    "Entry",
    "check_open",
    "check_receipt",
    "fmt_local",
    "fmt_plain",
    "handle",
    "identity_key",
    "participant_payload",
    "proposal_url",
    "receipt_context",
    "register_batch",
    "text_hash",
    "validate_place",
    "validate_text",
    "write",
]

KIND = "discussions.proposal"
DUPLICATE_WINDOW = dt.timedelta(minutes=1)
OBJECT_TYPE = Proposal._meta.label_lower


# --- shared rules --------------------------------------------------------------------------------


def fmt_local(value: Any) -> str:
    """A date or time as the reader's language writes it (messages on pages and in the API)."""
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def fmt_plain(value: Any) -> str:
    """A date for a notification: numeric, readable in every language of the message."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def text_hash(text: str) -> str:
    """The text with spacing and letter case evened out: "the same text" for repeats."""
    normal = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
    return hashlib.sha256(normal.encode()).hexdigest()


def _place_audited(proposal: Proposal) -> dict[str, str]:
    """What the audit record says of the place a proposal was registered with: its kind and a
    SHA-256 of it, as of the text (a place may be where someone lives, and the trail keeps
    everything for ever); nothing for a proposal without one."""
    if proposal.area:
        kind, place = "area", proposal.area
    elif proposal.lat is not None:
        kind, place = "point", [proposal.lon, proposal.lat]
    else:
        return {}
    canonical = json.dumps(place, sort_keys=True, separators=(",", ":"))
    return {"place": kind, "place_sha256": hashlib.sha256(canonical.encode()).hexdigest()}


def identity_key(*parts: Any) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def check_open(discussion: Discussion, at: dt.datetime) -> None:
    """Proposals are accepted only during the exposition (art. 5.1 p. 9)."""
    if discussion.status in (Status.DRAFT, Status.ANNOUNCED) or at < discussion.exposition_start:
        raise Conflict(
            _("Proposals are not accepted yet: the exposition opens on %(date)s.")
            % {"date": fmt_local(discussion.exposition_start)},
            code="not_open",
        )
    if discussion.status == Status.CANCELLED:
        raise Conflict(_("The discussion was cancelled."), code="cancelled")
    if discussion.status != Status.EXPOSITION_OPEN or at > discussion.proposal_deadline:
        raise Conflict(
            _(
                "Proposals were accepted until %(date)s. The deadline has passed and nothing "
                "new is accepted."
            )
            % {"date": fmt_local(discussion.proposal_deadline)},
            code="late",
        )


def check_receipt(discussion: Discussion, at: dt.datetime) -> None:
    """A proposal received at ``at`` counts if it came within the exposition window, even when
    the discussion has closed for proposals since (a letter posted in time, an item still in
    the inbox at the deadline) — unless the discussion was cancelled or its protocol is made."""
    if (
        discussion.status in (Status.EXPOSITION_OPEN, Status.PROPOSALS_CLOSED)
        and discussion.exposition_start <= at <= discussion.proposal_deadline
    ):
        return
    check_open(discussion, at)
    raise Conflict(  # within the window, but the protocol has been drawn up since
        _(
            "Proposals were accepted until %(date)s. The deadline has passed and nothing "
            "new is accepted."
        )
        % {"date": fmt_local(discussion.proposal_deadline)},
        code="late",
    )


def participant_payload(*, key: str, district: Any = None, **fields: Any) -> dict[str, Any]:
    """The participant as the payload carries it (JSON: dates as ISO text, the district's id)."""
    birth = fields.get("birth_date")
    return {
        **fields,
        "key": key,
        "birth_date": birth.isoformat() if birth else None,
        "district": getattr(district, "pk", district),
    }


def validate_text(text: str, kind: str) -> str:
    """The proposal's text, trimmed; refused when empty, over 20,000 characters or of an
    unknown kind. Every channel checks it before the proposal is received."""
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


def validate_place(lat: Any, lon: Any, area: Any) -> None:
    """A point (both coordinates, inside the city) or an area the proposal is about."""
    if (lat is None) != (lon is None):
        raise InvalidInput(fields={"lat": [_("Give both latitude and longitude.")]})
    if lat is not None and not geo.is_inside_city(float(lat), float(lon)):
        raise InvalidInput(fields={"lat": [_("The point is outside the city.")]})
    if area:
        area_shape(area, field="area")


def proposal_url(discussion_id: int, number: int) -> str:
    return reverse("discussions:proposal", args=[discussion_id, number])


def _proposal_urls(discussion_id: int):
    """``number -> url`` of one discussion's proposals, the URL resolved once (a batch)."""
    head, tail = proposal_url(discussion_id, 1).rsplit("/1/", 1)
    return lambda number: f"{head}/{number}/{tail}"


def receipt_context(
    proposal: Proposal, discussion: Discussion, url: str | None = None
) -> dict[str, Any]:
    return {
        "number": proposal.number,
        "discussion_number": discussion.number,
        "discussion_title": discussion.title,
        "registered_at": fmt_plain(proposal.registered_at),
        "url": url or proposal_url(discussion.pk, proposal.number),
    }


# --- writing -------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One proposal to write, its participant known (``participant``) or new (``key`` and
    ``participant_fields``)."""

    text: str
    kind: str
    channel: str
    registered_at: dt.datetime
    key: str = ""
    participant: Participant | None = None
    participant_fields: dict[str, Any] = field(default_factory=dict)
    author_id: int | None = None
    registered_by_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    area: dict | None = None
    email: str = ""
    attachments: Sequence[dict[str, Any]] = ()
    text_hash: str = ""
    section_id: int | None = None


_COUNTED = (
    "id",
    "number",
    "title",
    "status",
    "exposition_start",
    "proposal_deadline",
    "proposal_count",
    "participant_count",
)


def _record_legacy(stored: dict[str, Any], owner_id: int | None) -> str:
    """An item received before attachments went through the file service carries the storage
    name it was written under: it gets its record there (``core.file_records``)."""
    from cityhall.core.file_records import record_existing
    from cityhall.core.models import StoredFile

    from .file_access import ATTACHMENT

    row = record_existing(
        StoredFile,
        stored["name"],
        purpose=ATTACHMENT,
        owner_id=owner_id,
        visibility=StoredFile.Visibility.PUBLIC,
        label=stored["original_name"],
        content_type=stored["content_type"],
    )
    return str(row.pk)


def write(
    discussion: Discussion,
    entries: list[Entry],
    *,
    users: dict[int, Any],
    receipts: bool = True,
) -> list[Proposal]:
    """Number and store ``entries`` of ``discussion`` (its row locked by the caller, its counters
    current in memory): new participants, proposals, attachments, counters, audit, receipts."""
    new: list[Participant] = []
    made: dict[str, Participant] = {}
    for entry in entries:
        if entry.participant is None:
            participant = made.get(entry.key)
            if participant is None:
                discussion.participant_count += 1
                participant = Participant(
                    discussion_id=discussion.pk,
                    number=discussion.participant_count,
                    identity_key=entry.key,
                    **entry.participant_fields,
                )
                made[entry.key] = participant
                new.append(participant)
            entry.participant = participant
    if new:
        bulk.insert_objects(new)
    proposals = []
    for entry in entries:
        discussion.proposal_count += 1
        proposal = bulk.new(
            Proposal,
            discussion_id=discussion.pk,
            number=discussion.proposal_count,
            registered_at=entry.registered_at,
            participant_id=entry.participant.pk,
            author_id=entry.author_id,
            registered_by_id=entry.registered_by_id,
            kind=entry.kind,
            text=entry.text,
            text_hash=entry.text_hash or text_hash(entry.text),
            lat=entry.lat,
            lon=entry.lon,
            area=entry.area or None,
            channel=entry.channel,
            from_territory=entry.participant.from_territory,
            section_id=entry.section_id,
        )
        proposal._state.fields_cache["participant"] = entry.participant
        proposals.append(proposal)
    bulk.insert_objects(proposals)
    _set_counters(discussion)
    files = [
        ProposalAttachment(
            proposal=proposal,
            stored_id=stored.get("file") or _record_legacy(stored, entry.author_id),
            original_name=stored["original_name"],
            content_type=stored["content_type"],
            size=stored["size"],
            sha256=stored["sha256"],
        )
        for entry, proposal in zip(entries, proposals, strict=True)
        for stored in entry.attachments
    ]
    if files:
        ProposalAttachment.objects.bulk_create(files)
    audit.record_many(
        [
            audit.Entry(
                action="discussions.proposal_registered",
                object_type=OBJECT_TYPE,
                object_id=proposal.pk,
                actor=users.get(entry.registered_by_id or entry.author_id),
                after={
                    "discussion": discussion.number,
                    "number": proposal.number,
                    "channel": entry.channel,
                    "participant": entry.participant.number,
                    "text_sha256": proposal.text_hash,
                    **_place_audited(proposal),
                },
            )
            for entry, proposal in zip(entries, proposals, strict=True)
        ]
    )
    if receipts:
        url = _proposal_urls(discussion.pk)
        with preferences_loaded(entry.author_id for entry in entries):
            for entry, proposal in zip(entries, proposals, strict=True):
                author = users.get(entry.author_id) if entry.author_id else None
                if author is None and not entry.email:
                    continue
                context = receipt_context(proposal, discussion, url(proposal.number))
                if author is not None:
                    notify(recipient=author, event=events.PROPOSAL_RECEIVED, context=context)
                else:
                    notify_address(
                        email=entry.email, event=events.PROPOSAL_RECEIVED, context=context
                    )
    return proposals


# --- statements ----------------------------------------------------------------------------------
# A batch runs under the write lock (SQLite has one writer: the submissions being received wait
# for it), and building the ORM's queries cost more than running them: the handful of
# statements a batch needs are written out here, names taken from the models.


def _connection():
    return connections[Proposal.objects.db]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _table(model: type[models.Model]) -> str:
    return _connection().ops.quote_name(model._meta.db_table)


def _locked_discussions(ids: Sequence[int]) -> dict[int, Discussion]:
    """The discussions with their counters, each row locked until the end of the batch."""
    connection = _connection()
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {', '.join(quote(c) for c in _COUNTED)} FROM {_table(Discussion)} "  # noqa: S608
        f"WHERE {quote('id')} IN ({_marks(ids)})"
    )
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return {d.pk: d for d in Discussion.objects.raw(sql, list(ids))}


def _rows_where(model: type[models.Model], **columns: Sequence[Any]) -> list[Any]:
    """``model`` rows whose columns are among the given values (``column=[values]``)."""
    quote = _connection().ops.quote_name
    where = " AND ".join(f"{quote(c)} IN ({_marks(v)})" for c, v in columns.items())
    sql = f"SELECT * FROM {_table(model)} WHERE {where}"  # noqa: S608
    return list(model.objects.raw(sql, [x for v in columns.values() for x in v]))


def _recent_texts(participant_ids: Sequence[int], digests: Sequence[str], since: dt.datetime):
    """(participant id, text hash, registered at) of proposals registered since ``since``."""
    connection = _connection()
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('participant_id')}, {quote('text_hash')}, {quote('registered_at')} "  # noqa: S608
        f"FROM {_table(Proposal)} WHERE {quote('participant_id')} IN ({_marks(participant_ids)}) "
        f"AND {quote('text_hash')} IN ({_marks(digests)}) AND {quote('registered_at')} >= %s"
    )
    params = [*participant_ids, *digests, connection.ops.adapt_datetimefield_value(since)]
    with prepared.cursor(connection) as cursor:
        cursor.execute(sql, params)
        for participant_id, digest, at in cursor.fetchall():
            if isinstance(at, str):  # SQLite
                at = dt.datetime.fromisoformat(at)
            yield participant_id, digest, at if timezone.is_aware(at) else at.replace(tzinfo=dt.UTC)


def _set_counters(discussion: Discussion) -> None:
    quote = _connection().ops.quote_name
    sql = (
        f"UPDATE {_table(Discussion)} SET {quote('proposal_count')} = %s, "  # noqa: S608
        f"{quote('participant_count')} = %s WHERE {quote('id')} = %s"
    )
    with prepared.cursor(_connection()) as cursor:
        cursor.execute(
            sql, [discussion.proposal_count, discussion.participant_count, discussion.pk]
        )


# --- the inbox handler ---------------------------------------------------------------------------


def _time(value: Any) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _entry(item: inbox.Item, at: dt.datetime) -> Entry:
    payload = item.payload
    person = dict(payload["participant"])
    key = person.pop("key")
    birth = person.get("birth_date")
    person["birth_date"] = dt.date.fromisoformat(birth) if birth else None
    person["district_id"] = person.pop("district", None)
    person["user_id"] = payload.get("author")
    channel = payload.get("channel") or Proposal.Channel.WEB
    return Entry(
        text=payload["text"],
        kind=payload["kind"],
        channel=channel,
        registered_at=at,
        key=key,
        participant_fields=person,
        author_id=payload.get("author"),
        registered_by_id=item.actor_id if channel != Proposal.Channel.WEB else None,
        lat=payload.get("lat"),
        lon=payload.get("lon"),
        area=payload.get("area"),
        email=payload.get("email") or "",
        attachments=payload.get("attachments") or (),
        text_hash=text_hash(payload["text"]),
        section_id=payload.get("section"),
    )


def _duplicate() -> Conflict:
    return Conflict(
        _("This text was already registered from you a moment ago; it is not repeated."),
        code="duplicate",
    )


def register_batch(items: Sequence[inbox.Item]) -> list[inbox.Outcome | DomainError]:
    """Register ``items`` (inside the caller's transaction): for each, its outcome or the
    refusal. Nothing is written for a refused item, so the numbers stay gap-free."""
    results: list[inbox.Outcome | DomainError | None] = [None] * len(items)
    discussions = _locked_discussions(sorted({int(i.payload["discussion"]) for i in items}))
    admitted: list[tuple[int, Discussion, Entry]] = []
    for index, item in enumerate(items):
        discussion = discussions.get(int(item.payload["discussion"]))
        if discussion is None:
            results[index] = NotFound()
            continue
        stated = item.payload.get("received_at")
        at = _time(stated) if stated else item.received_at
        try:
            check_receipt(discussion, at)
        except DomainError as refusal:
            results[index] = refusal
            continue
        admitted.append((index, discussion, _entry(item, at)))

    # Participants already registered, and their texts of the last minute: one query each.
    known: dict[tuple[int, str], Participant] = {}
    if admitted:
        known = {
            (p.discussion_id, p.identity_key): p
            for p in _rows_where(
                Participant,
                discussion_id=sorted({d.pk for _i, d, _e in admitted}),
                identity_key=sorted({e.key for _i, _d, e in admitted}),
            )
        }
    recent: dict[tuple[int, str, str], list[dt.datetime]] = {}
    if known:
        by_id = {p.pk: key for key, p in known.items()}
        since = min(e.registered_at for _i, _d, e in admitted) - DUPLICATE_WINDOW
        digests = sorted({e.text_hash for _i, _d, e in admitted})
        for participant_id, digest, at in _recent_texts(list(by_id), digests, since):
            recent.setdefault((*by_id[participant_id], digest), []).append(at)

    accepted: dict[int, list[tuple[int, Entry]]] = {}
    for index, discussion, entry in admitted:
        mark = (discussion.pk, entry.key, entry.text_hash)
        if any(at >= entry.registered_at - DUPLICATE_WINDOW for at in recent.get(mark, ())):
            results[index] = _duplicate()
            continue
        recent.setdefault(mark, []).append(entry.registered_at)
        entry.participant = known.get((discussion.pk, entry.key))
        accepted.setdefault(discussion.pk, []).append((index, entry))

    people = {e.author_id for rows in accepted.values() for _i, e in rows}
    people |= {e.registered_by_id for rows in accepted.values() for _i, e in rows}
    people.discard(None)
    users = {u.pk: u for u in _rows_where(get_user_model(), id=sorted(people))} if people else {}
    for discussion_id, rows in accepted.items():
        discussion = discussions[discussion_id]
        proposals = write(discussion, [e for _i, e in rows], users=users)
        url = _proposal_urls(discussion_id)
        for (index, _same), proposal in zip(rows, proposals, strict=True):
            results[index] = inbox.Outcome(
                ref=str(proposal.number),
                object_type=OBJECT_TYPE,
                object_id=proposal.pk,
                url=url(proposal.number),
            )
    return results  # type: ignore[return-value]


def handle(items: list[inbox.Item]) -> list[inbox.Outcome]:
    """The inbox handler of :data:`KIND`. A lone item's refusal is raised (the inline caller —
    the web form, staff — gets the error with its code); in a batch it is the item's outcome."""
    results = register_batch(items)
    if len(items) == 1 and isinstance(results[0], DomainError):
        raise results[0]
    return [
        r if isinstance(r, inbox.Outcome) else inbox.Outcome(error=str(r.message) or str(r))
        for r in results
    ]
