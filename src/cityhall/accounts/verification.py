"""Identity verification: pluggable verifiers that vouch for a person's attributes.

A verifier (the state identity portal over OpenID Connect, an operator checking a passport at a
service centre, …) produces :class:`VerifiedAttributes`; ``services.apply_verification`` stores
them. The list of verifiers is configuration: ``settings.CITYHALL_IDENTITY_VERIFIERS`` (dotted
paths), defaulting to :data:`DEFAULT_VERIFIERS`.

The identity-document number exists in clear only in memory, inside ``VerifiedAttributes``; it
is kept out of ``repr`` so that it never lands in a log line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import Organisation, VerifiedIdentity

__all__ = [
    "DEFAULT_VERIFIERS",
    "FederatedProfile",
    "PropertyRight",
    "ServiceCentreVerifier",
    "VerifiedAttributes",
    "Verifier",
    "document_hash",
    "mask_document",
    "normalise_document",
    "verifiers",
]

DEFAULT_VERIFIERS = [
    "cityhall.accounts.oidc.OidcVerifier",
    "cityhall.accounts.verification.ServiceCentreVerifier",
]


@dataclass(frozen=True)
class PropertyRight:
    """A right to a land plot or a building, named by its cadastral number."""

    kind: str
    cadastral_number: str


@dataclass(frozen=True)
class VerifiedAttributes:
    """What a verifier vouches for. ``subject`` is the verifier's stable id for the person."""

    last_name: str
    first_name: str
    birth_date: dt.date
    document_number: str = field(repr=False)
    middle_name: str = ""
    registered_address: str = ""
    rights: tuple[PropertyRight, ...] = ()
    subject: str = ""


@dataclass(frozen=True)
class FederatedProfile:
    """What the provider says about how to reach the person (used to find or create the
    account, not for verified attributes)."""

    subject: str
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    email: str = ""
    phone: str = ""


@runtime_checkable
class Verifier(Protocol):
    """One way to get verified. ``method`` is stored on the identity (``VerifiedIdentity``)."""

    method: str
    title: str
    description: str

    def is_available(self) -> bool:
        """Whether residents can use it now (configured, reachable in principle)."""

    def start_url(self) -> str:
        """Where a resident starts verification online; empty for in-person verifiers."""


class ServiceCentreVerifier:
    """An operator of a service centre checks the identity document in person and types the
    attributes read from it (``/accounts/verify/``)."""

    method = VerifiedIdentity.Method.SERVICE_CENTRE
    title = _("At a service centre")
    description = _(
        "Bring your passport to a service centre; an operator checks it and confirms your details."
    )

    def is_available(self) -> bool:
        return True

    def start_url(self) -> str:
        return ""

    def places(self) -> list[Organisation]:
        return list(
            Organisation.objects.filter(
                type=Organisation.Type.SERVICE_CENTRE, is_active=True
            ).order_by("name")
        )


@cache
def _load(path: str) -> Verifier:
    return import_string(path)()


def verifiers() -> list[Verifier]:
    """The configured verifiers, in order."""
    paths = getattr(settings, "CITYHALL_IDENTITY_VERIFIERS", DEFAULT_VERIFIERS)
    return [_load(path) for path in paths]


# --- The identity-document number is stored only as a keyed hash and a masked form -----------

_NOT_ALNUM = re.compile(r"[^0-9A-Za-zА-Яа-яЁё]+")


def normalise_document(number: str) -> str:
    """``92 15 123-456`` → ``9215123456``: the same document gives the same hash."""
    return _NOT_ALNUM.sub("", number or "").upper()


def document_hash(number: str) -> str:
    """HMAC-SHA256 keyed with the site's secret: finds duplicates, reveals nothing."""
    return hmac.new(
        settings.SECRET_KEY.encode(),
        b"identity-document:" + normalise_document(number).encode(),
        hashlib.sha256,
    ).hexdigest()


def mask_document(number: str) -> str:
    """Only the last three characters stay visible: ``9215123456`` → ``*******456``."""
    clean = normalise_document(number)
    visible = clean[-3:]
    return "*" * max(len(clean) - 3, 3) + visible
