"""The experts' questions desk (issue 20.11): counts, filters (answered, unanswered, topic,
district, assignment), search, pages, templates, bulk answers and assignment to experts."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from cityhall.accounts.models import Role
from cityhall.core.models import AuditRecord
from cityhall.discussions import services
from cityhall.discussions.models import Answer, AnswerTemplate, Proposal, QuestionAssignment
from tests.factories import OrganisationFactory

from .factories import DiscussionFactory, staff_with_role

pytestmark = pytest.mark.django_db
DESK = "/discussions/questions/"


@pytest.fixture
def hearing(city, council):
    return DiscussionFactory(organiser=council, districts=[city.west, city.east])


@pytest.fixture
def questions(hearing, resident, outsider, organiser):
    services.set_sections(
        actor=organiser, discussion=hearing, sections=[("3.1", "Транспорт"), ("3.2", "Школы")]
    )
    transport, schools = hearing.sections.all()
    asked = [
        (resident, "Когда продлят метро?", transport),
        (resident, "Где будет новая школа?", schools),
        (outsider, "Будет ли трамвай до вокзала?", transport),
        (outsider, "Сколько мест в школе?", schools),
    ]
    for author, text, section in asked:
        services.submit_proposal(
            discussion=hearing, author=author, text=text, kind="question", section=section.pk
        )
    return list(Proposal.objects.filter(discussion=hearing).order_by("number"))


def _shown(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'name="question" value="(\d+)"', html)]


def test_desk_counts_and_filters(client, questions, expert, hearing, city):
    services.answer_question(expert=expert, question=questions[0], text="В 2028 году.")
    client.force_login(expert)
    page = client.get(DESK).content.decode()
    assert "4 questions: 3 unanswered (0 assigned to you, 3 unassigned), 1 answered." in page
    ids = [q.pk for q in questions]
    assert _shown(page) == ids[1:]  # unanswered by default, oldest first
    assert _shown(client.get(DESK, {"state": "answered"}).content.decode()) == ids[:1]
    assert _shown(client.get(DESK, {"state": "all"}).content.decode()) == ids
    transport = hearing.sections.get(reference="3.1")
    topic = client.get(DESK, {"state": "all", "discussion": hearing.pk, "section": transport.pk})
    assert _shown(topic.content.decode()) == [ids[0], ids[2]]
    east = client.get(DESK, {"district": city.east.pk}).content.decode()
    assert _shown(east) == [ids[2], ids[3]]
    found = client.get(DESK, {"q": "ШКОЛ"}).content.decode()
    assert _shown(found) == [ids[1], ids[3]]
    assert "2 questions: 2 unanswered" in found


def test_desk_pages_through_hundreds(client, hearing, resident, expert):
    for n in range(60):
        services.submit_proposal(
            discussion=hearing, author=resident, text=f"Вопрос {n}", kind="question"
        )
    client.force_login(expert)
    first = client.get(DESK).content.decode()
    assert "60 questions: 60 unanswered" in first and "Page 1 of 2" in first
    assert len(_shown(first)) == 50
    second = client.get(DESK, {"page": 2}).content.decode()
    assert len(_shown(second)) == 10


def test_bulk_answer_from_a_template(client, questions, expert, django_capture_on_commit_callbacks):
    template = AnswerTemplate.objects.create(
        title="Школы", text="Школа предусмотрена проектом, раздел 3.2."
    )
    client.force_login(expert)
    mail.outbox.clear()
    chosen = [questions[1].pk, questions[3].pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            DESK,
            {"do": "answer", "question": chosen, "template": template.pk, "text": "", "back": ""},
        )
    assert response.status_code == 302
    answers = Answer.objects.filter(question_id__in=chosen)
    assert {a.text for a in answers} == {template.text} and answers.count() == 2
    assert AuditRecord.objects.filter(action="discussions.question_answered").count() == 2
    assert len(mail.outbox) == 2  # each author is told
    public = client.get(f"/discussions/{questions[1].discussion_id}/").content.decode()
    assert template.text in public


def test_bulk_answer_is_all_or_nothing(client, questions, expert, council):
    other = OrganisationFactory(council=True, name="Другая Дума")
    foreign = DiscussionFactory(organiser=other)
    client.force_login(expert)
    foreign_question = Proposal.objects.create(
        discussion=foreign,
        number=1,
        participant=questions[0].participant,
        kind="question",
        text="Чужой вопрос",
    )
    client.post(
        DESK,
        {"do": "answer", "question": [questions[1].pk, foreign_question.pk], "text": "Ответ"},
    )
    assert not Answer.objects.exists()


def test_organiser_assigns_and_expert_sees_their_questions(
    client, questions, organiser, expert, council
):
    client.force_login(organiser)
    response = client.post(
        DESK,
        {"do": "assign", "question": [questions[0].pk, questions[2].pk], "expert": expert.pk},
    )
    assert response.status_code == 302
    assert set(QuestionAssignment.objects.values_list("question_id", "expert_id")) == {
        (questions[0].pk, expert.pk),
        (questions[2].pk, expert.pk),
    }
    assert AuditRecord.objects.filter(action="discussions.question_assigned").count() == 2
    client.force_login(expert)
    mine = client.get(DESK, {"expert": "me"}).content.decode()
    assert _shown(mine) == [questions[0].pk, questions[2].pk]
    assert "4 questions: 4 unanswered (2 assigned to you, 2 unassigned)" in mine


def test_experts_do_not_assign_and_only_experts_are_assigned(client, questions, expert, council):
    client.force_login(expert)
    client.post(DESK, {"do": "assign", "question": [questions[0].pk], "expert": expert.pk})
    assert not QuestionAssignment.objects.exists()
    organiser = staff_with_role(Role.ORGANISER, council, username="org2")
    moderator = staff_with_role(Role.MODERATOR, council, username="mod2")
    client.force_login(organiser)
    client.post(DESK, {"do": "assign", "question": [questions[0].pk], "expert": moderator.pk})
    assert not QuestionAssignment.objects.exists()


def test_an_expert_sees_only_their_organisers_questions(client, questions):
    other = OrganisationFactory(council=True, name="Соседний совет")
    stranger = staff_with_role(Role.EXPERT, other, username="expert-other")
    client.force_login(stranger)
    page = client.get(DESK).content.decode()
    assert _shown(page) == [] and "0 questions" in page


def test_bulk_answer_by_numbers_across_pages(client, hearing, resident, expert):
    for n in range(60):
        services.submit_proposal(
            discussion=hearing, author=resident, text=f"Вопрос {n}", kind="question"
        )
    client.force_login(expert)
    page = client.get(DESK, {"discussion": hearing.pk}).content.decode()
    assert 'name="numbers"' in page
    response = client.post(
        DESK,
        {"do": "answer", "discussion": hearing.pk, "numbers": "1-3, 55-60", "text": "Ответ"},
    )
    assert response.status_code == 302
    answered = Answer.objects.filter(question__discussion=hearing)
    assert sorted(answered.values_list("question__number", flat=True)) == [
        1, 2, 3, 55, 56, 57, 58, 59, 60,
    ]  # fmt: skip
