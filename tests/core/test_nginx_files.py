"""Behind the documented nginx (deploy/nginx/cityhall.conf, a real Debian nginx): a private
file reaches the viewer its purpose allows through X-Accel-Redirect and nobody else, nothing
under the media folder is reachable directly, and a stored HTML file is never a page of the
site's origin."""

from __future__ import annotations

import pytest
import requests
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cityhall.core.file_purposes import Purpose, register_purpose
from cityhall.core.models import StoredFile
from tests.factories import UserFactory
from tests.nginx_server import app_server, nginx_site  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _owner_or_staff(user, stored_file) -> bool:
    if stored_file.visibility == StoredFile.Visibility.PUBLIC:
        return True
    return bool(user.is_authenticated and (user.pk == stored_file.owner_id or user.is_staff))


register_purpose(
    Purpose(
        code="tests.nginx",
        kinds=("pdf", "image"),
        max_bytes=100_000,
        folder="tests",
        can_view=_owner_or_staff,
    )
)


@pytest.fixture
def behind_nginx(settings, nginx_site):  # noqa: F811
    settings.MEDIA_ROOT = str(nginx_site.media)
    settings.FILES_ACCEL_PREFIX = "/_protected/"
    return nginx_site


def _stored(owner, data: bytes, *, name: str, content_type: str, label: str) -> StoredFile:
    """A record as the file service keeps it (or as an older release left it: ``.html``)."""
    saved = default_storage.save(name, ContentFile(data))
    return StoredFile.objects.create(
        purpose="tests.nginx",
        owner=owner,
        visibility=StoredFile.Visibility.CASE,
        file=saved,
        label=label,
        content_type=content_type,
        size=len(data),
    )


def _session(client, user) -> requests.Session:
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(
        django_settings.SESSION_COOKIE_NAME,
        client.cookies[django_settings.SESSION_COOKIE_NAME].value,
    )
    return session


def test_private_file_is_sent_by_nginx_to_its_owner_only(behind_nginx, client):
    owner = UserFactory()
    stored = _stored(
        owner,
        PDF,
        name="identity/2026/12/a1b2.pdf",
        content_type="application/pdf",
        label="паспорт.pdf",
    )
    url = behind_nginx.url + stored.url

    answer = _session(client, owner).get(url, timeout=5, allow_redirects=False)
    assert answer.status_code == 200
    assert answer.content == PDF
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("inline; filename=")
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "X-Accel-Redirect" not in answer.headers

    stranger = _session(client, UserFactory()).get(url, timeout=5, allow_redirects=False)
    assert stranger.status_code == 404 and PDF not in stranger.content
    anonymous = requests.get(url, timeout=5, allow_redirects=False)
    assert anonymous.status_code == 302 and PDF not in anonymous.content


def test_nothing_under_the_media_folder_is_reachable_directly(behind_nginx, client):
    stored = _stored(
        UserFactory(),
        PDF,
        name="identity/2026/12/c3d4.pdf",
        content_type="application/pdf",
        label="a.pdf",
    )
    name = stored.file.name
    for path in (
        f"/media/{name}",
        f"/_protected/{name}",
        f"/_protected//{name}",
        f"/static/../media/{name}",
        f"/static/..%2fmedia/{name}",
        f"/static/../_protected/{name}",
        f"/_PROTECTED/{name}",
        f"/{name}",
    ):
        answer = requests.get(behind_nginx.url + path, timeout=5, allow_redirects=False)
        assert answer.status_code in {400, 404}, path
        assert PDF not in answer.content, path
    # A client-sent X-Accel-Redirect is a request header nginx never acts on.
    answer = requests.get(
        behind_nginx.url + "/healthz",
        headers={"X-Accel-Redirect": f"/_protected/{name}"},
        timeout=5,
    )
    assert PDF not in answer.content


def test_stored_html_is_never_rendered_as_html_on_the_site(behind_nginx, client):
    owner = UserFactory()
    page = b"<html><script>document.title='owned'</script></html>"
    stored = _stored(
        owner, page, name="requests/2026/12/e5f6.html", content_type="text/html", label="x.html"
    )
    answer = _session(client, owner).get(behind_nginx.url + stored.url, timeout=5)
    assert answer.status_code == 200
    # Its real type, but as a download, and should a browser show it anyway: sandboxed, as a
    # unique origin with no script, never as a page of the site.
    assert answer.headers["Content-Disposition"] == 'attachment; filename="x.html"'
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.content == page
