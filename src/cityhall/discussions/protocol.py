"""The protocol and the conclusion (art. 5.1 p. 18, 22) as PDF and JSON, deterministically.

Same data → same bytes: rows are read in number order, JSON keys are sorted, the PDF's creation
date is the legal date of the document (not the time of generation) and its file id is derived
from its content. Proposals are streamed as tuples (``values_list().iterator()``), never as a
list of model objects, so 100,000 proposals fit in a few hundred megabytes at most.

The public files carry no personal data of private persons ("Participant No. N"); the list of
participants with their identification data is a separate appendix for the organiser only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Count
from django.utils import timezone

from cityhall.core import uploads
from cityhall.core.models import StoredFile

from .file_access import FINAL_DOCUMENT, PARTICIPANT_LIST
from .models import (
    Discussion,
    FinalDocument,
    Meeting,
    ModerationReason,
    Participant,
    Proposal,
)
from .pdf_document import DocumentPdf, sha256_of

__all__ = ["generate", "participant_extract_pdf", "sha256_of"]

CHUNK = 2000
# Fixed wording of the documents (Russian, the language of the legal record).
KIND_LABEL = {"proposal": "Предложение", "remark": "Замечание", "question": "Вопрос"}
CHANNEL_LABEL = {
    "web": "на сайте",
    "written": "в письменной форме",
    "visitors_book": "в книге учёта посетителей экспозиции",
    "oral_meeting": "устно на собрании",
    "bulk_import": "в письменной форме",
}
RECOMMENDATION_LABEL = {
    "accept": "Учесть",
    "reject": "Не учитывать",
    "": "Не рассмотрено",
}
REASON_LABEL = {
    ModerationReason.PERSONAL_DATA: "содержит персональные данные",
    ModerationReason.INSULT: "оскорбительные выражения",
    ModerationReason.OFF_TOPIC: "не относится к предмету обсуждений",
    ModerationReason.DUPLICATE: "повтор",
}


def _legal_moment(discussion: Discussion, kind: str) -> dt.datetime:
    """The document's own date: the proposal deadline for the protocol, the protocol's
    signature for the conclusion. Never the wall-clock time of generation."""
    if kind == FinalDocument.Kind.PROTOCOL:
        return discussion.proposal_deadline.astimezone(dt.UTC)
    protocol = FinalDocument.objects.filter(
        discussion=discussion, kind=FinalDocument.Kind.PROTOCOL
    ).first()
    moment = (protocol.signed_at if protocol and protocol.signed_at else None) or (
        discussion.proposal_deadline
    )
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _d(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value or "")


def _header(discussion: Discussion) -> dict[str, Any]:
    districts = sorted(discussion.districts.values_list("name", flat=True))
    meetings = [
        {"starts_at": _d(m.starts_at), "place": m.place, "attendees": m.attendees}
        for m in Meeting.objects.filter(discussion=discussion).order_by("starts_at", "id")
    ]
    official = discussion.responsible_official
    return {
        "discussion": discussion.number,
        "title": discussion.title,
        "document_type": discussion.document_type.name,
        "organiser": discussion.organiser.name,
        "responsible_official": str(official) if official else "",
        "responsible_official_position": discussion.responsible_official_position,
        # The notice as really published (the announce transition's record), never a typed date.
        "notice_date": _d(
            timezone.localtime(discussion.notice_published_at).date()
            if discussion.notice_published_at
            else discussion.notice_date
        ),
        "notice_source": discussion.notice_source,
        "exposition_start": _d(discussion.exposition_start),
        "exposition_end": _d(discussion.exposition_end),
        "exposition_place": discussion.exposition_place,
        "proposal_deadline": _d(discussion.proposal_deadline),
        "territory": discussion.territory_description or ", ".join(districts),
        "districts": districts,
        "meetings": meetings,
    }


PROPOSAL_FIELDS = (
    "number",
    "registered_at",
    "kind",
    "channel",
    "text",
    "from_territory",
    "visibility",
    "hidden_reason",
    "recommendation",
    "recommendation_reason",
    "same_as__number",
    "participant__number",
    "participant__is_legal_entity",
    "participant__full_name",
    "answer__text",
)


def _proposal_rows(discussion: Discussion, **filters: Any) -> Iterator[dict[str, Any]]:
    qs = (
        Proposal.objects.filter(discussion=discussion, **filters)
        .order_by("number")
        .values_list(*PROPOSAL_FIELDS)
    )
    hidden_value = Proposal.Visibility.HIDDEN
    for (
        number,
        registered_at,
        kind,
        channel,
        text,
        from_territory,
        visibility,
        hidden_reason,
        recommendation,
        recommendation_reason,
        same_as,
        participant_number,
        is_legal_entity,
        full_name,
        answer_text,
    ) in qs.iterator(chunk_size=CHUNK):
        yield {
            "number": number,
            "registered_at": _d(registered_at),
            "kind": kind,
            "channel": channel,
            "participant": full_name if is_legal_entity else f"Участник № {participant_number}",
            "from_territory": from_territory,
            # The law registers every proposal: moderation hides a text from the public pages
            # only, the record keeps it in full and says that (and why) it is hidden there.
            "text": text,
            "hidden_on_site": (
                REASON_LABEL.get(hidden_reason, "") if visibility == hidden_value else ""
            ),
            "recommendation": recommendation,
            "recommendation_reason": recommendation_reason,
            "same_as": same_as,
            "answer": answer_text or "",  # the expert's answer to a question
        }


_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


class _JsonWriter:
    """Streams one JSON object with sorted keys. A list value is a generator of objects, or
    the path of a file already holding the encoded items (written while the PDF was laid out,
    so that the proposals are read from the database once)."""

    def __init__(self, handle) -> None:
        self.handle = handle

    def dump(self, header: dict[str, Any], streams: dict[str, Any]) -> None:
        keys = sorted({*header, *streams})
        self.handle.write("{")
        for i, key in enumerate(keys):
            if i:
                self.handle.write(",")
            self.handle.write(_encode(key) + ":")
            if key not in streams:
                self.handle.write(_encode(header[key]))
                continue
            self.handle.write("[")
            source = streams[key]
            if isinstance(source, str):
                with open(source, encoding="utf-8") as part:
                    for block in iter(lambda part=part: part.read(1 << 20), ""):
                        self.handle.write(block)
            else:
                for j, item in enumerate(source):
                    if j:
                        self.handle.write(",\n")
                    self.handle.write(_encode(item))
            self.handle.write("]")
        self.handle.write("}\n")


SECTIONS = (
    ("proposals_from_territory", True),
    ("proposals_from_others", False),
)


def _sections(
    discussion: Discussion,
    pdf: DocumentPdf,
    titles: tuple[str, str],
    workdir: str,
    with_recommendation: bool,
    tick,
) -> dict[str, str]:
    """Lay out both proposal sections in the PDF and, in the same pass, write their JSON
    items to files; returns {json key: file path}."""
    parts = {}
    for (key, from_territory), title in zip(SECTIONS, titles, strict=True):
        pdf.heading(title, 12)
        path = os.path.join(workdir, f"{key}.part")
        with open(path, "w", encoding="utf-8") as out:
            first = True
            for row in _proposal_rows(discussion, from_territory=from_territory):
                _proposal_block(pdf, row, with_recommendation=with_recommendation)
                out.write(_encode(row) if first else ",\n" + _encode(row))
                first = False
                tick()
        parts[key] = path
    return parts


def _progress_reporter(
    total: int, on_progress: Callable[[int], None] | None
) -> Callable[[int], None]:
    state = {"done": 0, "last": -1}

    def tick(n: int = 1) -> None:
        state["done"] += n
        if on_progress is None or not total:
            return
        percent = min(99, state["done"] * 100 // total)
        if percent >= state["last"] + 5:
            state["last"] = percent
            on_progress(percent)

    return tick


def _proposal_block(pdf: DocumentPdf, row: dict[str, Any], with_recommendation: bool) -> None:
    line = (
        f"№ {row['number']} · {row['registered_at']} · {KIND_LABEL.get(row['kind'], '')} · "
        f"{row['participant']} · {CHANNEL_LABEL.get(row['channel'], '')}"
    )
    pdf.lines(line, style="B", size=9, height=4.5)
    pdf.lines(row["text"], size=9, height=4.5)
    if row["answer"]:
        pdf.lines(f"Ответ эксперта: {row['answer']}", size=9, height=4.5)
    if row["hidden_on_site"]:
        pdf.lines(
            f"Скрыто на сайте модератором: {row['hidden_on_site']}.", style="B", size=9, height=4.5
        )
    if with_recommendation:
        same = f" (аналогично № {row['same_as']})" if row["same_as"] else ""
        pdf.lines(
            f"Рекомендация: {RECOMMENDATION_LABEL.get(row['recommendation'], '')}{same}. "
            f"{row['recommendation_reason']}",
            style="B",
            size=9,
            height=4.5,
        )
    pdf.ln(1.5)


def _counts(discussion: Discussion) -> dict[str, int]:
    by_territory = dict(
        Proposal.objects.filter(discussion=discussion)
        .values_list("from_territory")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "participants": Participant.objects.filter(discussion=discussion).count(),
        "proposals": sum(by_territory.values()),
        "proposals_from_territory": by_territory.get(True, 0),
        "proposals_from_others": by_territory.get(False, 0),
    }


def _signer(header: dict[str, Any]) -> str:
    """The signer as printed: the responsible official's position and name."""
    return ", ".join(
        p for p in (header["responsible_official_position"], header["responsible_official"]) if p
    )


