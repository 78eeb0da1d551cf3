"""A hidden proposal's page links its attachment to those the file service would serve it to —
its author and the discussion's moderators, organisers and administrators — and to nobody
else (issue 13: "every place that holds a file links it for those allowed"). Each viewer's
link, when there is one, opens the file; when there is none, the file is refused too."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cityhall.accounts.models import Role
from cityhall.discussions import services
from tests.core.hostile_files import minimal_pdf
from tests.factories import OrganisationFactory

from .factories import staff_with_role

pytestmark = pytest.mark.django_db

FILE_NAME = "схема-перехода.pdf"


def test_a_hidden_proposals_page_links_its_attachment_for_those_who_may_read_it(
    client, discussion, council, resident, outsider, moderator, organiser, expert
):
    proposal = services.submit_proposal(
        discussion=discussion,
        author=resident,
        text="Схема пешеходного перехода",
        attachments=[SimpleUploadedFile(FILE_NAME, minimal_pdf(), "application/pdf")],
    )
    services.moderate(moderator=moderator, proposal=proposal, hide=True, reason="personal_data")
    url = f"/files/{proposal.attachments.get().stored_id}/"
    page_url = f"/discussions/{discussion.pk}/proposals/{proposal.number}/"
    administrator = staff_with_role(Role.ADMINISTRATOR, council, username="admin1")
    elsewhere = staff_with_role(Role.MODERATOR, OrganisationFactory(), username="moderator2")
    matrix = {
        "anonymous": (None, False),
        "another resident": (outsider, False),
        "an expert of the organiser": (expert, False),
        "a moderator of another organisation": (elsewhere, False),
        "the author": (resident, True),
        "the discussion's moderator": (moderator, True),
        "the discussion's organiser": (organiser, True),
        "the organiser's administrator": (administrator, True),
    }
    for who, (user, linked) in matrix.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        page = client.get(page_url).content.decode()
        assert (url in page) is linked, who
        assert (FILE_NAME in page) is linked, who
        assert "Hidden by a moderator" in page, who
        served = client.get(url)
        assert (served.status_code == 200) is linked, who
        if linked:
            assert b"".join(served.streaming_content).startswith(b"%PDF"), who

    # Restored, it is linked for everyone again in the proposal itself, and only once.
    services.moderate(moderator=moderator, proposal=proposal, hide=False)
    client.logout()
    assert client.get(page_url).content.decode().count(url) == 1


def test_a_hidden_proposals_text_stays_readable_to_its_author_and_the_moderators(
    client, discussion, resident, outsider, moderator
):
    proposal = services.submit_proposal(
        discussion=discussion, author=resident, text="Мой телефон 8-900-000-00-00, сквер оставить"
    )
    services.moderate(moderator=moderator, proposal=proposal, hide=True, reason="personal_data")
    page_url = f"/discussions/{discussion.pk}/proposals/{proposal.number}/"
    for user, heading in (
        (None, None),
        (outsider, None),
        (resident, "Your text (hidden from the public"),
        (moderator, "Hidden text (shown to staff only"),
    ):
        client.logout()
        if user is not None:
            client.force_login(user)
        page = client.get(page_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert ("8-900-000-00-00" in page) is (heading is not None), user
        assert heading is None or heading in page, user
