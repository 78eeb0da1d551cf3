"""Registration of a person and confirmation of their e-mail or phone.

A person registers with one contact (an e-mail or a mobile number) and a password; the account
stays unconfirmed until the code sent to that contact comes back, within ``CONFIRMATION_TTL``
and ``CONFIRMATION_MAX_ATTEMPTS`` tries, one code per ``CONFIRMATION_RESEND_COOLDOWN``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from .. import throttle
from ..models import ContactConfirmation, Membership, Organisation, Role, User
from ..phones import normalise_phone
from .register_import import claim_register_entry

__all__ = [
    "CONFIRMATION_EVENT",
    "CONFIRMATION_MAX_ATTEMPTS",
    "CONFIRMATION_RESEND_COOLDOWN",
    "CONFIRMATION_TTL",
    "REGISTRATION_ATTEMPT_EVENT",
    "TOO_MANY_REGISTRATIONS",
    "TOO_MANY_SMS",
    "Contact",
    "code_hash",
    "confirm_contact",
    "parse_contact",
    "register_person",
    "send_confirmation_code",
    "unique_username",
]

CONFIRMATION_TTL = dt.timedelta(minutes=15)
CONFIRMATION_MAX_ATTEMPTS = 5
CONFIRMATION_RESEND_COOLDOWN = dt.timedelta(seconds=60)
CONFIRMATION_EVENT = "accounts.confirmation_code"
REGISTRATION_ATTEMPT_EVENT = "accounts.registration_attempt"
TOO_MANY_REGISTRATIONS = gettext_lazy(
    "Too many registrations from your network. Try again in %(minutes)s minutes."
)
TOO_MANY_SMS = gettext_lazy("Too many codes asked for. Try again in %(minutes)s minutes.")


@dataclass(frozen=True)
class Contact:
    channel: str  # ContactConfirmation.Channel
    address: str  # a lower-case e-mail or a +7… phone number


def parse_contact(raw: str) -> Contact:
    """An e-mail address or a phone number, in the one form lookups use."""
    raw = (raw or "").strip()
    if "@" in raw:
        try:
            validate_email(raw)
        except ValidationError:
            raise InvalidInput(fields={"contact": [_("Enter a valid e-mail address.")]}) from None
        return Contact(ContactConfirmation.Channel.EMAIL, raw.lower())
    phone = normalise_phone(raw)
    if phone is None:
        raise InvalidInput(
            fields={"contact": [_("Enter an e-mail address or a mobile phone number.")]}
        )
    return Contact(ContactConfirmation.Channel.PHONE, phone)


def _inn_is_valid(inn: str) -> bool:
    """Checksum of a Russian taxpayer number: 10 digits (company) or 12 (sole trader)."""
    if not inn.isdigit() or len(inn) not in (10, 12):
        return False
    digits = [int(c) for c in inn]

    def check(weights: list[int]) -> int:
        return sum(w * d for w, d in zip(weights, digits, strict=False)) % 11 % 10

    if len(inn) == 10:
        return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[9]
    first = check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8])
    second = check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8])
    return first == digits[10] and second == digits[11]


def unique_username(base: str) -> str:
    """A free username from ``base`` (``base``, ``base-2``, ...): registration and accounts
    created on first sign-in with an identity provider (``identity``) share it."""
    username, n = base[:150], 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base[:140]}-{n}"
    return username


def register_person(
    *,
    contact: str,
    password: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    kind: str = User.Kind.RESIDENT,
    organisation_name: str = "",
    inn: str = "",
    language: str = "ru",
    client_address: str | None = None,
    personal_data_consent: bool = False,
) -> Contact:
    """A resident (or a legal entity's representative) signs up with an e-mail or a phone;
    returns the address the code went to.

    The answer never tells whether the address already has an account: then no account is
    made and the owner gets a notice (``REGISTRATION_ATTEMPT_EVENT``) instead of a code, and
    the caller sees the same result.

    The account stays inactive until the code sent to that address is confirmed. A
    representative's organisation is created inactive and becomes active with the account.
    From a client (``client_address``), registrations and SMS codes are rate-limited
    (``throttle.REGISTRATION_BY_ADDRESS``, ``throttle.SMS_BY_ADDRESS``): ``TooManyRequests``.
    """
    errors: dict[str, list[str]] = {}
    # Rule: no account without the person's consent to processing their personal data
    # (152-FZ art. 9); the moment is kept on the account (``personal_data_consent_at``).
    if not personal_data_consent:
        errors["personal_data_consent"] = [
            _("Registration needs your consent to the processing of your personal data.")
        ]
    try:
        parsed = parse_contact(contact)
    except InvalidInput as exc:
        errors.update(exc.fields)
        parsed = None
    if not last_name.strip():
        errors["last_name"] = [_("Please give your last name.")]
    if not first_name.strip():
        errors["first_name"] = [_("Please give your first name.")]
    if kind not in (User.Kind.RESIDENT, User.Kind.BUSINESS):
        errors["kind"] = [_("Choose who you are registering as.")]
    inn = (inn or "").strip()
    if kind == User.Kind.BUSINESS:
        if not organisation_name.strip():
            errors["organisation_name"] = [_("Please give the organisation's name.")]
        if not _inn_is_valid(inn):
            errors["inn"] = [_("Enter a valid taxpayer number (10 or 12 digits).")]
        elif Organisation.objects.filter(inn=inn, is_active=True).exists():
            errors["inn"] = [
                _(
                    "This organisation is already registered. Ask its representative or the "
                    "portal's administrators to add you."
                )
            ]
    candidate = User(
        username=parsed.address if parsed else "",
        first_name=first_name,
        last_name=last_name,
        email=parsed.address if parsed and "@" in parsed.address else None,
    )
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise InvalidInput(fields=errors)

    assert parsed is not None
    if client_address is not None:  # counted outside the transaction: a refusal must count
        throttle.take_or_refuse(
            throttle.REGISTRATION_BY_ADDRESS, client_address, message=TOO_MANY_REGISTRATIONS
        )
        if parsed.channel == ContactConfirmation.Channel.PHONE:
            throttle.take_or_refuse(throttle.SMS_BY_ADDRESS, client_address, message=TOO_MANY_SMS)
    if _owner_of(parsed) is not None:
        _tell_the_owner(parsed, password=password, language=language)
        return parsed
    with transaction.atomic():
        user = User(
            username=unique_username(parsed.address),
            kind=kind,
            last_name=last_name.strip(),
            first_name=first_name.strip(),
            middle_name=middle_name.strip(),
            preferred_language=language if language in {"ru", "tt", "en"} else "ru",
            is_active=False,
            personal_data_consent_at=timezone.now(),
        )
        if parsed.channel == ContactConfirmation.Channel.EMAIL:
            user.email = parsed.address
        else:
            user.phone = parsed.address
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same address registered a moment ago
            raced = True
        else:
            raced = False
        if not raced:
            _complete_registration(user, kind=kind, inn=inn, organisation_name=organisation_name)
    if raced:
        _tell_the_owner(parsed, password=None, language=language)
    return parsed


def _owner_of(contact: Contact) -> User | None:
    query = (
        User.objects.filter(email__iexact=contact.address)
        if contact.channel == ContactConfirmation.Channel.EMAIL
        else User.objects.filter(phone=contact.address)
    )
    return query.order_by("pk").first()


def _tell_the_owner(contact: Contact, *, password: str | None, language: str) -> None:
    """Somebody registered with an address that has an account: tell its owner (who may have
    forgotten it) instead of sending a code. Hashing the password keeps the answer's timing
    like a real registration's."""
    from cityhall.notifications.services import notify_address

    if password is not None:
        make_password(password)
    owner = _owner_of(contact)
    if owner is None:
        return
    is_email = contact.channel == ContactConfirmation.Channel.EMAIL
    with transaction.atomic():
        notify_address(
            email=contact.address if is_email else None,
            phone=None if is_email else contact.address,
            event=REGISTRATION_ATTEMPT_EVENT,
            context={},
            language=owner.preferred_language or language,
        )
        audit.record(
            actor=None,
            action="accounts.registration_attempt_on_existing",
            target=owner,
            message=contact.channel,
        )


def _complete_registration(user: User, *, kind: str, inn: str, organisation_name: str) -> None:
    """The new account's audit records, a representative's organisation, the code."""
    audit.record(
        actor=user,
        action="accounts.registered",
        target=user,
        after=audit.snapshot(user, ["username", "kind", "is_active"]),
    )
    if kind == User.Kind.BUSINESS:
        organisation = Organisation.objects.select_for_update().filter(inn=inn).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=organisation_name.strip(),
                type=Organisation.Type.LEGAL_ENTITY,
                inn=inn,
                is_active=False,
            )
            audit.record(
                actor=user,
                action="accounts.organisation_created",
                target=organisation,
                after=audit.snapshot(organisation, ["name", "type", "inn", "is_active"]),
            )
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=Role.REPRESENTATIVE
        )
        audit.record(
            actor=user,
            action="accounts.role_granted",
            target=membership,
            after=audit.snapshot(membership, ["user", "organisation", "role"]),
        )
    send_confirmation_code(user=user)


