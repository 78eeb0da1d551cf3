"""Verification at scale (issue 20.9): an administrator imports a register of people — their
identity-document numbers or identity-portal ids, birth dates, registered addresses, and
optionally the phone or e-mail they use — that verifies the matching accounts at once and the
future sign-ups that match later, with a report of what matched.

Rules:

- Every row is checked before anything is stored; one bad row refuses the whole file, and the
  answer lists each bad row (``fields`` keys "row N"). Document numbers never stay in clear:
  the entries keep the keyed hash and the masked form, like a verified identity.
- Applying (a background job, :func:`apply_register_import`) first matches every entry in
  chunks, counting progress on the import (what the report page shows for a big file), then
  writes everything in one transaction: either the whole register is applied or none of it.
- An entry matches an account when its identity-portal id or document is already verified for
  that account ("already verified": left as is), or when an unverified, active account has
  the entry's phone or e-mail confirmed and the same last and first names: that account is
  verified from the register. A document verified for another account is a conflict, never
  moved. Other entries wait: the account that later confirms that phone or e-mail with those
  names, or signs in with that identity-portal id, is verified then
  (:func:`claim_register_entry`).
- Administrators of a service centre (and superusers) import; each import and each
  verification is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core import audit, jobs
from cityhall.core.errors import Forbidden, InvalidInput

from ..models import RegisterEntry, RegisterImport, User, VerifiedIdentity
from ..phones import normalise_phone
from ..register_file import read_register
from ..selectors import building_for_address, can_import_register
from ..verification import document_hash, mask_document, normalise_document

__all__ = [
    "REGISTER_COLUMNS",
    "apply_register_import",
    "claim_register_entry",
    "start_register_import",
]

#: Columns of a register file; ``last_name``, ``first_name``, ``birth_date`` and one of
#: ``document_number`` / ``portal_id`` are required in every row.
REGISTER_COLUMNS = (
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "document_number",
    "portal_id",
    "registered_address",
    "phone",
    "email",
)
REQUIRED_COLUMNS = ("last_name", "first_name", "birth_date")
MATCH_CHUNK = 500
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def _text(value: Any) -> str:
    return " ".join(str(value if value is not None else "").split())


def _name_key(value: str) -> str:
    return _text(value).casefold().replace("ё", "е")


def _birth_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    dotted = _DOTTED_DATE.match(text)
    try:
        if dotted:
            return dt.date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class _Row:
    number: int
    fields: dict[str, Any]


def _check_rows(rows: list[dict[str, Any]]) -> tuple[list[_Row], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    checked: list[_Row] = []
    seen_documents: dict[str, int] = {}
    seen_subjects: dict[str, int] = {}
    today = timezone.localdate()
    for number, raw in enumerate(rows, start=2):  # row 1 is the header
        label = _("row %(n)s") % {"n": number}
        problems: list[str] = []
        last, first = _text(raw.get("last_name")), _text(raw.get("first_name"))
        if not last or not first:
            problems.append(_("The last and first names are required."))
        birth = _birth_date(raw.get("birth_date"))
        if birth is None or birth > today or birth.year < 1900:
            problems.append(_("birth_date must be a real date like 1980-05-31 or 31.05.1980."))
        document = _text(raw.get("document_number"))
        subject = _text(raw.get("portal_id"))
        if not subject and len(normalise_document(document)) < 4:
            problems.append(_("Give the identity document's number or the identity-portal id."))
        phone_text, email = _text(raw.get("phone")), _text(raw.get("email")).lower()
        phone = normalise_phone(phone_text) if phone_text else ""
        if phone is None:
            problems.append(_("The phone number is not valid."))
        if email and "@" not in email:
            problems.append(_("The e-mail address is not valid."))
        digest = document_hash(document) if document else ""
        if digest and digest in seen_documents:
            problems.append(_("The same document is in row %(n)s.") % {"n": seen_documents[digest]})
        if subject and subject in seen_subjects:
            problems.append(
                _("The same identity-portal id is in row %(n)s.") % {"n": seen_subjects[subject]}
            )
        if problems:
            errors[label] = problems
            continue
        if digest:
            seen_documents[digest] = number
        if subject:
            seen_subjects[subject] = number
        checked.append(
            _Row(
                number,
                {
                    "last_name": last[:150],
                    "first_name": first[:150],
                    "middle_name": _text(raw.get("middle_name"))[:150],
                    "birth_date": birth,
                    "document_hash": digest,
                    "document_masked": mask_document(document) if document else "",
                    "subject": subject[:200],
                    "registered_address": _text(raw.get("registered_address"))[:300],
                    "phone": phone or "",
                    "email": email[:254],
                },
            )
        )
    return checked, errors


def start_register_import(*, actor: User, file_name: str, data: bytes) -> RegisterImport:
    """Check a register file and queue it: refused whole, with every bad row listed, if any
    row is wrong; otherwise its entries are stored (inert until applied) and the job that
    applies them starts after the commit."""
    if not can_import_register(actor):
        raise Forbidden(_("Only an administrator of a service centre may import a register."))
    header, rows = read_register(data, file_name)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if "document_number" not in header and "portal_id" not in header:
        missing.append("document_number / portal_id")
    if missing:
        raise InvalidInput(
            fields={"file": [_("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)}]}
        )
    if not rows:
        raise InvalidInput(fields={"file": [_("The file has no rows.")]})
    checked, errors = _check_rows(rows)
    if errors:
        raise InvalidInput(_("Nothing was imported: correct the rows below."), fields=errors)
    with transaction.atomic():
        register = RegisterImport.objects.create(
            file_name=(file_name or "register")[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            imported_by=actor,
            total_rows=len(checked),
        )
        RegisterEntry.objects.bulk_create(
            [RegisterEntry(register_import=register, row=r.number, **r.fields) for r in checked],
            batch_size=1000,
        )
        audit.record(
            actor=actor,
            action="accounts.register_import_started",
            target=register,
            after={"file": register.file_name, "sha256": register.sha256, "rows": len(checked)},
        )
        jobs.enqueue_on_commit("accounts.apply_register_import", register.pk)
    return register


def _contact_matches(entry: RegisterEntry) -> list[User]:
    condition = Q()
    if entry.phone:
        condition |= Q(phone=entry.phone, phone_confirmed_at__isnull=False)
    if entry.email:
        condition |= Q(email__iexact=entry.email, email_confirmed_at__isnull=False)
    if not condition:
        return []
    return [
        u
        for u in User.objects.filter(condition, is_active=True, verified_identity__isnull=True)
        if _name_key(u.last_name) == _name_key(entry.last_name)
        and _name_key(u.first_name) == _name_key(entry.first_name)
    ]


def _match(entry: RegisterEntry) -> tuple[str, int | None]:
    """What applying does with one entry: (outcome, account id)."""
    known = None
    if entry.subject:
        known = VerifiedIdentity.objects.filter(
            method=VerifiedIdentity.Method.OIDC, subject=entry.subject
        ).first()
    owner = None
    if entry.document_hash:
        owner = VerifiedIdentity.objects.filter(document_hash=entry.document_hash).first()
    if known is not None and owner is not None and known.user_id != owner.user_id:
        return RegisterEntry.Outcome.CONFLICT, None
    if known is not None or owner is not None:
        return RegisterEntry.Outcome.ALREADY_VERIFIED, (known or owner).user_id
    candidates = _contact_matches(entry)
    if len(candidates) == 1:
        return RegisterEntry.Outcome.VERIFIED, candidates[0].pk
    return RegisterEntry.Outcome.WAITING, None


def _verify_from_entry(entry: RegisterEntry, user: User, actor: User | None) -> VerifiedIdentity:
    identity = VerifiedIdentity(
        user=user,
        method=VerifiedIdentity.Method.REGISTER,
        last_name=entry.last_name,
        first_name=entry.first_name,
        middle_name=entry.middle_name,
        birth_date=entry.birth_date,
        document_hash=entry.document_hash,
        document_masked=entry.document_masked,
        registered_address=entry.registered_address,
        registered_building=building_for_address(entry.registered_address),
        subject=entry.subject,
        verified_at=timezone.now(),
        verified_by=actor if actor is not None and actor.pk != user.pk else None,
    )
    identity.save()
    audit.record(
        actor=actor,
        action="accounts.identity_verified",
        target=identity,
        after=audit.snapshot(
            identity, ["method", "last_name", "first_name", "document_masked", "subject"]
        ),
        message=f"user {user.pk}; register import {entry.register_import_id} row {entry.row}",
    )
    return identity


def apply_register_import(*, import_id: int) -> RegisterImport:
    """Match every entry (progress counted in chunks), then apply the whole register in one
    transaction; a failure leaves the import ``failed`` and nothing applied."""
    register = RegisterImport.objects.get(pk=import_id)
    if register.state not in (RegisterImport.State.QUEUED, RegisterImport.State.MATCHING):
        return register
    RegisterImport.objects.filter(pk=import_id).update(
        state=RegisterImport.State.MATCHING, processed_rows=0
    )
    decisions: dict[int, tuple[str, int | None]] = {}
    entries = list(register.entries.order_by("row"))
    try:
        for start in range(0, len(entries), MATCH_CHUNK):
            for entry in entries[start : start + MATCH_CHUNK]:
                decisions[entry.pk] = _match(entry)
            RegisterImport.objects.filter(pk=import_id).update(
                processed_rows=min(start + MATCH_CHUNK, len(entries))
            )
        with transaction.atomic():
            register = RegisterImport.objects.select_for_update().get(pk=import_id)
            actor = register.imported_by
            now = timezone.now()
            counts = dict.fromkeys(RegisterEntry.Outcome.values, 0)
            users = User.objects.in_bulk([u for _o, u in decisions.values() if u])
            for entry in entries:
                outcome, user_id = decisions[entry.pk]
                if outcome == RegisterEntry.Outcome.VERIFIED:
                    # Matching ran before this transaction: a desk may have verified the
                    # account, or the document, meanwhile.
                    if VerifiedIdentity.objects.filter(user_id=user_id).exists():
                        outcome = RegisterEntry.Outcome.ALREADY_VERIFIED
                    elif (
                        entry.document_hash
                        and VerifiedIdentity.objects.filter(
                            document_hash=entry.document_hash
                        ).exists()
                    ):
                        outcome, user_id = RegisterEntry.Outcome.CONFLICT, None
                    else:
                        _verify_from_entry(entry, users[user_id], actor)
                entry.outcome, entry.user_id = outcome, user_id
                entry.matched_at = now if user_id else None
                counts[outcome] += 1
            RegisterEntry.objects.bulk_update(
                entries, ["outcome", "user", "matched_at"], batch_size=1000
            )
            register.state = RegisterImport.State.APPLIED
            register.processed_rows = len(entries)
            register.verified_now = counts[RegisterEntry.Outcome.VERIFIED]
            register.already_verified = counts[RegisterEntry.Outcome.ALREADY_VERIFIED]
            register.waiting = counts[RegisterEntry.Outcome.WAITING]
            register.conflicts = counts[RegisterEntry.Outcome.CONFLICT]
            register.finished_at = now
            register.save()
            audit.record(
                actor=actor,
                action="accounts.register_imported",
                target=register,
                after={"rows": len(entries), **counts},
            )
    except Exception as exc:  # noqa: BLE001 — recorded on the import; nothing was applied
        RegisterImport.objects.filter(pk=import_id).update(
            state=RegisterImport.State.FAILED, problem=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    return register


def claim_register_entry(*, user: User, subject: str = "") -> VerifiedIdentity | None:
    """Verify a newly confirmed or signed-in account from a waiting register entry: the one
    with this identity-portal ``subject``, or with the account's confirmed phone or e-mail and
    the same last and first names. None when nothing matches (or the account is verified, or
    the entry's document is verified for someone else)."""
    if VerifiedIdentity.objects.filter(user_id=user.pk).exists():
        return None
    condition = Q(subject=subject) if subject else Q(pk__in=[])
    if user.phone and user.phone_confirmed_at:
        condition |= Q(phone=user.phone)
    if user.email and user.email_confirmed_at:
        condition |= Q(email__iexact=user.email)
    candidates = RegisterEntry.objects.filter(
        condition,
        outcome=RegisterEntry.Outcome.WAITING,
        register_import__state=RegisterImport.State.APPLIED,
    ).order_by("-register_import__created_at", "row")
    for entry in candidates:
        by_subject = bool(subject) and entry.subject == subject
        same_name = _name_key(entry.last_name) == _name_key(user.last_name) and _name_key(
            entry.first_name
        ) == _name_key(user.first_name)
        if not (by_subject or same_name):
            continue
        if (
            entry.document_hash
            and VerifiedIdentity.objects.filter(document_hash=entry.document_hash).exists()
        ):
            continue
        with transaction.atomic():
            locked = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
            if locked.outcome != RegisterEntry.Outcome.WAITING:
                continue
            identity = _verify_from_entry(locked, user, None)
            locked.outcome = RegisterEntry.Outcome.VERIFIED
            locked.user = user
            locked.matched_at = timezone.now()
            locked.save(update_fields=["outcome", "user", "matched_at"])
        return identity
    return None
