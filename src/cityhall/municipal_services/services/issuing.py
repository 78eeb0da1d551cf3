"""Issuing the result of an approved application: the result document and the registry record."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core import audit, uploads

from .. import case_files as file_access
from ..models import Application, ApplicationEvent, RegistryRecord, ResultDocument

__all__ = ["issue_result", "issue_refusal", "result_number"]


def issue_result(application: Application) -> None:
    """The result of an approved application, as its version defines: the result document
    (PDF) and/or a record in the version's registry, both numbered after the case."""
    # imported here, as before the split: the PDF library takes over a second to import, and
    # every process (web, worker, run_inbox) would pay it at start-up
    from ..results import render_result_pdf, result_context

    version = application.version
    kinds = version.result_types or []
    number = result_number(application)
    context = result_context(application, number)
    if "document" in kinds:
        _report_template_failure(application, version.result_template or {}, context)
        pdf = render_result_pdf(application, version.result_template or {}, context)
        ResultDocument.objects.create(
            application=application,
            kind="document",
            number=number,
            stored=_stored_result(application, pdf, number),
        )
    if "registry_record" in kinds and version.registry:
        answers = application.answers or {}
        RegistryRecord.objects.create(
            registry=version.registry,
            number=number,
            title=context["title"][:300],
            holder=context["holder"][:300],
            address=str(answers.get("address", ""))[:300],
            cadastral_number=str(answers.get("cadastral_number", ""))[:40],
            details={
                k: answers[k] for k in (version.ui or {}).get("registry_fields", []) if k in answers
            },
            lat=application.location_lat or _float(answers.get("lat")),
            lon=application.location_lon or _float(answers.get("lon")),
            issued_on=timezone.localdate(),
            application=application,
        )


def _report_template_failure(application: Application, template: dict, context: dict) -> None:
    """A version published before templates were checked may have a broken one: the case is
    decided all the same, with the standard text, and staff read why on the case (an internal
    step) and in the audit, so the template is corrected in a new version."""
    from ..results import result_body_checked

    _body, error = result_body_checked(application, template, context)
    if not error:
        return
    text = _(
        "The result document template of version %(n)s could not be used (%(error)s); the "
        "document was issued with the standard text. Correct the template in a new version."
    ) % {"n": application.version.number, "error": error}
    ApplicationEvent.objects.create(
        application=application,
        kind="result_template_failed",
        stage=application.status,
        text=text,
        internal=True,
        data={"version": application.version.number, "error": error[:500]},
    )
    audit.record(
        actor=None,
        action="municipal_services.result_template_failed",
        target=application,
        after={"version": application.version.number, "error": error[:500]},
    )


def issue_refusal(application: Application) -> ResultDocument:
    """The refusal decision as a document, like an approval's result (issue 16.19): the
    applicant gets a PDF in their language with the service, the case and every reason, which
    they may appeal with. Numbered after the case with the suffix "О" (отказ)."""
    from django.utils import translation

    from ..results import render_result_pdf, result_context

    number = f"{result_number(application)}-О"
    context = result_context(application, number)
    with translation.override(application.language or "ru"):
        context["title"] = str(_("Decision to refuse the municipal service"))
        body = "\n".join(
            [
                str(_("Service: {{ service }}")),
                str(_("Applicant: {{ holder }}")),
                str(_("Application № {{ application_number }}")),
                "",
                str(_("The service is refused for these reasons:")),
                "{% for r in reasons %}— {{ r }}\n{% endfor %}",
                str(_("The decision may be appealed before a court or to a higher authority.")),
            ]
        )
        pdf = render_result_pdf(application, {"body": body}, context)
    return ResultDocument.objects.create(
        application=application,
        kind="refusal",
        number=number,
        stored=_stored_result(application, pdf, number),
    )


def _stored_result(application: Application, pdf: bytes, number: str):
    """The result PDF kept by the file service, shown to the applicant and the department."""
    return uploads.store_generated(
        pdf,
        purpose=file_access.RESULT,
        label=f"{number}.pdf",
        content_type="application/pdf",
        extension=".pdf",
        owner=application.applicant,
    )


def result_number(application: Application) -> str:
    """The result's number: the service's initials and the case number ("LPL-2026-000040" for
    land-plot-lease), short enough to read out and type, never a cut-off code."""
    words = [w for w in application.service.code.replace("_", "-").split("-") if w]
    initials = "".join(w[0] for w in words).upper()[:6] or "R"
    return f"{initials}-{application.number}"


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
