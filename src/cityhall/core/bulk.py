"""Multi-row prepared ``INSERT … RETURNING id`` for batch registration (core.inbox handlers,
the notification outbox, the audit trail): what ``bulk_create`` does, without building the ORM
query for every batch — building it cost more than running it. Table and column names come from
the model.

On SQLite the rows go as multi-row ``VALUES`` (up to 999 parameters a statement). On PostgreSQL
all rows go in one statement with one array per column, ``INSERT … SELECT * FROM unnest(…)``:
the statement text is the same for any number of rows, so the driver splits it once and caches
it (a statement with more than 50 parameters is re-parsed on every call, which cost more than
the insert itself).

``insert_rows(model, rows)`` takes dicts keyed by attname (a missing column takes the field's
default) and returns the new ids in order; ``insert_objects(objects)`` takes unsaved model
instances of one model and sets their ids; ``new(model, **values)`` builds such an instance
the fast way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections, models

from . import prepared

__all__ = ["Insert", "insert_objects", "insert_rows", "new"]

#: SQLite allows 999 parameters per statement in its oldest supported builds.
_MAX_PARAMS = 999

_IDENTITY = (
    models.IntegerField,  # and every integer, auto and big-auto field
    models.BooleanField,
    models.FloatField,
)


def _preparer(field: models.Field, connection) -> Callable[[Any], Any] | None:
    """How a value of ``field`` becomes a parameter: None where the value already is one."""
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, _IDENTITY) or (
        isinstance(field, models.ForeignKey) and isinstance(field.target_field, _IDENTITY)
    ):
        return None
    if isinstance(field, (models.CharField, models.TextField)):
        # A str (or None) is already the parameter; anything else (a lazy text) is converted.
        return lambda value: (
            value
            if value is None or type(value) is str
            else field.get_db_prep_save(value, connection)
        )
    return lambda value: field.get_db_prep_save(value, connection)


def _computed_on_save(field: models.Field) -> bool:
    if isinstance(field, models.DateField):
        return field.auto_now or field.auto_now_add
    return type(field).pre_save is not models.Field.pre_save


class Insert:
    """``INSERT`` of many rows of ``fields`` (in that order) into ``model``'s table, with
    ``RETURNING`` of the primary key when ``returning``; :meth:`run` takes rows of parameters."""

    def __init__(
        self, model: type[models.Model], fields: list[models.Field], connection, *, returning=True
    ) -> None:
        quote = connection.ops.quote_name
        self.head = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
            f"({', '.join(quote(f.column) for f in fields)}) "
        )
        self.tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
        self.returning = returning
        self.arrays = ""
        if connection.vendor == "postgresql":
            casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            self.arrays = f"{self.head}SELECT * FROM unnest({casts}){self.tail}"  # noqa: S608
        self.one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        self.chunk = max(1, _MAX_PARAMS // len(fields))

    def run(self, cursor, rows: list[list[Any]]) -> list[int]:
        """Insert ``rows``; the new primary keys in the rows' order (if ``returning``)."""
        if not rows:
            return []
        if self.arrays:
            # unnest() yields the rows in order and they are inserted and returned in that order.
            cursor.execute(self.arrays, [list(column) for column in zip(*rows, strict=True)])
            return [found[0] for found in cursor.fetchall()] if self.returning else []
        ids: list[int] = []
        for start in range(0, len(rows), self.chunk):
            chunk = rows[start : start + self.chunk]
            cursor.execute(
                f"{self.head}VALUES {', '.join([self.one] * len(chunk))}{self.tail}",
                [value for row in chunk for value in row],
            )
            # Rows come back in the order of VALUES, as bulk_create relies on too.
            if self.returning:
                ids.extend(found[0] for found in cursor.fetchall())
        return ids


def _defaults(fields: list[models.Field]) -> list[tuple[str, Any, bool]]:
    """``(attname, default, call)`` per field: a fixed default computed once, or the callable to
    call for each object (``call`` true)."""
    return [
        (f.attname, f.default, True)
        if f.has_default() and callable(f.default)
        else (f.attname, f.get_default(), False)
        for f in fields
    ]


class _Plan:
    def __init__(self, model: type[models.Model], connection) -> None:
        self.connection = connection
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        # Per column: its name, the default a row may leave it to, how a value becomes a
        # parameter.
        self.columns = [
            (name, default, call, _preparer(f, connection))
            for (name, default, call), f in zip(_defaults(self.fields), self.fields, strict=True)
        ]
        # Fields that compute their value on save (auto_now, files, …) are asked per object.
        self.computed = [f for f in self.fields if _computed_on_save(f)]
        self.statement = Insert(model, self.fields, connection)

    def insert(self, rows: list[dict[str, Any]]) -> list[int]:
        params = []
        for row in rows:
            ready = []
            for name, default, call, prep in self.columns:
                value = row[name] if name in row else (default() if call else default)
                ready.append(value if prep is None else prep(value))
            params.append(ready)
        with prepared.cursor(self.connection) as cursor:
            return self.statement.run(cursor, params)


_PLANS: dict[tuple[str, str], _Plan] = {}


def _plan(model: type[models.Model]) -> _Plan:
    connection = connections[model.objects.db]
    key = (connection.alias, model._meta.label)
    plan = _PLANS.get(key)
    if plan is None or plan.connection is not connection:
        plan = _PLANS[key] = _Plan(model, connection)
    return plan


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (attname → value) of ``model``; their new ids, in order."""
    if not rows:
        return []
    return _plan(model).insert(rows)


def insert_objects(objects: list[models.Model]) -> list[models.Model]:
    """Insert unsaved instances of one model; each gets its id. Returns ``objects``."""
    if not objects:
        return objects
    plan = _plan(type(objects[0]))
    rows = []
    for obj in objects:
        for field in plan.computed:
            setattr(obj, field.attname, field.pre_save(obj, True))
        rows.append({f.attname: getattr(obj, f.attname) for f in plan.fields})
    alias = plan.connection.alias
    for obj, pk in zip(objects, plan.insert(rows), strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, alias
    return objects


_NEW: dict[str, list[tuple[str, Any, bool]]] = {}


def new(model: type[models.Model], /, **values: Any) -> models.Model:
    """``model(**values)`` for objects made by the hundred (a batch registration): ``values``
    by attname (a foreign key as ``<name>_id``), every other field its default. Built with
    positional arguments: the keyword path of ``Model.__init__`` cost several times more."""
    plan = _NEW.get(model._meta.label)
    if plan is None:
        plan = _NEW[model._meta.label] = _defaults(model._meta.concrete_fields)
    args = []
    for attname, default, call in plan:
        if attname in values:
            args.append(values.pop(attname))
        else:
            args.append(default() if call else default)
    if values:
        raise TypeError(f"{model.__name__} has no fields {sorted(values)}")
    return model(*args)
