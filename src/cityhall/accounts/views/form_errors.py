"""A domain error shown on the form that caused it, and the status of a page with such a form
(422 after a refused POST), shared by the registration and staff pages.
"""

from __future__ import annotations

from django.http import HttpRequest

from cityhall.core.errors import DomainError

__all__ = [
    "form_status",
    "show_domain_error",
]


def show_domain_error(form, exc: DomainError) -> None:
    """Each field's messages on that field (unknown fields and a message without fields on
    the form as a whole)."""
    for field, problems in exc.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
    if not exc.fields:
        form.add_error(None, str(exc.message))


def form_status(request: HttpRequest, form) -> int:
    """422 for a POST the form refused, else 200."""
    return 422 if request.method == "POST" and form.errors else 200
