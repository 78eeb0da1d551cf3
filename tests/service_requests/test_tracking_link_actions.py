"""The private tracking link: a caller without an account (registered by the call centre, or an
Open311 submitter) confirms, reopens with a reason and votes from the request's page, exactly as
a signed-in author does; audited as done by the tracking link."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cityhall.core.errors import Forbidden
from cityhall.core.models import AuditRecord
from cityhall.service_requests import services
from cityhall.service_requests.models import Channel, Feedback, Status, StatusChange

from .factories import submit


def _by_phone(world):
    """A call-centre request for a caller who has no account."""
    return submit(
        world,
        channel=Channel.OPERATOR,
        author=None,
        contact_name="Ivan Petrov",
        contact_phone="+79005550101",
        entered_by=world.operator,
    )


def _done(world, request):
    for to in ("accepted", "in_work"):
        services.transition(request=request, actor=world.executor, to=to)
    services.transition(request=request, actor=world.executor, to="done", report="Roof patched")
    request.refresh_from_db()
    return request


def _act_url(request) -> str:
    return reverse("service_requests:resident_action", args=[request.public_token])


def _track_url(request) -> str:
    return reverse("service_requests:track", args=[request.public_token])


def _link_audit(request, action: str):
    return AuditRecord.objects.filter(
        object_id=str(request.pk), action=action, actor_repr="tracking link"
    )


def test_link_holder_sees_the_forms_and_confirms(client, world):
    request = _done(world, _by_phone(world))
    page = client.get(_track_url(request)).content.decode()
    assert 'value="confirm"' in page and 'value="reopen"' in page
    assert '<label for="reopen-reason">' in page and 'name="score"' in page
    response = client.post(_act_url(request), {"action": "confirm", "version": request.version})
    assert response.status_code == 302 and response["Location"] == _track_url(request)
    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    change = StatusChange.objects.get(request=request, to_status=Status.CONFIRMED)
    assert change.actor is None
    record = _link_audit(request, "service_requests.confirmed").get()
    assert record.actor_id is None
    page = client.get(_track_url(request)).content.decode()
    assert "Thank you: the request is closed." in page
    assert 'value="confirm"' not in page  # nothing left to confirm


def test_link_holder_reopens_with_a_reason_and_it_is_counted(client, world):
    request = _done(world, _by_phone(world))
    client.post(_act_url(request), {"action": "reopen", "version": request.version, "reason": ""})
    request.refresh_from_db()
    assert request.status == Status.DONE  # a reason is required
    response = client.post(
        _act_url(request),
        {"action": "reopen", "version": request.version, "reason": "Still drips"},
        follow=True,
    )
    assert "The request has been reopened." in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.IN_WORK and request.reopen_count == 1
    assert request.closed_at is None
    change = StatusChange.objects.get(request=request, to_status=Status.IN_WORK, actor=None)
    assert change.reason == "Still drips"
    assert _link_audit(request, "service_requests.in_work").get().message == "Still drips"


def test_link_holder_votes_once(client, world):
    request = _done(world, _by_phone(world))
    client.post(_act_url(request), {"action": "feedback", "score": "4", "text": "Quick"})
    vote = Feedback.objects.get(request=request)
    assert (vote.score, vote.text, vote.author) == (4, "Quick", None)
    assert vote.organisation == world.manager
    assert _link_audit(request, "service_requests.rated").get().after == {"score": 4}
    page = client.post(
        _act_url(request), {"action": "feedback", "score": "1"}, follow=True
    ).content.decode()
    assert "You have already rated this request." in page
    assert Feedback.objects.get(request=request).score == 4
    assert "Your vote: 4 of 5." in page and 'name="score"' not in page


def test_a_signed_in_author_still_acts_as_themself(client, world):
    request = _done(world, submit(world))
    client.force_login(world.resident)
    client.post(_act_url(request), {"action": "confirm", "version": request.version})
    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    record = AuditRecord.objects.get(object_id=str(request.pk), action="service_requests.confirmed")
    assert record.actor_id == world.resident.pk


def test_wrong_token_is_404_and_one_link_cannot_act_on_another(client, world):
    mine = _done(world, _by_phone(world))
    other = _done(world, _by_phone(world))
    bad = reverse("service_requests:resident_action", args=["not-a-token"])
    assert client.post(bad, {"action": "confirm"}).status_code == 404
    assert client.get(reverse("service_requests:track", args=["not-a-token"])).status_code == 404
    # The link names its request; a form field cannot point it at another one.
    client.post(_act_url(mine), {"action": "confirm", "version": mine.version, "pk": other.pk})
    client.post(_act_url(mine), {"action": "feedback", "score": "2", "request": other.pk})
    other.refresh_from_db()
    mine.refresh_from_db()
    assert other.status == Status.DONE and mine.status == Status.CONFIRMED
    assert list(Feedback.objects.values_list("request_id", flat=True)) == [mine.pk]
    # The services themselves check the token against the request acted on.
    with pytest.raises(Forbidden):
        services.transition(
            request=other, actor=None, to=Status.CONFIRMED, public_token=mine.public_token
        )
    with pytest.raises(Forbidden):
        services.leave_feedback(request=other, author=None, score=5, public_token=mine.public_token)
    other.refresh_from_db()
    assert other.status == Status.DONE and not Feedback.objects.filter(request=other).exists()


def test_wrong_state_is_refused_with_the_message(client, world):
    request = _by_phone(world)
    services.transition(request=request, actor=world.executor, to="accepted")
    request.refresh_from_db()
    page = client.get(_track_url(request)).content.decode()
    assert 'value="confirm"' not in page and 'name="score"' not in page
    response = client.post(
        _act_url(request), {"action": "confirm", "version": request.version}, follow=True
    )
    assert "cannot go to" in response.content.decode()
    response = client.post(_act_url(request), {"action": "feedback", "score": "5"}, follow=True)
    assert "A request can be rated once the work is done." in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED and not Feedback.objects.exists()
    assert not AuditRecord.objects.filter(actor_repr="tracking link").exists()


def test_only_post_changes_anything_and_csrf_is_checked(world):
    request = _done(world, _by_phone(world))
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(_act_url(request)).status_code == 405
    assert browser.post(_act_url(request), {"action": "confirm"}).status_code == 403
    request.refresh_from_db()
    assert request.status == Status.DONE
    page = browser.get(_track_url(request))
    token = page.cookies["csrftoken"].value
    response = browser.post(
        _act_url(request),
        {"action": "confirm", "version": request.version, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.CONFIRMED


def test_writing_messages_still_needs_an_account(client, world):
    request = _done(world, _by_phone(world))
    response = client.post(_act_url(request), {"action": "comment", "text": "Hello"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not request.comments.exists()
