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


def busiest_chain() -> int:
    """The chain a test's records went to: a test runs in one transaction, which appends to one
    chain (ADR 0032)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT chain FROM core_auditchainhead ORDER BY seq DESC, chain LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def head(chain: int | None = None) -> tuple[int, str, str]:
    chain = busiest_chain() if chain is None else chain
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq, last_hash, mac FROM core_auditchainhead WHERE chain = %s", [chain]
        )
        return cursor.fetchone()


def set_head(seq: int, last_hash: str, mac: str | None = None, chain: int | None = None) -> None:
    chain = busiest_chain() if chain is None else chain
    if mac is None:
        tamper(
            "UPDATE core_auditchainhead SET seq = %s, last_hash = %s WHERE chain = %s",
            [seq, last_hash, chain],
        )
    else:
        tamper(
            "UPDATE core_auditchainhead SET seq = %s, last_hash = %s, mac = %s WHERE chain = %s",
            [seq, last_hash, mac, chain],
        )
