"""Files stored before the file service keep working after migration 0013: each gets its
StoredFile record where its bytes already are, with the visibility its discussion's state gives
it, and a file already missing from the storage neither stops the migration nor breaks its page
(issue 13); migrations 0013 and 0014."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.core.hostile_files import minimal_pdf
from tests.migration_steps import migrate_to

BEFORE = [("discussions", "0012_merge_desks")]
AFTER = [("discussions", "0014_files_drop_old_fields")]


@pytest.mark.django_db(transaction=True)
def test_existing_files_get_records_and_a_missing_one_is_shown_missing(client):
    old = migrate_to(BEFORE)
    try:
        Organisation = old.get_model("accounts", "Organisation")
        DocumentType = old.get_model("discussions", "DocumentType")
        Discussion = old.get_model("discussions", "Discussion")
        Participant = old.get_model("discussions", "Participant")
        Proposal = old.get_model("discussions", "Proposal")
        Attachment = old.get_model("discussions", "ProposalAttachment")
        Document = old.get_model("discussions", "DiscussionDocument")
        Version = old.get_model("discussions", "DocumentVersion")
        Final = old.get_model("discussions", "FinalDocument")
        now = timezone.now()
        council = Organisation.objects.create(name="Дума", short_name="Дума")
        kind = DocumentType.objects.create(code="plan", name="План")
        dates = {
            "notice_date": now.date(),
            "exposition_start": now,
            "exposition_end": now.date() + dt.timedelta(days=10),
            "proposal_deadline": now + dt.timedelta(days=10),
            "conclusion_due": now.date() + dt.timedelta(days=20),
        }
        public = Discussion.objects.create(
            number="M-1", title="Открытое", document_type=kind, organiser=council,
            status="protocol_signed", **dates,
        )  # fmt: skip
        draft = Discussion.objects.create(
            number="M-2", title="Черновик", document_type=kind, organiser=council,
            status="draft", **dates,
        )  # fmt: skip
        who = Participant.objects.create(
            discussion=public, number=1, type="resident", full_name="И. И.", identity_key="k"
        )
        shown, hidden = (
            Proposal.objects.create(
                discussion=public, number=n, participant=who, kind="proposal", text="t",
                text_hash=str(n), visibility=v, hidden_reason=r,
            )
            for n, v, r in ((1, "visible", ""), (2, "hidden", "insult"))
        )  # fmt: skip
        kept = default_storage.save("discussions/1/proposals/plan.pdf", ContentFile(minimal_pdf()))
        for proposal, name in ((shown, kept), (hidden, "discussions/1/proposals/gone.pdf")):
            Attachment.objects.create(
                proposal=proposal, file=name, original_name="plan.pdf",
                content_type="application/pdf", size=10, sha256="x",
            )  # fmt: skip
        versions = []
        for discussion in (public, draft):
            document = Document.objects.create(discussion=discussion, kind="project", title="П")
            versions.append(
                Version.objects.create(
                    document=document, number=1, original_name="p.pdf",
                    content_type="application/pdf", size=1, sha256="x",
                    file=default_storage.save("discussions/documents/p.pdf", ContentFile(b"%PDF")),
                )
            )  # fmt: skip
        Final.objects.create(
            discussion=public, kind="protocol", number="П-1", state="signed",
            pdf=default_storage.save("discussions/final/p.pdf", ContentFile(minimal_pdf())),
            json="discussions/final/gone.json", appendix="",
        )  # fmt: skip
    finally:
        new = migrate_to(AFTER)

    StoredFile = new.get_model("core", "StoredFile")
    Attachment = new.get_model("discussions", "ProposalAttachment")
    Version = new.get_model("discussions", "DocumentVersion")
    Final = new.get_model("discussions", "FinalDocument")
    files = {a.proposal.number: a.stored for a in Attachment.objects.select_related("stored")}
    assert files[1].file.name == kept and files[1].visibility == "public" and files[1].size > 0
    assert files[2].visibility == "case" and files[2].size == 0  # missing: recorded as missing
    assert sorted(Version.objects.values_list("stored__visibility", flat=True)) == [
        "public",
        "staff",
    ]
    protocol = Final.objects.get()
    assert protocol.pdf_file.visibility == "public" and protocol.appendix_file_id is None
    assert StoredFile.objects.count() == 6

    # The pages and addresses work: the kept file is served, the missing one says so.
    answer = client.get(f"/files/{files[1].pk}/")
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == minimal_pdf()
    assert client.get(f"/discussions/{protocol.discussion_id}/").status_code == 200
    missing = client.get(f"/files/{protocol.json_file_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404 and "File missing" in missing.content.decode()
