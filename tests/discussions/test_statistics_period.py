"""Issue 20 item 19: the statistics of discussions honour a period (``date_from`` and
``date_to``, both ends included) and show proposals per day, week or month — on the page, as a
table beside the chart, and in the CSV/XLSX/JSON exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from cityhall.discussions import services
from cityhall.discussions.models import Participant, Proposal

pytestmark = pytest.mark.django_db


def _moved(proposal: Proposal, day: dt.date) -> None:
    """Pretend the proposal (and its participant) was registered at noon of ``day``."""
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    Proposal.objects.filter(pk=proposal.pk).update(registered_at=noon)
    Participant.objects.filter(pk=proposal.participant_id).update(created_at=noon)


@pytest.fixture
def spread(discussion, resident, outsider):
    """Three proposals: 2 March, 20 March (a question) and 10 April 2026."""
    discussion.open_to_all_verified = True
    discussion.save()
    one = services.submit_proposal(discussion=discussion, author=resident, text="Март")
    two = services.submit_proposal(discussion=discussion, author=resident, text="Ещё март")
    three = services.submit_proposal(
        discussion=discussion, author=outsider, text="Апрель?", kind="question"
    )
    _moved(one, dt.date(2026, 3, 2))
    _moved(two, dt.date(2026, 3, 20))
    _moved(three, dt.date(2026, 4, 10))
    Proposal.objects.filter(pk=two.pk).update(kind=Proposal.Kind.QUESTION)
    Proposal.objects.filter(pk=three.pk).update(kind=Proposal.Kind.PROPOSAL)
    return discussion


def test_overall_statistics_count_only_the_period(client, spread):
    everything = client.get("/discussions/statistics/?format=json").json()
    assert everything["proposals"] == 3
    march = client.get(
        "/discussions/statistics/?date_from=2026-03-01&date_to=2026-03-31&format=json"
    ).json()
    assert march["proposals"] == 2 and march["participants"] == 1
    assert march["date_from"] == "2026-03-01" and march["date_to"] == "2026-03-31"
    # The end day is included; the start alone narrows too.
    assert (
        client.get("/discussions/statistics/?date_to=2026-03-02&format=json").json()["proposals"]
        == 1
    )
    assert (
        client.get("/discussions/statistics/?date_from=2026-04-10&format=json").json()["proposals"]
        == 1
    )


def test_statistics_show_proposals_per_month_and_week(client, spread):
    data = client.get("/discussions/statistics/?format=json").json()
    assert data["interval"] == "month"
    assert [(p["start"], p["proposals"], p["questions"]) for p in data["series"]] == [
        ("2026-03-01", 2, 1),
        ("2026-04-01", 1, 0),
    ]
    weekly = client.get(
        f"/discussions/{spread.pk}/statistics/?interval=week&date_to=2026-03-31&format=json"
    ).json()
    # 2 March 2026 and 16 March 2026 are Mondays.
    assert [(p["start"], p["proposals"]) for p in weekly["series"]] == [
        ("2026-03-02", 1),
        ("2026-03-16", 1),
    ]


def test_statistics_page_has_the_period_form_and_a_table_of_the_series(client, spread):
    html = client.get(
        "/discussions/statistics/?date_from=2026-03-01&date_to=2026-04-30&interval=month"
    ).content.decode()
    assert 'name="date_from"' in html and 'value="2026-03-01"' in html
    assert "Proposals per month" in html and "<svg" in html
    # The table is the chart's text alternative: one row per month with its counts.
    assert "<td>March 2026</td><td>2</td><td>1</td>" in html
    assert "<td>April 2026</td><td>1</td><td>0</td>" in html
    ru = client.get(
        "/discussions/statistics/?date_from=2026-03-01&interval=week", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert "<td>02.03.2026</td><td>1</td><td>0</td>" in ru
    assert "format=csv" in html and "date_from=2026-03-01" in html


def test_statistics_exports_carry_the_period_and_the_series(client, spread):
    text = client.get(
        "/discussions/statistics/?date_from=2026-03-01&interval=month&format=csv"
    ).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert ["date_from", "", "2026-03-01"] in rows
    assert ["proposals", "", "3"] in rows
    assert ["proposals_per_month", "2026-04-01", "1"] in rows
    assert client.get("/discussions/statistics/?date_to=2026-03-31&format=xlsx").content.startswith(
        b"PK"
    )


def test_a_bad_period_is_refused_in_exports_and_reported_on_the_page(client, spread):
    response = client.get("/discussions/statistics/?date_from=2026-05-01&date_to=2026-03-01")
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.content.decode()
    response = client.get("/discussions/statistics/?date_from=nonsense&format=json")
    assert response.status_code == 400 and "date_from" in response.json()["errors"]
