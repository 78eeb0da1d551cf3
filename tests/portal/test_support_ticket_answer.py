"""The support desk (issue 20 item 16): administrators answer a ticket on a staff page (not
/admin/), the answer reaches the person by e-mail as the feedback page promises, a signed-in
author finds it in the cabinet, and only administrators may answer — each answer audited."""

from __future__ import annotations

import pytest
from django.core import mail

from cityhall.core.models import AuditRecord
from cityhall.portal.models import SupportTicket
from tests.factories import MembershipFactory, UserFactory, sign_in_with_second_factor

pytestmark = pytest.mark.django_db

ANSWER = "Карта читается экранным диктором с клавиатуры: нажмите Tab, затем стрелки."


@pytest.fixture
def admin():
    return MembershipFactory(role="administrator").user


def _send_ticket(client, capture, *, language="en", **fields):
    data = {
        "name": "Алсу Хамитова",
        "email": "alsu@example.org",
        "topic": "accessibility",
        "message": "The map is hard to use with a screen reader.",
        **fields,
    }
    with capture(execute=True):
        client.post("/feedback/", data, HTTP_ACCEPT_LANGUAGE=language)
    return SupportTicket.objects.order_by("-pk").first()


def _answer(client, capture, ticket, text=ANSWER):
    with capture(execute=True):
        return client.post(f"/staff/support/{ticket.number}/", {"answer": text})


def test_an_administrator_answers_on_the_desk_and_the_author_gets_it_by_mail_and_in_the_cabinet(
    client, admin, django_capture_on_commit_callbacks
):
    author = UserFactory(email="alsu@example.org", preferred_language="ru")
    client.force_login(author)
    ticket = _send_ticket(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    sign_in_with_second_factor(client, admin)
    workspace = client.get("/staff/").content.decode()
    assert "/staff/support/" in workspace
    desk = client.get("/staff/support/").content.decode()
    assert ticket.number in desk and "The map is hard to use" in desk
    page = client.get(f"/staff/support/{ticket.number}/").content.decode()
    assert "The map is hard to use with a screen reader." in page
    response = _answer(client, django_capture_on_commit_callbacks, ticket)
    assert response.status_code == 302

    ticket.refresh_from_db()
    assert ticket.status == SupportTicket.Status.ANSWERED and ticket.answer == ANSWER
    assert ticket.answered_by == admin
    record = AuditRecord.objects.get(action="support_ticket.answered")
    assert record.actor_id == admin.pk and record.after["answer"] == ANSWER
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["alsu@example.org"]
    assert sent.subject == f"Ответ на ваше обращение {ticket.number}"  # the author's language
    assert ANSWER in sent.body and "The map is hard to use" in sent.body
    assert f"/cabinet/support/{ticket.number}/" in sent.body

    client.force_login(author)
    cabinet = client.get("/cabinet/").content.decode()
    assert ticket.number in cabinet and ANSWER[:40] in cabinet
    mine = client.get(f"/cabinet/support/{ticket.number}/").content.decode()
    assert ANSWER in mine


def test_an_anonymous_writer_gets_the_answer_by_mail_in_the_language_they_wrote_in(
    client, admin, django_capture_on_commit_callbacks
):
    ticket = _send_ticket(client, django_capture_on_commit_callbacks, language="tt")
    assert ticket.author is None and ticket.language == "tt"
    mail.outbox.clear()
    sign_in_with_second_factor(client, admin)
    _answer(client, django_capture_on_commit_callbacks, ticket)
    assert [m.to for m in mail.outbox] == [["alsu@example.org"]]
    assert mail.outbox[0].subject == f"{ticket.number} номерлы мөрәҗәгатегезгә җавап"
    assert ANSWER in mail.outbox[0].body
    assert "/cabinet/" not in mail.outbox[0].body  # nothing to sign in to


@pytest.mark.parametrize("role", [None, "operator", "organiser"])
def test_only_administrators_open_the_desk_or_answer(
    client, admin, role, django_capture_on_commit_callbacks
):
    ticket = _send_ticket(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    other = MembershipFactory(role=role).user if role else UserFactory()
    sign_in_with_second_factor(client, other)
    assert client.get("/staff/support/").status_code == 403
    assert client.get(f"/staff/support/{ticket.number}/").status_code == 403
    assert _answer(client, django_capture_on_commit_callbacks, ticket).status_code == 403
    assert client.post(f"/staff/support/{ticket.number}/close/").status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == SupportTicket.Status.NEW and ticket.answer == ""
    assert mail.outbox == []
    assert not AuditRecord.objects.filter(action__startswith="support_ticket.a").exists()


def test_another_person_cannot_read_my_ticket(client, django_capture_on_commit_callbacks):
    author = UserFactory()
    client.force_login(author)
    ticket = _send_ticket(client, django_capture_on_commit_callbacks)
    assert client.get(f"/cabinet/support/{ticket.number}/").status_code == 200
    client.force_login(UserFactory())
    assert client.get(f"/cabinet/support/{ticket.number}/").status_code == 404
    assert ticket.number not in client.get("/cabinet/support/").content.decode()


def test_the_desk_counts_filters_and_searches(client, admin, django_capture_on_commit_callbacks):
    first = _send_ticket(client, django_capture_on_commit_callbacks, message="Не работает карта")
    second = _send_ticket(client, django_capture_on_commit_callbacks, message="Где мой ответ?")
    sign_in_with_second_factor(client, admin)
    _answer(client, django_capture_on_commit_callbacks, first)
    waiting = client.get("/staff/support/").content.decode()
    assert second.number in waiting and first.number not in waiting
    answered = client.get("/staff/support/?status=answered").content.decode()
    assert first.number in answered and second.number not in answered
    assert "Answered: <strong>1</strong>" in answered and "New: <strong>1</strong>" in answered
    found = client.get("/staff/support/?status=&q=ответ").content.decode()
    assert second.number in found


def test_a_closed_ticket_is_audited_and_not_answered(
    client, admin, django_capture_on_commit_callbacks
):
    ticket = _send_ticket(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    sign_in_with_second_factor(client, admin)
    assert client.post(f"/staff/support/{ticket.number}/close/").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == SupportTicket.Status.CLOSED
    assert AuditRecord.objects.filter(action="support_ticket.closed").count() == 1
    response = _answer(client, django_capture_on_commit_callbacks, ticket)
    assert response.status_code == 409
    assert mail.outbox == []


def test_the_page_and_the_notice_to_administrators_point_to_the_desk(
    client, admin, django_capture_on_commit_callbacks
):
    from cityhall.notifications.models import Message

    _send_ticket(client, django_capture_on_commit_callbacks)
    notice = Message.objects.filter(recipient=admin, event="support_ticket.submitted").first()
    assert "/staff/support/" in notice.body and "/admin/" not in notice.body


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", ["Служба поддержки", "Ждут ответа"]), ("tt", ["Ярдәм хезмәте", "Җавап көтә"])],
)
def test_the_desk_speaks_russian_and_tatar(client, admin, language, expected):
    sign_in_with_second_factor(client, admin)
    page = client.get("/staff/support/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in expected:
        assert text in page
