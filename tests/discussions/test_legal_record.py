"""The legal record of a discussion (issue 20, items 1-6): the notice's real publication moment
and source, the proposal deadline at the exposition's end, hidden texts kept in the protocol,
the responsible official among the organiser's staff, unanswered questions and expert answers.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from cityhall.core.errors import InvalidInput
from cityhall.discussions import services
from cityhall.discussions.models import Discussion, FinalDocument, Status, StatusChange

from .factories import NOTICE_SOURCE, DiscussionFactory, DocumentTypeFactory, staff_with_role

pytestmark = pytest.mark.django_db


def _form_dates(notice: dt.date, start: dt.datetime, end: dt.date, deadline: dt.datetime):
    return {
        "notice_date": notice.isoformat(),
        "exposition_start": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
        "exposition_end": end.isoformat(),
        "proposal_deadline": timezone.localtime(deadline).strftime("%Y-%m-%dT%H:%M"),
        "conclusion_due": (end + dt.timedelta(days=10)).isoformat(),
    }


def _new_discussion_form(council, doc_type, **dates):
    return {
        "title": "Генеральный план",
        "document_type": doc_type.pk,
        "organiser": council.pk,
        "allow_residents": "on",
        **dates,
    }


# --- 1. the notice cannot be backdated ---------------------------------------------------------


def test_a_backdated_notice_does_not_make_the_seven_day_rule_pass(client, organiser, council):
    client.force_login(organiser)
    doc_type = DocumentTypeFactory(code="general_plan", min_notice_days=7)
    today = timezone.localdate()
    start = timezone.now() + dt.timedelta(minutes=4)
    end = timezone.localtime(start).date() + dt.timedelta(days=7)
    deadline = timezone.make_aware(dt.datetime.combine(end, dt.time(18, 0)))
    data = _form_dates(today - dt.timedelta(days=10), start, end, deadline)
    response = client.post(
        "/discussions/manage/new/", _new_discussion_form(council, doc_type, **data)
    )
    assert response.status_code == 422
    assert "no earlier than 7 days after the notice" in response.content.decode()
    assert not Discussion.objects.filter(title="Генеральный план").exists()


def test_announcing_checks_the_terms_from_the_real_publication_moment(client, organiser, council):
    """A draft whose typed notice date lies in the past (as old data could hold) cannot be
    announced with an exposition less than 7 days away: the notice is published now."""
    draft = DiscussionFactory(organiser=council, status=Status.DRAFT)
    soon = timezone.now() + dt.timedelta(minutes=4)
    Discussion.objects.filter(pk=draft.pk).update(
        notice_date=timezone.localdate() - dt.timedelta(days=10), exposition_start=soon
    )
    client.force_login(organiser)
    response = client.post(
        f"/discussions/manage/{draft.pk}/transition/",
        {"to": "announced", "notice_source": NOTICE_SOURCE},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.notice_published_at is None
    assert "no earlier than 7 days after the notice" in response.content.decode()


def test_announcing_needs_the_official_source(client, organiser, council):
    draft = DiscussionFactory(organiser=council, status=Status.DRAFT)
    client.force_login(organiser)
    page = client.get(f"/discussions/manage/{draft.pk}/").content.decode()
    assert 'name="notice_source"' in page
    response = client.post(
        f"/discussions/manage/{draft.pk}/transition/", {"to": "announced"}, follow=True
    )
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert "official source" in response.content.decode()


def test_announcing_records_when_and_where_the_notice_was_published(client, organiser, council):
    draft = DiscussionFactory(organiser=council, status=Status.DRAFT)
    typed = timezone.localdate() - dt.timedelta(days=10)
    Discussion.objects.filter(pk=draft.pk).update(notice_date=typed)
    client.force_login(organiser)
    before = timezone.now()
    client.post(
        f"/discussions/manage/{draft.pk}/transition/",
        {"to": "announced", "notice_source": NOTICE_SOURCE},
    )
    draft.refresh_from_db()
    assert draft.status == Status.ANNOUNCED
    assert draft.notice_published_at >= before
    assert draft.notice_date == timezone.localdate()  # the real day, not the typed one
    assert draft.notice_source == NOTICE_SOURCE
    change = StatusChange.objects.get(discussion=draft, to_status=Status.ANNOUNCED)
    assert change.at == draft.notice_published_at
    # The published date cannot be edited afterwards.
    with pytest.raises(InvalidInput):
        services.update_discussion(
            actor=organiser,
            discussion_id=draft.pk,
            expected_version=draft.version,
            changes={"notice_date": typed},
        )
    client.logout()
    page = client.get(f"/discussions/{draft.pk}/").content.decode()
    assert NOTICE_SOURCE in page
    with translation.override(settings.LANGUAGE_CODE):
        assert date_format(timezone.localdate(), "DATE_FORMAT") in page
        assert date_format(typed, "DATE_FORMAT") not in page


@pytest.fixture
def closed(discussion, organiser, resident, outsider):
    """Closed for proposals after a notice published 12 days ago in the city's gazette."""
    published = timezone.now() - dt.timedelta(days=12)
    Discussion.objects.filter(pk=discussion.pk).update(
        notice_published_at=published,
        notice_date=timezone.localtime(published).date(),
        notice_source=NOTICE_SOURCE,
        responsible_official=organiser,
        responsible_official_position="Председатель комиссии",
        open_to_all_verified=True,
    )
    discussion.refresh_from_db()
    services.submit_proposal(discussion=discussion, author=resident, text="Сохранить сквер")
    services.submit_proposal(
        discussion=discussion, author=outsider, text="Когда начнётся стройка?", kind="question"
    )
    Discussion.objects.filter(pk=discussion.pk).update(
        proposal_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    services.run_scheduled_transitions()
    discussion.refresh_from_db()
    assert discussion.status == Status.PROPOSALS_CLOSED
    return discussion


def _generate(client, discussion, kind, capture):
    with capture(execute=True):
        client.post(f"/discussions/manage/{discussion.pk}/final/", {"do": f"generate_{kind}"})
    return FinalDocument.objects.get(discussion=discussion, kind=kind)


def test_the_protocol_names_the_real_notice_date_and_source(
    client, closed, organiser, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    doc = _generate(client, closed, "protocol", django_capture_on_commit_callbacks)
    data = json.loads(doc.json_file.file.open("rb").read())
    published = timezone.localtime(closed.notice_published_at).date()
    assert data["notice_date"] == published.strftime("%d.%m.%Y")
    assert data["notice_source"] == NOTICE_SOURCE


# --- 2. the proposal deadline is the exposition's end ------------------------------------------


def test_the_proposal_deadline_cannot_precede_the_expositions_end(client, organiser, council):
    client.force_login(organiser)
    doc_type = DocumentTypeFactory(code="general_plan", min_notice_days=7)
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=10), dt.time(9)))
    end = today + dt.timedelta(days=17)
    early = timezone.make_aware(dt.datetime.combine(end - dt.timedelta(days=7), dt.time(18)))
    form = _new_discussion_form(council, doc_type, **_form_dates(today, start, end, early))
    response = client.post("/discussions/manage/new/", form)
    assert response.status_code == 422
    assert "Proposals are accepted throughout the exposition" in response.content.decode()
    on_time = timezone.make_aware(dt.datetime.combine(end, dt.time(18)))
    form = _new_discussion_form(council, doc_type, **_form_dates(today, start, end, on_time))
    assert client.post("/discussions/manage/new/", form).status_code == 302


