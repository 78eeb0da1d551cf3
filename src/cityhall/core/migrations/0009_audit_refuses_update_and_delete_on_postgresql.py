"""On PostgreSQL, the database itself refuses UPDATE and DELETE of audit records and checkpoints
(ADR 0010): not only the app's code paths but a hand-typed statement, an SQL injection or a bug.
The chain head row stays updatable: every append moves it. TRUNCATE is left to the grants
(docs/operations.md): a statement trigger on it would also stop the test suite's flush.
An owner can still disable the trigger; the published checkpoints catch what follows."""

from django.db import migrations

TABLES = ("core_auditrecord", "core_auditcheckpoint")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION cityhall_audit_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)  # its % are PL/pgSQL's, not ours
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cityhall_audit_is_append_only()"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS cityhall_audit_is_append_only()")


class Migration(migrations.Migration):
    dependencies = [("core", "0008_audit_keys_and_checkpoints")]
    operations = [migrations.RunPython(install, remove)]
