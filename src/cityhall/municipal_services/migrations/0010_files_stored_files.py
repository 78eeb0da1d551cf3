"""Application files, results and interdepartmental answers move onto the platform's file
service: each existing file gets its StoredFile record for the name it already has in storage
(nothing is copied), and the files of applications already submitted become part of the case
file (the applicant can no longer remove them)."""

import django.db.models.deletion
from django.db import migrations, models


def _stored(related_name):
    return models.OneToOneField(
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="core.storedfile",
        verbose_name=related_name,
    )


def record_files(apps, schema_editor):
    from cityhall.core.file_records import record_existing

    StoredFile = apps.get_model("core", "StoredFile")
    ApplicationFile = apps.get_model("municipal_services", "ApplicationFile")
    ResultDocument = apps.get_model("municipal_services", "ResultDocument")
    StandardRequest = apps.get_model("municipal_services", "StandardRequest")
    for row in ApplicationFile.objects.select_related("application").iterator():
        row.stored = record_existing(
            StoredFile,
            row.file.name,
            purpose="municipal_services.application_file",
            owner_id=row.uploaded_by_id,
            label=row.original_name,
            content_type=row.content_type,
            created_at=row.uploaded_at,
        )
        row.submitted = row.application.status != "draft"
        row.save(update_fields=["stored", "submitted"])
    for row in ResultDocument.objects.select_related("application").iterator():
        row.stored = record_existing(
            StoredFile,
            row.file.name,
            purpose="municipal_services.result",
            owner_id=row.application.applicant_id,
            label=f"{row.number}.pdf",
            content_type="application/pdf",
        )
        row.save(update_fields=["stored"])
    for row in StandardRequest.objects.exclude(answer_file="").iterator():
        row.answer_stored = record_existing(
            StoredFile,
            row.answer_file.name,
            purpose="municipal_services.answer_file",
            owner_id=row.handled_by_id,
        )
        row.save(update_fields=["answer_stored"])


class Migration(migrations.Migration):
    # On PostgreSQL, filling the new links queues deferred foreign-key checks that forbid
    # dropping the old column in the same transaction ("pending trigger events"): each step
    # commits on its own, the filling in a transaction of its own (atomic=True below).
    atomic = False

    dependencies = [
        ("core", "0013_stored_file"),
        ("municipal_services", "0009_merge_svca_svcb"),
    ]

    operations = [
        migrations.AddField("applicationfile", "stored", _stored("file")),
        migrations.AddField(
            "applicationfile",
            "submitted",
            models.BooleanField(default=False, verbose_name="part of a submitted application"),
        ),
        migrations.AddField("resultdocument", "stored", _stored("file")),
        migrations.AddField("standardrequest", "answer_stored", _stored("answer document")),
        migrations.RunPython(record_files, migrations.RunPython.noop, atomic=True),
        migrations.RemoveField("applicationfile", "file"),
        migrations.RemoveField("resultdocument", "file"),
        migrations.RemoveField("standardrequest", "answer_file"),
        migrations.AlterField(
            "applicationfile",
            "stored",
            models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.storedfile",
                verbose_name="file",
            ),
        ),
        migrations.AlterField(
            "resultdocument",
            "stored",
            models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.storedfile",
                verbose_name="file",
            ),
        ),
        migrations.AlterField(
            "standardrequest",
            "answer_stored",
            models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.storedfile",
                verbose_name="answer document",
            ),
        ),
    ]
