"""The discussion workflow: one transition table, legal date bounds, on-time scheduled moves,
organiser-only moves, optimistic locking of edits, audit and history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from cityhall.core.errors import Conflict, Forbidden, InvalidInput
from cityhall.core.models import AuditRecord
from cityhall.discussions import services, tasks
from cityhall.discussions.models import Discussion, Status, StatusChange
from tests.core.hostile_files import minimal_pdf

from .factories import NOTICE_SOURCE, DiscussionFactory, DocumentTypeFactory

pytestmark = pytest.mark.django_db

PDF = minimal_pdf()


def _dates(notice: dt.date, start_in: int = 10, length: int = 10, conclusion_in: int = 25):
    start_day = notice + dt.timedelta(days=start_in)
    start = timezone.make_aware(dt.datetime.combine(start_day, dt.time(9, 0)))
    end = start_day + dt.timedelta(days=length - 1)
    return {
        "notice_date": notice,
        "exposition_start": start,
        "exposition_end": end,
        "proposal_deadline": timezone.make_aware(dt.datetime.combine(end, dt.time(18, 0))),
        "conclusion_due": notice + dt.timedelta(days=conclusion_in),
    }


@pytest.fixture
def general_plan(db):
    return DocumentTypeFactory(
        code="general_plan",
        name="General plan",
        min_notice_days=7,
        max_days_to_conclusion=30,
        min_exposition_days=7,
        max_exposition_days=20,
    )


def test_create_checks_dates_against_the_types_bounds(organiser, council, general_plan):
    today = timezone.localdate()
    bad = _dates(today, start_in=3, length=3, conclusion_in=45)
    with pytest.raises(InvalidInput) as err:
        services.create_discussion(
            actor=organiser,
            organiser=council,
            document_type=general_plan,
            title="Генеральный план",
            **bad,
        )
    fields = err.value.fields
    assert "no earlier than 7 days after the notice" in fields["exposition_start"][0]
    assert "at least 7 days" in fields["exposition_end"][0]
    assert "within 30 days of the notice" in fields["conclusion_due"][0]
    good = services.create_discussion(
        actor=organiser,
        organiser=council,
        document_type=general_plan,
        title="Генеральный план",
        **_dates(today),
    )
    assert good.status == Status.DRAFT
    assert good.number.startswith(f"{today.year}-")


def test_administrator_changes_bounds_as_data(organiser, council, general_plan):
    today = timezone.localdate()
    general_plan.min_notice_days = 3
    general_plan.save()
    created = services.create_discussion(
        actor=organiser,
        organiser=council,
        document_type=general_plan,
        title="Сокращённое оповещение",
        **_dates(today, start_in=3, length=8),
    )
    assert created.pk


def test_form_shows_field_errors(client, organiser, council, general_plan):
    client.force_login(organiser)
    today = timezone.localdate()
    data = _dates(today, start_in=2)
    response = client.post(
        "/discussions/manage/new/",
        {
            "title": "Проект",
            "document_type": general_plan.pk,
            "organiser": council.pk,
            "allow_residents": "on",
            "notice_date": data["notice_date"].isoformat(),
            "exposition_start": timezone.localtime(data["exposition_start"]).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "exposition_end": data["exposition_end"].isoformat(),
            "proposal_deadline": timezone.localtime(data["proposal_deadline"]).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "conclusion_due": data["conclusion_due"].isoformat(),
        },
    )
    assert response.status_code == 422
    assert "no earlier than 7 days after the notice" in response.content.decode()


def test_only_the_organiser_moves_the_discussion(council, outsider, city):
    draft = DiscussionFactory(organiser=council, status=Status.DRAFT)
    with pytest.raises(Forbidden):
        services.transition(
            discussion=draft, to=Status.ANNOUNCED, actor=outsider, notice_source=NOTICE_SOURCE
        )


def test_disallowed_move_is_refused_with_the_reason(council, organiser):
    draft = DiscussionFactory(organiser=council, status=Status.DRAFT)
    with pytest.raises(Conflict) as err:
        services.transition(discussion=draft, to=Status.PROTOCOL_SIGNED, actor=organiser)
    assert "cannot move" in str(err.value)


def test_proposals_cannot_be_closed_before_the_deadline(council, organiser):
    open_ = DiscussionFactory(organiser=council)
    with pytest.raises(Conflict) as err:
        services.transition(discussion=open_, to=Status.PROPOSALS_CLOSED, actor=organiser)
    assert "cannot be closed earlier" in str(err.value)


def test_cancel_needs_a_reason_and_is_recorded(client, council, organiser):
    announced = DiscussionFactory(organiser=council, status=Status.ANNOUNCED)
    with pytest.raises(Conflict):
        services.transition(discussion=announced, to=Status.CANCELLED, actor=organiser)
    client.force_login(organiser)
    client.post(
        f"/discussions/manage/{announced.pk}/transition/",
        {"to": "cancelled", "reason": "Проект отозван заявителем"},
    )
    announced.refresh_from_db()
    assert announced.status == Status.CANCELLED
    page = client.get(f"/discussions/{announced.pk}/").content.decode()
    assert "Проект отозван заявителем" in page


def test_announce_then_scheduler_opens_and_closes_on_time(council, organiser):
    draft = DiscussionFactory(organiser=council, status=Status.DRAFT)
    services.transition(
        discussion=draft, to=Status.ANNOUNCED, actor=organiser, notice_source=NOTICE_SOURCE
    )
    services.add_document_version(
        actor=organiser,
        discussion=draft,
        upload=SimpleUploadedFile("project.pdf", PDF),
        title="Проект",
    )
    # Before the start: nothing happens, however often the job runs.
    assert services.run_scheduled_transitions() == []
    at_start = draft.exposition_start + dt.timedelta(minutes=1)
    assert services.run_scheduled_transitions(now=at_start) == [(draft.number, "exposition_open")]
    assert services.run_scheduled_transitions(now=at_start) == []  # idempotent
    after = draft.proposal_deadline + dt.timedelta(minutes=1)
    assert services.run_scheduled_transitions(now=after) == [(draft.number, "proposals_closed")]
    assert services.run_scheduled_transitions(now=after) == []
    draft.refresh_from_db()
    assert draft.status == Status.PROPOSALS_CLOSED
    moves = list(StatusChange.objects.filter(discussion=draft).values_list("to_status", "actor"))
    assert moves == [
        ("announced", organiser.pk),
        ("exposition_open", None),
        ("proposals_closed", None),
    ]
    actions = AuditRecord.objects.filter(
        action="discussions.status_changed", object_id=str(draft.pk)
    )
    assert actions.count() == 3


def test_exposition_does_not_open_without_the_project(council, organiser):
    announced = DiscussionFactory(organiser=council, status=Status.ANNOUNCED)
    with pytest.raises(Conflict) as err:
        services.transition(
            discussion=announced,
            to=Status.EXPOSITION_OPEN,
            actor=organiser,
            now=announced.exposition_start,
        )
    assert "project document" in str(err.value)


def test_periodic_job_runs_the_scheduler(council, organiser):
    overdue = DiscussionFactory(organiser=council)
    Discussion.objects.filter(pk=overdue.pk).update(
        proposal_deadline=timezone.now() - dt.timedelta(minutes=5)
    )
    tasks.move_discussions_on_time.call_local()
    overdue.refresh_from_db()
    assert overdue.status == Status.PROPOSALS_CLOSED


def test_concurrent_edit_is_refused_not_overwritten(client, council, organiser):
    draft = DiscussionFactory(organiser=council, status=Status.DRAFT)
    services.update_discussion(
        actor=organiser,
        discussion_id=draft.pk,
        expected_version=1,
        changes={"title": "Первая правка"},
    )
    with pytest.raises(Conflict) as err:
        services.update_discussion(
            actor=organiser,
            discussion_id=draft.pk,
            expected_version=1,
            changes={"title": "Вторая правка"},
        )
    assert "Someone else saved" in str(err.value)
    draft.refresh_from_db()
    assert draft.title == "Первая правка"
    assert draft.version == 2


def test_archived_discussion_is_read_only(council, organiser):
    archived = DiscussionFactory(organiser=council, status=Status.ARCHIVED)
    with pytest.raises(Conflict):
        services.add_document_version(
            actor=organiser,
            discussion=archived,
            upload=SimpleUploadedFile("late.pdf", PDF),
            title="Поздно",
        )
    with pytest.raises(Conflict):
        services.transition(discussion=archived, to=Status.CANCELLED, actor=organiser, reason="x")


def test_administrator_edits_bounds_in_the_admin(client, general_plan):
    from cityhall.accounts.models import User

    admin = User.objects.create_superuser("root", email="root@example.org", password="x")
    client.force_login(admin)
    response = client.post(
        f"/admin/discussions/documenttype/{general_plan.pk}/change/",
        {
            "code": "general_plan",
            "name": "General plan",
            "min_notice_days": 14,
            "max_days_to_conclusion": 45,
            "min_exposition_days": 7,
            "max_exposition_days": 20,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    general_plan.refresh_from_db()
    assert general_plan.min_notice_days == 14
    with pytest.raises(InvalidInput) as err:
        services.validate_dates(document_type=general_plan, **_dates(timezone.localdate()))
    assert "14 days" in err.value.fields["exposition_start"][0]


def test_participants_are_told_when_proposals_close(
    council, resident, django_capture_on_commit_callbacks
):
    from django.core import mail

    from .factories import DiscussionFactory as Factory

    open_ = Factory(organiser=council)
    open_.districts.set([resident.verified_identity.registered_building.district])
    services.submit_proposal(discussion=open_, author=resident, text="Моё предложение")
    Discussion.objects.filter(pk=open_.pk).update(
        proposal_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.run_scheduled_transitions()
    assert [m.to for m in mail.outbox] == [[resident.email]]
    body = mail.outbox[0].body
    with translation.override(resident.preferred_language):  # told in their own language
        closed = str(Status.PROPOSALS_CLOSED.label)
    assert open_.title in body and closed in body