def _write_protocol(
    discussion: Discussion, doc: FinalDocument, pdf_path: str, json_path: str, tick
) -> None:
    header = {**_header(discussion), **_counts(discussion), "number": doc.number}
    header["kind"] = "protocol"
    header["date"] = _d(_legal_moment(discussion, doc.kind))
    pdf = DocumentPdf(
        "Протокол общественных обсуждений", doc.number, _legal_moment(discussion, doc.kind)
    )
    pdf.heading(f"Протокол общественных обсуждений № {doc.number}", 14)
    pdf.para(f"Дата: {header['date']}")
    pdf.ln(2)
    for label, key in (
        ("Проект", "title"),
        ("Вид документа", "document_type"),
        ("Организатор", "organiser"),
        ("Оповещение о начале общественных обсуждений опубликовано", "notice_date"),
        ("Официальный источник опубликования оповещения", "notice_source"),
        ("Экспозиция проекта: начало", "exposition_start"),
        ("Экспозиция проекта: окончание", "exposition_end"),
        ("Место проведения экспозиции", "exposition_place"),
        ("Срок приёма предложений и замечаний", "proposal_deadline"),
        ("Территория", "territory"),
    ):
        pdf.pair(label, str(header[key]))
    for meeting in header["meetings"]:
        pdf.pair("Собрание участников", f"{meeting['starts_at']}, {meeting['place']}")
    pdf.pair(
        "Участники и предложения",
        f"участников: {header['participants']}; предложений и замечаний: {header['proposals']} "
        f"(от участников с территории: {header['proposals_from_territory']}, "
        f"от иных участников: {header['proposals_from_others']})",
    )
    parts = _sections(
        discussion,
        pdf,
        (
            "Предложения и замечания участников, постоянно проживающих на территории "
            "(правообладателей)",
            "Предложения и замечания иных участников",
        ),
        os.path.dirname(json_path),
        False,
        tick,
    )
    with open(json_path, "w", encoding="utf-8") as handle:
        _JsonWriter(handle).dump(header, parts)
    pdf.ln(3)
    pdf.para(
        "Перечень участников с идентификационными сведениями прилагается к протоколу и не "
        "подлежит опубликованию."
    )
    pdf.pair("Протокол подписал", _signer(header))
    pdf.output(pdf_path)


