"""Result documents: a PDF made from the definition's template (fpdf2, a Cyrillic font from
the pinned ``font-roboto`` package), for the applicant's cabinet and the registry."""

from __future__ import annotations

import logging

from django.utils import timezone
from font_roboto import font_files
from fpdf import FPDF

from .definition import text_in
from .designer.template_check import DEFAULT_BODY, render_body
from .models import Application
from .schema_form import readable_answers

__all__ = ["render_result_pdf", "result_body", "result_body_checked", "result_context"]

# fpdf2 subsets fonts through fontTools, which reports every step at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def result_context(application: Application, number: str) -> dict:
    applicant = application.applicant
    answers = application.answers or {}
    holder = str(answers.get("organisation_name") or answers.get("applicant_name") or applicant)
    language = application.language or "ru"
    return {
        "number": number,
        "application_number": application.number,
        "date": timezone.localdate().strftime("%d.%m.%Y"),
        "service": application.service.title(language),
        "title": text_in((application.version.result_template or {}).get("title"), language)
        or application.service.title(language),
        "holder": holder,
        "department": str(application.department),
        # the applicant's document prints each answer in words, never an option's code
        "answers": readable_answers(
            application.version.form_schema, application.version.ui, answers, language
        ),
        "variant": application.variant,
        "reasons": application.decision_reasons,
    }


def result_body_checked(application: Application, template: dict, context: dict) -> tuple[str, str]:
    """The template's body in the applicant's language, filled in (plain text), and the
    template's error ('' when none): a template that fails gives the standard body, so the
    decision is still recorded and issued (versions are checked at publishing; one published
    before that check may still fail)."""
    language = application.language or "ru"
    source = text_in(template.get("body"), language) or DEFAULT_BODY
    return render_body(source, context)


def result_body(application: Application, template: dict, context: dict) -> str:
    """The template's body in the applicant's language, filled in (plain text)."""
    return result_body_checked(application, template, context)[0]


def render_result_pdf(application: Application, template: dict, context: dict) -> bytes:
    """The template's ``title`` and ``body`` (Django template text per language) filled in."""
    body = result_body(application, template, context)
    pdf = FPDF(format="A4")
    pdf.set_title(context["title"])
    pdf.add_font("Roboto", "", font_files["Roboto"])
    pdf.add_font("Roboto", "B", font_files["RobotoBold"])
    pdf.add_page()
    pdf.set_font("Roboto", "", 10)
    pdf.multi_cell(0, 5, context["department"])
    pdf.ln(8)
    pdf.set_font("Roboto", "B", 16)
    pdf.multi_cell(0, 8, context["title"], align="C")
    pdf.ln(4)
    pdf.set_font("Roboto", "", 12)
    pdf.multi_cell(0, 6, f"№ {context['number']} — {context['date']}", align="C")
    pdf.ln(6)
    pdf.multi_cell(0, 6, body)
    return bytes(pdf.output())
