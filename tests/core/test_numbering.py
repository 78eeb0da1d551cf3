"""Gap-free numbering: sequential per series, rolled-back numbers are given back."""

from __future__ import annotations

import pytest
from django.db import transaction

from cityhall.core.numbering import next_value

pytestmark = pytest.mark.django_db


def test_series_count_independently():
    assert [next_value("a"), next_value("a"), next_value("b"), next_value("a")] == [1, 2, 1, 3]


def test_a_rolled_back_number_is_reused():
    next_value("tickets")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_value("tickets") == 2
        raise RuntimeError("the insert failed")
    assert next_value("tickets") == 2


@pytest.mark.django_db
def test_next_values_takes_a_block_that_continues_the_series():
    from cityhall.core.numbering import next_value, next_values

    assert next_value("block") == 1
    assert list(next_values("block", 3)) == [2, 3, 4]
    assert next_value("block") == 5
    assert list(next_values("fresh-block", 2)) == [1, 2]
