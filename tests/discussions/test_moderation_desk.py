"""Moderation at scale (issue 20.14): auto-hide after a configurable number of reports pending
review, the public moderation log (what, when, why — never the text), bulk actions audited."""

from __future__ import annotations

import pytest

from cityhall.core.models import AuditRecord
from cityhall.discussions import services
from cityhall.discussions.models import Flag, ModerationAction, Proposal

from .factories import verified_person

pytestmark = pytest.mark.django_db
SECRET = "Телефон соседа 8-900-000-00-00"


@pytest.fixture
def proposal(discussion, resident):
    return services.submit_proposal(discussion=discussion, author=resident, text=SECRET)


@pytest.fixture
def reporters(west_home):
    return [verified_person(west_home, username=f"reporter{n}") for n in range(3)]


def _report(client, discussion, user, reason="personal_data"):
    client.force_login(user)
    return client.post(f"/discussions/{discussion.pk}/proposals/1/flag/", {"reason": reason})


def test_enough_reports_hide_an_item_pending_review(client, discussion, proposal, reporters):
    _report(client, discussion, reporters[0])
    _report(client, discussion, reporters[1], reason="insult")
    proposal.refresh_from_db()
    assert proposal.visibility == "visible"  # two reports: not yet
    _report(client, discussion, reporters[2])
    proposal.refresh_from_db()
    assert proposal.visibility == "hidden" and proposal.hidden_reason == "personal_data"
    action = ModerationAction.objects.get()
    assert action.action == "auto_hide" and action.moderator is None
    assert AuditRecord.objects.filter(action="discussions.item_auto_hidden").count() == 1
    assert Flag.objects.filter(resolved_at__isnull=True).count() == 3  # still in the queue
    client.logout()
    page = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert "8-900-000-00-00" not in page
    assert "Hidden after reports, awaiting a moderator's review" in page.replace("&#x27;", "'")


def test_one_person_reporting_again_does_not_hide(client, discussion, proposal, reporters):
    for _ in range(4):
        _report(client, discussion, reporters[0])
    proposal.refresh_from_db()
    assert proposal.visibility == "visible"


def test_the_threshold_is_configurable_and_zero_turns_it_off(
    client, settings, discussion, proposal, reporters
):
    settings.DISCUSSIONS_FLAGS_TO_HIDE = 0
    for user in reporters:
        _report(client, discussion, user)
    proposal.refresh_from_db()
    assert proposal.visibility == "visible"
    settings.DISCUSSIONS_FLAGS_TO_HIDE = 1
    _report(client, discussion, reporters[0])
    proposal.refresh_from_db()
    assert proposal.visibility == "hidden"


def test_moderator_confirms_or_restores_an_auto_hidden_item(
    client, settings, discussion, proposal, reporters, moderator
):
    settings.DISCUSSIONS_FLAGS_TO_HIDE = 1
    _report(client, discussion, reporters[0])
    client.force_login(moderator)
    queue = client.get("/discussions/moderation/").content.decode()
    assert "Hidden" in queue and "8-900" in queue  # moderators read what they judge
    flag = Flag.objects.get()
    client.post("/discussions/moderation/", {"flag": flag.pk})  # "nothing wrong"
    proposal.refresh_from_db()
    assert proposal.visibility == "visible"
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    # Reported again and hidden again; this time the moderator confirms the hiding.
    _report(client, discussion, reporters[1], reason="insult")
    client.force_login(moderator)
    item_page = client.get(f"/discussions/{discussion.pk}/proposals/1/").content.decode()
    assert "Confirm hiding" in item_page and "Restore" in item_page
    client.post(
        f"/discussions/{discussion.pk}/proposals/1/moderate/",
        {"action": "hide", "reason": "personal_data", "note": "телефон"},
    )
    proposal.refresh_from_db()
    assert proposal.visibility == "hidden" and proposal.hidden_reason == "personal_data"
    confirmed = client.get(f"/discussions/{discussion.pk}/proposals/1/").content.decode()
    assert "Confirm hiding" not in confirmed and "Hidden by a moderator" in confirmed
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [
        "auto_hide",
        "restore",
        "auto_hide",
        "hide",
    ]


def test_public_moderation_log_says_what_when_why_never_the_text(
    client, discussion, proposal, moderator
):
    services.moderate(
        moderator=moderator, proposal=proposal, hide=True, reason="personal_data", note="тел."
    )
    client.logout()
    page = client.get(f"/discussions/{discussion.pk}/moderation-log/").content.decode()
    assert "№ 1" in page and "Contains personal data" in page and "Hidden" in page
    assert "8-900" not in page and "тел." not in page and moderator.username not in page
    api = client.get(f"/api/v1/discussions/{discussion.pk}/moderation-log").json()
    assert api == [
        {
            "at": api[0]["at"],
            "action": "hide",
            "reason": "personal_data",
            "reason_label": "Contains personal data",
            "number": 1,
            "on_comment": False,
        }
    ]
    detail = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert f"/discussions/{discussion.pk}/moderation-log/" in detail


def test_bulk_moderation_hides_many_and_is_audited(
    client, discussion, resident, outsider, moderator
):
    for n in range(3):
        services.submit_proposal(discussion=discussion, author=resident, text=f"Спам {n}")
    for p in Proposal.objects.filter(discussion=discussion):
        services.flag_item(reporter=outsider, proposal=p, reason="off_topic")
    flags = list(Flag.objects.order_by("pk").values_list("pk", flat=True))
    client.force_login(moderator)
    response = client.post(
        "/discussions/moderation/",
        {"do": "bulk", "flag": flags[:2], "action": "hide", "reason": "off_topic", "note": ""},
    )
    assert response.status_code == 302
    hidden = Proposal.objects.filter(discussion=discussion, visibility="hidden")
    assert sorted(hidden.values_list("number", flat=True)) == [1, 2]
    assert AuditRecord.objects.filter(action="discussions.item_hidden").count() == 2
    bulk = AuditRecord.objects.get(action="discussions.bulk_moderation")
    assert bulk.actor_id == moderator.pk and bulk.after["done"] == 2
    dismissed = client.post(
        "/discussions/moderation/", {"do": "bulk", "flag": flags[2:], "action": "dismiss"}
    )
    assert dismissed.status_code == 302
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    assert Proposal.objects.get(discussion=discussion, number=3).visibility == "visible"


def test_bulk_moderation_needs_a_moderator(client, discussion, proposal, outsider):
    services.flag_item(reporter=outsider, proposal=proposal, reason="insult")
    client.force_login(outsider)
    client.post(
        "/discussions/moderation/",
        {"do": "bulk", "flag": [Flag.objects.get().pk], "action": "hide", "reason": "insult"},
    )
    proposal.refresh_from_db()
    assert proposal.visibility == "visible"
