"""Figures recomputed by scheduled jobs: the organisations' public ratings (volumes,
timeliness, Bayesian score) and the daily and monthly roll-ups that reports read, rebuilt by
hand-written INSERT … SELECT statements in the database's own dialect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import Forbidden

from .. import rating
from ..models import (
    OPEN_STATUSES,
    DailyStat,
    Feedback,
    OrganisationRating,
    ServiceRequest,
    Stage,
    StatRefresh,
    Status,
)
from ..reporting import report_scope

__all__ = [
    "STAGE_KINDS",
    "month_sql",
    "quoted_table",
    "REFRESH_INTERVAL",
    "rebuild_daily_stats",
    "recompute_ratings",
    "refresh_todays_figures",
]


def quoted_table(model) -> str:
    """A model's table name quoted for hand-written SQL (the overdue sweep, the roll-ups)."""
    return connection.ops.quote_name(model._meta.db_table)


def recompute_ratings(*, now: dt.datetime | None = None) -> int:
    """Recompute every organisation's public figures (volumes, timeliness, Bayesian score)."""
    now = now or timezone.now()
    votes = {
        row["organisation_id"]: row
        for row in Feedback.objects.values("organisation_id").annotate(
            n=Count("id"), total=Sum("score")
        )
    }
    volumes = {
        row["organisation_id"]: row
        for row in ServiceRequest.objects.filter(organisation__isnull=False)
        .values("organisation_id")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            closed=Count("id", filter=Q(status__in=[Status.DONE, Status.CONFIRMED])),
            on_time=Count(
                "id", filter=Q(status__in=[Status.DONE, Status.CONFIRMED], is_overdue=False)
            ),
        )
    }
    rows = []
    for org_id in set(votes) | set(volumes):
        if org_id is None:
            continue
        v = votes.get(org_id, {"n": 0, "total": 0})
        r = rating.bayesian_score(votes=v["n"], total=v["total"] or 0)
        vol = volumes.get(org_id, {})
        rows.append(
            OrganisationRating(
                organisation_id=org_id,
                votes=r.votes,
                mean=r.mean,
                score=r.score,
                requests_total=vol.get("total", 0),
                requests_open=vol.get("open", 0),
                closed_total=vol.get("closed", 0),
                closed_on_time=vol.get("on_time", 0),
                computed_at=now,
            )
        )
    with transaction.atomic():
        OrganisationRating.objects.all().delete()
        OrganisationRating.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


STAGE_KINDS = ("new", "routed", "accepted", "in_work")
_MEASURES = (
    "total, open, done, confirmed, rejected, merged, closed_on_time, overdue, reopened, "
    "resolution_seconds, " + ", ".join(f"{k}_seconds, {k}_count" for k in STAGE_KINDS)
)
_DIMENSIONS = "district_id, suburb_id, organisation_id, category_id, channel, applicant_kind"


