"""Changing a password, and resetting a forgotten one with a code sent to the account's
e-mail or phone.

Nothing here tells whether an address has an account: asking for a code answers the same
either way (a code goes out only when there is an account to reset), and a code for an
address without an account is simply a wrong code. New passwords pass
``AUTH_PASSWORD_VALIDATORS`` (at least 12 characters, not a common password, not like the
person's own name, user name, e-mail or phone). Setting a password ends the person's other
sessions (Django's session hash changes with it).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from ..models import ContactConfirmation, User
from .registration import CONFIRMATION_EVENT, code_hash, parse_contact

__all__ = [
    "RESET_MAX_ATTEMPTS",
    "RESET_TTL",
    "change_password",
    "request_password_reset",
    "reset_password",
]

RESET_TTL = dt.timedelta(minutes=15)
RESET_MAX_ATTEMPTS = 5


def _account_for(address: str) -> User | None:
    query = Q(email__iexact=address) if "@" in address else Q(phone=address)
    return User.objects.filter(query, is_active=True).order_by("pk").first()


def _reset_hash(user: User, address: str, code: str) -> str:
    return code_hash(user.pk, f"password-reset:{address}", code)


def request_password_reset(*, contact: str) -> None:
    """Send a reset code to ``contact`` if an active account has it; otherwise do nothing,
    visibly the same. Raises ``InvalidInput`` only for a contact that is not an address."""
    from cityhall.notifications.services import notify_address

    parsed = parse_contact(contact)
    with transaction.atomic():
        user = _account_for(parsed.address)
        if user is None:
            return
        now = timezone.now()
        code = f"{secrets.randbelow(10**6):06d}"
        ContactConfirmation.objects.create(
            user=user,
            purpose=ContactConfirmation.Purpose.PASSWORD_RESET,
            channel=parsed.channel,
            address=parsed.address,
            code_hash=_reset_hash(user, parsed.address, code),
            sent_at=now,
            expires_at=now + RESET_TTL,
        )
        is_email = parsed.channel == ContactConfirmation.Channel.EMAIL
        notify_address(
            email=parsed.address if is_email else None,
            phone=None if is_email else parsed.address,
            event=CONFIRMATION_EVENT,
            context={"code": code, "minutes": int(RESET_TTL.total_seconds() // 60)},
            language=user.preferred_language,
        )
        audit.record(
            actor=None,
            action="accounts.password_reset_requested",
            target=user,
            message=parsed.channel,
        )


def _check_new_password(password: str, password_again: str, *, user: User | None) -> None:
    errors: dict[str, list[str]] = {}
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if password != password_again:
        errors["password_again"] = [_("The two passwords differ.")]
    if errors:
        raise InvalidInput(fields=errors)


def reset_password(*, contact: str, code: str, password: str, password_again: str) -> User:
    """Set a new password with the latest reset code sent to ``contact``. A wrong, expired or
    used-up code, and an address without an account, all get the same answer."""
    parsed = parse_contact(contact)
    code = (code or "").strip().replace(" ", "")
    wrong = InvalidInput(fields={"code": [_("Wrong or expired code. Ask for a new code.")]})
    now = timezone.now()
    with transaction.atomic():
        user = _account_for(parsed.address)
        if user is None:
            _check_new_password(password, password_again, user=None)
            raise wrong
        reset = (
            ContactConfirmation.objects.select_for_update()
            .filter(
                user=user,
                purpose=ContactConfirmation.Purpose.PASSWORD_RESET,
                address=parsed.address,
                confirmed_at__isnull=True,
            )
            .order_by("-sent_at")
            .first()
        )
        if reset is None or reset.expires_at <= now or reset.attempts >= RESET_MAX_ATTEMPTS:
            _check_new_password(password, password_again, user=user)
            raise wrong
        if not hmac.compare_digest(reset.code_hash, _reset_hash(user, parsed.address, code)):
            reset.attempts += 1
            reset.save(update_fields=["attempts"])
            failure = wrong
        else:
            _check_new_password(password, password_again, user=user)
            reset.confirmed_at = now
            reset.save(update_fields=["confirmed_at"])
            user = User.objects.select_for_update().get(pk=user.pk)
            user.set_password(password)
            user.save(update_fields=["password"])
            audit.record(
                actor=user, action="accounts.password_reset", target=user, message=parsed.channel
            )
            return user
    raise failure


def change_password(
    *, user: User, current_password: str, password: str, password_again: str
) -> User:
    """The signed-in person sets a new password, proving they know the current one."""
    if not user.check_password(current_password or ""):
        raise InvalidInput(fields={"current_password": [_("This is not your current password.")]})
    _check_new_password(password, password_again, user=user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=user, action="accounts.password_changed", target=user)
    return user
