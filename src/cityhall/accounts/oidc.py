"""Federated sign-in and verification through an OpenID Connect identity provider (the state
identity portal).

The relying-party side is Authlib's Django client with discovery from ``settings.OIDC_ISSUER``:
authorisation-code flow with PKCE, ``state`` and ``nonce`` kept in the session, the ID token's
signature checked against the provider's JWKS and its issuer, audience, nonce and expiry
validated; the remaining claims come from the userinfo endpoint (same ``sub``).

Claims used: ``family_name``, ``given_name``, ``middle_name``, ``birthdate``, ``address``
(``formatted``), ``email``/``phone_number`` with their ``*_verified`` flags, and two custom
claims — the identity-document number (:data:`DOCUMENT_CLAIM`) and rights to land and
buildings (:data:`RIGHTS_CLAIM`, a list of ``{"kind", "cadastral_number"}``).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from joserfc.errors import JoseError

from .models import VerifiedIdentity
from .phones import normalise_phone
from .verification import FederatedProfile, PropertyRight, VerifiedAttributes

__all__ = [
    "DOCUMENT_CLAIM",
    "RIGHTS_CLAIM",
    "FederatedProfile",
    "MissingClaims",
    "OidcVerifier",
    "ProviderRefused",
    "ProviderUnavailable",
    "attributes_from_claims",
    "fetch_claims",
    "profile_from_claims",
    "start_authorisation",
]

DOCUMENT_CLAIM = "document_number"
RIGHTS_CLAIM = "property_rights"
DEFAULT_SCOPES = "openid profile email phone address identity_document property_rights"
CLIENT_NAME = "identity_portal"
METADATA_MAX_AGE = 3600  # seconds; key rotation is handled by Authlib on an unknown key id
TIMEOUT = 10  # seconds for every call to the provider


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered with an error page."""


class ProviderRefused(Exception):
    """The provider (or the person) refused, or its answer did not pass validation."""


class MissingClaims(Exception):
    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(", ".join(names))


class OidcVerifier:
    method = VerifiedIdentity.Method.OIDC
    title = gettext_lazy("State identity portal")
    description = gettext_lazy(
        "Sign in with your account on the state identity portal: your name, birth date, "
        "registered address and property rights are confirmed at once."
    )

    def is_available(self) -> bool:
        return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID)

    def start_url(self) -> str:
        return reverse("accounts:oidc_start")


_CLIENTS: dict[tuple[str, str, str], tuple[float, Any]] = {}


def _client():
    issuer = settings.OIDC_ISSUER.rstrip("/")
    key = (issuer, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET)
    cached = _CLIENTS.get(key)
    if cached is not None and time.monotonic() - cached[0] < METADATA_MAX_AGE:
        return cached[1]
    client = OAuth().register(
        name=CLIENT_NAME,
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": getattr(settings, "OIDC_SCOPES", DEFAULT_SCOPES),
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
        },
    )
    _CLIENTS[key] = (time.monotonic(), client)
    return client


def start_authorisation(request: HttpRequest, redirect_uri: str) -> HttpResponse:
    """Redirect to the provider's sign-in page; state, nonce and PKCE verifier go to the
    session."""
    try:
        return _client().authorize_redirect(request, redirect_uri)
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(str(exc)) from exc


def fetch_claims(request: HttpRequest) -> dict[str, Any]:
    """Finish the flow on the callback: check state, exchange the code, validate the ID token
    and merge the userinfo claims. Raises ProviderRefused / ProviderUnavailable."""
    client = _client()
    try:
        metadata = client.load_server_metadata()
        issuer_param = request.GET.get("iss")
        if issuer_param and issuer_param != metadata.get("issuer"):
            raise ProviderRefused(_("The answer came from a different identity provider."))
        token = client.authorize_access_token(request)
        id_claims = token.get("userinfo")
        if not id_claims:
            raise ProviderRefused(_("The identity provider did not return an identity token."))
        claims = dict(id_claims)
        userinfo = dict(client.userinfo(token=token))
    except MismatchingStateError as exc:
        raise ProviderRefused(
            _("This sign-in link is not valid for your session. Please start again.")
        ) from exc
    except OAuthError as exc:
        if exc.error == "access_denied":
            raise ProviderRefused(_("Sign-in was cancelled at the identity provider.")) from exc
        raise ProviderRefused(
            _("The identity provider refused the sign-in: %(reason)s")
            % {"reason": exc.description or exc.error}
        ) from exc
    except (AuthlibBaseError, JoseError, KeyError, ValueError) as exc:
        raise ProviderRefused(_("The identity provider's answer could not be validated.")) from exc
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        if 400 <= status < 500:
            raise ProviderRefused(_("The identity provider refused the sign-in.")) from exc
        raise ProviderUnavailable(str(exc)) from exc
    except requests.RequestException as exc:
        raise ProviderUnavailable(str(exc)) from exc
    if userinfo.get("sub") != claims.get("sub"):
        raise ProviderRefused(_("The identity provider's answer could not be validated."))
    for name, value in userinfo.items():
        claims.setdefault(name, value)
    return claims


def profile_from_claims(claims: dict[str, Any]) -> FederatedProfile:
    email = str(claims.get("email") or "").strip().lower()
    phone = normalise_phone(str(claims.get("phone_number") or "")) or ""
    return FederatedProfile(
        subject=str(claims["sub"]),
        last_name=str(claims.get("family_name") or ""),
        first_name=str(claims.get("given_name") or ""),
        middle_name=str(claims.get("middle_name") or ""),
        email=email if email and claims.get("email_verified") is True else "",
        phone=phone if phone and claims.get("phone_number_verified") is True else "",
    )


def _birth_date(value: Any) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return None  # "0000-05-17": the year is withheld
    return day if day.year > 1 else None


def attributes_from_claims(claims: dict[str, Any]) -> VerifiedAttributes:
    """Map the provider's claims to verified attributes; MissingClaims if any required one
    (names, full birth date, document number) is absent."""
    birth_date = _birth_date(claims.get("birthdate"))
    document = str(claims.get(DOCUMENT_CLAIM) or "").strip()
    required = {
        "family_name": claims.get("family_name"),
        "given_name": claims.get("given_name"),
        "birthdate": birth_date,
        DOCUMENT_CLAIM: document,
    }
    missing = [name for name, value in required.items() if not value]
    if missing:
        raise MissingClaims(missing)
    address = claims.get("address")
    if isinstance(address, dict):
        address = address.get("formatted") or ""
    rights = tuple(
        PropertyRight(
            kind=str(item.get("kind") or ""),
            cadastral_number=str(item.get("cadastral_number") or ""),
        )
        for item in (claims.get(RIGHTS_CLAIM) or [])
        if isinstance(item, dict) and item.get("cadastral_number")
    )
    return VerifiedAttributes(
        last_name=str(claims["family_name"]),
        first_name=str(claims["given_name"]),
        middle_name=str(claims.get("middle_name") or ""),
        birth_date=birth_date,
        document_number=document,
        registered_address=str(address or ""),
        rights=rights,
        subject=str(claims["sub"]),
    )
