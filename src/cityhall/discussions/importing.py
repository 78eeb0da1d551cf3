"""Reading paper batches of proposals from CSV or XLSX into rows of named columns."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from cityhall.core.errors import InvalidInput

from .services import IMPORT_COLUMNS

__all__ = ["read_rows", "MAX_ROWS"]

MAX_ROWS = 50_000


def _check_header(header: list[str]) -> list[str]:
    names = [str(h or "").strip().lower() for h in header]
    missing = [c for c in IMPORT_COLUMNS if c not in names]
    if missing:
        raise InvalidInput(
            fields={"file": [_("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)}]}
        )
    return names


def read_rows(upload: Any) -> list[dict[str, Any]]:
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX file, keyed by the header row."""
    name = (getattr(upload, "name", "") or "").lower()
    data = upload.read()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 — any unreadable workbook is the same error to the user
            raise InvalidInput(fields={"file": [_("The file is not a readable XLSX.")]}) from None
        sheet = book.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header = _check_header(list(next(rows_iter, []) or []))
        rows = []
        for values in rows_iter:
            if values is None or all(v in (None, "") for v in values):
                continue
            rows.append(dict(zip(header, values, strict=False)))
            if len(rows) > MAX_ROWS:
                break
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(fields={"file": [_("Save the CSV file in UTF-8.")]}) from None
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else None
        reader = csv.reader(io.StringIO(text), dialect) if dialect else iter([])
        header = _check_header(next(reader, []))
        rows = [
            dict(zip(header, values, strict=False))
            for values in reader
            if any(v.strip() for v in values)
        ]
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            fields={"file": [_("At most %(n)s rows in one file.") % {"n": MAX_ROWS}]}
        )
    return rows