# --- 3. moderation hides from the public only --------------------------------------------------

HIDDEN_TEXT = "Сохранить сквер"


def test_a_hidden_proposal_keeps_its_full_text_in_the_protocol(
    client, closed, organiser, moderator, django_capture_on_commit_callbacks
):
    client.force_login(moderator)
    client.post(
        f"/discussions/{closed.pk}/proposals/1/moderate/",
        {"action": "hide", "reason": "personal_data"},
    )
    client.logout()
    public = client.get(f"/discussions/{closed.pk}/proposals/1/").content.decode()
    assert HIDDEN_TEXT not in public
    api = client.get(f"/api/v1/discussions/{closed.pk}/proposals").json()
    assert HIDDEN_TEXT not in json.dumps(api, ensure_ascii=False)
    for staff in (moderator, organiser):  # staff can always read it
        client.force_login(staff)
        page = client.get(f"/discussions/{closed.pk}/proposals/1/").content.decode()
        assert HIDDEN_TEXT in page
    doc = _generate(client, closed, "protocol", django_capture_on_commit_callbacks)
    data = json.loads(doc.json_file.file.open("rb").read())
    row = data["proposals_from_territory"][0]
    assert row["text"] == HIDDEN_TEXT
    assert row["hidden_on_site"] == "содержит персональные данные"
    again = _generate(client, closed, "protocol", django_capture_on_commit_callbacks)
    assert again.pdf_sha256 == doc.pdf_sha256  # still byte-identical on regeneration


