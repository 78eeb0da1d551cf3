"""Staff enrol an authenticator only with a one-time code an administrator issued.

Without this, whoever learns a staff member's password before they set up their authenticator
could enrol their own and hold the account for good. An administrator (on the people page or
in the admin; operators with ``cityhall totp_setup``) issues a code, shown once; the staff
member types it before the QR code appears. The code is single use, expires after
``ENROLMENT_CODE_TTL``, a new one replaces the old, and issuing and using are audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import Forbidden

from ..models import Role, SecondFactorEnrolmentCode, User
from ..selectors import has_role

__all__ = [
    "ENROLMENT_CODE_TTL",
    "issue_enrolment_code",
    "redeem_enrolment_code",
]

ENROLMENT_CODE_TTL = dt.timedelta(hours=24)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper


def _hash(user_id: int, code: str) -> str:
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    message = f"second-factor-enrolment:{user_id}:{normalised}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def issue_enrolment_code(*, actor: User, user: User) -> str:
    """A fresh enrolment code for ``user`` (returned once, in groups of four); earlier unused
    codes stop working. Only administrators (and superusers) may issue one."""
    if not (actor.is_superuser or has_role(actor, Role.ADMINISTRATOR)):
        raise Forbidden(_("Only administrators can issue authenticator enrolment codes."))
    raw = "".join(secrets.choice(_ALPHABET) for _i in range(12))
    now = timezone.now()
    with transaction.atomic():
        SecondFactorEnrolmentCode.objects.filter(user=user, used_at__isnull=True).update(
            expires_at=now
        )
        row = SecondFactorEnrolmentCode.objects.create(
            user=user,
            code_hash=_hash(user.pk, raw),
            issued_by=actor,
            issued_at=now,
            expires_at=now + ENROLMENT_CODE_TTL,
        )
        audit.record(
            actor=actor,
            action="accounts.second_factor_enrolment_code_issued",
            target=user,
            after={"code": row.pk, "expires_at": row.expires_at.isoformat()},
        )
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def redeem_enrolment_code(*, user: User, code: str) -> bool:
    """Use ``user``'s latest enrolment code: True (and the code is spent) if ``code`` is it
    and it has not expired; else False."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            SecondFactorEnrolmentCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=now)
            .order_by("-issued_at", "-pk")
            .first()
        )
        if row is None or not hmac.compare_digest(row.code_hash, _hash(user.pk, code or "")):
            return False
        row.used_at = now
        row.save(update_fields=["used_at"])
        audit.record(
            actor=user,
            action="accounts.second_factor_enrolment_code_used",
            target=user,
            after={"code": row.pk},
        )
    return True
