"""Life situations are versioned like services: each situation's questionnaire, hints and steps
become its version 1 — published when the situation is offered; otherwise a draft, or retired
when cases were submitted on it (a version with cases is never edited) — and every existing case
points at that version.

The filling runs in a transaction of its own (``atomic=True`` below) and the tables are altered
after it commits: on PostgreSQL both in one transaction fail ("cannot ALTER TABLE ... because it
has pending trigger events")."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def make_versions(apps, schema_editor):
    Situation = apps.get_model("municipal_services", "LifeSituation")
    Version = apps.get_model("municipal_services", "LifeSituationVersion")
    Step = apps.get_model("municipal_services", "LifeSituationStep")
    Case = apps.get_model("municipal_services", "LifeSituationCase")
    now = django.utils.timezone.now()
    for situation in Situation.objects.order_by("pk").iterator():
        has_cases = Case.objects.filter(situation_id=situation.pk).exists()
        if situation.is_active:
            status, published_at, retired_at = "published", now, None
        elif has_cases:
            status, published_at, retired_at = "retired", None, now
        else:
            status, published_at, retired_at = "draft", None, None
        version = Version.objects.create(
            situation_id=situation.pk,
            number=1,
            status=status,
            questionnaire=situation.questionnaire or {},
            ui=situation.ui or {},
            published_at=published_at,
            retired_at=retired_at,
        )
        Step.objects.filter(situation_id=situation.pk).update(version_id=version.pk)
        Case.objects.filter(situation_id=situation.pk).update(version_id=version.pk)


def restore_situations(apps, schema_editor):
    """Back: each situation keeps the questionnaire and steps of its published version (else
    its newest); the other versions' steps are dropped."""
    Situation = apps.get_model("municipal_services", "LifeSituation")
    Version = apps.get_model("municipal_services", "LifeSituationVersion")
    Step = apps.get_model("municipal_services", "LifeSituationStep")
    for situation in Situation.objects.order_by("pk").iterator():
        versions = Version.objects.filter(situation_id=situation.pk)
        kept = versions.filter(status="published").first() or versions.order_by("-number").first()
        if kept is None:
            continue
        situation.questionnaire, situation.ui = kept.questionnaire, kept.ui
        situation.save(update_fields=["questionnaire", "ui"])
        Step.objects.filter(version__situation_id=situation.pk).exclude(version_id=kept.pk).delete()
        Step.objects.filter(version_id=kept.pk).update(situation_id=situation.pk)


class Migration(migrations.Migration):
    # The filling commits on its own before the tables are altered (see above).
    atomic = False

    dependencies = [
        ("municipal_services", "0012_request_type_form_versions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LifeSituationVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("number", models.PositiveIntegerField(verbose_name="version")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("published", "Published"),
                            ("retired", "Retired"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "questionnaire",
                    models.JSONField(
                        default=dict, verbose_name="questionnaire (JSON Schema 2020-12)"
                    ),
                ),
                (
                    "ui",
                    models.JSONField(blank=True, default=dict, verbose_name="questionnaire hints"),
                ),
                ("revision", models.PositiveIntegerField(default=0, verbose_name="revision")),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="published"),
                ),
                ("retired_at", models.DateTimeField(blank=True, null=True, verbose_name="retired")),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "situation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="municipal_services.lifesituation",
                    ),
                ),
            ],
            options={
                "verbose_name": "life situation version",
                "verbose_name_plural": "life situation versions",
                "ordering": ["situation", "-number"],
            },
        ),
        migrations.AddField(
            model_name="lifesituationcase",
            name="version",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="municipal_services.lifesituationversion",
                verbose_name="submitted on version",
            ),
        ),
        migrations.AddField(
            model_name="lifesituationstep",
            name="version",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="steps",
                to="municipal_services.lifesituationversion",
            ),
        ),
        migrations.RunPython(make_versions, restore_situations, atomic=True),
        migrations.AlterModelOptions(
            name="lifesituationstep",
            options={"ordering": ["version", "order"]},
        ),
        migrations.RemoveConstraint(
            model_name="lifesituationstep",
            name="ms_situation_step",
        ),
        migrations.RemoveField(
            model_name="lifesituation",
            name="questionnaire",
        ),
        migrations.RemoveField(
            model_name="lifesituation",
            name="ui",
        ),
        migrations.RemoveField(
            model_name="lifesituationstep",
            name="situation",
        ),
        migrations.AlterField(
            model_name="lifesituationcase",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="municipal_services.lifesituationversion",
                verbose_name="submitted on version",
            ),
        ),
        migrations.AlterField(
            model_name="lifesituationstep",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="steps",
                to="municipal_services.lifesituationversion",
            ),
        ),
        migrations.AddConstraint(
            model_name="lifesituationstep",
            constraint=models.UniqueConstraint(
                fields=("version", "service"), name="ms_situation_version_step"
            ),
        ),
        migrations.AddConstraint(
            model_name="lifesituationversion",
            constraint=models.UniqueConstraint(
                fields=("situation", "number"), name="ms_situation_number"
            ),
        ),
        migrations.AddConstraint(
            model_name="lifesituationversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "draft")),
                fields=("situation",),
                name="ms_situation_one_draft",
            ),
        ),
        migrations.AddConstraint(
            model_name="lifesituationversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "published")),
                fields=("situation",),
                name="ms_situation_one_published",
            ),
        ),
    ]
