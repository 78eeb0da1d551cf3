"""Who reads a discussion's files, through the pages and the file service's address: anonymous,
another resident, the author and the discussion's staff, for an attachment of a public
proposal, of a hidden one, a draft's document and a signed protocol; a file gone from the
storage shows "file missing", never a server error (issue 13)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from cityhall.core import uploads
from cityhall.core.file_serving import PUBLIC_CACHE
from cityhall.discussions import services
from cityhall.discussions.models import FinalDocument, Proposal, Status
from tests.core.hostile_files import minimal_pdf

from .factories import DiscussionFactory

pytestmark = pytest.mark.django_db

SEES = 200


def _read(client, user, url: str) -> int:
    """What ``user`` (None: anonymous) gets at ``url``: 200, or 404 (or, signed out, 302 to
    sign in) for a file they may not see."""
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    if response.status_code == 302 and user is None:
        assert "/accounts/login" in response["Location"]
        return 404
    return response.status_code


def _proposal_with_file(discussion, author) -> Proposal:
    return services.submit_proposal(
        discussion=discussion,
        author=author,
        text="Схема пешеходного перехода",
        attachments=[SimpleUploadedFile("схема.pdf", minimal_pdf(), "application/pdf")],
    )


def test_an_attachment_of_a_public_proposal_is_everyones_and_cached(
    client, discussion, resident, outsider, moderator
):
    proposal = _proposal_with_file(discussion, resident)
    url = f"/files/{proposal.attachments.get().stored_id}/"
    page = client.get(f"/discussions/{discussion.pk}/proposals/{proposal.number}/")
    assert url in page.content.decode()
    listing = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert url in listing
    for user in (None, outsider, resident, moderator):
        assert _read(client, user, url) == SEES
    client.logout()
    assert client.get(url)["Cache-Control"] == PUBLIC_CACHE


def test_an_attachment_of_a_hidden_proposal_is_the_authors_and_the_moderators(
    client, discussion, resident, outsider, moderator, organiser
):
    proposal = _proposal_with_file(discussion, resident)
    url = f"/files/{proposal.attachments.get().stored_id}/"
    services.moderate(moderator=moderator, proposal=proposal, hide=True, reason="personal_data")
    page = client.get(f"/discussions/{discussion.pk}/proposals/{proposal.number}/")
    assert url not in page.content.decode()
    assert _read(client, None, url) == 404
    assert _read(client, outsider, url) == 404
    assert _read(client, resident, url) == SEES
    assert _read(client, moderator, url) == SEES
    assert _read(client, organiser, url) == SEES
    assert client.get(url)["Cache-Control"] != PUBLIC_CACHE  # no shared cache keeps it
    # The earlier address follows the same rule.
    client.logout()
    old = f"/discussions/{discussion.pk}/proposals/{proposal.number}/attachments/"
    old += f"{proposal.attachments.get().pk}/"
    assert b"%PDF" not in client.get(old, follow=True).content

    services.moderate(moderator=moderator, proposal=proposal, hide=False)
    assert _read(client, outsider, url) == SEES
    assert client.get(url)["Cache-Control"] == PUBLIC_CACHE


def test_a_drafts_document_is_the_organisers_until_the_discussion_is_announced(
    client, council, organiser, resident, outsider, moderator
):
    from .factories import NOTICE_SOURCE

    draft = DiscussionFactory(organiser=council, status=Status.DRAFT)
    version = services.add_document_version(
        actor=organiser,
        discussion=draft,
        upload=SimpleUploadedFile("проект.pdf", minimal_pdf(), "application/pdf"),
        title="Проект планировки",
    )
    url = f"/files/{version.stored_id}/"
    client.force_login(organiser)
    assert url in client.get(f"/discussions/{draft.pk}/").content.decode()
    for user, expected in ((None, 404), (outsider, 404), (resident, 404), (moderator, 404)):
        assert _read(client, user, url) == expected
    assert _read(client, organiser, url) == SEES

    services.transition(
        discussion=draft, to=Status.ANNOUNCED, actor=organiser, notice_source=NOTICE_SOURCE
    )
    for user in (None, outsider, resident, organiser):
        assert _read(client, user, url) == SEES
    client.logout()
    assert client.get(url)["Cache-Control"] == PUBLIC_CACHE
    assert url in client.get(f"/discussions/{draft.pk}/").content.decode()


def _protocol(discussion, *, signed: bool) -> FinalDocument:
    def stored(purpose: str, content: bytes, content_type: str, extension: str):
        return uploads.store_generated(
            content,
            purpose=purpose,
            label=f"protocol{extension}",
            content_type=content_type,
            extension=extension,
            visibility="staff",
        )

    doc = FinalDocument.objects.create(
        discussion=discussion,
        kind=FinalDocument.Kind.PROTOCOL,
        number="П-1",
        state=FinalDocument.State.READY,
        pdf_file=stored("discussions.final_document", minimal_pdf(), "application/pdf", ".pdf"),
        json_file=stored("discussions.final_document", b"{}", "application/json", ".json"),
        appendix_file=stored(
            "discussions.participant_list", b'{"participants": []}', "application/json", ".json"
        ),
    )
    if signed:  # what signing does to the files (the signing itself: test_protocol_generation)
        from cityhall.discussions.file_access import follow_final_document

        doc.state = FinalDocument.State.SIGNED
        doc.save(update_fields=["state"])
        follow_final_document(doc)
    return doc


def test_a_signed_protocol_is_public_and_its_participant_list_the_organisers(
    client, council, organiser, resident, outsider, moderator
):
    closed = DiscussionFactory(organiser=council, status=Status.PROTOCOL_SIGNED)
    doc = _protocol(closed, signed=True)
    pdf, appendix = f"/files/{doc.pdf_file_id}/", f"/files/{doc.appendix_file_id}/"
    client.logout()
    assert pdf in client.get(f"/discussions/{closed.pk}/").content.decode()
    for user in (None, outsider, resident, moderator, organiser):
        assert _read(client, user, pdf) == SEES
    client.logout()
    assert client.get(pdf)["Cache-Control"] == PUBLIC_CACHE
    for user in (None, outsider, resident, moderator):
        assert _read(client, user, appendix) == 404
    assert _read(client, organiser, appendix) == SEES
    client.force_login(organiser)
    answer = client.get(appendix)
    assert answer["Content-Disposition"].startswith("attachment")
    assert client.get(f"/discussions/manage/{closed.pk}/appendix/")["Location"] == appendix


def test_a_protocol_before_signing_is_the_organisers(client, council, organiser, outsider):
    closed = DiscussionFactory(organiser=council, status=Status.PROPOSALS_CLOSED)
    doc = _protocol(closed, signed=False)
    pdf = f"/files/{doc.pdf_file_id}/"
    assert _read(client, None, pdf) == 404
    assert _read(client, outsider, pdf) == 404
    assert _read(client, organiser, pdf) == SEES
    client.logout()
    assert client.get(f"/discussions/{closed.pk}/protocol.pdf").status_code == 404


def test_a_file_gone_from_the_storage_shows_file_missing_not_an_error(
    client, discussion, resident, organiser
):
    proposal = _proposal_with_file(discussion, resident)
    version = services.add_document_version(
        actor=organiser,
        discussion=discussion,
        upload=SimpleUploadedFile("проект.pdf", minimal_pdf(), "application/pdf"),
        title="Проект",
    )
    for stored in (proposal.attachments.get().stored, version.stored):
        default_storage.delete(stored.file.name)
    client.logout()
    page = client.get(f"/discussions/{discussion.pk}/")
    assert page.status_code == 200
    for url in (
        f"/files/{proposal.attachments.get().stored_id}/",
        f"/discussions/{discussion.pk}/documents/{version.pk}/",
    ):
        answer = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE="ru")
        assert answer.status_code == 404
        assert "Файл отсутствует" in answer.content.decode()
