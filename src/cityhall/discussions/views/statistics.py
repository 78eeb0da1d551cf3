"""Statistics pages of one discussion and of all, with charts and CSV/XLSX/JSON export."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cityhall.core.charts import bar_chart

from .. import selectors
from ..models import (
    Discussion,
    Participant,
    Proposal,
)
from .base import CHART_LIMITS

# --- statistics ---------------------------------------------------------------------------------


def _export(stats: dict[str, Any], fmt: str, name: str) -> HttpResponse:
    rows = [("participants", "", stats["participants"]), ("proposals", "", stats["proposals"])]
    for key in ("by_district", "by_participant_type", "by_kind", "by_channel"):
        rows.extend((key, label, n) for label, n in stats[key])
    rows.append(("average_answer_hours", "", stats["average_answer_hours"]))
    if fmt == "json":
        return JsonResponse(stats, json_dumps_params={"ensure_ascii": False})
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("statistics")
        sheet.append(["measure", "group", "value"])
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["measure", "group", "value"])
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _stats_page(request, stats: dict[str, Any], discussion: Discussion | None):
    fmt = request.GET.get("format", "")
    name = f"discussion-{discussion.number}" if discussion else "discussions"
    if fmt in ("csv", "xlsx", "json"):
        return _export(stats, fmt, name)
    type_labels = {k: str(v) for k, v in Participant.Type.choices}
    charts = [
        bar_chart(
            _("Proposals by district"),
            [(k or "—", n) for k, n in stats["by_district"]],
            **CHART_LIMITS,
        ),
        bar_chart(
            _("Proposals by type of participant"),
            [(type_labels.get(k, k), n) for k, n in stats["by_participant_type"]],
            **CHART_LIMITS,
        ),
        bar_chart(
            _("By channel"),
            [(dict(Proposal.Channel.choices).get(k, k), n) for k, n in stats["by_channel"]],
            **CHART_LIMITS,
        ),
    ]
    return render(
        request,
        "discussions/statistics.html",
        {"stats": stats, "discussion": discussion, "charts": charts, "type_labels": type_labels},
    )


def statistics(request, pk: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    return _stats_page(request, selectors.discussion_statistics(discussion), discussion)


def statistics_all(request):
    return _stats_page(request, selectors.overall_statistics(), None)
