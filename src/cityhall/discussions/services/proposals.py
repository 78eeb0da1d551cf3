"""Receiving proposals, remarks and questions by every channel: the web form and the API
(:func:`receive_proposal`, :func:`submit_proposal`), staff registering a written, visitors'-book
or oral proposal (:func:`register_offline_proposal`) and the paper batch
(:func:`import_proposals`).

Every channel checks what it can from the input and the submitter, then hands the proposal to
the inbox (core.inbox); :func:`intake.handle` registers it — at once for the web form and staff
(inline), in the background batch for the API. The checks and the registration live in
intake.py, which never calls back here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityhall.core import audit, images, inbox, uploads
from cityhall.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from cityhall.geo import selectors as geo

from .. import intake, selectors
from ..eligibility import building_in_territory, eligibility_of, open_discussion
from ..intake import validate_place, validate_text
from ..models import Discussion, Participant, Proposal, ProposalAttachment
from ..uploads import (
    MAX_ATTACHMENTS,
    check_attachment,
    discard_attachments,
    store_attachment,
)
from .lifecycle import local_date, require_organiser
from .sections import check_section

__all__ = [
    "IMPORT_BATCH",
    "IMPORT_COLUMNS",
    "IMPORT_PLACE_COLUMNS",
    "OfflineIdentity",
    "import_proposals",
    "receive_proposal",
    "register_offline_proposal",
    "strip_attachment_metadata",
    "submit_proposal",
]


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


def _place(
    discussion: Discussion,
    *,
    lat: Any,
    lon: Any,
    area: Any,
    address: str,
    address_field: str = "address",
) -> tuple[float | None, float | None, dict | None]:
    """The place a proposal is about, checked inside the territory only when one is given
    (:func:`proposal_places.check_place`, ADR 0028): without one, nothing more runs."""
    if lat is None and lon is None and not area and not address:
        return None, None, None
    from ..proposal_places import check_place

    place = check_place(
        discussion, lat=lat, lon=lon, area=area, address=address, address_field=address_field
    )
    return place.lat, place.lon, place.area


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
    address: str = "",
    discussion: Discussion | None = None,
    inline: bool | None = None,
    idempotency_key: str = "",
    on_behalf: str = "",
    section: int | None = None,
) -> inbox.Item:
    """Check a participant's proposal, remark or question and receive it (core.inbox).

    Refused at once — nothing stored — when the input is wrong, the exposition is not open,
    the author is not eligible or sent the same text within a minute. Otherwise the proposal
    is durably received (the returned item's ``token`` is its receipt) and registered by
    :func:`intake.handle`: here when ``inline`` (default ``settings.INBOX_INLINE``), else by
    the inbox worker. The discussion's rules come from this process's copy when it is open
    (``discussion`` may be given fresh instead); registration re-checks them under its lock.

    ``on_behalf`` is the capacity the author acts in: "self", or the id of a company or public
    authority they represent (``eligibility_of``); the participant record is the person's or
    the organisation's accordingly, so the protocol shows which.
    ``section`` attaches it to a section of the project document (participatory texts).
    The place it is about is optional: a point (``lat``, ``lon``), an area (GeoJSON Polygon)
    or an ``address`` of the city's register, inside the discussion's territory
    (:func:`proposal_places.check_place`, run only when one is given).
    """
    text = validate_text(text, kind)
    validate_place(lat, lon, area)
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput(
            fields={
                "attachments": [_("Attach at most %(count)d files.") % {"count": MAX_ATTACHMENTS}]
            }
        )
    checked = [check_attachment(f, field="attachments") for f in attachments]
    if discussion is None:
        discussion = open_discussion(discussion_id)
    if discussion is None:  # not open: the page's rules (drafts are not public) and the reason
        discussion = selectors.get_discussion(discussion_id, user=author)
    now = timezone.now()
    intake.check_open(discussion, now)
    lat, lon, area = _place(discussion, lat=lat, lon=lon, area=area, address=address)
    if section is not None:
        check_section(discussion.pk, section)
    eligibility = eligibility_of(discussion, author, on_behalf=str(on_behalf or ""))
    if not eligibility.eligible:
        raise Forbidden(" ".join(str(r.message) for r in eligibility.reasons), code="not_eligible")
    identity = eligibility.identity
    company = eligibility.organisation
    if company is not None:
        participant = intake.participant_payload(
            key=intake.identity_key("org", company.pk),
            type=eligibility.participant_type,
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
    stored = [store_attachment(c, owner=author) for c in checked]
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
    if section is not None:
        payload["section"] = section
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
            idempotency_key=idempotency_key,
            hourly_limit=settings.SUBMISSIONS_PER_HOUR,
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
    address: str = "",
    on_behalf: str = "",
    section: int | None = None,
) -> Proposal:
    """Register an eligible participant's proposal, remark or question during the exposition,
    at once (the web form): :func:`receive_proposal` inline, as themself or for the
    organisation ``on_behalf`` names. Refused when late, ineligible or a
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
        address=address,
        inline=True,
        on_behalf=on_behalf,
        section=section,
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
    fields = _offline_participant_fields(discussion, person, local_date(received_at))
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
    lat: float | None = None,
    lon: float | None = None,
    area: dict | None = None,
    place_address: str = "",
) -> Proposal:
    """Staff register a proposal received in writing, in the visitors' book or orally at a
    meeting, on behalf of the identified person. It counts the same as one from the website
    (the same registration, :func:`intake.handle`, at once) and, like one, may name the place
    it is about: a point, an area or the place's address (``place_address``; ``person.address``
    is where the person lives), checked as the website checks it (:func:`_place`), refusals
    on ``lat``, ``area`` or ``place_address``. The audit record names the member of staff."""
    require_organiser(actor, discussion.organiser)
    if channel not in Proposal.Channel.values or channel == Proposal.Channel.WEB:
        raise InvalidInput(fields={"channel": [_("Choose how the proposal was received.")]})
    text = validate_text(text, kind)
    validate_place(lat, lon, area)
    payload = _offline_payload(
        discussion, person, text, kind, channel, received_at or timezone.now()
    )
    _with_place(payload, discussion, lat=lat, lon=lon, area=area, address=place_address)
    return _registered(inbox.receive(intake.KIND, payload, actor=actor, inline=True))


