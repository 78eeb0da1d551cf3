"""What the pages of discussions share: running one service with its domain error put beside
the form's fields (:func:`run_service`) and, for a form page, the whole step after its POST
(:func:`submitted`), reading a number from the query string, and the roles that open the staff
desks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from cityhall.accounts.models import Role
from cityhall.accounts.selectors import has_role
from cityhall.core.errors import DomainError, Forbidden
from cityhall.core.params import whole_number

from ..models import Discussion

__all__ = [
    "CHART_LIMITS",
    "EXPERTS",
    "MODERATION",
    "ORGANISER",
    "int_param",
    "organiser_discussion",
    "run_service",
    "submitted",
]

ORGANISER = (Role.ORGANISER, Role.ADMINISTRATOR)
MODERATION = (Role.MODERATOR, Role.ORGANISER)
EXPERTS = (Role.EXPERT, Role.ORGANISER)

#: Statistics charts show the 15 largest rows, labels cut at 32 characters.
CHART_LIMITS = {"max_rows": 15, "label_chars": 32}


def run_service(form, action: Callable[[], Any]) -> tuple[bool, Any]:
    """Run a service; put its domain error on the form. Returns (ok, result)."""
    try:
        return True, action()
    except DomainError as exc:
        for field, errors in exc.fields.items():
            for error in errors:
                target = field if form is not None and field in form.fields else None
                if form is not None:
                    form.add_error(target, error)
        if not exc.fields and form is not None:
            form.add_error(None, str(exc.message))
        if form is None:
            raise
        return False, exc


def submitted(
    request,
    form,
    action: Callable[[dict], Any],
    *,
    success: str | Callable[[Any], str],
    to: str | Callable[[Any], str],
    warning: Callable[[Any], str] | None = None,
) -> HttpResponse | None:
    """A form page's step after its POST: when ``form`` is valid, run ``action`` (one service)
    on its cleaned data, the domain error put on the form (:func:`run_service`); when that
    succeeds, say ``success`` (and ``warning``, if it says anything) and redirect to ``to``
    (each a text or made from the service's result). None: show the form (again) — a GET, an
    invalid form or a refusal."""
    if request.method != "POST" or not form.is_valid():
        return None
    ok, result = run_service(form, lambda: action(form.cleaned_data))
    if not ok:
        return None
    messages.success(request, success(result) if callable(success) else success)
    if warning is not None and (said := warning(result)):
        messages.warning(request, said)
    return redirect(to(result) if callable(to) else to)


def int_param(value: Any, default: int = 1) -> int:
    """A whole number from the query string (a page, an id), ``default`` when absent, bad or
    beyond what a database holds."""
    return whole_number(value, default=default)


def organiser_discussion(request, pk: int) -> Discussion:
    """The discussion ``pk`` for its organiser's pages: 404 if none, 403 to anyone else."""
    discussion = (
        Discussion.objects.select_related("document_type", "organiser").filter(pk=pk).first()
    )
    if discussion is None:
        raise Http404
    if not has_role(request.user, ORGANISER, discussion.organiser):
        raise Forbidden(_("Only the organiser of this discussion may do this."))
    return discussion
