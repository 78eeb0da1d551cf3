"""Simple electronic signature of an application (a one-time code to a confirmed contact).

What is signed is the application's content in one canonical form: the service, the version,
the answers and every attached file by its SHA-256 (:func:`signed_content`). Its digest is the
SHA-256 of that content as canonical JSON (keys sorted, no spaces, UTF-8) — the applicant sees
both before asking for the code. The code goes by SMS to the confirmed phone or by e-mail to the
confirmed address, is bound to that digest, and when typed in
(:func:`sign_and_submit`) an :class:`ApplicationSignature` is stored and the application is
submitted through ``services.submit_application``.

A draft changed after the code was sent (or after a signature, when a returned application is
corrected) no longer has that digest: the old code signs nothing and the old signature no longer
verifies (:func:`verify`), so the applicant signs again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts import throttle
from cityhall.accounts.models import User
from cityhall.core import audit, uploads
from cityhall.core.errors import Conflict, Forbidden, InvalidInput

from . import intake, notices, services
from .definition import text_in
from .models import Application, ApplicationSignature, SigningCode

__all__ = [
    "CODE_COOLDOWN",
    "CODE_MAX_ATTEMPTS",
    "CODE_MAX_PER_HOUR",
    "CODE_TTL",
    "CONTENT_FORMAT",
    "Contact",
    "Verification",
    "canonical_json",
    "contacts_of",
    "digest_of",
    "masked",
    "pending_code",
    "problems_before_signing",
    "request_code",
    "sign_and_submit",
    "signed_content",
    "verify",
]

CONTENT_FORMAT = "cityhall.application-signature/1"
CODE_TTL = dt.timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_COOLDOWN = dt.timedelta(seconds=60)
CODE_MAX_PER_HOUR = 5

S = Application.Status
Channel = SigningCode.Channel


# --- what is signed -------------------------------------------------------------------------


def _file_sha256(stored) -> str:
    """The SHA-256 of the file's bytes as they are in storage now."""
    return uploads.current_sha256(stored.stored)


def signed_content(application: Application) -> dict:
    """The content a signature covers, read from the stored application and files."""
    files = [
        {
            "document": f.document_code,
            "name": f.original_name,
            "size": f.size,
            "sha256": _file_sha256(f),
        }
        for f in application.files.order_by("document_code", "uploaded_at", "pk")
    ]
    return {
        "format": CONTENT_FORMAT,
        "application": application.pk,
        "applicant": application.applicant_id,
        "service": application.service.code,
        "version": application.version.number,
        "answers": application.answers,
        "files": files,
    }


def canonical_json(content: dict) -> bytes:
    """Keys sorted, no insignificant spaces, UTF-8: the same content gives the same bytes."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def digest_of(content: dict) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


@dataclass(frozen=True)
class Verification:
    matches: bool
    signed_digest: str
    current_digest: str


def verify(signature: ApplicationSignature) -> Verification:
    """Recompute the digest from the application and files as stored now."""
    current = digest_of(signed_content(signature.application))
    return Verification(
        matches=hmac.compare_digest(current, signature.digest),
        signed_digest=signature.digest,
        current_digest=current,
    )


# --- who can receive the code ---------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    channel: str
    address: str
    label: str  # masked, for the page


def masked(channel: str, address: str) -> str:
    if channel == Channel.EMAIL:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"{address[:2]} *** ***-{address[-4:-2]}-{address[-2:]}"


def contacts_of(user: User) -> list[Contact]:
    """The signer's confirmed contacts: a code goes only where the person proved they read."""
    result = []
    if user.phone and user.phone_confirmed_at:
        result.append(Contact(Channel.SMS, user.phone, masked(Channel.SMS, user.phone)))
    if user.email and user.email_confirmed_at:
        result.append(Contact(Channel.EMAIL, user.email, masked(Channel.EMAIL, user.email)))
    return result


def problems_before_signing(application: Application) -> dict[str, list[str]]:
    """What would stop the submission (the same checks: schema and required documents), run
    before a code is sent so that nobody signs an application that cannot be submitted."""
    problems = intake.problems_of_answers(application.version, application.answers)
    present = set(application.files.values_list("document_code", flat=True))
    for doc in application.version.documents or []:
        if doc.get("required") and doc.get("code") not in present:
            problems.setdefault(doc["code"], []).append(_("Attach this document."))
    return problems


def _check_signer(application: Application, actor: User) -> None:
    if application.status not in (S.DRAFT, S.RETURNED):
        raise Conflict(_("The application has been submitted and cannot be changed now."))
    if actor.pk != application.applicant_id:
        raise Forbidden(_("Only the applicant signs the application."))


def _code_hash(code_row_key: str, code: str) -> str:
    message = f"application-signature:{code_row_key}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _key(application_id: int, digest: str, address: str) -> str:
    return f"{application_id}:{digest}:{address}"


