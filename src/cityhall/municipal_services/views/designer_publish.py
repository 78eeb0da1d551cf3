"""Before publishing: the draft as the applicant will see it (per language and variant, with
sample answers or the official's own), and the difference from the published version side by
side with every problem that stops publication; publishing itself (audited with the
difference)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.accounts.permissions import staff_required
from cityhall.core.errors import DomainError, Forbidden

from .. import services
from ..definition import LANGUAGES, STATUS_CODES, text_in
from ..designer.checks import publication_problems
from ..designer.difference import difference
from ..designer.forms import LANGUAGE_NAMES
from ..group_field import rows_after_post
from ..models import ServiceVersion
from ..schema_form import answers_from_post, errors_of, fields_of
from .designer import DESIGNERS, page, report_error, version_for

__all__ = ["preview_page", "publish_page"]

PART_NAMES = {
    "form_schema": gettext_lazy("Form field"),
    "ui": gettext_lazy("Form layout"),
    "documents": gettext_lazy("Document"),
    "fees": gettext_lazy("Fees"),
    "term_days": gettext_lazy("Legal term, working days"),
    "identity": gettext_lazy("Who may apply"),
    "result_types": gettext_lazy("What an approval issues"),
    "workflow": gettext_lazy("Stages"),
    "status_texts": gettext_lazy("Status texts"),
    "variants": gettext_lazy("Variant"),
    "rules": gettext_lazy("Decision rule"),
    "result_template": gettext_lazy("Result document"),
    "registry": gettext_lazy("Registry"),
    "refusal_reasons": gettext_lazy("Listed reason"),
}


@staff_required(DESIGNERS)
def preview_page(request, code, number):
    """The application form in the chosen language, the chosen variant's documents, and the
    answers checked against the form when posted."""
    version = version_for(request.user, code, number)
    language = request.GET.get("language") if request.GET.get("language") in LANGUAGES else "ru"
    variants = [v for v in version.variants or [] if isinstance(v, dict)]
    chosen = next((v for v in variants if v.get("code") == request.GET.get("variant")), None)
    values, errors, checked, rows = {}, {}, False, None
    if request.method == "POST":
        values = answers_from_post(version.form_schema, request.POST)
        rows = rows_after_post(version.form_schema, request.POST)
        if "add_item" not in request.POST and "remove_item" not in request.POST:
            errors = errors_of(version.form_schema, values, hints=version.ui)
            checked = True
    with translation.override(language):
        fields = fields_of(
            version.form_schema,
            version.ui,
            values=values,
            errors=errors,
            language=language,
            rows=rows,
        )
        wanted = set(chosen.get("documents") or []) if chosen else None
        documents = [
            {
                "title": text_in(d.get("title"), language),
                "required": d.get("required") or (wanted is not None and d.get("code") in wanted),
            }
            for d in version.documents or []
            if isinstance(d, dict)
        ]
        texts = {
            "service": version.service.title(language),
            "fields": list(fields),
            "has_group": fields.has_group,
            "documents": documents,
            "variant": text_in(chosen.get("title"), language) if chosen else "",
        }
        rendered = page(
            request,
            "preview.html",
            version,
            preview=texts,
            language=language,
            languages=LANGUAGE_NAMES.items(),
            variants=[(v.get("code"), text_in(v.get("title"))) for v in variants],
            chosen=chosen.get("code") if chosen else "",
            checked=checked,
            errors=errors,
        )
    return rendered


def _changes(version: ServiceVersion):
    published = version.service.versions.filter(status=ServiceVersion.Status.PUBLISHED).first()
    base = published if published and published.pk != version.pk else None
    rows = [
        {
            "part": PART_NAMES.get(c.part, c.part),
            "item": c.item,
            "kind": c.kind,
            "before": c.before_text,
            "after": c.after_text,
        }
        for c in difference(base.definition() if base else None, version.definition())
    ]
    return base, rows


@staff_required(DESIGNERS)
def publish_page(request, code, number):
    version = version_for(request.user, code, number)
    if request.method == "POST":
        try:
            revision = int(request.POST.get("revision", ""))
        except ValueError:
            revision = -1
        try:
            services.publish_version(
                actor=request.user, version=version, expected_revision=revision
            )
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            report_error(request, exc)
        else:
            messages.success(request, _("Version %(n)s is published.") % {"n": version.number})
            return redirect("service_designer:service", code=code)
    base, rows = _changes(version)
    problems = publication_problems(version.definition()) if version.is_editable else {}
    return page(
        request,
        "publish.html",
        version,
        base=base,
        rows=rows,
        problems=[(PART_NAMES.get(k, k), v) for k, v in problems.items()],
        statuses=STATUS_CODES,
    )
