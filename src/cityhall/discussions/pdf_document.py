"""The PDF page of the final documents: A4 with the Roboto font (Cyrillic and Tatar letters)
and fast text layout (each word measured once), used by the protocol, the conclusion, the
organiser's appendix and the participant's extract; and the files' SHA-256.

Same input → same bytes: the creation date is given by the caller (the legal date of the
document), never the time of generation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import font_roboto
from fpdf import FPDF
from fpdf.enums import PDFResourceType

__all__ = ["FONT", "DocumentPdf", "sha256_of"]

FONT = "Roboto"


def sha256_of(path: str) -> str:
    """The SHA-256 of a file, read in blocks (the signed documents' checksums)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Face:
    """One style of the font with per-word caches: width at 1 pt (user units) and the word as
    escaped glyph codes. Each distinct word is measured and encoded once per document."""

    def __init__(self, font: Any, k: float) -> None:
        self.font = font
        self.k = k
        face = self

        class Widths(dict):
            def __missing__(self, word: str) -> float:
                value = self[word] = face.font.get_text_width(word, 1.0, None)[1] / face.k
                return value

        class Codes(dict):
            def __missing__(self, word: str) -> str:
                mapped = "".join(chr(face.font.subset.pick(ord(c)) or 0) for c in word)
                value = self[word] = face.font.escape_text(mapped)
                return value

        self.widths: dict[str, float] = Widths()
        self.codes: dict[str, str] = Codes()


class DocumentPdf(FPDF):
    """A4 document with the Roboto font (Cyrillic and Tatar letters).

    Text is laid out by :meth:`lines`: words are measured once (cached) and each line is written
    as one text operator. fpdf2's ``multi_cell`` re-measures the growing line for every
    character, which made a 100,000-proposal protocol take many minutes.
    """

    def __init__(self, title: str, number: str, created: dt.datetime) -> None:
        super().__init__(format="A4")
        self._doc_title = f"{title} № {number}"
        self.add_font(FONT, "", font_roboto.Roboto)
        self.add_font(FONT, "B", font_roboto.RobotoBold)
        self.set_creation_date(created)
        self.set_title(self._doc_title)
        self.set_author("cityhall")
        self.set_producer("cityhall")
        self.set_creator("cityhall")
        self.set_lang("ru")
        self.set_auto_page_break(True, margin=15)
        self.set_margins(18, 15, 15)
        self._faces: dict[str, _Face] = {}
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"{self._doc_title} — стр. {self.page_no()}", align="C")

    # --- fast text --------------------------------------------------------------------------

    def _face(self, style: str, size: float) -> _Face:
        face = self._faces.get(style)
        if face is None:
            face = self._faces[style] = _Face(self.fonts[f"{FONT.lower()}{style}"], self.k)
        face.font.biggest_size_pt = max(face.font.biggest_size_pt, size)
        return face

    def _wrap(self, text: str, face: _Face, size: float) -> list[str]:
        """Lines of ``text`` (as escaped glyph codes) that fit the page width."""
        widths, codes = face.widths, face.codes
        limit = self.epw / size
        space, space_code = widths[" "], codes[" "]
        out: list[str] = []
        for paragraph in text.replace("\r", "").split("\n"):
            line: list[str] = []
            width = 0.0
            for word in paragraph.split(" "):
                w = widths[word]
                if w > limit:  # a very long "word" (a URL): break it by characters
                    if line:
                        out.append(space_code.join(line))
                    chunk, chunk_width = "", 0.0
                    for char in word:
                        cw = widths[char]
                        if chunk and chunk_width + cw > limit:
                            out.append(codes[chunk])
                            chunk, chunk_width = "", 0.0
                        chunk += char
                        chunk_width += cw
                    line, width = [codes[chunk]], chunk_width
                elif line and width + space + w > limit:
                    out.append(space_code.join(line))
                    line, width = [codes[word]], w
                else:
                    width += (space + w) if line else w
                    line.append(codes[word])
            out.append(space_code.join(line))
        return out

    def lines(self, text: str, *, style: str = "", size: float = 10, height: float = 5) -> None:
        """Write ``text`` wrapped to the page width, starting on a new line; each run of lines
        that fits on the page is one text object."""
        face = self._face(style, size)
        wrapped = self._wrap(text or "", face, size)
        k = self.k
        done = 0
        while done < len(wrapped):
            room = int((self.page_break_trigger - self.y) // height)
            if room <= 0:
                self.add_page()
                continue
            chunk = wrapped[done : done + room]
            self._resource_catalog.add(PDFResourceType.FONT, face.font.i, self.page)
            baseline = self.h - self.y - 0.5 * height - 0.3 * size / k
            body = ") Tj T* (".join(chunk)
            self._out(
                f"BT /F{face.font.i} {size:.2f} Tf {self.l_margin * k:.2f} {baseline * k:.2f} Td "
                f"{height * k:.2f} TL ({body}) Tj ET"
            )
            self.y += height * len(chunk)
            done += len(chunk)
        self.x = self.l_margin

    def heading(self, text: str, size: int = 13) -> None:
        self.lines(text, style="B", size=size, height=7)
        self.ln(1)

    def para(self, text: str, size: int = 10) -> None:
        self.lines(text, size=size)

    def pair(self, label: str, value: str) -> None:
        self.lines(label, style="B")
        self.lines(value or "—")
        self.ln(1)
