"""Every page carries a Content-Security-Policy that runs and styles only the site's own files
(no inline scripts or style attributes, nothing from other hosts, no framing), and the API docs
carry it and X-Frame-Options too, also through the API lane that skips the site's middleware.
The browser suite checks that no page breaks the policy (tests/browser/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import RequestFactory

from cityhall.core.handlers import Application
from tests.service_requests.test_wsgi_lanes import _call

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "cityhall"


def _directives(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in header.split("; ") if d.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/discussions/", "/requests/", "/services/", "/geo/"])
def test_every_page_allows_only_the_sites_own_scripts_and_styles(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_no_template_has_an_inline_script_or_style():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
    for template in TEMPLATES.rglob("templates/**/*.html"):
        text = template.read_text()
        assert "style=" not in text, template
        assert "<style" not in text, template
        assert not inline_script.search(text), template
        assert not re.search(r"\son[a-z]+=", text), template  # event handler attributes


@pytest.mark.django_db
def test_the_api_docs_cannot_be_framed_and_run_under_the_policy_on_both_lanes(client):
    lean = _call(Application(), RequestFactory().get("/api/v1/docs"))
    full = client.get("/api/v1/docs")
    for status, headers in ((lean[0], lean[1]), (full.status_code, full.headers)):
        assert status == 200
        assert headers["X-Frame-Options"] == "DENY"
        policy = _directives(headers["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "data:" in policy["img-src"]  # Swagger UI's icons, in its stylesheet
