"""The files of one data set version, written in one pass over its rows, in bounded memory.

* CSV: UTF-8 with a byte-order mark (spreadsheets then read Cyrillic right), comma-separated,
  a header row of the field names, RFC 4180 quoting, CRLF line ends; gzip-compressed.
* JSON: an array of objects (one per row, keys the field names); gzip-compressed.
* GeoJSON: a FeatureCollection (the row's fields as properties) — sets whose rows have a place.
* XLSX: one sheet, header row first, written in openpyxl's write-only (streaming) mode; a set
  with more rows than a sheet holds (1,048,576) gets none, and the version says why.

Every file's SHA-256 is computed from the bytes as written.

Speed (the requests set has 10 million rows): rows are encoded a batch at a time — JSON by
orjson, CSV by one ``writerows`` per batch — and each gzip file is compressed by ISA-L
(``isal``, gzip-compatible, several times faster than zlib at level 1) in a thread of its own,
which leaves the GIL while it works, so compressing runs beside the encoding on a second core.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import itertools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from isal import igzip_threaded

from cityhall.core.opendata import Dataset, as_text

__all__ = ["FORMATS", "XLSX_MAX_ROWS", "Writers", "media_type"]

XLSX_MAX_ROWS = 1_048_575  # a sheet's rows, less the header
# format → (file suffix, media type of the content)
FORMATS = {
    "csv": (".csv.gz", "text/csv; charset=utf-8"),
    "json": (".json.gz", "application/json"),
    "geojson": (".geojson.gz", "application/geo+json"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
# Fast compression: the 10-million-row set is generated in minutes, not an hour; level 1
# still shrinks these files about 5 times.
_LEVEL = 1
# rows encoded and handed to the files at a time (bounded memory whatever the caller passes)
_BATCH = 5_000
# Datetimes, dates and the types orjson does not know are written as Django's JSON encoder
# writes them everywhere else on the platform (the API, the exports).
_JSON_DEFAULT = DjangoJSONEncoder().default
_JSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


def _json(value: Any) -> bytes:
    return orjson.dumps(value, default=_JSON_DEFAULT, option=_JSON_OPTIONS)


def media_type(fmt: str) -> str:
    return FORMATS[fmt][1]


class _Hashing(io.RawIOBase):
    """A binary file that hashes and counts what is written to it."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("wb")
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self._file.write(data)

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


class _Compressed:
    """A gzip file written through a hashing file; ISA-L compresses in a thread of its own."""

    def __init__(self, path: Path) -> None:
        self.raw = _Hashing(path)
        self.gz = igzip_threaded.open(self.raw, "wb", compresslevel=_LEVEL, threads=1)

    def write(self, data: bytes) -> None:
        self.gz.write(data)

    def finish(self) -> dict[str, Any]:
        self.gz.close()
        self.raw.close()
        return {"size": self.raw.size, "sha256": self.raw.sha256.hexdigest()}


class Writers:
    """Open the files of a version in ``folder``, take rows, finish with ``close()``."""

    def __init__(self, dataset: Dataset, folder: Path, stem: str, *, xlsx: bool) -> None:
        self.dataset = dataset
        self.folder = folder
        self.stem = stem
        self.names = dataset.field_names
        self._files: dict[str, _Compressed] = {}
        self.skipped: dict[str, str] = {}
        # the fields whose values the CSV writes otherwise than str() does (true/false, ISO)
        self._as_text = [
            index
            for index, f in enumerate(dataset.fields)
            if f.type in ("boolean", "date", "datetime")
        ]
        self._csv = self._open("csv")
        self._csv.write(("\ufeff" + _csv_lines([self.names])).encode())
        self._json = self._open("json")
        self._json.write(b"[")
        self._geo = self._open("geojson") if dataset.geometry else None
        if self._geo:
            self._geo.write(b'{"type":"FeatureCollection","features":[')
        self._count = 0
        self._xlsx = self._xlsx_sheet = None
        if xlsx:
            self._open_xlsx()
        else:
            self.skipped["xlsx"] = "more rows than the XLSX limit (OPENDATA_XLSX_MAX_ROWS)"

    def _open(self, fmt: str) -> _Compressed:
        found = self._files[fmt] = _Compressed(self.path(fmt))
        return found

    def path(self, fmt: str) -> Path:
        return self.folder / f"{self.stem}{FORMATS[fmt][0]}"

    def _open_xlsx(self) -> None:
        from openpyxl import Workbook

        self._xlsx = Workbook(write_only=True)
        self._xlsx_sheet = self._xlsx.create_sheet(title=self.dataset.code[:31])
        self._xlsx_sheet.append(self.names)

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        """Write ``rows``; returns how many (so a caller can report progress between calls)."""
        rows = iter(rows)
        written = 0
        while batch := list(itertools.islice(rows, _BATCH)):
            self._write_batch(batch)
            written += len(batch)
        return written

    def _write_batch(self, batch: list[dict[str, Any]]) -> None:
        names, geometry, as_texts = self.names, self.dataset.geometry, self._as_text
        lines, objects, features = [], [], []
        for row in batch:
            values = [row.get(name) for name in names]
            encoded = _json(dict(zip(names, values, strict=True)))
            objects.append(encoded)
            if geometry is not None:
                shape = _json(geometry(row))
                features.append(
                    b'{"type":"Feature","geometry":' + shape + b',"properties":' + encoded + b"}"
                )
            if self._xlsx_sheet is not None:
                if self._count >= XLSX_MAX_ROWS:
                    self._drop_xlsx()
                else:
                    self._xlsx_sheet.append([_cell(v) for v in values])
            for index in as_texts:
                value = values[index]
                if value is not None and value.__class__ is not str:
                    values[index] = as_text(value)
            lines.append(values)
            self._count += 1
        first = self._count == len(batch)  # nothing was written before this batch
        self._csv.write(_csv_lines(lines).encode())
        self._json.write((b"" if first else b",") + b",".join(objects))
        if self._geo is not None:
            self._geo.write((b"" if first else b",") + b",".join(features))

    def _drop_xlsx(self) -> None:
        self._xlsx = self._xlsx_sheet = None
        self.skipped["xlsx"] = f"more rows than a sheet holds ({XLSX_MAX_ROWS:,})"

    def close(self) -> dict[str, dict[str, Any]]:
        """Finish every file; returns format → {"name", "size", "sha256"} (or {"skipped"})."""
        self._json.write(b"]")
        if self._geo is not None:
            self._geo.write(b"]}")
        files: dict[str, dict[str, Any]] = {}
        for fmt, handle in self._files.items():
            files[fmt] = {"name": self.path(fmt).name, **handle.finish()}
        if self._xlsx is not None:
            path = self.path("xlsx")
            self._xlsx.save(path)
            files["xlsx"] = {"name": path.name, **_digest(path)}
        for fmt, reason in self.skipped.items():
            files[fmt] = {"skipped": reason}
        return files

    def abort(self) -> None:
        for handle in self._files.values():
            with contextlib.suppress(OSError, ValueError):
                handle.finish()


def _csv_lines(rows: list[list[Any]]) -> str:
    """Rows as CSV text (RFC 4180 quoting, CRLF), in one ``writerows`` call."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue()


def _cell(value: Any) -> Any:
    """XLSX cells keep numbers, dates and booleans; an aware datetime is written in UTC
    without its zone (spreadsheets cannot hold one)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _digest(path: Path) -> dict[str, Any]:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return {"size": path.stat().st_size, "sha256": sha.hexdigest()}
