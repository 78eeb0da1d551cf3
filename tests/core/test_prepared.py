"""core.prepared: hot-path statements are prepared once per PostgreSQL connection, and they
stay ordinary Django queries — logged, seen by execute wrappers, errors translated."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cityhall.accounts.tokens import create_api_token, user_for_token
from cityhall.core import prepared
from cityhall.core.models import Counter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    connection.vendor != "postgresql"
    or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None,
    reason="PostgreSQL prepares statements (unless CITYHALL_PG_PREPARE=0)",
)
def test_a_statement_run_again_and_again_is_prepared_on_the_connection():
    person = UserFactory()
    token = create_api_token(user=person, name="app")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(6):
            assert user_for_token(token) == person
    # Logged with its text also once prepared (psycopg keeps none for a prepared statement).
    assert len([q for q in queries.captured_queries if "token_hash" in q["sql"]]) == 6
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any("token_hash" in s for s in statements), statements


def test_the_cursor_is_a_django_cursor():
    Counter.objects.create(series="prepared", value=1)
    sql = f"SELECT value FROM {Counter._meta.db_table} WHERE series = %s"  # noqa: S608
    with CaptureQueriesContext(connection) as queries, prepared.cursor(connection) as cursor:
        cursor.execute(sql, ["prepared"])
        assert cursor.fetchone() == (1,)
    assert [q["sql"] for q in queries.captured_queries if "WHERE series =" in q["sql"]]
    insert = f"INSERT INTO {Counter._meta.db_table} (series, value) VALUES (%s, %s)"  # noqa: S608
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        prepared.cursor(connection) as cursor,
    ):
        cursor.execute(insert, ["prepared", 2])
    assert Counter.objects.get(series="prepared").value == 1
