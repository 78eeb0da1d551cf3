"""Reading a verification register file (CSV in UTF-8 with a comma, semicolon or tab, or XLSX)
into rows keyed by the header row's column names (lower case)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from cityhall.core.errors import InvalidInput

__all__ = ["MAX_ROWS", "read_register"]

MAX_ROWS = 200_000


def _names(header: list[Any]) -> list[str]:
    return [str(h or "").strip().lower() for h in header]


def read_register(data: bytes, file_name: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The header and the non-empty rows of the file."""
    if file_name.lower().endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 — any unreadable workbook is the same error to the user
            raise InvalidInput(fields={"file": [_("The file is not a readable XLSX.")]}) from None
        values = book.worksheets[0].iter_rows(values_only=True)
        header = _names(list(next(values, None) or []))
        rows = []
        for line in values:
            if line is None or all(v in (None, "") for v in line):
                continue
            rows.append(dict(zip(header, line, strict=False)))
            if len(rows) > MAX_ROWS:
                break
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(fields={"file": [_("Save the CSV file in UTF-8.")]}) from None
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else None
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect) if dialect else iter([])
        header = _names(next(reader, []))
        rows = [dict(zip(header, line, strict=False)) for line in reader if any(line)]
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            fields={"file": [_("At most %(n)s rows in one file.") % {"n": MAX_ROWS}]}
        )
    return header, rows
