"""The report constructor: daily roll-ups sliced by dimension, CSV and XLSX export."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cityhall.service_requests import services, tasks
from cityhall.service_requests.models import Channel, DailyStat, MonthlyStat

from .factories import submit


def _data(world):
    a = submit(world)
    submit(world, category=world.heating, channel=Channel.OPERATOR, entered_by=world.operator)
    submit(world, building=world.orphan_building, applicant_kind="organisation")
    services.transition(request=a, actor=world.executor, to="accepted")
    services.transition(request=a, actor=world.executor, to="done", report="ok")
    return a


def test_rollup_and_slices(client, world):
    _data(world)
    assert services.rebuild_daily_stats() > 0
    assert sum(DailyStat.objects.values_list("total", flat=True)) == 3
    assert sum(MonthlyStat.objects.values_list("total", flat=True)) == 3
    client.force_login(world.dispatcher)
    body = client.get(reverse("service_requests:reports"), {"by": "category"}).content.decode()
    assert "Category leak" in body and "Category heating" in body
    by_channel = client.get(reverse("service_requests:reports"), {"by": "channel"}).content.decode()
    assert "Call centre" in by_channel
    by_district = client.get(
        reverse("service_requests:reports"), {"by": "district"}
    ).content.decode()
    assert "West District" in by_district or "Западный район" in by_district


def test_csv_and_xlsx_exports(client, world):
    _data(world)
    tasks.rebuild_daily_stats_task.call_local()
    client.force_login(world.dispatcher)
    response = client.get(
        reverse("service_requests:reports_export", args=["csv"]), {"by": "applicant_kind"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "slice"
    table = {r[0]: r for r in rows[1:]}
    assert table["Person"][1] == "2" and table["Organisation"][1] == "1"
    assert table["Person"][3] == "1"  # one done
    response = client.get(
        reverse("service_requests:reports_export", args=["xlsx"]), {"by": "category"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    values = {
        row[0]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert values["Category leak"]["requests"] == 2
    assert values["Category leak"]["done"] == 1 and values["Category leak"]["open"] == 1


def test_incremental_refresh_only_touches_given_days(world):
    request = _data(world)
    services.rebuild_daily_stats()
    before = DailyStat.objects.count()
    assert services.rebuild_daily_stats(days=[timezone.localdate(request.created_at)]) == before


def test_reports_export_only_real_formats(client, world):
    client.force_login(world.dispatcher)
    assert client.get(reverse("service_requests:reports_export", args=["docx"])).status_code == 404


def test_period_split_reads_whole_months_and_edges():
    import datetime as dt

    from cityhall.service_requests.selectors import split_period

    d = dt.date
    assert split_period(None, None) == ((None, None), [])
    assert split_period(d(2026, 1, 1), d(2026, 3, 31)) == ((d(2026, 1, 1), d(2026, 4, 1)), [])
    assert split_period(d(2026, 1, 10), d(2026, 3, 5)) == (
        (d(2026, 2, 1), d(2026, 3, 1)),
        [(d(2026, 1, 10), d(2026, 1, 31)), (d(2026, 3, 1), d(2026, 3, 5))],
    )
    assert split_period(d(2026, 1, 10), d(2026, 1, 20)) == (
        None,
        [(d(2026, 1, 10), d(2026, 1, 20))],
    )


def test_period_report_matches_raw_counts(world):
    import datetime as dt

    from django.utils import timezone

    from cityhall.service_requests.models import ServiceRequest
    from cityhall.service_requests.selectors import report

    for days_ago in (1, 40, 70, 100):
        r = submit(world)
        ServiceRequest.objects.filter(pk=r.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days_ago)
        )
    services.rebuild_daily_stats()
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=75), today - dt.timedelta(days=2)
    rows = report(by="category", start=start, end=end)
    assert sum(r.total for r in rows) == 2
    assert sum(r.total for r in report(by="month")) == 4


def test_average_time_per_stage(world):
    import datetime as dt

    from cityhall.service_requests.models import Stage
    from cityhall.service_requests.selectors import report

    request = submit(world)
    services.transition(request=request, actor=world.executor, to="accepted")
    services.transition(request=request, actor=world.executor, to="in_work")
    services.transition(request=request, actor=world.executor, to="done", report="ok")
    stages = {s.stage: s for s in Stage.objects.filter(request=request)}
    start = stages["routed"].started_at
    # Two hours to accept, three to start, five of work.
    for kind, begin, hours in (("routed", 0, 2), ("accepted", 2, 3), ("in_work", 5, 5)):
        Stage.objects.filter(pk=stages[kind].pk).update(
            started_at=start + dt.timedelta(hours=begin),
            finished_at=start + dt.timedelta(hours=begin + hours),
        )
    submit(world)  # still routed: its open stage does not count
    services.rebuild_daily_stats()
    (row,) = report(by="category", category_id=world.leak.pk)
    assert row.total == 2
    assert [row.stage_hours(k) for k in ("routed", "accepted", "in_work")] == [2.0, 3.0, 5.0]
    assert row.stage_hours("new") is None
    services.rebuild_daily_stats(days=[timezone.localdate(request.created_at)])
    (row,) = report(by="category", category_id=world.leak.pk)
    assert row.stage_averages == [None, 2.0, 3.0, 5.0]
