"""A real OpenID Connect provider (npm ``oidc-provider``, tests/oidc_provider/) run locally for
the federated sign-in tests.

``npm ci`` runs only when tests/oidc_provider/node_modules is missing (it is git-ignored and
kept between runs). The provider is started once per test session, after Django's live server,
because its one client must know the live server's callback URL.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

# The browser suite's fixtures (one Chromium per session), for the accounts pages' axe checks.
from tests.browser.conftest import (  # noqa: F401
    _desktop_tab,
    _no_script_tab,
    _phone_tab,
    browser,
    no_script_page,
    page,
    phone_page,
)

PROVIDER_DIR = Path(__file__).resolve().parent.parent / "oidc_provider"
CLIENT_ID = "cityhall-tests"
CLIENT_SECRET = "a-long-client-secret-for-tests-only"

#: The people the test identity portal knows: account id → claims.
OIDC_ACCOUNTS = {
    "citizen-1": {
        "family_name": "Иванова",
        "given_name": "Анна",
        "middle_name": "Сергеевна",
        "name": "Анна Сергеевна Иванова",
        "birthdate": "1990-05-17",
        "email": "anna.ivanova@example.org",
        "email_verified": True,
        "phone_number": "+79171234567",
        "phone_number_verified": True,
        "address": {"formatted": "Республика Татарстан, г. Казань, ул. Баумана, д. 5"},
        "document_number": "9215 123456",
        "property_rights": [{"kind": "ownership", "cadastral_number": "16:50:011101:101"}],
    },
    "no-document": {
        "family_name": "Петров",
        "given_name": "Олег",
        "birthdate": "1985-01-02",
        "email": "oleg@example.org",
        "email_verified": False,
    },
}


def _ensure_node_modules() -> None:
    """``npm ci`` once: `make test` runs two pytest processes side by side, and both may get
    here first on a fresh checkout, so the install is taken under a file lock."""
    marker = PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json"
    if marker.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to install the test OpenID provider (tests/oidc_provider)")
    with open(PROVIDER_DIR / ".npm-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():  # the other process installed it while this one waited
            return
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PROVIDER_DIR,
            check=True,
            timeout=600,
        )


def _read_issuer(process: subprocess.Popen, errors, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            line = process.stdout.readline()
            if line.startswith("listening "):
                return line.split()[1]
    process.kill()
    errors.seek(0)
    raise RuntimeError("the test OpenID provider did not start: " + errors.read().decode())


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    """Starts the provider and waits for its discovery document; yields its issuer URL."""
    _ensure_node_modules()
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the test OpenID provider")
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": f"{live_server.url}/accounts/oidc/callback/",
        "OIDC_ACCOUNTS": json.dumps(OIDC_ACCOUNTS),
    }
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [node, "server.js"],
        cwd=PROVIDER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    try:
        issuer = _read_issuer(process, errors, timeout=30)
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the test OpenID provider does not answer discovery")
            time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
        process.stdout.close()
        errors.close()


@pytest.fixture
def identity_portal(settings, oidc_provider):
    """Points the site at the running provider for one test."""
    settings.OIDC_ISSUER = oidc_provider
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    return oidc_provider
