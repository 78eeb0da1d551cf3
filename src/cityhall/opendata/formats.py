"""The files of one data set version, written in one pass over its rows, in bounded memory.

* CSV: UTF-8 with a byte-order mark (spreadsheets then read Cyrillic right), comma-separated,
  a header row of the field names, RFC 4180 quoting, CRLF line ends; gzip-compressed.
* JSON: an array of objects (one per row, keys the field names); gzip-compressed.
* GeoJSON: a FeatureCollection (the row's fields as properties) — sets whose rows have a place.
* XLSX: one sheet, header row first, written in openpyxl's write-only (streaming) mode; a set
  with more rows than a sheet holds (1,048,576) gets none, and the version says why.

Every file's SHA-256 is computed from the bytes as written.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

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
    def __init__(self, path: Path) -> None:
        self.raw = _Hashing(path)
        self.gz = gzip.GzipFile(fileobj=self.raw, mode="wb", compresslevel=_LEVEL, mtime=0)
        self.text = io.TextIOWrapper(self.gz, encoding="utf-8", newline="", write_through=False)

    def finish(self) -> dict[str, Any]:
        self.text.flush()
        self.text.detach()
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
        self._csv_file = self._open("csv")
        self._csv_file.text.write("\ufeff")
        self._csv = csv.writer(self._csv_file.text, lineterminator="\r\n")
        self._csv.writerow(self.names)
        self._json = self._open("json")
        self._json.text.write("[")
        self._geo = self._open("geojson") if dataset.geometry else None
        if self._geo:
            self._geo.text.write('{"type":"FeatureCollection","features":[')
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
        names, dumps, geometry = self.names, json.dumps, self.dataset.geometry
        text_row = [""] * len(names)
        written = 0
        for row in rows:
            values = [row.get(name) for name in names]
            for index, value in enumerate(values):
                text_row[index] = as_text(value)
            self._csv.writerow(text_row)
            ordered = dict(zip(names, values, strict=True))
            encoded = dumps(ordered, cls=DjangoJSONEncoder, ensure_ascii=False)
            self._json.text.write(("," if self._count else "") + encoded)
            if self._geo is not None:
                feature = {"type": "Feature", "geometry": geometry(row), "properties": None}
                head = dumps(feature, ensure_ascii=False)[: -len("null}")]
                self._geo.text.write(("," if self._count else "") + head + encoded + "}")
            if self._xlsx_sheet is not None:
                if self._count >= XLSX_MAX_ROWS:
                    self._drop_xlsx()
                else:
                    self._xlsx_sheet.append([_cell(v) for v in values])
            self._count += 1
            written += 1
        return written

    def _drop_xlsx(self) -> None:
        self._xlsx = self._xlsx_sheet = None
        self.skipped["xlsx"] = f"more rows than a sheet holds ({XLSX_MAX_ROWS:,})"

    def close(self) -> dict[str, dict[str, Any]]:
        """Finish every file; returns format → {"name", "size", "sha256"} (or {"skipped"})."""
        self._json.text.write("]")
        if self._geo is not None:
            self._geo.text.write("]}")
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