def pending_code(application: Application, actor: User) -> SigningCode | None:
    """The latest unused, unexpired code of this signer for this application."""
    return (
        SigningCode.objects.filter(
            application=application,
            signer=actor,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-sent_at", "-pk")
        .first()
    )


# --- actions -------------------------------------------------------------------------------


def request_code(
    *, application: Application, actor: User, channel: str, client_address: str | None = None
) -> SigningCode:
    """Send a 6-digit code bound to the application's current digest to the chosen confirmed
    contact. A new code replaces the previous one; at most one a minute and
    ``CODE_MAX_PER_HOUR`` an hour per application; asked for by a client
    (``client_address``), SMS codes also count against ``throttle.SMS_BY_ADDRESS``."""
    from cityhall.notifications.services import notify_address

    contact = next((c for c in contacts_of(actor) if c.channel == channel), None)
    if contact is None:
        raise InvalidInput(
            fields={"channel": [_("Choose a confirmed phone or e-mail address for the code.")]}
        )
    now = timezone.now()
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("service", "version")
            .get(pk=application.pk)
        )
        _check_signer(application, actor)
        if problems := problems_before_signing(application):
            raise InvalidInput(_("Complete the application before signing it."), fields=problems)
        recent = SigningCode.objects.filter(
            application=application, signer=actor, sent_at__gt=now - dt.timedelta(hours=1)
        ).order_by("-sent_at")
        last = recent.first()
        if last is not None and last.used_at is None and last.sent_at > now - CODE_COOLDOWN:
            wait = int((last.sent_at + CODE_COOLDOWN - now).total_seconds()) + 1
            raise InvalidInput(
                _("A code was sent a moment ago. You can ask for a new one in %(seconds)s s.")
                % {"seconds": wait},
                code="too_soon",
            )
        if recent.count() >= CODE_MAX_PER_HOUR:
            raise InvalidInput(
                _("Too many codes were sent for this application. Try again in an hour."),
                code="too_many",
            )
        if client_address is not None and contact.channel == Channel.SMS:
            # Last check before sending: a refusal counts nothing, a send commits the count.
            throttle.take_or_refuse(
                throttle.SMS_BY_ADDRESS,
                client_address,
                message=_("Too many codes asked for. Try again in %(minutes)s minutes."),
            )
        SigningCode.objects.filter(
            application=application, signer=actor, used_at__isnull=True
        ).update(expires_at=now)
        digest = digest_of(signed_content(application))
        code = f"{secrets.randbelow(10**6):06d}"
        row = SigningCode.objects.create(
            application=application,
            signer=actor,
            digest=digest,
            channel=contact.channel,
            address=contact.address,
            code_hash=_code_hash(_key(application.pk, digest, contact.address), code),
            sent_at=now,
            expires_at=now + CODE_TTL,
        )
        language = application.language or actor.preferred_language
        notify_address(
            email=contact.address if contact.channel == Channel.EMAIL else None,
            phone=contact.address if contact.channel == Channel.SMS else None,
            event=notices.SIGNING_CODE,
            context={
                "code": code,
                "minutes": int(CODE_TTL.total_seconds() // 60),
                "service": text_in(application.service.name, language) or application.service.code,
                "digest": digest[:12],
            },
            language=language,
        )
        audit.record(
            actor=actor,
            action="municipal_services.signing_code_sent",
            target=application,
            after={"channel": contact.channel, "to": contact.label, "digest": digest},
        )
    return row


def sign_and_submit(
    *,
    application: Application,
    actor: User,
    code: str,
    digest: str,
    ip: str | None = None,
) -> ApplicationSignature:
    """The applicant types the code: if it is right and the application still has the digest
    they saw (and the code was sent for), the signature is stored and the application is
    submitted through ``services.submit_application``. A wrong code counts as an attempt."""
    code = (code or "").strip().replace(" ", "")
    now = timezone.now()
    failure: str | None = None
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("service", "version")
            .get(pk=application.pk)
        )
        _check_signer(application, actor)
        row = (
            SigningCode.objects.select_for_update()
            .filter(application=application, signer=actor, used_at__isnull=True)
            .order_by("-sent_at", "-pk")
            .first()
        )
        current = digest_of(signed_content(application))
        if row is None:
            failure = _("There is no code waiting. Ask for a new code.")
        elif row.expires_at <= now:
            failure = _("This code has expired. Ask for a new code.")
        elif row.attempts >= CODE_MAX_ATTEMPTS:
            failure = _("Too many wrong attempts. Ask for a new code.")
        elif row.digest != current or digest != current:
            row.expires_at = now
            row.save(update_fields=["expires_at"])
            failure = _(
                "The application has changed since the code was sent. "
                "Review it and sign again with a new code."
            )
        elif not hmac.compare_digest(
            row.code_hash, _code_hash(_key(application.pk, row.digest, row.address), code)
        ):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = CODE_MAX_ATTEMPTS - row.attempts
            failure = (
                _("Wrong code. Attempts left: %(left)s.") % {"left": left}
                if left
                else _("Too many wrong attempts. Ask for a new code.")
            )
    if failure is not None:  # the attempt count above is committed before the error
        raise InvalidInput(failure, fields={"code": [failure]})
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("service", "version")
            .get(pk=application.pk)
        )
        row = SigningCode.objects.select_for_update().get(pk=row.pk)
        content = signed_content(application)
        if row.used_at is not None or digest_of(content) != row.digest:
            raise Conflict(_("The application has changed. Review it and sign again."))
        row.used_at = now
        row.save(update_fields=["used_at"])
        signature = ApplicationSignature.objects.create(
            application=application,
            signer=actor,
            method=ApplicationSignature.Method.SIMPLE,
            digest=row.digest,
            content=content,
            channel=row.channel,
            address=masked(row.channel, row.address),
            ip=ip or None,
            signed_at=now,
        )
        audit.record(
            actor=actor,
            action="municipal_services.application_signed",
            target=application,
            after={
                "signature": signature.pk,
                "method": signature.method,
                "digest": signature.digest,
                "channel": signature.channel,
                "ip": signature.ip or "",
            },
        )
    # The submission runs its own transactions (the intake inbox); the answers and documents
    # were checked before the code was sent, so a refusal here is rare: the signature then
    # stays on record for the content signed and the applicant signs again to submit.
    services.submit_application(application=application, actor=actor)
    return signature
