"""The legal date bounds as a property: dates are accepted exactly when every bound holds."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from cityhall.core.errors import InvalidInput
from cityhall.discussions.models import DocumentType
from cityhall.discussions.services import validate_dates

TZ = ZoneInfo("Europe/Moscow")


@settings(max_examples=200, deadline=None)
@given(
    min_notice=st.integers(0, 20),
    max_to_conclusion=st.one_of(st.none(), st.integers(10, 90)),
    min_len=st.integers(1, 15),
    extra_len=st.one_of(st.none(), st.integers(0, 30)),
    notice_to_start=st.integers(0, 30),
    length=st.integers(-2, 40),
    deadline_shift=st.integers(-2, 2),
    conclusion_after_end=st.integers(-3, 60),
)
def test_dates_accepted_iff_within_bounds(
    min_notice,
    max_to_conclusion,
    min_len,
    extra_len,
    notice_to_start,
    length,
    deadline_shift,
    conclusion_after_end,
):
    doc_type = DocumentType(
        code="t",
        name="T",
        min_notice_days=min_notice,
        max_days_to_conclusion=max_to_conclusion,
        min_exposition_days=min_len,
        max_exposition_days=None if extra_len is None else min_len + extra_len,
    )
    notice = dt.date(2026, 3, 2)
    start_day = notice + dt.timedelta(days=notice_to_start)
    start = dt.datetime.combine(start_day, dt.time(9), tzinfo=TZ)
    end = start_day + dt.timedelta(days=length - 1)
    deadline = dt.datetime.combine(end + dt.timedelta(days=deadline_shift), dt.time(17), tzinfo=TZ)
    conclusion = end + dt.timedelta(days=conclusion_after_end)

    expected_ok = (
        notice_to_start >= min_notice
        and length >= 1
        and length >= min_len
        and (extra_len is None or length <= min_len + extra_len)
        and start <= deadline
        and deadline.date() == end  # accepted throughout the exposition (issue 20.2)
        and conclusion > end
        and (max_to_conclusion is None or (conclusion - notice).days <= max_to_conclusion)
    )
    try:
        validate_dates(
            document_type=doc_type,
            notice_date=notice,
            exposition_start=start,
            exposition_end=end,
            proposal_deadline=deadline,
            conclusion_due=conclusion,
        )
        accepted = True
    except InvalidInput:
        accepted = False
    assert accepted == expected_ok
