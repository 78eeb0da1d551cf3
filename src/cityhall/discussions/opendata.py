"""The open data sets of public discussions (declared for ``core.opendata``).

**What never leaves** (tested by ``tests/opendata/test_privacy.py``): participants'
identification data (name, birth date, address, document) and who wrote a proposal — a row
says only the participant's kind (resident, right holder, legal entity, other). Proposals are
published once the discussion's protocol is signed (the protocol is the public record); a
proposal the moderator hid keeps its row with the reason, without its text, as on the public
pages. A proposal's point is not published (it may be the author's home).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityhall.core.opendata import Dataset, Field, chunks, register_dataset

from .models import Answer, Discussion, DiscussionDocument, Proposal
from .models.discussion import Status

PUBLIC_RECORD = (Status.PROTOCOL_SIGNED, Status.CONCLUSION_PUBLISHED, Status.ARCHIVED)

DISCUSSION_FIELDS = (
    Field("id", "integer", _("Row key"), english="row key"),
    Field("number", "string", _("Discussion number"), english="discussion number"),
    Field("title", "string", _("Title"), english="title"),
    Field("document_type", "string", _("Kind of document discussed"), english="document type"),
    Field("organiser", "string", _("Organiser"), english="organiser"),
    Field("status", "string", _("Status code"), english="status"),
    Field("notice_date", "date", _("Notice date"), english="notice date"),
    Field("notice_published_at", "datetime", _("Notice published"), english="notice published"),
    Field("notice_source", "string", _("Official source of the notice"), english="notice source"),
    Field("exposition_start", "datetime", _("Exposition opens"), english="exposition start"),
    Field("exposition_end", "date", _("Exposition ends"), english="exposition end"),
    Field("proposal_deadline", "datetime", _("Proposal deadline"), english="proposal deadline"),
    Field("conclusion_due", "date", _("Conclusion due"), english="conclusion due"),
    Field("territory", "string", _("Territory"), english="territory description"),
    Field("districts", "string", _("Districts (codes)"), english="district codes"),
    Field("documents", "string", _("Documents (titles)"), english="document titles"),
    Field("proposals", "integer", _("Proposals and questions"), english="proposal count"),
    Field("participants", "integer", _("Participants"), english="participant count"),
)


def discussion_rows(
    after: int | None = None, filters: dict[str, Any] | None = None, using: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every discussion but drafts: a few hundred rows."""
    found = (
        Discussion.objects.using(using or "default")
        .exclude(status=Status.DRAFT)
        .select_related("document_type", "organiser")
        .prefetch_related("districts")
        .order_by("id")
    )
    if after is not None:
        found = found.filter(id__gt=after)
    for name, value in (filters or {}).items():
        found = found.filter(**{name: value})
    titles: dict[int, list[str]] = {}
    for discussion_id, title in DiscussionDocument.objects.using(using or "default").values_list(
        "discussion_id", "title"
    ):
        titles.setdefault(discussion_id, []).append(title)
    for d in found:
        yield {
            "id": d.pk,
            "number": d.number,
            "title": d.title,
            "document_type": d.document_type.name,
            "organiser": d.organiser.name,
            "status": d.status,
            "notice_date": d.notice_date,
            "notice_published_at": d.notice_published_at,
            "notice_source": d.notice_source,
            "exposition_start": d.exposition_start,
            "exposition_end": d.exposition_end,
            "proposal_deadline": d.proposal_deadline,
            "conclusion_due": d.conclusion_due,
            "territory": d.territory_description,
            "districts": " ".join(sorted(a.code for a in d.districts.all())),
            "documents": " | ".join(titles.get(d.pk, [])),
            "proposals": d.proposal_count,
            "participants": d.participant_count,
            "_geometry": d.territory or _districts_geometry(d),
        }


def _districts_geometry(discussion: Discussion) -> dict | None:
    shapes = [a.geometry for a in discussion.districts.all() if a.geometry]
    if not shapes:
        return None
    return shapes[0] if len(shapes) == 1 else {"type": "GeometryCollection", "geometries": shapes}


