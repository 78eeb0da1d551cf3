"""Moderation in the open: hidden for a listed reason, author told, public page says so,
nothing deleted, audited; flags queue items."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from cityhall.core.errors import Forbidden, InvalidInput
from cityhall.core.models import AuditRecord
from cityhall.discussions import services
from cityhall.discussions.models import Flag, ModerationAction, ModerationReason, Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(discussion, resident):
    return services.submit_proposal(
        discussion=discussion, author=resident, text="Телефон соседа 8-900-000-00-00"
    )


def test_flag_queues_and_moderator_hides_in_the_open(
    client, discussion, proposal, outsider, moderator, django_capture_on_commit_callbacks
):
    client.force_login(outsider)
    client.post(
        f"/discussions/{discussion.pk}/proposals/1/flag/",
        {"reason": "personal_data", "note": "номер телефона"},
    )
    assert Flag.objects.filter(proposal=proposal, resolved_at__isnull=True).count() == 1

    client.force_login(moderator)
    queue = client.get("/discussions/moderation/").content.decode()
    assert "номер телефона" in queue
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/discussions/{discussion.pk}/proposals/1/moderate/",
            {"action": "hide", "reason": "personal_data", "note": "телефон"},
        )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.visibility == "hidden" and proposal.hidden_reason == "personal_data"
    assert proposal.text.startswith("Телефон")  # nothing deleted
    assert Flag.objects.filter(resolved_at__isnull=True).count() == 0
    assert ModerationAction.objects.get().reason == "personal_data"
    assert AuditRecord.objects.filter(action="discussions.item_hidden").count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [proposal.author.email]
    with translation.override(proposal.author.preferred_language):
        reason = str(ModerationReason.PERSONAL_DATA.label)
    assert reason in mail.outbox[0].body

    client.logout()
    page = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert "Hidden by a moderator: Contains personal data." in page
    assert "8-900-000-00-00" not in page
    api = client.get(f"/api/v1/discussions/{discussion.pk}/proposals").json()
    assert api["items"][0]["hidden"] is True and api["items"][0]["text"] == ""


def test_restore_is_another_action_not_an_edit(discussion, proposal, moderator):
    services.moderate(moderator=moderator, proposal=proposal, hide=True, reason="off_topic")
    services.moderate(moderator=moderator, proposal=proposal, hide=False)
    proposal.refresh_from_db()
    assert proposal.visibility == "visible"
    assert list(ModerationAction.objects.values_list("action", flat=True)) == ["hide", "restore"]


def test_reason_must_be_listed(discussion, proposal, moderator):
    with pytest.raises(InvalidInput):
        services.moderate(moderator=moderator, proposal=proposal, hide=True, reason="dislike")


def test_only_moderators_hide(discussion, proposal, resident):
    with pytest.raises(Forbidden):
        services.moderate(moderator=resident, proposal=proposal, hide=True, reason="insult")


def test_comment_hidden_shows_reason(client, discussion, proposal, west_home, moderator):
    from .factories import verified_person

    neighbour = verified_person(west_home, username="neighbour")
    comment = services.add_comment(author=neighbour, proposal=proposal, text="Дурацкая идея")
    services.moderate(moderator=moderator, comment=comment, hide=True, reason="insult")
    page = client.get(f"/discussions/{discussion.pk}/proposals/1/").content.decode()
    assert "Hidden by a moderator: Insulting language." in page
    assert "Дурацкая идея" not in page


def test_dismissing_a_flag_keeps_the_item(client, discussion, proposal, outsider, moderator):
    flag = services.flag_item(reporter=outsider, proposal=proposal, reason="duplicate")
    client.force_login(moderator)
    client.post("/discussions/moderation/", {"flag": flag.pk})
    flag.refresh_from_db()
    assert flag.resolved_by == moderator
    assert Proposal.objects.get(pk=proposal.pk).visibility == "visible"


def test_archived_record_cannot_be_moderated(discussion, proposal, moderator):
    from cityhall.core.errors import Conflict

    discussion.status = "archived"
    discussion.save()
    proposal.refresh_from_db()
    with pytest.raises(Conflict):
        services.moderate(moderator=moderator, proposal=proposal, hide=True, reason="insult")
