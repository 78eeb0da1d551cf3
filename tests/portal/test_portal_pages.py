"""The portal shell: home, cabinet sections, staff workspace and language switch."""

from __future__ import annotations

import pytest

from cityhall.core import shell
from cityhall.core.shell import (
    CabinetItem,
    CabinetSection,
    WorkspaceEntry,
    register_entry,
    register_section,
    sections,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_is_public_and_in_the_chosen_language(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="en">' in response.content
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    ru = client.get("/")
    assert b'<html lang="ru">' in ru.content
    assert b'href="#main"' in ru.content  # skip link


def test_cabinet_requires_sign_in(client):
    response = client.get("/cabinet/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_cabinet_shows_every_registered_section(client):
    seen_users = []

    def items(user):
        seen_users.append(user.pk)
        return [CabinetItem(title="Leak in flat 12", status="In work", url="/x/")]

    register_section(CabinetSection(key="zz-test", title="Test things", items=items, order=999))
    try:
        user = UserFactory()
        client.force_login(user)
        response = client.get("/cabinet/")
        assert response.status_code == 200
        assert "Test things" in response.text
        assert "Leak in flat 12" in response.text and "In work" in response.text
        assert seen_users == [user.pk]
    finally:
        shell._SECTIONS.pop("zz-test", None)
    assert all(s.key != "zz-test" for s in sections())


def test_workspace_is_refused_to_residents(client):
    client.force_login(UserFactory())
    response = client.get("/staff/")
    assert response.status_code == 403


def test_workspace_lists_only_the_desks_of_ones_roles(client, settings):
    settings.STAFF_REQUIRE_OTP = False
    register_entry(
        WorkspaceEntry(
            key="zz-disp", title="Dispatcher board", url_name="portal:home", roles=["dispatcher"]
        )
    )
    register_entry(
        WorkspaceEntry(
            key="zz-mod", title="Moderation queue", url_name="portal:home", roles=["moderator"]
        )
    )
    try:
        member = MembershipFactory(role="dispatcher")
        client.force_login(member.user)
        response = client.get("/staff/")
        assert response.status_code == 200
        assert "Dispatcher board" in response.text
        assert "Moderation queue" not in response.text
    finally:
        shell._ENTRIES.pop("zz-disp", None)
        shell._ENTRIES.pop("zz-mod", None)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
