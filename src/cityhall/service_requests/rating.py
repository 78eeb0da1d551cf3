"""Public ratings of organisations: a Bayesian average that a handful of votes cannot swing.

score = (C·m + Σ votes) / (C + n), where the prior is ``m`` = 3.5 (a middling organisation)
weighted as ``C`` = 20 votes. With few votes the score stays near 3.5; with many it approaches
the organisation's own mean. Pure: no ORM.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PRIOR_MEAN", "PRIOR_WEIGHT", "Rating", "bayesian_score"]

PRIOR_MEAN = 3.5
PRIOR_WEIGHT = 20


@dataclass(frozen=True)
class Rating:
    votes: int
    mean: float
    score: float


def bayesian_score(
    *, votes: int, total: int, prior_mean: float = PRIOR_MEAN, prior_weight: int = PRIOR_WEIGHT
) -> Rating:
    """``votes`` is how many scores (1–5) were given and ``total`` their sum."""
    if votes < 0 or prior_weight < 0:
        raise ValueError("counts cannot be negative")
    if votes and not (votes <= total <= 5 * votes):
        raise ValueError("the sum of 1–5 scores must lie between votes and 5·votes")
    mean = total / votes if votes else 0.0
    denominator = prior_weight + votes
    score = (prior_weight * prior_mean + total) / denominator if denominator else prior_mean
    return Rating(votes=votes, mean=round(mean, 4), score=round(score, 4))
