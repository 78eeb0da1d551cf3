"""Staff desks need the role and, for a browser session, the second factor."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_organiser_without_second_factor_is_sent_to_it(client, organiser, discussion, settings):
    settings.STAFF_REQUIRE_OTP = True
    client.force_login(organiser)
    response = client.get(f"/discussions/manage/{discussion.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/code/")


def test_resident_cannot_open_the_desks(client, resident, discussion):
    client.force_login(resident)
    assert client.get("/discussions/manage/").status_code == 403
    assert client.get("/discussions/moderation/").status_code == 403
    assert client.get(f"/discussions/manage/{discussion.pk}/register/").status_code == 403


def test_organiser_of_another_body_cannot_manage(client, discussion):
    from cityhall.accounts.models import Role
    from tests.factories import OrganisationFactory

    from .factories import staff_with_role

    stranger = staff_with_role(Role.ORGANISER, OrganisationFactory(), username="other-org")
    client.force_login(stranger)
    assert client.get(f"/discussions/manage/{discussion.pk}/").status_code == 403


def test_concurrent_edit_on_the_page_shows_the_conflict(client, organiser, council):
    from cityhall.discussions import services
    from cityhall.discussions.models import Status

    from .factories import DiscussionFactory

    draft = DiscussionFactory(organiser=council, status=Status.DRAFT)
    services.update_discussion(
        actor=organiser, discussion_id=draft.pk, expected_version=1, changes={"title": "Их"}
    )
    client.force_login(organiser)
    form = client.get(f"/discussions/manage/{draft.pk}/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        title="Мои правки",
        version=1,  # the version this editor opened, before the other save
        document_type=draft.document_type_id,
        organiser=council.pk,
        notice_date=draft.notice_date.isoformat(),
        exposition_start=draft.exposition_start.strftime("%Y-%m-%dT%H:%M"),
        exposition_end=draft.exposition_end.isoformat(),
        proposal_deadline=draft.proposal_deadline.strftime("%Y-%m-%dT%H:%M"),
        conclusion_due=draft.conclusion_due.isoformat(),
    )
    data.pop("districts", None)
    data.pop("territory", None)
    data.pop("responsible_official", None)
    response = client.post(f"/discussions/manage/{draft.pk}/", data)
    assert response.status_code == 422
    assert "Someone else saved this discussion" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "Их"
