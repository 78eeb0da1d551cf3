"""What an attacker with write access to the database does to the audit trail: raw SQL. On
PostgreSQL the append-only trigger refuses it, so the attacker is the table owner and switches
the trigger off first (inside the test's transaction, which is rolled back)."""

from __future__ import annotations

from django.db import connection

TABLES = ("core_auditrecord", "core_auditcheckpoint")


def tamper(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def head() -> tuple[int, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, last_hash, mac FROM core_auditchainhead WHERE id = 1")
        return cursor.fetchone()


def set_head(seq: int, last_hash: str, mac: str | None = None) -> None:
    if mac is None:
        tamper(
            "UPDATE core_auditchainhead SET seq = %s, last_hash = %s WHERE id = 1",
            [seq, last_hash],
        )
    else:
        tamper(
            "UPDATE core_auditchainhead SET seq = %s, last_hash = %s, mac = %s WHERE id = 1",
            [seq, last_hash, mac],
        )