PROPOSAL_FIELDS = (
    Field("id", "integer", _("Row key"), english="row key"),
    Field("discussion", "string", _("Discussion number"), english="discussion number"),
    Field("number", "integer", _("Registration number"), english="registration number"),
    Field("registered_at", "datetime", _("Registered"), english="registered at"),
    Field("kind", "string", _("Kind: proposal, remark or question"), english="kind"),
    Field(
        "participant_type",
        "string",
        _("Participant: resident, right holder, legal entity or other (never who)"),
        english="participant type",
    ),
    Field("channel", "string", _("How it was submitted"), english="channel"),
    Field("from_territory", "boolean", _("From the territory"), english="from the territory"),
    Field("text", "string", _("Text (empty when hidden)"), english="text"),
    Field("hidden_reason", "string", _("Why the moderator hid it"), english="hidden reason"),
    Field("supported_by", "integer", _("Participants supporting it"), english="support count"),
    Field("same_as", "integer", _("Same as proposal No."), english="same as"),
    Field("recommendation", "string", _("Organiser's recommendation"), english="recommendation"),
    Field("recommendation_reason", "string", _("Reasons"), english="recommendation reasons"),
    Field("answer", "string", _("Answer to the question"), english="answer"),
    Field("answered_at", "datetime", _("Answered"), english="answered at"),
)


def proposal_rows(
    after: int | None = None, filters: dict[str, Any] | None = None, using: str | None = None
) -> Iterator[dict[str, Any]]:
    db = using or "default"
    found = Proposal.objects.using(db).filter(discussion__status__in=PUBLIC_RECORD)
    for name, value in (filters or {}).items():
        lookup = {"discussion": "discussion__number"}.get(name, name)
        found = found.filter(**{lookup: value})
    columns = (
        "id", "discussion__number", "number", "registered_at", "kind", "participant__type",
        "channel", "from_territory", "text", "visibility", "hidden_reason", "support_count",
        "same_as__number", "recommendation", "recommendation_reason",
    )  # fmt: skip
    for chunk in chunks(found, columns, after=after):
        first, last = chunk[0][0], chunk[-1][0]
        answers = {
            question: (text, at)
            for question, text, at in Answer.objects.using(db)
            .filter(question_id__gte=first, question_id__lte=last)
            .values_list("question_id", "text", "answered_at")
        }
        for row in chunk:
            (pk, discussion, number, registered, kind, participant, channel, territory, text,
             visibility, hidden, support, same_as, recommendation, reason) = row  # fmt: skip
            answer, answered = answers.get(pk, (None, None))
            shown = visibility != Proposal.Visibility.HIDDEN
            yield {
                "id": pk,
                "discussion": discussion,
                "number": number,
                "registered_at": registered,
                "kind": kind,
                "participant_type": participant,
                "channel": channel,
                "from_territory": territory,
                "text": text if shown else None,
                "hidden_reason": "" if shown else hidden,
                "supported_by": support,
                "same_as": same_as,
                "recommendation": recommendation,
                "recommendation_reason": reason,
                "answer": answer,
                "answered_at": answered,
            }


def _proposal_count() -> int:
    return Proposal.objects.filter(discussion__status__in=PUBLIC_RECORD).count()


def declare_datasets() -> None:
    register_dataset(
        Dataset(
            code="discussions",
            title=_("Public discussions"),
            description=_(
                "Every announced public discussion and hearing: the document, the organiser, "
                "the legal dates with the official source of the notice, the territory (also "
                "as GeoJSON) and the numbers of proposals and participants."
            ),
            fields=DISCUSSION_FIELDS,
            rows=discussion_rows,
            geometry=lambda row: row.get("_geometry"),
            filters=("status",),
            keywords=(_("public discussions"), _("town planning")),
            order=30,
        )
    )
    register_dataset(
        Dataset(
            code="proposals",
            title=_("Proposals and answers of public discussions"),
            description=_(
                "Every proposal, remark and question of the discussions whose protocol is "
                "signed, with the organiser's recommendation and the answers. Never who wrote "
                "them: only the kind of participant."
            ),
            fields=PROPOSAL_FIELDS,
            rows=proposal_rows,
            filters=("discussion", "kind"),
            keywords=(_("public discussions"), _("proposals")),
            count=_proposal_count,
            order=40,
        )
    )
