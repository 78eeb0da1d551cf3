"""What the pages of municipal services share: paging, domain errors as 4xx pages, the
document list of a version, an application's answers as rows. No views here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cityhall.core.errors import Forbidden, NotFound
from cityhall.core.params import whole_number

from ..definition import text_in
from ..models import ServiceVersion
from ..schema_form import fields_of, readable_value

__all__ = [
    "PAGE_SIZE",
    "STAFF",
    "page_number",
    "domain_errors",
    "document_rows",
    "answer_rows",
    "answers_map",
    "readable_value",
    "document_title",
    "int_or_zero",
]

PAGE_SIZE = 50
STAFF = ("operator", "expert", "decision_maker")


def page_number(request) -> int:
    """The ``page`` query parameter, kept between 1 and 200."""
    try:
        return max(1, min(int(request.GET.get("page", 1)), 200))
    except ValueError:
        return 1


def domain_errors(view):
    """Turn domain errors raised by a view into the page's 4xx."""

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def document_rows(version: ServiceVersion) -> list[dict]:
    """The documents a version asks for, as the pages list them (titles in this language)."""
    return [
        {
            "code": d["code"],
            "title": text_in(d.get("title")),
            "help": text_in(d.get("help")),
            "required": d.get("required", False),
            "types": ", ".join(t.split("/")[-1].upper() for t in d.get("types", [])),
            "max_size_mb": d.get("max_size_mb"),
        }
        for d in version.documents or []
    ]


def answer_rows(application) -> list[tuple[str, object]]:
    """The answered fields of an application as (label, value), in the form's order, each
    value as people read it: a choice by its label, yes/no for a tick box (never a code)."""
    version = application.version
    return [
        (f.label, readable_value(f))
        for f in fields_of(version.form_schema, version.ui, values=application.answers)
        if f.value not in (None, "", [])
    ]


def answers_map(application):
    """The application's answers given on the map (point fields as pins, area fields as
    shapes), None without any."""
    from ..area_field import AREA
    from ..place_field import POINT, points_map

    version = application.version
    fields = fields_of(version.form_schema, version.ui, values=application.answers)
    return points_map(
        [(f.label, f.value) for f in fields if f.widget == POINT and f.value],
        areas=[(f.label, f.value) for f in fields if f.widget == AREA and f.value],
    )


def document_title(version: ServiceVersion, code: str) -> str:
    """The title of a document the version asks for, in this language (the code only when the
    definition no longer lists it)."""
    for d in version.documents or []:
        if d.get("code") == code:
            return text_in(d.get("title")) or code
    return code


def int_or_zero(value) -> int:
    """A posted number, or 0 when it is missing, not a number or beyond what a database holds."""
    return whole_number(value, default=0)
