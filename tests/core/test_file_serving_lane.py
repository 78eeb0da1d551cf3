"""``/files/<id>/`` without a cookie (a public photo on a list, a map or another site) takes the
lean middleware lane of the served application (core.handlers) with the same answers: the
public file handed over, a private one sent to sign in first, a missing one a "file missing"
page; a signed-in person (a session cookie) takes the full lane and reads their own file."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory

from cityhall.core import uploads
from cityhall.core.file_views import find_stored
from cityhall.core.handlers import Application
from tests.core import hostile_files as hostile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PURPOSE = "service_requests.photo"


def _call(environ):
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(headers)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(Application()(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body


def _photo(**kwargs):
    return uploads.accept(hostile.jpeg_with_gps(55.78, 49.05), purpose=PURPOSE, **kwargs)


def test_a_public_file_without_a_cookie_takes_the_lean_lane(settings):
    settings.FILES_ACCEL_PREFIX = "/_protected/"
    public = _photo(visibility="public")
    status, headers, _body = _call(RequestFactory().get(public.url).environ)
    assert status == 200
    assert headers["X-Accel-Redirect"] == "/_protected/" + public.file.name
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "X-Frame-Options" not in headers  # the full stack's clickjacking header is skipped


def test_private_and_missing_files_answer_as_on_the_full_lane(settings):
    owner = UserFactory()
    private = _photo(owner=owner)
    status, headers, _body = _call(RequestFactory().get(private.url).environ)
    assert status == 302 and headers["Location"].startswith("/accounts/")

    gone = _photo(visibility="public")
    default_storage.delete(gone.file.name)
    status, _headers, body = _call(RequestFactory().get(gone.url).environ)
    assert status == 404 and "could not be found in the file store" in body.decode()

    browser = Client()
    browser.force_login(owner)
    cookie = "; ".join(f"{k}={v.value}" for k, v in browser.cookies.items())
    status, headers, _body = _call(RequestFactory().get(private.url, HTTP_COOKIE=cookie).environ)
    assert status == 200 and headers["Cache-Control"] == "private, no-store"
    assert "X-Frame-Options" in headers  # the full lane


def test_the_one_statement_lookup_reads_the_record_as_the_orm_does():
    stored = _photo(owner=UserFactory(), visibility="public")
    found = find_stored(stored.pk)
    expected = type(stored).objects.get(pk=stored.pk)
    assert [getattr(found, f.attname) for f in type(stored)._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in type(stored)._meta.concrete_fields
    ]
    assert found.file.name == stored.file.name and not found._state.adding
    assert find_stored(type(stored.pk)(int=0)) is None
