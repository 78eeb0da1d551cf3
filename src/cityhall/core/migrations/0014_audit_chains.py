"""The audit trail becomes a fixed number of chains, each with its own head (ADR 0032).

Every record written so far becomes chain 0's history, unchanged: its hash does not name a chain
(only records of chains 1 and up do), and the existing head row becomes chain 0's head with its
sequence, last hash and MAC as they were, so ``cityhall verify_audit`` passes on a database
audited before the split. The heads of chains 1.. are added empty. No record is updated (on
PostgreSQL adding a column with a default rewrites nothing, and the append-only trigger stays).
"""

from django.db import migrations, models

CHAINS = 16  # core.audit_chains.CHAINS when this migration was written


def add_heads(apps, schema_editor):
    head = apps.get_model("core", "AuditChainHead")
    # Explicit ids (chain + 1, as the first head's is 1): that head was inserted with id 1, which
    # PostgreSQL's id sequence never counted.
    for chain in range(1, CHAINS):
        head.objects.get_or_create(
            chain=chain, defaults={"pk": chain + 1, "seq": 0, "last_hash": "0" * 64}
        )


def remove_heads(apps, schema_editor):
    apps.get_model("core", "AuditChainHead").objects.filter(chain__gt=0).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0013_stored_file"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditrecord",
            options={
                "ordering": ["id"],
                "verbose_name": "audit record",
                "verbose_name_plural": "audit trail",
            },
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, unique=True),
        ),
        migrations.AddField(
            model_name="auditcheckpoint",
            name="heads",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="chain heads"
            ),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="chain"),
        ),
        migrations.AlterField(
            model_name="auditrecord",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, verbose_name="sequence number"),
        ),
        migrations.AddConstraint(
            model_name="auditrecord",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="core_audit_chain_seq_unique"
            ),
        ),
        migrations.RunPython(add_heads, remove_heads),
    ]
