"""Numbering as a property: whatever mix of accepted, repeated and refused submissions, the
accepted ones are numbered 1..n without gaps, in registration order."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityhall.core.errors import DomainError
from cityhall.discussions import services
from cityhall.discussions.models import Proposal

from .factories import DiscussionFactory, verified_person

pytestmark = pytest.mark.django_db


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["a", "b", "outsider"]), st.integers(0, 3)),
        min_size=1,
        max_size=12,
    )
)
def test_accepted_submissions_are_numbered_without_gaps(steps, city, council, west_home, east_home):
    discussion = DiscussionFactory(organiser=council, districts=[city.west])
    people = {
        "a": verified_person(west_home),
        "b": verified_person(west_home),
        "outsider": verified_person(east_home),
    }
    accepted = []
    for who, text in steps:
        try:
            proposal = services.submit_proposal(
                discussion=discussion, author=people[who], text=f"Текст {text}"
            )
        except DomainError:
            continue
        accepted.append((who, text))
        assert proposal.number == len(accepted)
    rows = list(
        Proposal.objects.filter(discussion=discussion)
        .order_by("number")
        .values_list("number", "author__username", "text")
    )
    assert [r[0] for r in rows] == list(range(1, len(accepted) + 1))
    # Repeats of the same text by the same person (within the minute) were refused.
    assert len({(r[1], r[2]) for r in rows}) == len(rows)
    assert all(people["outsider"].username != r[1] for r in rows)