def _write_conclusion(
    discussion: Discussion, doc: FinalDocument, pdf_path: str, json_path: str, tick
) -> None:
    protocol = FinalDocument.objects.get(discussion=discussion, kind=FinalDocument.Kind.PROTOCOL)
    header = {**_header(discussion), **_counts(discussion), "number": doc.number}
    header.update(
        kind="conclusion",
        date=_d(_legal_moment(discussion, doc.kind)),
        protocol={
            "number": protocol.number,
            "signed_at": _d(protocol.signed_at),
            "pdf_sha256": protocol.pdf_sha256,
            "json_sha256": protocol.json_sha256,
        },
        conclusions=discussion.conclusions,
        unanswered_questions=list(
            Proposal.objects.filter(
                discussion=discussion, kind=Proposal.Kind.QUESTION, answer__isnull=True
            )
            .order_by("number")
            .values_list("number", flat=True)
        ),
    )
    pdf = DocumentPdf(
        "Заключение о результатах общественных обсуждений",
        doc.number,
        _legal_moment(discussion, doc.kind),
    )
    pdf.heading(f"Заключение о результатах общественных обсуждений № {doc.number}", 14)
    pdf.para(f"Дата: {header['date']}")
    pdf.ln(2)
    pdf.pair("Проект", header["title"])
    pdf.pair("Организатор", header["organiser"])
    pdf.pair("Количество участников", str(header["participants"]))
    pdf.pair(
        "Протокол общественных обсуждений",
        f"№ {protocol.number} от {header['protocol']['signed_at']}, "
        f"SHA-256 PDF {protocol.pdf_sha256}",
    )
    parts = _sections(
        discussion,
        pdf,
        (
            "Предложения и замечания участников с территории и рекомендации организатора",
            "Предложения и замечания иных участников и рекомендации организатора",
        ),
        os.path.dirname(json_path),
        True,
        tick,
    )
    with open(json_path, "w", encoding="utf-8") as handle:
        _JsonWriter(handle).dump(header, parts)
    if header["unanswered_questions"]:
        pdf.heading("Вопросы, оставшиеся без ответа", 12)
        pdf.para(", ".join(f"№ {n}" for n in header["unanswered_questions"]))
    pdf.heading("Выводы по результатам общественных обсуждений", 12)
    pdf.para(discussion.conclusions)
    pdf.ln(3)
    pdf.pair("Заключение подписал", _signer(header))
    pdf.output(pdf_path)


