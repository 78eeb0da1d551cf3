"""Proposal attachments, document versions and the protocol's and conclusion's files move onto
the platform's file service: each existing file gets its StoredFile record for the name it
already has in storage (nothing is copied; a file already missing is recorded as missing, so its
page shows "file missing" instead of failing), with the visibility its discussion's state gives
it (``discussions.file_access``). The old columns go in 0014: on PostgreSQL a table cannot
be altered in the transaction that wrote its rows with deferred constraints pending."""

import django.db.models.deletion
from django.db import migrations, models

ATTACHMENT = "discussions.attachment"
DOCUMENT = "discussions.document"
FINAL_DOCUMENT = "discussions.final_document"
PARTICIPANT_LIST = "discussions.participant_list"


def _stored(null=True, **extra):
    return models.OneToOneField(
        null=null,
        blank=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="core.storedfile",
        **extra,
    )


def record_files(apps, schema_editor):
    from cityhall.core.file_records import record_existing

    StoredFile = apps.get_model("core", "StoredFile")
    ProposalAttachment = apps.get_model("discussions", "ProposalAttachment")
    DocumentVersion = apps.get_model("discussions", "DocumentVersion")
    FinalDocument = apps.get_model("discussions", "FinalDocument")
    for row in ProposalAttachment.objects.select_related("proposal").iterator():
        proposal = row.proposal
        row.stored = record_existing(
            StoredFile,
            row.file.name,
            purpose=ATTACHMENT,
            owner_id=proposal.author_id,
            visibility="public" if proposal.visibility == "visible" else "case",
            label=row.original_name,
            content_type=row.content_type,
            created_at=proposal.registered_at,
        )
        row.save(update_fields=["stored"])
    for row in DocumentVersion.objects.select_related("document__discussion").iterator():
        row.stored = record_existing(
            StoredFile,
            row.file.name,
            purpose=DOCUMENT,
            owner_id=row.uploaded_by_id,
            visibility="staff" if row.document.discussion.status == "draft" else "public",
            label=row.original_name,
            content_type=row.content_type,
            created_at=row.uploaded_at,
        )
        row.save(update_fields=["stored"])
    for row in FinalDocument.objects.iterator():
        visibility = "public" if row.state == "signed" else "staff"
        files = (
            ("pdf", FINAL_DOCUMENT, visibility, "application/pdf", ".pdf"),
            ("json", FINAL_DOCUMENT, visibility, "application/json", ".json"),
            ("appendix", PARTICIPANT_LIST, "staff", "application/json", "-participants.json"),
        )
        for field, purpose, shown, content_type, suffix in files:
            name = getattr(row, field).name
            if name:
                setattr(
                    row,
                    f"{field}_file",
                    record_existing(
                        StoredFile,
                        name,
                        purpose=purpose,
                        visibility=shown,
                        label=f"{row.number}{suffix}",
                        content_type=content_type,
                        created_at=row.generated_at,
                    ),
                )
        row.save(update_fields=["pdf_file", "json_file", "appendix_file"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0013_stored_file"),
        ("discussions", "0012_merge_desks"),
    ]

    operations = [
        migrations.AddField("proposalattachment", "stored", _stored(verbose_name="file")),
        migrations.AddField("documentversion", "stored", _stored(verbose_name="file")),
        migrations.AddField("finaldocument", "pdf_file", _stored()),
        migrations.AddField("finaldocument", "json_file", _stored()),
        migrations.AddField(
            "finaldocument",
            "appendix_file",
            _stored(help_text="participant list with identification data; never public"),
        ),
        migrations.RunPython(record_files, migrations.RunPython.noop),
    ]
