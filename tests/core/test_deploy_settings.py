"""The production settings: deploy/production.env passes `cityhall check --deploy` without a
warning, the HTTPS knobs come from the environment, and the development secret key is refused
when debug is off (by `cityhall serve` and by the check, cityhall.E001)."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.test import override_settings

from .processes import child_env

PRODUCTION_ENV = Path(__file__).resolve().parents[2] / "deploy" / "production.env"


def _production_env(tmp_path) -> dict[str, str]:
    """This environment plus deploy/production.env as an operator fills it: a generated key,
    and this test's folder for the data (the file names /var/lib/cityhall)."""
    env = child_env(tmp_path)
    for line in PRODUCTION_ENV.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value
    env["CITYHALL_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["CITYHALL_AUDIT_KEY"] = secrets.token_urlsafe(50)
    env["CITYHALL_DATA_DIR"] = str(tmp_path)
    env["CITYHALL_MEDIA_ROOT"] = str(tmp_path / "media")
    return env


def _cityhall(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cityhall", *args],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_every_variable_of_the_production_env_file_has_a_comment_and_the_key_is_left_empty():
    lines = PRODUCTION_ENV.read_text().splitlines()
    for number, line in enumerate(lines):
        if line.strip() and not line.startswith("#"):
            name, sep, value = line.partition("=")
            assert sep and name == name.strip().upper(), line
            above = number - 1
            while above >= 0 and lines[above] and not lines[above].startswith("#"):
                above -= 1  # variables grouped under one comment
            assert above >= 0 and lines[above].startswith("#"), f"{name} has no comment"
            if name in ("CITYHALL_SECRET_KEY", "CITYHALL_AUDIT_KEY"):
                assert value == "", "the operator fills in the secrets"


def test_check_deploy_with_the_production_env_file_reports_no_issues(tmp_path):
    result = _cityhall(
        "check", "--deploy", "--fail-level", "WARNING", env=_production_env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_the_https_settings_are_read_from_the_environment(tmp_path):
    result = _cityhall("diffsettings", env=_production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    shown = set(result.stdout.splitlines())
    assert {
        "SECURE_SSL_REDIRECT = True",
        "SECURE_HSTS_SECONDS = 31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS = True",
        "SECURE_HSTS_PRELOAD = True",
        "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')",
        "SESSION_COOKIE_SECURE = True",
        "CSRF_COOKIE_SECURE = True",
    } <= shown


@pytest.mark.django_db
@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=3600,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_plain_http_is_redirected_and_https_through_the_proxy_gets_hsts(client):
    plain = client.get("/discussions/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/discussions/"
    assert client.get("/healthz").status_code in (200, 503)  # the probe is not redirected
    through_proxy = client.get("/discussions/", headers={"X-Forwarded-Proto": "https"})
    assert through_proxy.status_code == 200
    assert through_proxy["Strict-Transport-Security"] == "max-age=3600"


def test_serve_refuses_the_development_secret_key_when_debug_is_off(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = child_env(tmp_path)
    env.pop("CITYHALL_SECRET_KEY", None)
    env["CITYHALL_DEBUG"] = "0"
    result = _cityhall("serve", "--port", str(port), "--no-worker", env=env)
    assert result.returncode != 0
    assert "refusing to serve with the development secret key" in result.stderr
    with socket.socket() as nobody:  # nothing was started
        assert nobody.connect_ex(("127.0.0.1", port)) != 0


def test_check_deploy_reports_the_development_secret_key_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    found = checks.run_checks(include_deployment_checks=True)
    assert "cityhall.E001" in {message.id for message in found}
    settings.DEBUG = True  # a developer's machine
    assert "cityhall.E001" not in {m.id for m in checks.run_checks(include_deployment_checks=True)}
    settings.DEBUG = False
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    assert "cityhall.E001" not in {m.id for m in checks.run_checks(include_deployment_checks=True)}


def test_check_deploy_reports_the_development_audit_key_when_debug_is_off(settings):
    """ADR 0010: with the public development key anyone could recompute a record's HMAC."""
    settings.DEBUG = False
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    settings.AUDIT_KEY, settings.AUDIT_KEY_FILE = "", ""
    found = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert "cityhall.E002" in found
    settings.AUDIT_KEY = secrets.token_urlsafe(50)
    found = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert "cityhall.E002" not in found