def _write_appendix(discussion: Discussion, path: str) -> None:
    """The participant list with identification data: for the organiser only, never public."""
    fields = (
        "number",
        "type",
        "full_name",
        "birth_date",
        "address",
        "document_masked",
        "from_territory",
    )
    with open(path, "w", encoding="utf-8") as handle:
        rows = (
            dict(zip(fields, r, strict=True))
            for r in Participant.objects.filter(discussion=discussion)
            .order_by("number")
            .values_list(*fields)
            .iterator(chunk_size=CHUNK)
        )
        _JsonWriter(handle).dump(
            {"discussion": discussion.number},
            {"participants": ({**r, "birth_date": _d(r["birth_date"])} for r in rows)},
        )


def _store(path: str, purpose: str, content_type: str, extension: str) -> Any:
    """A generated file kept by the file service: the organiser's until the document is signed
    (``file_access.follow_final_document``)."""
    with open(path, "rb") as handle:
        content = handle.read()
    return uploads.store_generated(
        content,
        purpose=purpose,
        label=os.path.basename(path),
        content_type=content_type,
        extension=extension,
        visibility=StoredFile.Visibility.STAFF,
    )


def generate(document_id: int) -> FinalDocument:
    """Build the files of one protocol/conclusion, reporting progress on its row."""
    doc = FinalDocument.objects.select_related(
        "discussion__organiser", "discussion__document_type", "discussion__responsible_official"
    ).get(pk=document_id)
    discussion = doc.discussion
    if doc.state == FinalDocument.State.SIGNED:
        return doc  # a signed document is never rebuilt
    FinalDocument.objects.filter(pk=doc.pk).update(state=FinalDocument.State.GENERATING, progress=1)
    total = Proposal.objects.filter(discussion=discussion).count()

    def on_progress(percent: int) -> None:
        FinalDocument.objects.filter(pk=doc.pk).update(progress=percent)

    tick = _progress_reporter(total, on_progress)
    workdir = tempfile.mkdtemp(prefix="cityhall-final-")
    pdf_path = os.path.join(workdir, f"{doc.number}.pdf")
    json_path = os.path.join(workdir, f"{doc.number}.json")
    try:
        if doc.kind == FinalDocument.Kind.PROTOCOL:
            _write_protocol(discussion, doc, pdf_path, json_path, tick)
            appendix_path = os.path.join(workdir, f"{doc.number}-participants.json")
            _write_appendix(discussion, appendix_path)
        else:
            _write_conclusion(discussion, doc, pdf_path, json_path, tick)
            appendix_path = None
        doc.refresh_from_db()
        old = [doc.pdf_file, doc.json_file, doc.appendix_file]
        doc.pdf_file = _store(pdf_path, FINAL_DOCUMENT, "application/pdf", ".pdf")
        doc.json_file = _store(json_path, FINAL_DOCUMENT, "application/json", ".json")
        doc.appendix_file = (
            _store(appendix_path, PARTICIPANT_LIST, "application/json", ".json")
            if appendix_path
            else None
        )
        doc.pdf_sha256 = doc.pdf_file.sha256
        doc.json_sha256 = doc.json_file.sha256
        doc.state, doc.progress, doc.generated_at = (
            FinalDocument.State.READY,
            100,
            timezone.now(),
        )
        doc.save()
        uploads.discard(old)  # a regenerated document replaces the files it had
    except Exception as exc:
        FinalDocument.objects.filter(pk=doc.pk).update(
            state=FinalDocument.State.FAILED, error=str(exc)[:2000]
        )
        raise
    finally:
        for name in os.listdir(workdir):
            os.unlink(os.path.join(workdir, name))
        os.rmdir(workdir)
    return doc


def participant_extract_pdf(discussion: Discussion, user: Any) -> bytes:
    """The extract of the protocol with the participant's own proposals (for them only)."""
    participants = list(Participant.objects.filter(discussion=discussion, user=user))
    protocol = FinalDocument.objects.filter(
        discussion=discussion, kind=FinalDocument.Kind.PROTOCOL
    ).first()
    number = protocol.number if protocol else discussion.number
    pdf = DocumentPdf("Выписка из протокола", number, _legal_moment(discussion, "protocol"))
    pdf.heading(f"Выписка из протокола общественных обсуждений № {number}", 14)
    pdf.pair("Проект", discussion.title)
    for participant in participants:
        pdf.pair("Участник", f"№ {participant.number}: {participant.full_name}")
        rows = _proposal_rows(discussion, participant=participant)
        for row in rows:
            row["participant"] = f"Участник № {participant.number}"
            _proposal_block(pdf, row, with_recommendation=bool(row["recommendation"]))
    if protocol and protocol.pdf_sha256:
        pdf.para(f"SHA-256 протокола (PDF): {protocol.pdf_sha256}")
    return bytes(pdf.output())
