"""Subscriptions need the address's owner (issue 20 item 17): the form only sends a
confirmation link, nothing else goes out until it is followed; every mail of a subscription
carries a signed one-click unsubscribe link (and the List-Unsubscribe headers); subscribers also
hear when the conclusion is published; every link starts with the configured site URL, never
the host the form was posted to."""

from __future__ import annotations

import re

import pytest
from django.core import checks, mail
from django.utils import timezone

from cityhall.discussions import services
from cityhall.discussions.models import Discussion, Status, Subscription

from .factories import NOTICE_SOURCE, DiscussionFactory

pytestmark = pytest.mark.django_db

SITE = "https://cityhall.example.ru"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def _subscribe(client, capture, email="west@example.org", **fields):
    with capture(execute=True):
        return client.post(
            "/discussions/subscribe/",
            {"email": email, **fields},
            HTTP_HOST="127.0.0.1",
            follow=True,
        )


def _link(message, path: str) -> str:
    found = re.search(rf"{re.escape(SITE)}(/discussions/{path}/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def _announce(council, city, organiser, capture):
    draft = DiscussionFactory(organiser=council, districts=[city.west], status=Status.DRAFT)
    mail.outbox.clear()
    with capture(execute=True):
        services.transition(
            discussion=draft, to=Status.ANNOUNCED, actor=organiser, notice_source=NOTICE_SOURCE
        )
    return draft


def test_nothing_is_sent_to_an_address_until_its_owner_confirms(
    client, city, council, organiser, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    page = _subscribe(client, capture, district=city.west.pk).content.decode()
    assert "Open it to confirm the subscription" in page
    assert [m.to for m in mail.outbox] == [["west@example.org"]]
    request = mail.outbox[0]
    assert "127.0.0.1" not in request.body and "testserver" not in request.body
    confirm = _link(request, "subscriptions/confirm")
    assert Subscription.objects.get().is_active is False

    _announce(council, city, organiser, capture)
    assert mail.outbox == []  # not confirmed: no news

    assert client.get(confirm).status_code == 200  # a link scanner's GET confirms nothing
    assert Subscription.objects.get().is_active is False
    client.post(confirm)
    sub = Subscription.objects.get()
    assert sub.is_active is True and sub.confirmed_at is not None
    _announce(council, city, organiser, capture)
    assert [m.to for m in mail.outbox] == [["west@example.org"]]


def test_every_mail_has_a_one_click_unsubscribe_link_and_header(
    client, city, council, organiser, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _subscribe(client, capture, district=city.west.pk)
    client.post(_link(mail.outbox[0], "subscriptions/confirm"))
    _announce(council, city, organiser, capture)
    news = mail.outbox[0]
    stop = _link(news, "unsubscribe")
    assert news.extra_headers["List-Unsubscribe"] == f"<{SITE}{stop}>"
    assert news.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The mail client's one-click POST (RFC 8058): no session, no CSRF token.
    from django.test import Client

    one_click = Client(enforce_csrf_checks=True).post(
        stop, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 302
    assert Subscription.objects.get().is_active is False
    _announce(council, city, organiser, capture)
    assert mail.outbox == []


def test_a_forged_or_expired_link_does_nothing(
    client, city, django_capture_on_commit_callbacks, settings
):
    import time_machine

    _subscribe(client, django_capture_on_commit_callbacks, district=city.west.pk)
    confirm = _link(mail.outbox[0], "subscriptions/confirm")
    token = confirm.rstrip("/").rsplit("/", 1)[1]
    forged = confirm.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))
    assert client.post(forged).status_code == 404
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        response = client.post(confirm)
    assert response.status_code == 422
    assert "expired" in response.content.decode()
    assert Subscription.objects.get().is_active is False


def test_the_form_tells_nobody_who_is_subscribed_and_does_not_flood_an_address(
    client, city, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    first = _subscribe(client, capture, district=city.west.pk).content.decode()
    client.post(_link(mail.outbox[0], "subscriptions/confirm"))
    mail.outbox.clear()
    again = _subscribe(client, capture, district=city.west.pk).content.decode()
    assert mail.outbox == []  # already confirmed: nothing sent, the same answer
    assert "Open it to confirm the subscription" in first and again
    assert "Open it to confirm the subscription" in again
    for _ in range(3):  # a pending one is not re-sent within minutes
        _subscribe(client, capture, email="victim@example.org")
    assert [m.to for m in mail.outbox] == [["victim@example.org"]]


def test_subscribers_are_told_when_the_conclusion_is_published(
    city, council, django_capture_on_commit_callbacks
):
    sub = services.subscribe(email="news@example.org", district=city.west)
    link = services.subscription_link(sub, "confirm")
    services.confirm_subscription(token=link.rstrip("/").rsplit("/", 1)[1])
    done = DiscussionFactory(
        organiser=council, districts=[city.west], status=Status.CONCLUSION_PUBLISHED
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.tell_participants(discussion=done, status=Status.CONCLUSION_PUBLISHED)
        services.tell_participants(discussion=done, status=Status.CONCLUSION_PUBLISHED)
    assert [m.to for m in mail.outbox] == [["news@example.org"]]
    message = mail.outbox[0]
    assert f"{SITE}/discussions/{done.pk}/" in message.body
    assert f"{SITE}/discussions/unsubscribe/" in message.body
    assert Discussion.objects.get(pk=done.pk).title in message.subject


def test_check_deploy_warns_while_the_site_url_is_a_loopback_address(settings):
    from cityhall.core.security import check_site_url

    settings.DEBUG = False
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert [m.id for m in check_site_url()] == ["cityhall.W003"]
    assert check_site_url()[0].level == checks.WARNING
    settings.SITE_URL = SITE
    assert check_site_url() == []
