"""Submitting proposals: during the exposition only, eligible only, no repeats, gap-free
numbers, a receipt, and committed before the acknowledgement."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from cityhall.core.models import AuditRecord
from cityhall.discussions import services
from cityhall.discussions.models import Discussion, Proposal, Status

from .factories import DiscussionFactory, verified_person

pytestmark = pytest.mark.django_db(transaction=False)


def _post(client, discussion, text="Сохранить сквер у школы", kind="proposal", **extra):
    return client.post(
        f"/discussions/{discussion.pk}/propose/", {"kind": kind, "text": text, **extra}
    )


def test_resident_submits_gets_number_page_and_receipt(
    client, discussion, resident, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, discussion)
    assert response.status_code == 302
    proposal = Proposal.objects.get(discussion=discussion)
    assert proposal.number == 1
    assert response["Location"] == f"/discussions/{discussion.pk}/proposals/1/"
    page = client.get(response["Location"])
    assert "Сохранить сквер у школы" in page.content.decode()
    assert "Participant No. 1" in page.content.decode()
    assert resident.last_name not in page.content.decode()
    assert proposal.from_territory is True
    assert proposal.participant.type == "resident"
    assert AuditRecord.objects.filter(action="discussions.proposal_registered").count() == 1
    # The receipt: an e-mail with the number (delivered after commit by the outbox).
    assert [m.subject for m in mail.outbox] == ["Предложение № 1 зарегистрировано"]
    assert mail.outbox[0].to == [resident.email]


def test_numbers_are_gap_free_across_people_and_failures(client, discussion, resident, west_home):
    other = verified_person(west_home, username="neighbour")
    services.submit_proposal(discussion=discussion, author=resident, text="Первое")
    with pytest.raises(Exception):  # noqa: B017 — a refused duplicate takes no number
        services.submit_proposal(discussion=discussion, author=resident, text="Первое")
    services.submit_proposal(discussion=discussion, author=other, text="Второе")
    services.submit_proposal(discussion=discussion, author=resident, text="Третье", kind="question")
    numbers = list(Proposal.objects.filter(discussion=discussion).values_list("number", flat=True))
    assert numbers == [1, 2, 3]
    discussion.refresh_from_db()
    assert discussion.proposal_count == 3
    assert discussion.participant_count == 2


def test_duplicate_within_a_minute_is_refused_with_the_reason(client, discussion, resident):
    client.force_login(resident)
    _post(client, discussion, text="Нужен пешеходный переход")
    response = _post(client, discussion, text="  нужен   пешеходный переход ")
    assert response.status_code == 422
    assert "already registered" in response.content.decode()
    assert Proposal.objects.count() == 1


def test_same_text_after_a_minute_is_a_new_proposal(discussion, resident):
    services.submit_proposal(discussion=discussion, author=resident, text="Повтор")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        second = services.submit_proposal(discussion=discussion, author=resident, text="Повтор")
    assert second.number == 2


def test_late_submission_is_refused_with_the_deadline(client, city, council, resident):
    closed = DiscussionFactory(organiser=council, districts=[city.west])
    Discussion.objects.filter(pk=closed.pk).update(
        proposal_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(resident)
    response = _post(client, closed)
    body = response.content.decode()
    assert response.status_code == 422
    assert "The deadline has passed" in body
    closed.refresh_from_db()
    assert timezone.localtime(closed.proposal_deadline).strftime("%Y") in body
    assert Proposal.objects.count() == 0


def test_before_the_exposition_nothing_is_accepted(client, city, council, resident):
    announced = DiscussionFactory(organiser=council, districts=[city.west], status=Status.ANNOUNCED)
    client.force_login(resident)
    response = _post(client, announced)
    assert response.status_code == 422
    assert "not accepted yet" in response.content.decode()


def test_ineligible_person_is_refused_with_reasons(client, discussion, outsider):
    client.force_login(outsider)
    response = _post(client, discussion)
    assert response.status_code == 422
    assert "outside the territory" in response.content.decode()
    assert Proposal.objects.count() == 0


def test_anonymous_is_sent_to_sign_in(client, discussion):
    response = _post(client, discussion)
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


def test_disguised_attachment_is_refused_before_storage(client, discussion, resident, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(resident)
    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 this is an executable", "application/pdf")
    response = _post(client, discussion, attachments=fake)
    assert response.status_code == 422
    assert "is not a file of an accepted type" in response.content.decode()
    assert Proposal.objects.count() == 0
    import os

    media = settings.MEDIA_ROOT
    stored = [f for _r, _d, files in os.walk(media) for f in files] if os.path.exists(media) else []
    assert stored == []


def test_real_pdf_attachment_is_kept(client, discussion, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(resident)
    from tests.core.hostile_files import minimal_pdf

    pdf = SimpleUploadedFile("plan.pdf", minimal_pdf(), "x/y")
    response = _post(client, discussion, attachments=pdf)
    assert response.status_code == 302
    attachment = Proposal.objects.get().attachments.get()
    assert attachment.content_type == "application/pdf"
    page = client.get(f"/discussions/{discussion.pk}/proposals/1/").content.decode()
    assert f"/files/{attachment.stored_id}/" in page  # linked at the file service's address
    download = client.get(f"/files/{attachment.stored_id}/")
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_oversized_attachment_is_refused(client, discussion, resident):
    import dataclasses

    from django.core.files.uploadedfile import SimpleUploadedFile

    from cityhall.core.file_purposes import purpose, register_purpose

    declared = purpose("discussions.attachment")
    register_purpose(dataclasses.replace(declared, max_bytes=100))
    try:
        client.force_login(resident)
        big = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 200, "image/png")
        response = _post(client, discussion, attachments=big)
    finally:
        register_purpose(declared)
    assert response.status_code == 422
    assert "larger than" in response.content.decode()


def test_point_outside_the_city_is_refused(discussion, resident):
    from cityhall.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        services.submit_proposal(
            discussion=discussion, author=resident, text="Здесь", lat=10.0, lon=10.0
        )
    assert "lat" in err.value.fields


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_consecutive_numbers(city, council, west_home):
    discussion = DiscussionFactory(organiser=council, districts=[city.west])
    people = [verified_person(west_home, username=f"p{i}") for i in range(6)]
    errors: list[Exception] = []

    def submit(person):
        try:
            services.submit_proposal(discussion=discussion, author=person, text=f"от {person}")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(
        Proposal.objects.filter(discussion=discussion).values_list("number", flat=True)
    )
    assert numbers == [1, 2, 3, 4, 5, 6]


@pytest.mark.django_db(transaction=True)
def test_acknowledged_proposal_is_committed(city, council, west_home):
    """When the author gets the number, the row is already committed: another connection
    (another server process) sees it at once."""
    discussion = DiscussionFactory(organiser=council, districts=[city.west])
    author = verified_person(west_home, username="durable")
    proposal = services.submit_proposal(discussion=discussion, author=author, text="Прочно")
    seen: list[bool] = []

    def look() -> None:
        try:
            seen.append(Proposal.objects.filter(pk=proposal.pk, number=1).exists())
        finally:
            connection.close()

    reader = threading.Thread(target=look)
    reader.start()
    reader.join()
    assert seen == [True]
