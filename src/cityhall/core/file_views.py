"""``/files/<id>/``: every stored file leaves through here, after its purpose's rule.

The purpose (``core.file_purposes``) decides who may see the file; whoever it refuses gets a
404 (a visitor who is not signed in is sent to sign in first), so a private file's existence is
not told. Reads of files whose purpose is marked ``audit_reads`` (identity documents) by anyone
but their owner are written to the audit chain. A file recorded but gone from the storage shows
a "file missing" page, not a server error. The bytes are handed over by
``core.file_serving.send_file`` (X-Accel-Redirect, a pre-signed URL or streaming, with the
content type, disposition, ``nosniff`` and a sandboxing CSP).

Every photo on a list or a map comes through here, so the path is kept short (bench/
files_serving.py: at most twice the cost of a static file behind nginx): the record is read by
one hand-written statement (:func:`find_stored`, no query compiled per request), a request
without a cookie takes the lean middleware lane (``core.handlers``), and the storage is asked
once whether the file is there (by ``send_file``).
"""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth.views import redirect_to_login
from django.db import connections, router
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import audit, prepared
from .file_purposes import purpose as find_purpose
from .file_serving import FileMissing, send_file
from .models import StoredFile

log = logging.getLogger(__name__)

#: per database alias: (the statement, the fields it reads, their converters)
_LOOKUP: dict[str, tuple[str, list, list]] = {}


def _lookup(alias: str) -> tuple[str, list, list]:
    if alias not in _LOOKUP:
        connection = connections[alias]
        quote = connection.ops.quote_name
        fields = list(StoredFile._meta.concrete_fields)
        columns = ", ".join(quote(f.column) for f in fields)
        table, key = quote(StoredFile._meta.db_table), quote(StoredFile._meta.pk.column)
        # names from the model's own metadata; the value is a parameter
        sql = f"SELECT {columns} FROM {table} WHERE {key} = %s"  # noqa: S608
        converters = []
        for field in fields:
            column = field.get_col(StoredFile._meta.db_table)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            converters.append((found, column))
        _LOOKUP[alias] = (sql, fields, converters)
    return _LOOKUP[alias]


def find_stored(file_id: uuid.UUID) -> StoredFile | None:
    """The record of ``file_id`` (None if there is none), read by one prepared statement with
    the ORM's own conversions: what ``StoredFile.objects.filter(pk=...).first()`` returns,
    without compiling a query on every photo a page shows."""
    alias = router.db_for_read(StoredFile)
    connection = connections[alias]
    sql, fields, converters = _lookup(alias)
    param = StoredFile._meta.pk.get_db_prep_value(file_id, connection)
    with prepared.cursor(connection) as cursor:
        cursor.execute(sql, [param])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for position, (functions, column) in enumerate(converters):
        for convert in functions:
            values[position] = convert(values[position], column, connection)
    return StoredFile.from_db(alias, [f.attname for f in fields], values)


@require_safe
def serve(request: HttpRequest, file_id: uuid.UUID) -> HttpResponse:
    stored = find_stored(file_id)
    declared = find_purpose(stored.purpose) if stored is not None else None
    if stored is None or declared is None or not declared.can_view(request.user, stored):
        if stored is not None and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    if declared.audit_reads and request.user.pk != stored.owner_id:
        audit.record(
            actor=request.user,
            action="file.read",
            target=stored,
            after={"purpose": stored.purpose, "label": stored.label},
        )
    public = stored.visibility == StoredFile.Visibility.PUBLIC
    try:
        if not stored.file.name:
            raise FileMissing(stored.file.name)
        return send_file(request, stored, public=public, download=declared.download)
    except FileMissing:
        log.error("stored file %s (%s) is missing from the storage", stored.pk, stored.file.name)
        return render(request, "core/file_missing.html", {"stored": stored}, status=404)
