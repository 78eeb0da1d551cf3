""" "Follow / remind me" on the discussion page, and the reminders the scheduled job sends to
followers and to people who submitted — each at most once, however often the job runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from cityhall.discussions import services, tasks
from cityhall.discussions.models import (
    Discussion,
    Follow,
    PersonalReminder,
    Status,
    StatusChange,
)
from cityhall.notifications.models import Message

from .factories import DiscussionFactory, verified_person

pytestmark = pytest.mark.django_db


def _run_job(capture) -> list[tuple[str, str]]:
    """Run the hourly job; (recipient, subject) of the e-mails it sent."""
    mail.outbox.clear()
    with capture(execute=True):
        tasks.remind_before_deadlines.call_local()
    return sorted((m.to[0], m.subject) for m in mail.outbox)


def test_follow_button_for_an_eligible_resident_without_javascript(client, discussion, resident):
    page = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert "Follow and remind me" not in page  # not signed in
    client.force_login(resident)
    page = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert "Follow and remind me" in page and f"/discussions/{discussion.pk}/follow/" in page
    response = client.post(f"/discussions/{discussion.pk}/follow/", {"action": "follow"})
    assert response.status_code == 302
    assert Follow.objects.filter(discussion=discussion, user=resident).exists()
    page = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert "Stop reminders" in page and "We will remind you" in page
    client.post(f"/discussions/{discussion.pk}/follow/", {"action": "unfollow"})
    assert not Follow.objects.exists()


def test_follow_refused_to_the_ineligible_and_after_the_deadline(
    client, city, council, discussion, outsider, resident
):
    client.force_login(outsider)
    page = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert "Follow and remind me" not in page
    response = client.post(f"/discussions/{discussion.pk}/follow/", follow=True)
    assert "outside the territory" in response.content.decode()
    assert not Follow.objects.exists()
    closed = DiscussionFactory(
        organiser=council, districts=[city.west], status=Status.PROPOSALS_CLOSED
    )
    client.force_login(resident)
    response = client.post(f"/discussions/{closed.pk}/follow/", follow=True)
    assert "only before proposals close" in response.content.decode()
    assert not Follow.objects.exists()
    client.logout()
    response = client.post(f"/discussions/{discussion.pk}/follow/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_followers_reminded_when_open_and_before_the_deadline_unless_they_submitted(
    discussion, resident, west_home, django_capture_on_commit_callbacks
):
    other = verified_person(west_home, username="follower2", email="f2@example.org")
    services.follow(user=resident, discussion=discussion)
    services.follow(user=other, discussion=discussion)
    latecomer = verified_person(west_home, username="late", email="late@example.org")
    services.follow(user=latecomer, discussion=discussion)
    # The first two followed while it was announced; the latecomer after it opened.
    Follow.objects.exclude(user=latecomer).update(
        created_at=discussion.exposition_start - dt.timedelta(days=3)
    )
    # Deadline in five days: the exposition is open.
    sent = _run_job(django_capture_on_commit_callbacks)
    assert [to for to, _s in sent] == sorted([resident.email, other.email])
    # In the recipient's language (Russian by default).
    assert all(subject.startswith("Открыт приём предложений") for _to, subject in sent)
    assert _run_job(django_capture_on_commit_callbacks) == []
    # The resident submits; then the deadline comes close.
    services.submit_proposal(discussion=discussion, author=resident, text="Сквер")
    Discussion.objects.filter(pk=discussion.pk).update(
        proposal_deadline=timezone.now() + dt.timedelta(hours=20)
    )
    sent = _run_job(django_capture_on_commit_callbacks)
    assert [to for to, _s in sent] == sorted([other.email, latecomer.email])
    assert all(subject.startswith("Приём предложений закрывается") for _to, subject in sent)
    message = next(m for m in mail.outbox if m.to == [other.email])
    assert "а вы ещё ничего не подали" in message.body
    assert f"/discussions/{discussion.pk}/" in message.body
    assert _run_job(django_capture_on_commit_callbacks) == []
    assert PersonalReminder.objects.filter(discussion=discussion).count() == 4


def test_conclusion_reaches_everyone_who_submitted_and_followers_once(
    discussion, resident, west_home, django_capture_on_commit_callbacks
):
    follower = verified_person(west_home, username="follower3", email="f3@example.org")
    silent = verified_person(west_home, username="silent", email="silent@example.org")
    services.follow(user=follower, discussion=discussion)
    services.submit_proposal(discussion=discussion, author=resident, text="Парк")
    Discussion.objects.filter(pk=discussion.pk).update(status=Status.CONCLUSION_PUBLISHED)
    StatusChange.objects.create(
        discussion=discussion,
        from_status=Status.PROTOCOL_SIGNED,
        to_status=Status.CONCLUSION_PUBLISHED,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.tell_participants.call_local(discussion.pk, Status.CONCLUSION_PUBLISHED)
    told = sorted(m.to[0] for m in mail.outbox)
    assert told == sorted([resident.email, follower.email]) and silent.email not in told
    assert all(m.subject.startswith("Опубликовано заключение") for m in mail.outbox)
    # The hourly job and a repeated announcement find nothing new to send.
    assert _run_job(django_capture_on_commit_callbacks) == []
    with django_capture_on_commit_callbacks(execute=True):
        tasks.tell_participants.call_local(discussion.pk, Status.CONCLUSION_PUBLISHED)
    assert len(mail.outbox) == 0
    # Every channel of the person's choice, the cabinet included.
    channels = set(
        Message.objects.filter(
            recipient=resident, event="discussions.conclusion_published"
        ).values_list("channel", flat=True)
    )
    assert "email" in channels


def test_conclusion_notice_catches_up_in_the_job_if_the_announcement_was_missed(
    discussion, resident, django_capture_on_commit_callbacks
):
    services.submit_proposal(discussion=discussion, author=resident, text="Парк")
    Discussion.objects.filter(pk=discussion.pk).update(status=Status.CONCLUSION_PUBLISHED)
    StatusChange.objects.create(
        discussion=discussion,
        from_status=Status.PROTOCOL_SIGNED,
        to_status=Status.CONCLUSION_PUBLISHED,
    )
    sent = _run_job(django_capture_on_commit_callbacks)
    assert [to for to, _s in sent] == [resident.email]
    assert _run_job(django_capture_on_commit_callbacks) == []
