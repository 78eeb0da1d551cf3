"""Issue 20.9: the demo configures the local OpenID Connect provider, so «Sign in with the
state identity portal» can be tried: ``scripts/demo-identity-portal`` starts
tests/oidc_provider with the demo's portal people and hands the command the issuer, client id
and secret (``make demo`` runs ``cityhall serve`` through it)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from cityhall.accounts import demo
from cityhall.accounts.models import RegisterImport
from tests.geo.factories import BuildingFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, os, requests
issuer = os.environ["CITYHALL_OIDC_ISSUER"]
found = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
print(json.dumps({"issuer": issuer, "found": found["issuer"],
                  "client": os.environ["CITYHALL_OIDC_CLIENT_ID"],
                  "secret": bool(os.environ["CITYHALL_OIDC_CLIENT_SECRET"]),
                  "claims": found.get("claims_supported", [])}))
"""


def test_the_demo_serves_with_the_local_identity_portal(tmp_path):
    if shutil.which("node") is None:
        pytest.fail("node is needed for the demo's identity portal (tests/oidc_provider)")
    for number in range(6):
        BuildingFactory(cadastral_number=f"16:50:010101:{number + 1}")
    demo.load(io.StringIO())
    out = io.StringIO()
    call_command("identity_portal_accounts", stdout=out)
    accounts = json.loads(out.getvalue())
    assert accounts[demo.PORTAL_CITIZEN]["address"]["formatted"].endswith("кв. 12")
    # The demo's register lists the portal person whose portal shares only the name.
    register = RegisterImport.objects.get(file_name="demo-register.csv")
    assert register.state == "applied" and register.waiting == 2

    fake_cityhall = tmp_path / "cityhall"
    fake_cityhall.write_text(f"#!/bin/sh\ncat {tmp_path / 'accounts.json'}\n")
    (tmp_path / "accounts.json").write_text(out.getvalue())
    fake_cityhall.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith("CITYHALL_OIDC")}
    env.update({"CITYHALL_BIN": str(fake_cityhall), "OIDC_PORT": "0"})
    result = subprocess.run(
        [str(ROOT / "scripts" / "demo-identity-portal"), sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["issuer"].startswith("http://127.0.0.1:")
    assert probe["found"] == probe["issuer"]
    assert probe["client"] == "cityhall-demo" and probe["secret"]
    assert "document_number" in probe["claims"]
