"""The file columns replaced by StoredFile records in 0013 are dropped, and the records made
required where a file always is (its own migration: see 0013)."""

import django.db.models.deletion
from django.db import migrations, models


def _stored():
    return models.OneToOneField(
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="core.storedfile",
        verbose_name="file",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0013_files_stored_files"),
    ]

    operations = [
        migrations.RemoveField("proposalattachment", "file"),
        migrations.RemoveField("documentversion", "file"),
        migrations.RemoveField("finaldocument", "pdf"),
        migrations.RemoveField("finaldocument", "json"),
        migrations.RemoveField("finaldocument", "appendix"),
        migrations.AlterField("proposalattachment", "stored", _stored()),
        migrations.AlterField("documentversion", "stored", _stored()),
    ]
