"""Business actions on people, organisations, roles, second factors and verified identities.

Every function here changes state, takes keyword-only arguments and an explicit ``actor``
(``None`` means the system: the demo loader, a management command), runs in one transaction and
writes the audit trail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityhall.core import audit
from cityhall.core.errors import Forbidden, InvalidInput, NotFound

from .models import (
    ApiToken,
    ContactConfirmation,
    Membership,
    Organisation,
    Role,
    User,
    VerifiedIdentity,
)
from .phones import normalise_phone
from .selectors import can_verify_in_person, has_role
from .verification import (
    FederatedProfile,
    VerifiedAttributes,
    document_hash,
    mask_document,
)

__all__ = [
    "CONFIRMATION_MAX_ATTEMPTS",
    "CONFIRMATION_RESEND_COOLDOWN",
    "CONFIRMATION_TTL",
    "Contact",
    "apply_verification",
    "confirm_contact",
    "confirm_totp_enrolment",
    "create_organisation",
    "deactivate_user",
    "grant_role",
    "note_lockout",
    "parse_contact",
    "provision_totp_device",
    "register_person",
    "revoke_role",
    "send_confirmation_code",
    "set_parent",
    "sign_in_federated",
    "start_totp_enrolment",
]

CONFIRMATION_TTL = dt.timedelta(minutes=15)
CONFIRMATION_MAX_ATTEMPTS = 5
CONFIRMATION_RESEND_COOLDOWN = dt.timedelta(seconds=60)
CONFIRMATION_EVENT = "accounts.confirmation_code"


# --- Registration and contact confirmation ----------------------------------------------------


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


def _unique_username(base: str) -> str:
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
) -> User:
    """A resident (or a legal entity's representative) signs up with an e-mail or a phone.

    The account stays inactive until the code sent to that address is confirmed. A
    representative's organisation is created inactive and becomes active with the account.
    """
    errors: dict[str, list[str]] = {}
    try:
        parsed = parse_contact(contact)
    except InvalidInput as exc:
        errors.update(exc.fields)
        parsed = None
    if parsed is not None:
        taken = (
            User.objects.filter(email__iexact=parsed.address)
            if parsed.channel == ContactConfirmation.Channel.EMAIL
            else User.objects.filter(phone=parsed.address)
        ).exists()
        if taken:
            errors["contact"] = [
                _("An account with this e-mail address already exists.")
                if parsed.channel == ContactConfirmation.Channel.EMAIL
                else _("An account with this phone number already exists.")
            ]
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
    with transaction.atomic():
        user = User(
            username=_unique_username(parsed.address),
            kind=kind,
            last_name=last_name.strip(),
            first_name=first_name.strip(),
            middle_name=middle_name.strip(),
            preferred_language=language if language in {"ru", "tt", "en"} else "ru",
            is_active=False,
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
            raise InvalidInput(
                fields={"contact": [_("An account with this address already exists.")]}
            ) from None
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
    return user


def _code_hash(confirmation_user_id: int, address: str, code: str) -> str:
    message = f"contact-confirmation:{confirmation_user_id}:{address}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _pending_contact(user: User) -> Contact | None:
    if user.email and user.email_confirmed_at is None:
        return Contact(ContactConfirmation.Channel.EMAIL, user.email)
    if user.phone and user.phone_confirmed_at is None:
        return Contact(ContactConfirmation.Channel.PHONE, user.phone)
    return None


def send_confirmation_code(*, user: User) -> ContactConfirmation:
    """Send a fresh 6-digit code to the person's unconfirmed e-mail (else phone).

    A new code replaces the previous one; a new one may be asked for only after the cooldown.
    """
    from cityhall.notifications.services import notify_address

    contact = _pending_contact(user)
    if contact is None:
        raise InvalidInput(_("This account's contacts are already confirmed."))
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        last = user.contact_confirmations.filter(sent_at__gt=now - CONFIRMATION_RESEND_COOLDOWN)
        last = last.order_by("-sent_at").first()
        if last is not None:
            wait = int((last.sent_at + CONFIRMATION_RESEND_COOLDOWN - now).total_seconds()) + 1
            raise InvalidInput(
                _("A code was sent a moment ago. You can ask for a new one in %(seconds)s s.")
                % {"seconds": wait},
                code="too_soon",
            )
        code = f"{secrets.randbelow(10**6):06d}"
        confirmation = ContactConfirmation.objects.create(
            user=user,
            channel=contact.channel,
            address=contact.address,
            code_hash=_code_hash(user.pk, contact.address, code),
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
            .filter(user=user, confirmed_at__isnull=True)
            .order_by("-sent_at")
            .first()
        )
        if confirmation is None:
            failure = _("There is no code waiting for confirmation. Ask for a new code.")
        elif confirmation.expires_at <= now:
            failure = _("This code has expired. Ask for a new code.")
        elif confirmation.attempts >= CONFIRMATION_MAX_ATTEMPTS:
            failure = _("Too many wrong attempts. Ask for a new code.")
        elif not hmac.compare_digest(
            confirmation.code_hash, _code_hash(user.pk, confirmation.address, code)
        ):
            confirmation.attempts += 1
            confirmation.save(update_fields=["attempts"])
            left = CONFIRMATION_MAX_ATTEMPTS - confirmation.attempts
            failure = (
                _("Wrong code. Attempts left: %(left)s.") % {"left": left}
                if left
                else _("Too many wrong attempts. Ask for a new code.")
            )
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
    return user


# --- Organisations and roles ------------------------------------------------------------------


def _forget_roles(user: User) -> None:
    """Drop the roles cached on the user object by ``selectors.roles_of``."""
    with contextlib.suppress(AttributeError):
        del user._cityhall_roles


def _require_administrator(actor: User | None, organisation: Organisation | None) -> None:
    """Administrators manage their organisation and everything below it; superusers all."""
    if actor is None:  # the system: demo loader, management commands
        return
    if organisation is None:
        if has_role(actor, Role.ADMINISTRATOR) and actor.is_superuser:
            return
    elif has_role(actor, Role.ADMINISTRATOR, organisation):
        return
    raise Forbidden(_("Only an administrator of this organisation may do this."))


_ORGANISATION_FIELDS = ["name", "short_name", "type", "parent", "inn", "ogrn", "is_active"]


def create_organisation(
    *,
    actor: User | None,
    name: str,
    type: str,
    parent: Organisation | None = None,
    short_name: str = "",
    inn: str = "",
    ogrn: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    website: str = "",
) -> Organisation:
    """A new organisation under ``parent`` (a root only by a superuser or the system)."""
    _require_administrator(actor, parent)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Please give the organisation's name.")]
    if type not in Organisation.Type.values:
        errors["type"] = [_("Choose a type from the list.")]
    if inn and Organisation.objects.filter(inn=inn).exists():
        errors["inn"] = [_("An organisation with this taxpayer number already exists.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name=name.strip(),
            short_name=short_name.strip(),
            type=type,
            parent=parent,
            inn=inn,
            ogrn=ogrn,
            address=address,
            phone=phone,
            email=email,
            website=website,
        )
        audit.record(
            actor=actor,
            action="accounts.organisation_created",
            target=organisation,
            after=audit.snapshot(organisation, _ORGANISATION_FIELDS),
        )
    return organisation


def set_parent(
    *, actor: User | None, organisation: Organisation, parent: Organisation | None
) -> Organisation:
    """Move ``organisation`` under ``parent``. The hierarchy stays a tree: an organisation can
    be neither its own parent nor a parent of one of its ancestors."""
    _require_administrator(actor, organisation)
    if parent is not None:
        _require_administrator(actor, parent)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        node = parent
        while node is not None:
            if node.pk == organisation.pk:
                raise InvalidInput(
                    fields={
                        "parent": [
                            _(
                                "An organisation cannot be placed under itself or under one of "
                                "its own sub-organisations."
                            )
                        ]
                    }
                )
            node = node.parent
        before = audit.snapshot(organisation, ["parent"])
        organisation.parent = parent
        organisation.save(update_fields=["parent", "updated_at"])
        audit.record(
            actor=actor,
            action="accounts.organisation_moved",
            target=organisation,
            before=before,
            after=audit.snapshot(organisation, ["parent"]),
        )
    return organisation


def grant_role(
    *, actor: User | None, user: User, organisation: Organisation, role: str
) -> Membership:
    """Give ``user`` a role in ``organisation``. Granting a role already held changes nothing."""
    _require_administrator(actor, organisation)
    if role not in Role.values:
        raise InvalidInput(fields={"role": [_("Choose a role from the list.")]})
    if not user.is_active:
        raise InvalidInput(fields={"user": [_("This person's account is not active.")]})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role
        )
        if created:
            audit.record(
                actor=actor,
                action="accounts.role_granted",
                target=membership,
                after=audit.snapshot(membership, ["user", "organisation", "role"]),
            )
    _forget_roles(user)
    return membership


def revoke_role(*, actor: User | None, user: User, organisation: Organisation, role: str) -> None:
    """Take a role away from ``user`` in ``organisation``."""
    _require_administrator(actor, organisation)
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(user=user, organisation=organisation, role=role)
            .first()
        )
        if membership is None:
            raise NotFound(_("This person does not hold this role here."))
        audit.record(
            actor=actor,
            action="accounts.role_revoked",
            target=membership,
            before=audit.snapshot(membership, ["user", "organisation", "role"]),
        )
        membership.delete()
    _forget_roles(user)


def deactivate_user(*, actor: User | None, user: User, reason: str = "") -> User:
    """Close an account: no sign-in, no API tokens. Staff accounts are closed by an
    administrator of every organisation they work in; residents' by a superuser."""
    if actor is not None:
        if actor.pk == user.pk:
            raise InvalidInput(_("You cannot deactivate your own account."))
        organisations = list(Organisation.objects.filter(memberships__user=user).distinct())
        allowed = has_role(actor, Role.ADMINISTRATOR) and (
            actor.is_superuser
            or (
                organisations and all(has_role(actor, Role.ADMINISTRATOR, o) for o in organisations)
            )
        )
        if not allowed:
            raise Forbidden(_("Only an administrator of this person's organisations may do this."))
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = audit.snapshot(user, ["is_active"])
        user.is_active = False
        user.save(update_fields=["is_active"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        audit.record(
            actor=actor,
            action="accounts.user_deactivated",
            target=user,
            before=before,
            after=audit.snapshot(user, ["is_active"]),
            message=reason,
        )
    return user


# --- Second factor (TOTP) ---------------------------------------------------------------------

TOTP_DEVICE_NAME = "authenticator"


def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (the same secret across page reloads)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def confirm_totp_enrolment(*, user: User, code: str) -> TOTPDevice | None:
    """The person proves the authenticator works by typing its current code; the device is
    confirmed and other unconfirmed ones are dropped. None if the code is wrong."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not device.verify_token((code or "").strip()):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        audit.record(
            actor=user,
            action="accounts.second_factor_enrolled",
            target=user,
            after={"device": device.persistent_id},
        )
    return device


def provision_totp_device(
    *, actor: User | None, user: User, key: str | None = None, reset: bool = False
) -> TOTPDevice:
    """A confirmed authenticator set up for the person by support (or the demo loader):
    returns the existing one unless ``reset``; ``key`` (hex) fixes the secret."""
    with transaction.atomic():
        existing = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        device = existing.order_by("pk").first()
        if device is not None and not reset:
            return device
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
        if key:
            device.key = key
        device.save()
        audit.record(
            actor=actor,
            action="accounts.second_factor_provisioned",
            target=user,
            after={"device": device.persistent_id, "reset": reset},
        )
    return device


# --- Verified identity ------------------------------------------------------------------------

_IDENTITY_FIELDS = [
    "method",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "document_masked",
    "registered_address",
    "registered_building",
    "rights",
    "subject",
    "verified_by",
]


def _building_for_address(address: str):
    if not address.strip():
        return None
    from cityhall.geo.selectors import find_building

    return find_building(address)


def _rights_with_buildings(attributes: VerifiedAttributes) -> list[dict]:
    from cityhall.geo.models import Building

    numbers = {r.cadastral_number.strip() for r in attributes.rights if r.cadastral_number}
    by_number = dict(
        Building.objects.filter(cadastral_number__in=numbers)
        .exclude(cadastral_number="")
        .values_list("cadastral_number", "pk")
    )
    return [
        {
            "kind": r.kind,
            "cadastral_number": r.cadastral_number.strip(),
            "building_id": by_number.get(r.cadastral_number.strip()),
        }
        for r in attributes.rights
    ]


def apply_verification(
    *,
    person: User,
    attributes: VerifiedAttributes,
    method: str,
    actor: User | None,
) -> VerifiedIdentity:
    """Store what a verifier vouched for. A new verification replaces the previous one; both
    are kept in the audit trail (``before``/``after``, document only masked).

    The document number is stored as a keyed hash and a masked form. One document belongs to
    one person: a document already verified for another account is refused. In-person
    verification is done by an operator of a service centre only.
    """
    in_person = method == VerifiedIdentity.Method.SERVICE_CENTRE
    if in_person and actor is not None and not can_verify_in_person(actor):
        raise Forbidden(_("Only an operator of a service centre may verify identities."))
    errors: dict[str, list[str]] = {}
    if not attributes.last_name.strip():
        errors["last_name"] = [_("The last name is required.")]
    if not attributes.first_name.strip():
        errors["first_name"] = [_("The first name is required.")]
    today = timezone.localdate()
    if attributes.birth_date > today or attributes.birth_date.year < 1900:
        errors["birth_date"] = [_("Enter a real birth date.")]
    if len(attributes.document_number.strip()) < 4:
        errors["document_number"] = [_("Enter the identity document's number.")]
    digest = document_hash(attributes.document_number)
    if (
        "document_number" not in errors
        and VerifiedIdentity.objects.filter(document_hash=digest)
        .exclude(user_id=person.pk)
        .exists()
    ):
        errors["document_number"] = [
            _("This identity document is already verified for another account.")
        ]
    if errors:
        raise InvalidInput(fields=errors)

    with transaction.atomic():
        identity = VerifiedIdentity.objects.select_for_update().filter(user=person).first()
        before = audit.snapshot(identity, _IDENTITY_FIELDS) if identity else None
        if identity is None:
            identity = VerifiedIdentity(user=person)
        identity.method = method
        identity.last_name = attributes.last_name.strip()
        identity.first_name = attributes.first_name.strip()
        identity.middle_name = attributes.middle_name.strip()
        identity.birth_date = attributes.birth_date
        identity.document_hash = digest
        identity.document_masked = mask_document(attributes.document_number)
        identity.registered_address = attributes.registered_address.strip()
        identity.registered_building = _building_for_address(attributes.registered_address)
        identity.rights = _rights_with_buildings(attributes)
        identity.subject = attributes.subject
        identity.verified_at = timezone.now()
        identity.verified_by = actor if actor is not None and actor.pk != person.pk else None
        try:
            with transaction.atomic():
                identity.save()
        except IntegrityError:
            raise InvalidInput(
                _("This identity is already linked to another account."), code="conflict"
            ) from None
        audit.record(
            actor=actor,
            action="accounts.identity_verified",
            target=identity,
            before=before,
            after=audit.snapshot(identity, _IDENTITY_FIELDS),
            message=f"user {person.pk}",
        )
    return identity


def sign_in_federated(
    *,
    profile: FederatedProfile,
    attributes: VerifiedAttributes | None,
    method: str,
    current: User | None = None,
) -> User:
    """The account for a person an identity provider vouched for, found or created, with the
    verified attributes applied — in one transaction.

    The account is found by the provider's subject, else it is the signed-in person (linking
    their account), else the active account whose e-mail or phone was confirmed and which the
    provider also confirmed; otherwise a new resident account is created.
    """
    with transaction.atomic():
        identity = (
            VerifiedIdentity.objects.select_related("user")
            .filter(method=method, subject=profile.subject)
            .first()
        )
        user: User | None = identity.user if identity else None
        if user is not None and current is not None and user.pk != current.pk:
            raise InvalidInput(
                _(
                    "This identity is already linked to another account. Sign out to use it, "
                    "or contact support."
                ),
                code="conflict",
            )
        if user is None and current is not None:
            user = User.objects.get(pk=current.pk)
        if user is None and profile.email:
            user = User.objects.filter(
                email__iexact=profile.email, email_confirmed_at__isnull=False, is_active=True
            ).first()
        if user is None and profile.phone:
            user = User.objects.filter(
                phone=profile.phone, phone_confirmed_at__isnull=False, is_active=True
            ).first()
        if user is None:
            now = timezone.now()
            email_free = (
                profile.email and not User.objects.filter(email__iexact=profile.email).exists()
            )
            phone_free = profile.phone and not User.objects.filter(phone=profile.phone).exists()
            subject_key = hashlib.sha256(f"{method}:{profile.subject}".encode()).hexdigest()
            user = User(
                username=_unique_username(
                    (profile.email if email_free else "")
                    or (profile.phone if phone_free else "")
                    or f"id-{subject_key[:12]}"
                ),
                kind=User.Kind.RESIDENT,
                last_name=profile.last_name,
                first_name=profile.first_name,
                middle_name=profile.middle_name,
                email=profile.email if email_free else None,
                email_confirmed_at=now if email_free else None,
                phone=profile.phone if phone_free else None,
                phone_confirmed_at=now if phone_free else None,
            )
            user.set_unusable_password()
            user.save()
            audit.record(
                actor=user,
                action="accounts.registered",
                target=user,
                after=audit.snapshot(user, ["username", "kind", "is_active"]),
                message=method,
            )
        if not user.is_active:
            raise Forbidden(_("This account has been deactivated."))
        if attributes is not None:
            apply_verification(person=user, attributes=attributes, method=method, actor=user)
    return user


def note_lockout(*, user: User, factor: str) -> None:
    """Put a sign-in lockout (too many wrong passwords or codes) in the audit trail."""
    audit.record(actor=None, action="accounts.sign_in_locked", target=user, message=factor)