# --- 4. the responsible official ---------------------------------------------------------------


def test_only_officials_of_the_organiser_can_be_chosen_to_sign(
    client, organiser, council, resident, expert
):
    client.force_login(organiser)
    page = client.get("/discussions/manage/new/").content.decode()
    assert str(organiser) in page
    assert str(resident) not in page  # residents are not offered
    doc_type = DocumentTypeFactory(code="general_plan")
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=10), dt.time(9)))
    end = today + dt.timedelta(days=17)
    deadline = timezone.make_aware(dt.datetime.combine(end, dt.time(18)))
    form = _new_discussion_form(council, doc_type, **_form_dates(today, start, end, deadline))
    response = client.post(
        "/discussions/manage/new/", {**form, "responsible_official": resident.pk}
    )
    assert response.status_code == 422
    with pytest.raises(InvalidInput) as err:  # an expert may not sign for the organiser
        services.create_discussion(
            actor=organiser,
            organiser=council,
            document_type=doc_type,
            title="Генеральный план",
            responsible_official=expert,
            responsible_official_position="Эксперт",
            notice_date=today,
            exposition_start=start,
            exposition_end=end,
            proposal_deadline=deadline,
            conclusion_due=end + dt.timedelta(days=10),
        )
    assert "responsible_official" in err.value.fields


def test_signing_needs_the_responsible_official_whose_name_and_position_are_printed(
    client, closed, organiser, council, django_capture_on_commit_callbacks
):
    Discussion.objects.filter(pk=closed.pk).update(responsible_official=None)
    client.force_login(organiser)
    response = client.post(
        f"/discussions/manage/{closed.pk}/final/", {"do": "generate_protocol"}, follow=True
    )
    assert "Choose the responsible official" in response.content.decode()
    assert not FinalDocument.objects.filter(discussion=closed).exists()
    head = staff_with_role("organiser", council, username="head", last_name="Сафин")
    response = client.post(
        f"/discussions/manage/{closed.pk}/final/",
        {
            "do": "official",
            "responsible_official": head.pk,
            "responsible_official_position": "Председатель комиссии",
        },
        follow=True,
    )
    assert "Председатель комиссии" in response.content.decode()
    doc = _generate(client, closed, "protocol", django_capture_on_commit_callbacks)
    data = json.loads(doc.json_file.file.open("rb").read())
    assert data["responsible_official"] == str(head)
    assert data["responsible_official_position"] == "Председатель комиссии"
    client.post(f"/discussions/manage/{closed.pk}/final/", {"do": "sign_protocol"})
    doc.refresh_from_db()
    assert doc.state == FinalDocument.State.READY  # another organiser cannot sign
    client.force_login(head)
    client.post(f"/discussions/manage/{closed.pk}/final/", {"do": "sign_protocol"})
    doc.refresh_from_db()
    assert doc.state == FinalDocument.State.SIGNED and doc.signed_by == head