def _local_day_sql(column: str) -> str:
    """The local calendar day of a UTC timestamp column, in the database's dialect."""
    if connection.vendor == "sqlite":
        offset = int(timezone.localtime().utcoffset().total_seconds() // 60)
        return f"date({column}, '{offset:+d} minutes')"
    return f"({column} AT TIME ZONE '{timezone.get_current_timezone_name()}')::date"


def month_sql(column: str) -> str:
    """The first day of a date column's month, in the database's dialect (``%`` doubled for
    the cursor's parameter style)."""
    if connection.vendor == "sqlite":
        return f"strftime('%%Y-%%m-01', {column})"
    return f"date_trunc('month', {column})::date"


def rebuild_daily_stats(*, days: Iterable[dt.date] | None = None) -> int:
    """Re-aggregate the roll-ups for the given local creation days (all when None): one
    INSERT … SELECT … GROUP BY into the daily table, then the touched months are re-summed
    from it. Reports read only the roll-ups."""
    from ..models import MonthlyStat

    stat_t, month_t, req_t = (
        quoted_table(DailyStat),
        quoted_table(MonthlyStat),
        quoted_table(ServiceRequest),
    )
    day_expr = _local_day_sql("r.created_at")
    vendor = connection.vendor

    def seconds_between(start: str, end: str) -> str:
        if vendor == "sqlite":
            return f"CAST((julianday({end}) - julianday({start})) * 86400 AS INTEGER)"
        return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS BIGINT)"

    stage_t = quoted_table(Stage)
    per_stage = ", ".join(
        f"SUM(CASE WHEN s.stage = '{k}' THEN {seconds_between('s.started_at', 's.finished_at')} "
        f"ELSE 0 END) AS {k}_s, SUM(CASE WHEN s.stage = '{k}' THEN 1 ELSE 0 END) AS {k}_n"
        for k in STAGE_KINDS
    )
    # Finished stages summed per request, only for the requests being rolled up.
    stages_of = (
        f"LEFT JOIN (SELECT s.request_id, {per_stage} FROM {stage_t} s "  # noqa: S608
        f"JOIN {req_t} q ON q.id = s.request_id WHERE s.finished_at IS NOT NULL {{window}} "
        "GROUP BY s.request_id) st ON st.request_id = r.id "
    )
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    closed = "('done', 'confirmed')"
    stage_sums = ", ".join(
        f"COALESCE(SUM(st.{k}_s), 0), COALESCE(SUM(st.{k}_n), 0)" for k in STAGE_KINDS
    )
    insert_daily = (
        f"INSERT INTO {stat_t} (day, {_DIMENSIONS}, {_MEASURES}) "  # noqa: S608
        f"SELECT {day_expr}, r.district_id, r.suburb_id, r.organisation_id, r.category_id, "
        "r.channel, r.applicant_kind, COUNT(*), "
        f"SUM(CASE WHEN r.status IN ({open_list}) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'done' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'confirmed' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'rejected' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'merged' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN r.status IN {closed} AND NOT r.is_overdue THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN r.is_overdue OR (r.status IN ({open_list}) AND r.stage_due_at < %s) "
        "THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.reopen_count > 0 THEN 1 ELSE 0 END), "
        f"COALESCE(SUM(CASE WHEN r.status IN {closed} AND r.closed_at IS NOT NULL "
        f"THEN {seconds_between('r.created_at', 'r.closed_at')} ELSE 0 END), 0), "
        f"{stage_sums} "
        f"FROM {req_t} r {{stages}}"
    )
    group = (
        f" GROUP BY {day_expr}, r.district_id, r.suburb_id, r.organisation_id, r.category_id, "
        "r.channel, r.applicant_kind"
    )
    sums = ", ".join(f"SUM({m.strip()})" for m in _MEASURES.split(","))
    insert_monthly = (
        f"INSERT INTO {month_t} (month, {_DIMENSIONS}, {_MEASURES}) "  # noqa: S608
        f"SELECT {month_sql('d.day')}, {_DIMENSIONS}, {sums} FROM {stat_t} d "
        "WHERE d.day >= %s AND d.day < %s "
        f"GROUP BY {month_sql('d.day')}, {_DIMENSIONS}"
    )
    adapt_dt = connection.ops.adapt_datetimefield_value
    adapt_d = connection.ops.adapt_datefield_value
    tz = timezone.get_current_timezone()
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        if days is None:
            if vendor == "postgresql":
                # A full rebuild follows bulk loads: without fresh statistics the planner
                # re-aggregates the stages once per request (minutes instead of a second).
                cursor.execute(f"ANALYZE {req_t}, {stage_t}")
            DailyStat.objects.all().delete()
            MonthlyStat.objects.all().delete()
            sql = insert_daily.format(stages=stages_of.format(window=""))
            cursor.execute(sql + group, [adapt_dt(now)])
            total = cursor.rowcount
            cursor.execute(
                insert_monthly, [adapt_d(dt.date(1, 1, 1)), adapt_d(dt.date(9999, 1, 1))]
            )
            _mark_refreshed(None, now)
            return total
        day_list = sorted(set(days))
        if not day_list:
            return 0
        DailyStat.objects.filter(day__in=day_list).delete()
        total = 0
        for day in day_list:
            start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            window = "AND q.created_at >= %s AND q.created_at < %s"
            sql = insert_daily.format(stages=stages_of.format(window=window))
            cursor.execute(
                sql + "WHERE r.created_at >= %s AND r.created_at < %s" + group,
                [adapt_dt(now), adapt_dt(start), adapt_dt(end), adapt_dt(start), adapt_dt(end)],
            )
            total += cursor.rowcount
        for month in sorted({d.replace(day=1) for d in day_list}):
            following = (month + dt.timedelta(days=32)).replace(day=1)
            MonthlyStat.objects.filter(month=month).delete()
            cursor.execute(insert_monthly, [adapt_d(month), adapt_d(following)])
        _mark_refreshed(day_list, now)
        return total


def _mark_refreshed(days: list[dt.date] | None, now: dt.datetime) -> None:
    """Write when the given days' roll-ups were recomputed; ``None``: a full rebuild, which
    covers every day from the first rolled-up one to today."""
    today = timezone.localdate(now)
    if days is None:
        first = DailyStat.objects.order_by("day").values_list("day", flat=True).first()
        first = min(first or today, today)
        days = [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]
        StatRefresh.objects.all().delete()
    else:
        StatRefresh.objects.filter(day__in=days).delete()
    StatRefresh.objects.bulk_create(
        [StatRefresh(day=day, refreshed_at=now) for day in days], batch_size=1000
    )


#: Staff may refresh today's figures on demand, at most this often (a refresh re-reads every
#: request created today; many people pressing the button at once must not queue them).
REFRESH_INTERVAL = dt.timedelta(minutes=1)


def refresh_todays_figures(*, actor) -> bool:
    """Recompute today's roll-up now instead of waiting for the 15-minute job.

    Rule: anyone the staff report is for (``reporting.report_scope(actor).is_staff``: the
    city's overseers and every organisation's staff) may ask; the roll-up is one for the whole
    city, so one refresh serves everyone. Asked again within :data:`REFRESH_INTERVAL` of the
    last refresh, nothing is recomputed (returns False). Audited."""
    if not report_scope(actor).is_staff:
        raise Forbidden(_("Only staff may refresh the figures."))
    today = timezone.localdate()
    last = StatRefresh.objects.filter(day=today).values_list("refreshed_at", flat=True).first()
    if last is not None and timezone.now() - last < REFRESH_INTERVAL:
        return False
    with transaction.atomic():
        rebuild_daily_stats(days=[today])
        audit.record(
            actor=actor,
            action="service_requests.statistics_refreshed",
            object_type="service_requests.dailystat",
            object_id=today.isoformat(),
        )
    return True
