"""Photos move onto the platform's file service: each existing photo gets its StoredFile record
for the name it already has in storage (nothing is copied), then the old column goes."""

import django.db.models.deletion
from django.db import migrations, models


def record_photos(apps, schema_editor):
    from cityhall.core.file_records import record_existing

    Photo = apps.get_model("service_requests", "Photo")
    StoredFile = apps.get_model("core", "StoredFile")
    for photo in Photo.objects.exclude(image="").iterator():
        photo.stored = record_existing(
            StoredFile,
            photo.image.name,
            purpose="service_requests.photo",
            owner_id=photo.uploaded_by_id,
            created_at=photo.created_at,
        )
        photo.save(update_fields=["stored"])
    Photo.objects.filter(stored__isnull=True).delete()


def names_back(apps, schema_editor):
    Photo = apps.get_model("service_requests", "Photo")
    for photo in Photo.objects.select_related("stored").iterator():
        photo.image = photo.stored.file.name
        photo.save(update_fields=["image"])


class Migration(migrations.Migration):
    # On PostgreSQL, filling the new links queues deferred foreign-key checks that forbid
    # dropping the old column in the same transaction ("pending trigger events"): each step
    # commits on its own, the filling in a transaction of its own (atomic=True below).
    atomic = False

    dependencies = [
        ("core", "0013_stored_file"),
        ("service_requests", "0011_merge_reports_and_handovers"),
    ]

    operations = [
        migrations.AddField(
            model_name="photo",
            name="stored",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.storedfile",
                verbose_name="photo",
            ),
        ),
        migrations.AlterField(
            model_name="photo",
            name="image",
            field=models.ImageField(blank=True, upload_to="requests/%Y/%m", verbose_name="photo"),
        ),
        migrations.RunPython(record_photos, names_back, atomic=True),
        migrations.RemoveField(model_name="photo", name="image"),
        migrations.AlterField(
            model_name="photo",
            name="stored",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.storedfile",
                verbose_name="photo",
            ),
        ),
    ]
