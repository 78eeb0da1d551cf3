"""Protecting sign-in: the TOTP second factor staff enrol or support provisions, and the
lockout record after too many wrong passwords or codes.
"""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityhall.core import audit

from ..models import User

__all__ = [
    "TOTP_DEVICE_NAME",
    "confirm_totp_enrolment",
    "note_lockout",
    "provision_totp_device",
    "start_totp_enrolment",
]

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


def note_lockout(*, user: User, factor: str) -> None:
    """Put a sign-in lockout (too many wrong passwords or codes) in the audit trail."""
    audit.record(actor=None, action="accounts.sign_in_locked", target=user, message=factor)
