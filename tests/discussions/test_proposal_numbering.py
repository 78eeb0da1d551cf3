"""Numbering as a property: whatever mix of accepted, repeated and refused submissions, the
accepted ones are numbered 1..n without gaps, in registration order."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityhall.core import inbox
from cityhall.core.errors import DomainError
from cityhall.core.models import InboxItem
from cityhall.discussions import services
from cityhall.discussions.models import Proposal

from .factories import DiscussionFactory, verified_person

pytestmark = pytest.mark.django_db

# Hypothesis runs each property with the function-scoped database fixtures of its test.
EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@EXAMPLES
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


@EXAMPLES
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 2), st.booleans()),
        min_size=1,
        max_size=12,
    ),
    batch=st.integers(1, 5),
)
def test_batches_number_what_came_in_time_without_gaps(
    steps, batch, city, council, west_home, settings
):
    """Received now, registered later in batches of any size: what came in before the deadline
    is numbered 1..n in order of receipt; what came late or repeated takes no number."""
    settings.INBOX_INLINE = False
    discussion = DiscussionFactory(organiser=council, districts=[city.west])
    people = {"a": verified_person(west_home), "b": verified_person(west_home)}
    deadline = discussion.proposal_deadline
    expected, seen = [], set()
    for n, (who, text, late) in enumerate(steps):
        try:
            item = services.receive_proposal(
                discussion_id=discussion.pk, author=people[who], text=f"Текст {text}"
            )
        except DomainError:  # the same text within the minute: refused at once
            assert (who, text) in seen
            continue
        seen.add((who, text))
        # Each item arrives a minute after the previous; some after the deadline.
        at = deadline + dt.timedelta(seconds=1) if late else deadline - dt.timedelta(hours=1)
        InboxItem.objects.filter(pk=item.id).update(received_at=at + dt.timedelta(seconds=n))
        if not late:
            expected.append((item.id, people[who].username, f"Текст {text}"))

    inbox.drain(limit=batch)

    rows = list(
        Proposal.objects.filter(discussion=discussion)
        .order_by("number")
        .values_list("number", "author__username", "text")
    )
    assert [r[0] for r in rows] == list(range(1, len(expected) + 1))
    assert [r[1:] for r in rows] == [e[1:] for e in expected]
    assert not InboxItem.objects.filter(state__in=["pending", "failed"]).exists()
