"""Similar proposals within one discussion, by the words of their texts (rapidfuzz).

Used where a person is about to decide "this is the same": the organiser grouping identical
proposals on the recommendations desk ("same as № N"), and the author before submitting (the
page's check step, or as they type through ``GET /api/v1/discussions/{id}/similar``). Never on
submission: registering a proposal does not wait for it.

The score (0–100) is the mean of rapidfuzz's token-sort and token-set ratios on the texts in
lower case without punctuation: the first rewards the same words in any order, the second a
text contained in a longer one; a mean of both keeps a one-word query from matching every text
that contains the word. Public suggestions read visible texts only.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from .models import Discussion, Proposal

__all__ = ["MIN_QUERY_CHARS", "SCORE_CUTOFF", "Similar", "similar_proposals"]

#: Below this score a text is not offered as similar.
SCORE_CUTOFF = 55
#: A shorter query (a word or two) suggests nothing: everything would look alike.
MIN_QUERY_CHARS = 15
EXCERPT_CHARS = 300


@dataclass(frozen=True)
class Similar:
    number: int
    kind: str
    excerpt: str
    score: int


def similar_proposals(
    discussion: Discussion,
    text: str,
    *,
    limit: int = 5,
    exclude_number: int | None = None,
    kinds: tuple[str, ...] = (),
    include_hidden: bool = False,
) -> list[Similar]:
    """The discussion's texts most like ``text``, best first, at most ``limit``."""
    text = " ".join((text or "").split())[:2000]
    if len(text) < MIN_QUERY_CHARS:
        return []
    qs = Proposal.objects.filter(discussion=discussion)
    if not include_hidden:
        qs = qs.filter(visibility=Proposal.Visibility.VISIBLE)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if exclude_number is not None:
        qs = qs.exclude(number=exclude_number)
    rows = list(qs.order_by("number").values_list("number", "kind", "text"))
    if not rows:
        return []
    query = utils.default_process(text)
    choices = [utils.default_process(r[2]) for r in rows]
    by_order = process.cdist([query], choices, scorer=fuzz.token_sort_ratio)[0]
    by_set = process.cdist([query], choices, scorer=fuzz.token_set_ratio)[0]
    scores = (by_order + by_set) / 2
    ranked = sorted(
        (i for i in range(len(rows)) if scores[i] >= SCORE_CUTOFF),
        key=lambda i: (-scores[i], rows[i][0]),
    )[:limit]
    return [
        Similar(
            number=rows[i][0],
            kind=rows[i][1],
            excerpt=rows[i][2][:EXCERPT_CHARS],
            score=round(float(scores[i])),
        )
        for i in ranked
    ]
