"""Questions answered publicly by experts; threaded, paginated comments; support once."""

from __future__ import annotations

import pytest
from django.core import mail

from cityhall.core.errors import Conflict, Forbidden
from cityhall.discussions import services
from cityhall.discussions.models import Status

from .factories import verified_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(discussion, resident):
    return services.submit_proposal(
        discussion=discussion, author=resident, text="Сколько этажей?", kind="question"
    )


def test_expert_answers_publicly_and_author_is_told(
    client, discussion, question, expert, django_capture_on_commit_callbacks
):
    client.force_login(expert)
    desk = client.get("/discussions/questions/").content.decode()
    assert "Сколько этажей?" in desk
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/discussions/{discussion.pk}/proposals/1/answer/", {"text": "Девять."})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [question.author.email]
    client.logout()
    page = client.get(f"/discussions/{discussion.pk}/proposals/1/").content.decode()
    assert "Expert&#x27;s answer" in page or "Expert's answer" in page
    assert "Девять." in page
    api = client.get(f"/api/v1/discussions/{discussion.pk}/questions").json()
    assert api["items"][0]["answer"]["text"] == "Девять."


def test_residents_cannot_answer(discussion, question, resident):
    with pytest.raises(Forbidden):
        services.answer_question(expert=resident, question=question, text="Я знаю")


def test_threaded_paginated_comments(client, discussion, question, west_home):
    people = [verified_person(west_home, username=f"c{i}") for i in range(2)]
    client.force_login(people[0])
    for i in range(22):
        client.post(f"/discussions/{discussion.pk}/proposals/1/comment/", {"text": f"Мнение {i}"})
    first = question.comments.order_by("id").first()
    client.force_login(people[1])
    client.post(
        f"/discussions/{discussion.pk}/proposals/1/comment/",
        {"text": "Ответ на мнение", "parent": first.pk},
    )
    page1 = client.get(f"/discussions/{discussion.pk}/proposals/1/").content.decode()
    assert "Мнение 0" in page1 and "Ответ на мнение" in page1 and "Мнение 21" not in page1
    assert "Page 1 of 2" in page1
    page2 = client.get(f"/discussions/{discussion.pk}/proposals/1/?page=2").content.decode()
    assert "Мнение 21" in page2


def test_support_once_per_person(client, discussion, question, west_home, outsider):
    fan = verified_person(west_home, username="fan")
    client.force_login(fan)
    client.post(f"/discussions/{discussion.pk}/proposals/1/support/")
    client.post(f"/discussions/{discussion.pk}/proposals/1/support/")
    question.refresh_from_db()
    assert question.support_count == 1
    with pytest.raises(Forbidden):
        services.support_proposal(user=outsider, proposal=question)


def test_no_comments_after_the_exposition(discussion, question, west_home):
    discussion.status = Status.PROPOSALS_CLOSED
    discussion.save()
    question.refresh_from_db()
    with pytest.raises(Conflict):
        services.add_comment(author=verified_person(west_home), proposal=question, text="Поздно")
