"""Issue 16 item 26: Tatar pages write dates, times and numbers the Russian way, and large
numbers are grouped in every language; inputs that browsers parse keep ISO values."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from cityhall.discussions.forms import DiscussionForm

MOMENT = dt.datetime(2026, 11, 23, 14, 5)


def rendered(language: str, source: str, **context) -> str:
    with translation.override(language):
        return Template("{% load humanize %}" + source).render(Context(context))


@pytest.mark.parametrize("language", ["ru", "tt"])
def test_tatar_and_russian_dates_are_day_month_year_on_a_24_hour_clock(language):
    with translation.override(language):
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == "23.11.2026 14:05"
        assert formats.date_format(MOMENT.date(), "SHORT_DATE_FORMAT") == "23.11.2026"
        long = formats.date_format(MOMENT, "DATETIME_FORMAT")
    assert long.startswith("23 ") and "2026" in long and long.endswith("14:05")
    assert "p.m." not in long and "т.к." not in long


def test_tatar_decimals_use_a_comma_like_the_russian_text_beside_them():
    assert rendered("tt", "{{ v }}", v=decimal.Decimal("12.5")) == "12,5"
    assert rendered("ru", "{{ v }}", v=decimal.Decimal("12.5")) == "12,5"
    assert rendered("en", "{{ v }}", v=decimal.Decimal("12.5")) == "12.5"


@pytest.mark.parametrize(
    ("language", "grouped"),
    [("ru", "1\xa0234\xa0567"), ("tt", "1\xa0234\xa0567"), ("en", "1,234,567")],
)
def test_large_numbers_are_grouped_in_every_language(language, grouped):
    assert rendered(language, "{{ n|intcomma }}", n=1234567) == grouped


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_ids_and_form_values_are_never_grouped(language):
    """Grouping is asked for where a figure is shown (``intcomma``), never globally: an id in
    a form value, a URL or a year stays one token."""
    assert rendered(language, '<input value="{{ n }}">{{ year }}', n=12345, year=2026) == (
        '<input value="12345">2026'
    )


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_date_pickers_get_iso_values_the_browser_understands(language):
    form = DiscussionForm(initial={"notice_date": MOMENT.date(), "exposition_start": MOMENT})
    with translation.override(language):
        html = str(form["notice_date"]) + str(form["exposition_start"])
    assert 'value="2026-11-23"' in html
    assert 'value="2026-11-23T14:05"' in html


@pytest.mark.parametrize(
    ("language", "shown", "score"),
    [("ru", "12\xa0345", "4,41"), ("tt", "12\xa0345", "4,41"), ("en", "12,345", "4.41")],
)
def test_the_ratings_page_groups_its_figures_in_every_language(client, db, language, shown, score):
    from cityhall.service_requests.models import OrganisationRating
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(name="УК Тест")
    OrganisationRating.objects.create(
        organisation=organisation, votes=12345, score=4.41, mean=4.5, requests_total=99999
    )
    client.cookies["django_language"] = language
    html = client.get("/requests/organisations/").content.decode()
    assert f"<td>{shown}</td>" in html and f"<td>{score}</td>" in html
    assert f'href="/requests/organisations/{organisation.pk}/"' in html  # ids never grouped
    assert 'href="/static/service_requests/requests.css"' in html  # the sub-menu's style


def test_the_discussion_list_groups_proposal_counts(client, db):
    from tests.discussions.factories import DiscussionFactory

    DiscussionFactory(proposal_count=2457)
    client.cookies["django_language"] = "ru"
    assert "Предложения: 2\xa0457" in client.get("/discussions/").content.decode()
