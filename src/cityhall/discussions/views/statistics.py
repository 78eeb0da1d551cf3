"""Statistics pages of one discussion and of all, with charts and CSV/XLSX/JSON export."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cityhall.core.charts import bar_chart

from .. import selectors
from ..forms import StatisticsPeriodForm
from ..models import (
    Discussion,
    Participant,
    Proposal,
)
from .base import CHART_LIMITS

# --- statistics ---------------------------------------------------------------------------------


def _export(stats: dict[str, Any], fmt: str, name: str) -> HttpResponse:
    rows = [
        ("date_from", "", stats["date_from"].isoformat() if stats["date_from"] else ""),
        ("date_to", "", stats["date_to"].isoformat() if stats["date_to"] else ""),
        ("participants", "", stats["participants"]),
        ("proposals", "", stats["proposals"]),
    ]
    for key in ("by_district", "by_participant_type", "by_kind", "by_channel"):
        rows.extend((key, label, n) for label, n in stats[key])
    rows.append(("average_answer_hours", "", stats["average_answer_hours"]))
    for point in stats["series"]:
        start = point["start"].isoformat()
        rows.append((f"proposals_per_{stats['interval']}", start, point["proposals"]))
        rows.append((f"questions_per_{stats['interval']}", start, point["questions"]))
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


def _period(request) -> tuple[StatisticsPeriodForm, dict[str, Any]]:
    """The period from the query string; a bad date is reported and left out."""
    form = StatisticsPeriodForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return form, {
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to") if "date_to" not in form.errors else None,
        "interval": data.get("interval") or "month",
    }


def _stats_page(request, discussion: Discussion | None):
    form, period = _period(request)
    if discussion is None:
        stats = selectors.overall_statistics(**period)
    else:
        stats = selectors.discussion_statistics(discussion, **period)
    fmt = request.GET.get("format", "")
    name = f"discussion-{discussion.number}" if discussion else "discussions"
    if fmt in ("csv", "xlsx", "json"):
        if form.errors:
            return JsonResponse({"errors": form.errors}, status=400)
        return _export(stats, fmt, name)
    series_title = {
        "day": _("Proposals per day"),
        "week": _("Proposals per week"),
        "month": _("Proposals per month"),
    }[stats["interval"]]
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
    step_format = "YEAR_MONTH_FORMAT" if stats["interval"] == "month" else "SHORT_DATE_FORMAT"
    series = [
        {**point, "label": date_format(point["start"], step_format)} for point in stats["series"]
    ]
    series_chart = bar_chart(series_title, [(p["label"], p["proposals"]) for p in series])
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "discussions/statistics.html",
        {
            "stats": stats,
            "discussion": discussion,
            "charts": charts,
            "series_chart": series_chart,
            "series_title": series_title,
            "series": series,
            "type_labels": type_labels,
            "form": form if request.GET else StatisticsPeriodForm(),
            "query": query.urlencode(),
        },
    )


def statistics(request, pk: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    return _stats_page(request, discussion)


def statistics_all(request):
    return _stats_page(request, None)
