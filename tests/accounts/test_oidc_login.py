"""Federated sign-in and verification through a real OpenID Connect provider run locally
(npm ``oidc-provider``, see conftest): browser-like ``requests`` session against Django's
live server, through the provider's sign-in and consent pages, back to the callback."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import socket
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from django.utils import timezone

from cityhall.accounts import selectors
from cityhall.accounts.models import Role, User, VerifiedIdentity
from cityhall.accounts.verification import document_hash
from cityhall.core.models import AuditRecord
from tests.factories import MembershipFactory, UserFactory
from tests.geo.factories import BuildingFactory

pytestmark = pytest.mark.django_db(transaction=True)

FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


def _forms(page: requests.Response) -> list[tuple[str, dict]]:
    found = []
    for action, body in FORM.findall(page.text):
        fields = {name: html.unescape(value) for name, value in HIDDEN.findall(body)}
        found.append((urljoin(page.url, html.unescape(action)), fields))
    return found


def _through_provider(
    browser: requests.Session, response: requests.Response, issuer: str, account: str
) -> requests.Response:
    """Act as the person at the provider: sign in as ``account`` (any password), consent."""
    for _ in range(5):
        if not response.url.startswith(issuer):
            return response
        action, fields = next(
            (a, f) for a, f in _forms(response) if f.get("prompt") in ("login", "consent")
        )
        if fields["prompt"] == "login":
            fields.update(login=account, password="any-password")
        response = browser.post(action, data=fields, timeout=10)
    raise AssertionError(f"stuck at the provider: {response.url}")


def _federated_sign_in(browser, live_server, issuer, account="citizen-1", start_query=""):
    response = browser.get(f"{live_server.url}/accounts/oidc/start/{start_query}", timeout=10)
    assert response.url.startswith(issuer), "the start page should lead to the provider"
    return _through_provider(browser, response, issuer, account)


def _signed_in_as(browser, live_server) -> dict | None:
    response = browser.get(f"{live_server.url}/api/v1/accounts/me", timeout=10)
    return response.json() if response.status_code == 200 else None


@pytest.fixture
def registered_building():
    return BuildingFactory(street="ул. Баумана", house="5", cadastral_number="16:50:011101:101")


def test_federated_sign_in_creates_a_verified_resident(
    live_server, identity_portal, registered_building
):
    browser = requests.Session()
    response = _federated_sign_in(browser, live_server, identity_portal)
    assert response.status_code == 200
    assert response.url == f"{live_server.url}/accounts/profile/"
    assert "Your identity is verified by the state identity portal." in response.text
    assert "*******456" in response.text and "9215 123456" not in response.text

    person = User.objects.get(email="anna.ivanova@example.org")
    assert person.is_active and person.email_confirmed_at is not None
    assert person.phone == "+79171234567" and not person.has_usable_password()
    identity = VerifiedIdentity.objects.get(user=person)
    assert identity.method == VerifiedIdentity.Method.OIDC
    assert identity.subject == "citizen-1"
    assert (identity.last_name, identity.first_name, identity.middle_name) == (
        "Иванова",
        "Анна",
        "Сергеевна",
    )
    assert identity.birth_date == dt.date(1990, 5, 17)
    today = timezone.localdate()
    assert selectors.age_of(person) == today.year - 1990 - ((today.month, today.day) < (5, 17))
    assert selectors.age_of(person, on=dt.date(2026, 5, 16)) == 35
    # the document only hashed and masked, nowhere in clear
    assert identity.document_masked == "*******456"
    assert identity.document_hash == document_hash("9215123456")
    stored = json.dumps(list(VerifiedIdentity.objects.values()), default=str) + json.dumps(
        list(AuditRecord.objects.values("before", "after", "message")), default=str
    )
    assert "123456" not in stored
    # registered address and rights matched to the building
    assert selectors.territory_of(person)["building"] == registered_building
    assert selectors.rights_of(person) == [
        {
            "kind": "ownership",
            "cadastral_number": "16:50:011101:101",
            "building": registered_building,
        }
    ]
    assert AuditRecord.objects.filter(
        action="accounts.identity_verified", actor_id=person.pk
    ).exists()
    me = _signed_in_as(browser, live_server)
    assert me["username"] == person.username and me["is_verified"] is True


def test_signing_in_again_finds_the_same_account(live_server, identity_portal):
    _federated_sign_in(requests.Session(), live_server, identity_portal)
    browser = requests.Session()  # another device
    response = _federated_sign_in(browser, live_server, identity_portal)
    assert response.url == f"{live_server.url}/accounts/profile/"
    assert User.objects.count() == 1
    first, second = AuditRecord.objects.filter(action="accounts.identity_verified")
    assert first.before is None and second.before["subject"] == "citizen-1"


def test_tampered_state_is_refused(live_server, identity_portal):
    browser = requests.Session()
    response = browser.get(f"{live_server.url}/accounts/oidc/start/", timeout=10)
    # go through the provider but stop before the callback
    for _ in range(5):
        action, fields = next(
            (a, f) for a, f in _forms(response) if f.get("prompt") in ("login", "consent")
        )
        if fields["prompt"] == "login":
            fields.update(login="citizen-1", password="x")
        response = browser.post(action, data=fields, allow_redirects=False, timeout=10)
        while response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(live_server.url):
                break
            response = browser.get(location, allow_redirects=False, timeout=10)
        if response.is_redirect:
            break
    callback = urljoin(response.url, response.headers["Location"])
    parts = urlsplit(callback)
    query = dict(parse_qsl(parts.query))
    assert query["code"] and query["state"]
    query["state"] = "forged-" + query["state"][::-1]
    tampered = urlunsplit(parts._replace(query=urlencode(query)))

    refused = browser.get(tampered, timeout=10)
    assert refused.status_code == 400
    assert "not valid for your session" in refused.text
    assert _signed_in_as(browser, live_server) is None
    assert not User.objects.exists() and not VerifiedIdentity.objects.exists()


def test_signed_in_resident_links_and_verifies_their_account(live_server, identity_portal):
    person = UserFactory(username="anna", email="anna-old@example.org")
    browser = requests.Session()
    login_page = browser.get(f"{live_server.url}/accounts/login/", timeout=10)
    browser.post(
        login_page.url,
        data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "login": "anna",
            "password": "correct-horse-battery",
        },
        headers={"Referer": login_page.url},
        timeout=10,
    )
    assert _signed_in_as(browser, live_server)["username"] == "anna"
    _federated_sign_in(browser, live_server, identity_portal)
    assert User.objects.count() == 1
    assert VerifiedIdentity.objects.get().user == person


def test_provider_sharing_too_little_signs_in_without_verifying(live_server, identity_portal):
    browser = requests.Session()
    response = _federated_sign_in(browser, live_server, identity_portal, account="no-document")
    assert response.url == f"{live_server.url}/accounts/profile/"
    assert "did not share all the details needed" in response.text
    person = User.objects.get()
    assert person.email is None  # the provider did not confirm that address
    assert person.last_name == "Петров"
    assert not selectors.is_verified(person)


def test_staff_still_pass_the_second_factor_after_federated_sign_in(live_server, identity_portal):
    staff = UserFactory(
        username="dispatcher",
        staff=True,
        email="anna.ivanova@example.org",
        email_confirmed_at=timezone.now(),
    )
    MembershipFactory(user=staff, role=Role.DISPATCHER)
    browser = requests.Session()
    response = _federated_sign_in(browser, live_server, identity_portal)
    assert response.url.startswith(f"{live_server.url}/accounts/login/")  # code or set-up
    assert _signed_in_as(browser, live_server) is None
    assert VerifiedIdentity.objects.get().user == staff


def test_cancelling_at_the_provider_shows_a_clear_page(live_server, identity_portal):
    browser = requests.Session()
    response = browser.get(f"{live_server.url}/accounts/oidc/start/", timeout=10)
    abort = re.search(r'href="([^"]*/abort)"', response.text).group(1)
    refused = browser.get(urljoin(response.url, html.unescape(abort)), timeout=10)
    assert refused.url.startswith(f"{live_server.url}/accounts/oidc/callback/")
    assert refused.status_code == 400
    assert "Sign-in was cancelled" in refused.text
    assert not User.objects.exists()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_provider_down_shows_a_clear_page(client, settings):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{_closed_port()}"
    settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = "cityhall", "secret"
    response = client.get("/accounts/oidc/start/")
    assert response.status_code == 502
    assert "not answering" in response.content.decode()


def test_not_configured_provider(client, settings):
    settings.OIDC_ISSUER = ""
    response = client.get("/accounts/oidc/start/")
    assert response.status_code == 503
    assert "not set up on this site" in response.content.decode()
