"""Public ratings: a Bayesian average with a stated prior, recomputed on schedule."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from cityhall.service_requests import services, tasks
from cityhall.service_requests.models import OrganisationRating
from cityhall.service_requests.rating import PRIOR_MEAN, PRIOR_WEIGHT, bayesian_score

from .factories import submit

scores = st.lists(st.integers(min_value=1, max_value=5), max_size=300)


@given(scores)
def test_score_lies_between_the_prior_and_the_mean(votes):
    r = bayesian_score(votes=len(votes), total=sum(votes))
    assert 1 <= r.score <= 5
    if votes:
        mean = sum(votes) / len(votes)
        assert min(mean, PRIOR_MEAN) - 1e-9 <= r.score <= max(mean, PRIOR_MEAN) + 1e-9
    else:
        assert r.score == PRIOR_MEAN


@given(st.integers(min_value=1, max_value=5))
def test_a_handful_of_votes_cannot_swing_it(score):
    r = bayesian_score(votes=3, total=3 * score)
    assert abs(r.score - PRIOR_MEAN) <= 3 * 2.5 / (PRIOR_WEIGHT + 3) + 1e-3


@given(scores, st.integers(min_value=1, max_value=5))
def test_one_more_good_vote_never_lowers_the_score(votes, extra):
    before = bayesian_score(votes=len(votes), total=sum(votes)).score
    after = bayesian_score(votes=len(votes) + 1, total=sum(votes) + 5).score
    assert after >= before - 1e-9


def test_impossible_sums_are_refused():
    with pytest.raises(ValueError):
        bayesian_score(votes=2, total=11)


def test_recomputed_on_schedule_and_shown_with_vote_count(client, world):
    request = submit(world)
    services.transition(request=request, actor=world.executor, to="accepted")
    services.transition(request=request, actor=world.executor, to="done", report="ok")
    services.leave_feedback(request=request, author=world.resident, score=5)
    tasks.recompute_ratings_task.call_local()
    figures = OrganisationRating.objects.get(organisation=world.manager)
    assert figures.votes == 1 and figures.mean == 5
    assert figures.score == pytest.approx(
        (PRIOR_WEIGHT * PRIOR_MEAN + 5) / (PRIOR_WEIGHT + 1), abs=1e-3
    )
    assert figures.closed_total == 1 and figures.closed_on_time == 1
    page = client.get(
        reverse("service_requests:organisation", args=[world.manager.pk])
    ).content.decode()
    assert "(1 vote)" in page and f"{figures.score:.2f}" in page
    listing = client.get(reverse("service_requests:organisations")).content.decode()
    assert "UK Baumana" in listing
