"""Where each field of an interdepartmental request's form is filled from on the case.

A request type's form is built with the form builder (:mod:`.fields`); each field's hints may
carry ``from``, chosen from a list in the designer (never typed):

- absent: the application's answer of the same name (a land-registry request's
  ``cadastral_number`` takes the application's ``cadastral_number``);
- ``answer:<field>``: another answer of the application, offered from the forms of the
  services whose variants require this request type;
- ``case:number``, ``case:applicant``, ``case:applicant_email``, ``case:service``,
  ``case:submitted``: facts of the case itself;
- ``none``: staff fill it in.

Pure module: :func:`prefilled_values` takes the case's facts as a dict.
"""

from __future__ import annotations

from typing import Any

from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

__all__ = ["CASE_SOURCES", "SAME_NAME", "case_facts", "prefilled_values", "source_problems"]

SAME_NAME = ""
#: Facts of the case a field may be filled from: code → what the designer's list says.
CASE_SOURCES: dict[str, Any] = {
    "case:number": _("the application's number"),
    "case:applicant": _("the applicant's full name"),
    "case:applicant_email": _("the applicant's e-mail"),
    "case:service": _("the service's name"),
    "case:submitted": _("the date the application was submitted"),
    "none": _("nothing: staff fill it in"),
}


def case_facts(application: Any) -> dict[str, Any]:
    """The facts of a case a request's field may be filled from (``CASE_SOURCES``)."""
    applicant = application.applicant
    submitted = application.submitted_at
    return {
        "case:number": application.number or "",
        "case:applicant": str(applicant) if applicant is not None else "",
        "case:applicant_email": getattr(applicant, "email", "") or "",
        "case:service": application.service.title(),
        "case:submitted": localtime(submitted).date().isoformat() if submitted else "",
    }


def prefilled_values(schema: dict, ui: dict, *, answers: dict, facts: dict) -> dict:
    """The form's values filled from the case: field → value (fields left empty are absent).
    A value that does not fit the field's kind is still offered; the form's own check says
    why when staff send it."""
    hints = (ui or {}).get("fields") or {}
    values: dict[str, Any] = {}
    for name in (schema or {}).get("properties") or {}:
        source = (hints.get(name) or {}).get("from", SAME_NAME)
        if source == SAME_NAME:
            value = answers.get(name)
        elif source.startswith("answer:"):
            value = answers.get(source[len("answer:") :])
        else:
            value = facts.get(source)
        if value not in (None, "", []):
            values[name] = value
    return values


def source_problems(ui: dict) -> dict[str, list[str]]:
    """Fields whose "filled from" is neither an answer nor a listed fact of the case."""
    problems: dict[str, list[str]] = {}
    for name, hints in ((ui or {}).get("fields") or {}).items():
        source = (hints or {}).get("from", SAME_NAME)
        if source == SAME_NAME or source in CASE_SOURCES:
            continue
        if isinstance(source, str) and source.startswith("answer:") and source[7:]:
            continue
        problems.setdefault("form_schema", []).append(
            gettext("The field “%(field)s” is filled from something the case does not have.")
            % {"field": name}
        )
    return problems
