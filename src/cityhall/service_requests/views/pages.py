"""What the app's pages share: bounded pagination (``PAGE_SIZE`` a page, at most
``MAX_PAGES`` pages, no COUNT query), numbers and question answers read from the request, and
a refused action shown as a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator

from cityhall.core.errors import DomainError
from cityhall.core.params import whole_number

__all__ = [
    "MAX_PAGES",
    "PAGE_SIZE",
    "error_message",
    "int_or_none",
    "paginate",
    "question_answers",
]


PAGE_SIZE = 25
MAX_PAGES = 400  # offsets stay bounded; narrow the filters to go further


def paginate(request, qs) -> dict:
    """One page of ``qs`` for a list page (``?page=``), read without counting the rows: one row
    more than a page tells whether there is a next one."""
    paginator = Paginator(qs, PAGE_SIZE, allow_empty_first_page=True)
    paginator._count = None
    try:
        number = max(1, min(int(request.GET.get("page", "1")), MAX_PAGES))
    except ValueError:
        number = 1
    items = list(qs[(number - 1) * PAGE_SIZE : number * PAGE_SIZE + 1])
    has_next = len(items) > PAGE_SIZE and number < MAX_PAGES
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "items": items[:PAGE_SIZE],
        "page_number": number,
        "has_next": has_next,
        "has_previous": number > 1,
        "query": query.urlencode(),
    }


def question_answers(post) -> dict:
    """The answers to the category's questions in a form post (``attribute[code]`` fields)."""
    return {
        key[len("attribute[") : -1]: (
            post.getlist(key) if len(post.getlist(key)) > 1 else post[key]
        )
        for key in post
        if key.startswith("attribute[") and key.endswith("]")
    }


def int_or_none(value) -> int | None:
    """A whole number from a query or form value (one a database can hold); None for anything
    else."""
    return whole_number(value)


def error_message(request, exc: DomainError) -> None:
    """A refused action told on the next page: the domain error's message and field errors."""
    text = str(exc.message)
    if exc.fields:
        text += " " + " ".join(str(m) for v in exc.fields.values() for m in v)
    messages.error(request, text)
