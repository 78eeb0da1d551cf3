"""A cursor for the hand-written statements of hot paths (ADR 0008): on PostgreSQL they are
prepared once per connection and then only executed.

Django's PostgreSQL cursors bind parameters on the client: every statement reaches the server
as new text, which it parses and plans again. For the short statements run on every submission
(the token lookup, the inbox insert, the batch inserts of registration) planning costs more
than running them — a four-table lookup by a unique key is planned in 0.13 ms and executed in
0.06 ms. :func:`cursor` gives those statements a server-side binding cursor instead: psycopg
prepares a statement on its fifth run on a connection (``prepare_threshold`` in the
``DATABASES`` options, set in settings) and executes it by name after that. The ORM's own
queries keep Django's default.

Set ``CITYHALL_PG_PREPARE=0`` behind a connection pooler that cannot keep prepared statements
(PgBouncer in transaction mode before 1.21): the statements are then bound on the server but
not prepared. On SQLite this is ``connection.cursor()``.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

__all__ = ["cursor"]


class _DebugWrapper(CursorDebugWrapper):
    """Query logging (``DEBUG``, tests capturing queries) with the statement's text: psycopg
    keeps no text for a prepared statement, where Django would read it."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


def cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor of ``connection`` (use it as ``connection.cursor()``) whose statements are
    prepared on PostgreSQL. Parameters go separately from the text: each ``%s`` must be a
    value, typed by what it is compared with or stored in (not a name, not a list to expand)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    # What connection.cursor() does, with the server-binding cursor class and Django's wrapper:
    # execute wrappers and error translation stay as for any query.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
        connection.validate_thread_sharing()
        if connection.queries_logged:
            return _DebugWrapper(raw, connection)
        return connection.make_cursor(raw)