# --- 5. unanswered questions -------------------------------------------------------------------


def _to_conclusion(client, closed, capture):
    services.set_recommendation(
        actor=closed.responsible_official,
        discussion=closed,
        numbers=[1],
        recommendation="accept",
        reason="Сквер сохраняется",
    )
    _generate(client, closed, "protocol", capture)
    client.post(f"/discussions/manage/{closed.pk}/final/", {"do": "sign_protocol"})
    client.post(
        f"/discussions/manage/{closed.pk}/final/",
        {"do": "conclusions", "conclusions": "Проект рекомендовать к утверждению."},
    )


def test_unanswered_questions_block_the_conclusion_unless_listed_by_decision(
    client, closed, organiser, expert, django_capture_on_commit_callbacks
):
    from cityhall.core.models import AuditRecord

    client.force_login(organiser)
    _to_conclusion(client, closed, django_capture_on_commit_callbacks)
    response = client.post(
        f"/discussions/manage/{closed.pk}/final/", {"do": "generate_conclusion"}, follow=True
    )
    assert "1 question has no answer yet: answer it" in response.content.decode()
    assert not FinalDocument.objects.filter(discussion=closed, kind="conclusion").exists()
    client.post(f"/discussions/manage/{closed.pk}/final/", {"do": "list_unanswered"})
    decision = AuditRecord.objects.get(action="discussions.unanswered_questions_listed")
    assert decision.after["numbers"] == [2]
    conclusion = _generate(client, closed, "conclusion", django_capture_on_commit_callbacks)
    assert json.loads(conclusion.json_file.file.open("rb").read())["unanswered_questions"] == [2]
    client.post(f"/discussions/manage/{closed.pk}/final/", {"do": "sign_conclusion"})
    closed.refresh_from_db()
    assert closed.status == Status.CONCLUSION_PUBLISHED
    client.force_login(expert)  # the question is still on the experts' desk
    desk = client.get("/discussions/questions/").content.decode()
    assert "Когда начнётся стройка?" in desk


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ru",
            [
                "Ответственное должностное лицо",
                "Должность ответственного должностного лица",
                "1 вопрос пока без ответа: ответьте на него",
                "1 вопрос пока без ответа.",
                "Указать их в заключении как оставшиеся без ответа",
            ],
        ),
        (
            "tt",
            [
                "Җаваплы вазыйфаи зат",
                "Җаваплы вазыйфаи затның вазыйфасы",
                "1 сорауга әлегә җавап юк: аларга җавап бирегез",
                "1 сорауга әлегә җавап юк.",
                "Аларны бәяләмәдә җавапсыз калган дип күрсәтергә",
            ],
        ),
    ],
)
def test_the_signer_and_unanswered_questions_are_told_in_russian_and_tatar(
    client, closed, organiser, language, expected, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    _to_conclusion(client, closed, django_capture_on_commit_callbacks)
    page = client.post(
        f"/discussions/manage/{closed.pk}/final/",
        {"do": "generate_conclusion"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    for text in expected:
        assert text in page


# --- 6. expert answers in the protocol ---------------------------------------------------------


def test_expert_answers_appear_in_the_protocol(
    client, closed, organiser, expert, django_capture_on_commit_callbacks
):
    client.force_login(expert)
    client.post(
        f"/discussions/{closed.pk}/proposals/2/answer/", {"text": "Стройка начнётся в 2027 году."}
    )
    client.force_login(organiser)
    doc = _generate(client, closed, "protocol", django_capture_on_commit_callbacks)
    data = json.loads(doc.json_file.file.open("rb").read())
    question = data["proposals_from_others"][0]
    assert question["number"] == 2
    assert question["answer"] == "Стройка начнётся в 2027 году."
