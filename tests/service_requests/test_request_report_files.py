"""Issue 16 item 9: the report's files — a CSV with a byte-order mark, real JSON and PDF (other
extensions are 404, never a spreadsheet under another name) — and figures that say "as of"
when they were computed, with staff refreshing today's figures on demand."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from cityhall.core.models import AuditRecord
from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest, StatRefresh

from .factories import submit


def test_csv_has_a_byte_order_mark_and_json_and_pdf_are_real(client, world):
    submit(world)
    services.rebuild_daily_stats()
    client.force_login(world.dispatcher)
    csv_file = client.get(reverse("service_requests:reports_export", args=["csv"]))
    assert csv_file.content.startswith(b"\xef\xbb\xbfslice,requests,")
    data = client.get(reverse("service_requests:reports_export", args=["json"])).json()
    assert data["rows"][0]["requests"] == 1 and data["as_of"]
    pdf = client.get(reverse("service_requests:reports_export", args=["pdf"]), {"by": "category"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert client.get(reverse("service_requests:reports_export", args=["xlsx"])).content[:2] == (
        b"PK"
    )
    for other in ("doc", "xls", "html"):
        response = client.get(reverse("service_requests:reports_export", args=[other]))
        assert response.status_code == 404
    for language in ("ru", "tt"):  # Cyrillic and Tatar letters in the Roboto font
        public_pdf = client.get(
            reverse("service_requests:public_reports_export", args=["pdf"]),
            {"by": "district"},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert public_pdf.status_code == 200 and public_pdf.content.startswith(b"%PDF-")


def test_csv_cells_never_start_a_formula(client, world):
    world.manager.name = "=HYPERLINK(1)"
    world.manager.save()
    submit(world)
    services.rebuild_daily_stats()
    text = client.get(
        reverse("service_requests:public_reports_export", args=["csv"]), {"by": "organisation"}
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_figures_say_as_of_and_staff_refresh_todays_figures(client, world):
    submit(world)
    services.rebuild_daily_stats()
    computed = StatRefresh.objects.get(day=timezone.localdate()).refreshed_at
    # Pretend the last refresh was ten minutes ago, then a new request arrives.
    StatRefresh.objects.update(refreshed_at=computed - dt.timedelta(minutes=10))
    submit(world)
    client.force_login(world.executor)  # a managing organisation's staff member
    url = reverse("service_requests:reports")
    html = client.get(url, {"by": "category"}).content.decode()
    assert "Figures as of" in html and "Recompute today" in html
    assert "<td>1</td>" in html and "<td>2</td>" not in html
    response = client.post(
        reverse("service_requests:reports_refresh"), {"query": "by=category&x=//evil"}
    )
    assert response.status_code == 302 and response["Location"].startswith(url + "?")
    html = client.get(url, {"by": "category"}).content.decode()
    assert "<td>2</td>" in html
    assert StatRefresh.objects.get(day=timezone.localdate()).refreshed_at > computed
    assert AuditRecord.objects.filter(action="service_requests.statistics_refreshed").count() == 1
    # Pressed again at once: nothing recomputed, the person is told why.
    follow = client.post(reverse("service_requests:reports_refresh"), follow=True)
    assert "less than a minute ago" in follow.content.decode()
    assert AuditRecord.objects.filter(action="service_requests.statistics_refreshed").count() == 1


def test_only_staff_may_refresh(client, world):
    client.force_login(world.resident)
    assert client.post(reverse("service_requests:reports_refresh")).status_code == 403
    assert not StatRefresh.objects.exists()
    assert client.get(reverse("service_requests:reports_refresh")).status_code == 405


def test_full_rebuild_marks_every_day_since_the_first_request(world):
    from cityhall.service_requests import services
    from cityhall.service_requests.reporting import figures_as_of

    old = submit(world)
    ServiceRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=5)
    )
    services.rebuild_daily_stats()
    today = timezone.localdate()
    assert StatRefresh.objects.count() == 6
    before = figures_as_of(today - dt.timedelta(days=5), today)
    services.rebuild_daily_stats(days=[today])
    # A period holding older days is as old as their last refresh; today alone is newer.
    assert figures_as_of(today - dt.timedelta(days=5), today) == before
    assert figures_as_of(today, today) > before
    assert figures_as_of(today + dt.timedelta(days=10), None) is None