def code_hash(confirmation_user_id: int, address: str, code: str) -> str:
    message = f"contact-confirmation:{confirmation_user_id}:{address}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _pending_contact(user: User) -> Contact | None:
    if user.email and user.email_confirmed_at is None:
        return Contact(ContactConfirmation.Channel.EMAIL, user.email)
    if user.phone and user.phone_confirmed_at is None:
        return Contact(ContactConfirmation.Channel.PHONE, user.phone)
    return None


def _refuse_if_sent_recently(user: User, now: dt.datetime) -> None:
    last = user.contact_confirmations.filter(
        purpose=ContactConfirmation.Purpose.CONFIRM,
        sent_at__gt=now - CONFIRMATION_RESEND_COOLDOWN,
    )
    last = last.order_by("-sent_at").first()
    if last is not None:
        wait = int((last.sent_at + CONFIRMATION_RESEND_COOLDOWN - now).total_seconds()) + 1
        raise InvalidInput(
            _("A code was sent a moment ago. You can ask for a new one in %(seconds)s s.")
            % {"seconds": wait},
            code="too_soon",
        )


def send_confirmation_code(*, user: User, client_address: str | None = None) -> ContactConfirmation:
    """Send a fresh 6-digit code to the person's unconfirmed e-mail (else phone).

    A new code replaces the previous one; a new one may be asked for only after the cooldown.
    Asked for by a client (``client_address``), SMS codes count against
    ``throttle.SMS_BY_ADDRESS`` (``TooManyRequests`` beyond it).
    """
    from cityhall.notifications.services import notify_address

    contact = _pending_contact(user)
    if contact is None:
        raise InvalidInput(_("This account's contacts are already confirmed."))
    now = timezone.now()
    _refuse_if_sent_recently(user, now)  # before counting: a click too soon costs nothing
    if client_address is not None and contact.channel == ContactConfirmation.Channel.PHONE:
        throttle.take_or_refuse(throttle.SMS_BY_ADDRESS, client_address, message=TOO_MANY_SMS)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        _refuse_if_sent_recently(user, now)
        code = f"{secrets.randbelow(10**6):06d}"
        confirmation = ContactConfirmation.objects.create(
            user=user,
            channel=contact.channel,
            address=contact.address,
            code_hash=code_hash(user.pk, contact.address, code),
            sent_at=now,
            expires_at=now + CONFIRMATION_TTL,
        )
        minutes = int(CONFIRMATION_TTL.total_seconds() // 60)
        is_email = contact.channel == ContactConfirmation.Channel.EMAIL
        notify_address(
            email=contact.address if is_email else None,
            phone=None if is_email else contact.address,
            event=CONFIRMATION_EVENT,
            context={"code": code, "minutes": minutes},
            language=user.preferred_language,
        )
    return confirmation


def confirm_contact(*, user: User, code: str) -> User:
    """The person types the code they received: the address is confirmed and, for a new
    registration, the account (and a representative's organisation) becomes active.

    Only the latest code counts; it expires after ``CONFIRMATION_TTL`` and after
    ``CONFIRMATION_MAX_ATTEMPTS`` wrong tries a new code must be requested.
    """
    code = (code or "").strip().replace(" ", "")
    now = timezone.now()
    failure: str | None = None
    with transaction.atomic():
        confirmation = (
            ContactConfirmation.objects.select_for_update()
            .filter(
                user=user, purpose=ContactConfirmation.Purpose.CONFIRM, confirmed_at__isnull=True
            )
            .order_by("-sent_at")
            .first()
        )
        # One answer for every failure: the page must not tell whether a registration waits.
        wrong = _("Wrong or expired code. Ask for a new code.")
        if (
            confirmation is None
            or confirmation.expires_at <= now
            or confirmation.attempts >= CONFIRMATION_MAX_ATTEMPTS
        ):
            failure = wrong
        elif not hmac.compare_digest(
            confirmation.code_hash, code_hash(user.pk, confirmation.address, code)
        ):
            confirmation.attempts += 1
            confirmation.save(update_fields=["attempts"])
            failure = wrong
        else:
            user = User.objects.select_for_update().get(pk=user.pk)
            before = audit.snapshot(user, ["is_active", "email_confirmed_at", "phone_confirmed_at"])
            confirmation.confirmed_at = now
            confirmation.save(update_fields=["confirmed_at"])
            if confirmation.channel == ContactConfirmation.Channel.EMAIL:
                user.email_confirmed_at = now
            else:
                user.phone_confirmed_at = now
            was_new = before["email_confirmed_at"] is None and before["phone_confirmed_at"] is None
            if was_new and not user.is_active:
                user.is_active = True
            user.save(update_fields=["is_active", "email_confirmed_at", "phone_confirmed_at"])
            audit.record(
                actor=user,
                action="accounts.contact_confirmed",
                target=user,
                before=before,
                after=audit.snapshot(
                    user, ["is_active", "email_confirmed_at", "phone_confirmed_at"]
                ),
                message=confirmation.channel,
            )
            pending = Organisation.objects.filter(
                memberships__user=user,
                memberships__role=Role.REPRESENTATIVE,
                is_active=False,
                type=Organisation.Type.LEGAL_ENTITY,
            )
            for organisation in pending:
                organisation.is_active = True
                organisation.save(update_fields=["is_active", "updated_at"])
                audit.record(
                    actor=user,
                    action="accounts.organisation_activated",
                    target=organisation,
                    before={"is_active": False},
                    after={"is_active": True},
                )
    if failure is not None:
        raise InvalidInput(fields={"code": [failure]})
    # A person the city's verification register lists with this contact and name is verified
    # now (issue 20.9: the register pre-verifies future sign-ups).
    claim_register_entry(user=user)
    return user