def _with_place(
    payload: dict[str, Any], discussion: Discussion, *, lat: Any, lon: Any, area: Any, address: str
) -> None:
    """Add to a staff-entered proposal's ``payload`` the place it is about, checked as the
    website checks it (:func:`_place`; the place's address is ``place_address``, apart from
    the person's own); nothing when no place is given."""
    lat, lon, area = _place(
        discussion, lat=lat, lon=lon, area=area, address=address, address_field="place_address"
    )
    if lat is not None or area:
        payload.update(lat=lat, lon=lon, area=area)


IMPORT_COLUMNS = ("full_name", "birth_date", "document_number", "address", "kind", "text")
#: Optional: the place the proposal is about, as on the website — its address, or a point.
IMPORT_PLACE_COLUMNS = ("place_address", "lat", "lon")
IMPORT_BATCH = 500


def _cell(row: dict[str, Any], column: str) -> Any:
    """A cell's value, ``None`` when the column is missing or the cell is blank."""
    value = row.get(column)
    return None if value is None or str(value).strip() == "" else value


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
            text = validate_text(str(row.get("text") or ""), kind)
            person = OfflineIdentity(
                full_name=str(row.get("full_name") or ""),
                birth_date=birth,
                document_number=str(row.get("document_number") or ""),
                address=str(row.get("address") or ""),
            )
            payload = _offline_payload(discussion, person, text, kind, channel, received_at)
            _with_place(
                payload,
                discussion,
                lat=_cell(row, "lat"),
                lon=_cell(row, "lon"),
                area=None,
                address=str(_cell(row, "place_address") or ""),
            )
            payloads.append((label, payload))
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
    require_organiser(actor, discussion.organiser)
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


def strip_attachment_metadata(*, actor: Any = None) -> int:
    """Re-encode the image attachments stored before uploads lost their metadata on the way in
    (issue 20 item 18): each JPEG or PNG that still carries EXIF, XMP or text is checked anew by
    the file service (which re-encodes it from its pixels) and stored as a new record that the
    attachment then points to, its size and SHA-256 updated and the old file removed; one audit
    record lists them. Images already clean are left byte for byte, so a rerun rewrites
    nothing. Returns how many were rewritten."""
    rewritten: list[int] = []
    attachments = (
        ProposalAttachment.objects.filter(content_type__in=["image/jpeg", "image/png"])
        .select_related("stored")
        .order_by("pk")
    )
    for item in attachments.iterator(chunk_size=200):
        old = item.stored
        try:
            with old.file.open("rb") as handle:
                data = handle.read()
        except (FileNotFoundError, OSError):
            continue
        if not images.carries_metadata(data):
            continue
        try:
            checked = check_attachment(ContentFile(data, name=item.original_name))
        except InvalidInput:
            continue  # not an image the file service accepts: left as it is
        with transaction.atomic():
            item.stored = uploads.store(checked, owner=old.owner, visibility=old.visibility)
            item.size, item.sha256 = item.stored.size, item.stored.sha256
            item.save(update_fields=["stored", "size", "sha256"])
            uploads.discard([old])
        rewritten.append(item.pk)
    if rewritten:
        audit.record(
            actor=actor,
            action="discussions.attachment_metadata_stripped",
            object_type="discussions.proposalattachment",
            after={"attachments": rewritten},
        )
    return len(rewritten)
