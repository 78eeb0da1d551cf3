"""Protecting sign-in: the TOTP second factor staff enrol or support provisions, and the
audit records of sign-ins, failed attempts and back-offs (``accounts.throttle``).
"""

from __future__ import annotations

from django.db import transaction

from cityhall.core import audit

from ..models import Authenticator, User

__all__ = [
    "TOTP_DEVICE_NAME",
    "confirm_totp_enrolment",
    "note_failed_sign_in",
    "note_lockout",
    "note_sign_in",
    "provision_totp_device",
    "start_totp_enrolment",
]

TOTP_DEVICE_NAME = "authenticator"


def start_totp_enrolment(*, user: User) -> Authenticator:
    """The unconfirmed authenticator being set up (the same secret across page reloads)."""
    with transaction.atomic():
        device = (
            Authenticator.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            device = Authenticator.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def confirm_totp_enrolment(*, user: User, code: str) -> Authenticator | None:
    """The person proves the authenticator works by typing its current code; the device is
    confirmed and other unconfirmed ones are dropped. None if the code is wrong."""
    with transaction.atomic():
        device = (
            Authenticator.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not device.verify_token((code or "").strip()):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        Authenticator.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        audit.record(
            actor=user,
            action="accounts.second_factor_enrolled",
            target=user,
            after={"device": device.persistent_id},
        )
    return device


def provision_totp_device(
    *, actor: User | None, user: User, key: str | None = None, reset: bool = False
) -> Authenticator:
    """A confirmed authenticator set up for the person by support (or the demo loader):
    returns the existing one unless ``reset``; ``key`` (hex) fixes the secret."""
    with transaction.atomic():
        existing = Authenticator.objects.select_for_update().filter(user=user, confirmed=True)
        device = existing.order_by("pk").first()
        if device is not None and not reset:
            return device
        Authenticator.objects.filter(user=user).delete()
        device = Authenticator(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
        if key:
            device.set_secret(key)
        device.save()
        audit.record(
            actor=actor,
            action="accounts.second_factor_provisioned",
            target=user,
            after={"device": device.persistent_id, "reset": reset},
        )
    return device


def note_sign_in(*, user: User, method: str, address: str, second_factor: bool) -> None:
    """A person signed in (after every factor they need)."""
    audit.record(
        actor=user,
        action="accounts.signed_in",
        target=user,
        after={"method": method, "address": address, "second_factor": second_factor},
    )


def note_failed_sign_in(*, user: User | None, factor: str, address: str) -> None:
    """A wrong password or code; ``user`` None when the login names no account (the record
    says so without keeping what was typed)."""
    audit.record(
        actor=None,
        action="accounts.sign_in_failed",
        target=user,
        object_type="" if user is not None else "accounts.user",
        object_id="" if user is not None else "unknown",
        message=factor,
        after={"address": address},
    )


def note_lockout(
    *, user: User | None, factor: str, scope: str = "", address: str = "", wait: int = 0
) -> None:
    """Put a sign-in back-off (too many wrong passwords or codes) in the audit trail: for the
    account, or (``user`` None) for the client address."""
    audit.record(
        actor=None,
        action="accounts.sign_in_locked",
        target=user,
        object_type="" if user is not None else "accounts.client_address",
        object_id="" if user is not None else address,
        message=factor,
        after={"scope": scope, "address": address, "wait_seconds": wait},
    )
