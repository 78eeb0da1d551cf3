"""Notification templates edited by a city's administrators: every event in every language of
the site, the variables each event provides, a preview with sample values, and the missing
translations (a language whose wording was withdrawn falls back to Russian, then English, and
says so here and in the preview).

Server-rendered forms only; saving is :func:`cityhall.notifications.services.save_template`
(a new audited version; refused if the text does not compile, uses a variable the event does not
provide, or the wording changed since the page was opened).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cityhall.accounts.models import Role
from cityhall.accounts.permissions import staff_required
from cityhall.core.errors import Conflict, DomainError

from . import services
from .events import EventDeclaration, TemplateText, declared_events, get_event
from .models import NotificationTemplate
from .rendering import language_order

__all__ = ["TEMPLATE_EDITORS", "missing_translations", "template_edit", "templates", "withdraw"]

TEMPLATE_EDITORS = [
    Role.ADMINISTRATOR.value,
    getattr(Role, "SERVICE_DESIGNER", "service_designer"),
]


@dataclass(frozen=True)
class Wording:
    """One event's text in one language, as readers get it now."""

    event: EventDeclaration
    language: str
    language_name: str
    active: NotificationTemplate | None
    #: The language readers of ``language`` actually get (another one when it is missing).
    served_in: str
    withdrawn: bool
    outdated: bool

    @property
    def missing(self) -> bool:
        return self.served_in != self.language


def _language_names() -> dict[str, str]:
    return {code: str(name) for code, name in settings.LANGUAGES}


def wordings(event: EventDeclaration | None = None) -> list[Wording]:
    """Every (event, language) with its active version, fallback and staleness: a translation
    is outdated when the Russian wording was saved after it."""
    events = [event] if event else sorted(declared_events(), key=lambda e: e.code)
    rows = NotificationTemplate.objects.filter(event__in=[e.code for e in events]).select_related(
        "changed_by"
    )
    active: dict[tuple[str, str], NotificationTemplate] = {}
    stored: set[tuple[str, str]] = set()
    for row in rows:
        stored.add((row.event, row.language))
        if row.is_active:
            active[(row.event, row.language)] = row
    names = _language_names()
    result = []
    for declaration in events:
        withdrawn = {
            lang
            for lang in names
            if (declaration.code, lang) in stored and (declaration.code, lang) not in active
        }
        available = [lang for lang in names if lang not in withdrawn]
        russian = active.get((declaration.code, "ru"))
        for lang in names:
            row = active.get((declaration.code, lang))
            result.append(
                Wording(
                    event=declaration,
                    language=lang,
                    language_name=names[lang],
                    active=row,
                    served_in=language_order(lang, available)[0] if available else lang,
                    withdrawn=lang in withdrawn,
                    outdated=bool(
                        lang != "ru" and row and russian and russian.created_at > row.created_at
                    ),
                )
            )
    return result


@staff_required(TEMPLATE_EDITORS)
def templates(request):
    """Every event with its wording's state in each language."""
    by_event: dict[str, list[Wording]] = {}
    for wording in wordings():
        by_event.setdefault(wording.event.code, []).append(wording)
    return render(
        request,
        "notifications/template_editor/list.html",
        {
            "title": _("Notification templates"),
            "events": [(rows[0].event, rows) for rows in by_event.values()],
            "missing_count": sum(
                w.missing or w.outdated for rows in by_event.values() for w in rows
            ),
        },
    )


@staff_required(TEMPLATE_EDITORS)
def missing_translations(request):
    """Wordings readers get in another language (withdrawn) or that lag behind the Russian."""
    return render(
        request,
        "notifications/template_editor/missing.html",
        {
            "title": _("Missing translations"),
            "rows": [w for w in wordings() if w.missing or w.outdated],
        },
    )


class TemplateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300, required=False)
    body = forms.CharField(
        label=gettext_lazy("Text (e-mail and personal cabinet)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )
    short_text = forms.CharField(
        label=gettext_lazy("Short text (SMS and browser notification)"),
        help_text=gettext_lazy("Empty: the subject is sent."),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _sample_context(declaration: EventDeclaration) -> dict:
    """Each variable shown by its name in the preview (the real values come with the event)."""
    context = {name: f"‹{name}›" for name in services.template_variables(declaration)}
    return context | {"site_url": settings.SITE_URL.rstrip("/"), "city_name": settings.CITY_NAME}


def _preview(text: TemplateText, declaration: EventDeclaration, language: str) -> dict:
    context = Context(_sample_context(declaration), autoescape=False)
    parts = {}
    with translation.override(language):
        for name in ("subject", "body", "short_text"):
            try:
                parts[name] = Template(getattr(text, name) or "").render(context).strip()
            except TemplateSyntaxError:
                parts[name] = ""
    return parts


@staff_required(TEMPLATE_EDITORS)
@require_http_methods(["GET", "POST"])
def template_edit(request, event: str, language: str):
    """One event's wording in one language: the form, the variables and the preview."""
    try:
        declaration = get_event(event)
    except Exception as exc:
        raise Http404 from exc
    if language not in _language_names():
        raise Http404
    wording = wordings(declaration)[list(_language_names()).index(language)]
    served = next(w for w in wordings(declaration) if w.language == wording.served_in)
    current = (
        TemplateText(served.active.subject, served.active.body, served.active.short_text)
        if served.active
        else declaration.defaults[wording.served_in]
    )
    status, preview = 200, None
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            text = TemplateText(
                form.cleaned_data["subject"],
                form.cleaned_data["body"],
                form.cleaned_data["short_text"],
            )
            try:
                if request.POST.get("action") == "preview":
                    problems = services.check_template_syntax(
                        subject=text.subject, body=text.body, short_text=text.short_text
                    )
                    for name, messages_ in problems.items():
                        for message in messages_:
                            form.add_error(name, message)
                    status = 422 if problems else 200
                    if not problems:
                        preview = _preview(text, declaration, language)
                else:
                    saved = services.save_template(
                        actor=request.user,
                        event=event,
                        language=language,
                        subject=text.subject,
                        body=text.body,
                        short_text=text.short_text,
                        based_on_version=form.cleaned_data["version"],
                    )
                    messages.success(
                        request,
                        _("Saved as version %(n)s; new notifications use it.")
                        % {"n": saved.version},
                    )
                    return redirect("notifications:template_edit", event=event, language=language)
            except Conflict as exc:
                data = request.POST.copy()
                data["version"] = str(wording.active.version if wording.active else 0)
                form = TemplateForm(data)
                form.is_valid()
                form.add_error(None, str(exc.message))
                status = exc.status
            except DomainError as exc:
                for name, messages_ in exc.fields.items():
                    for message in messages_:
                        form.add_error(name if name in form.fields else None, str(message))
                status = exc.status
        else:
            status = 422
    else:
        form = TemplateForm(
            initial={
                "version": wording.active.version if wording.active else 0,
                "subject": current.subject,
                "body": current.body,
                "short_text": current.short_text,
            }
        )
        preview = _preview(current, declaration, wording.served_in)
    return render(
        request,
        "notifications/template_editor/edit.html",
        {
            "title": _("%(event)s — %(language)s")
            % {"event": declaration.description, "language": wording.language_name},
            "declaration": declaration,
            "wording": wording,
            "served_name": _language_names()[wording.served_in],
            "form": form,
            "preview": preview,
            "variables": services.template_variables(declaration),
            "languages": wordings(declaration),
            "saved_now": wording.active if status == Conflict.status else None,
        },
        status=status,
    )


@staff_required(TEMPLATE_EDITORS)
@require_POST
def withdraw(request, event: str, language: str):
    """Remove a wrong translation: its readers get the Russian text until a new one is saved."""
    try:
        services.withdraw_translation(actor=request.user, event=event, language=language)
        messages.success(
            request, _("The translation is removed; its readers get the Russian text meanwhile.")
        )
    except DomainError as exc:
        messages.error(request, " ".join(str(m) for v in exc.fields.values() for m in v))
    return redirect("notifications:template_edit", event=event, language=language)
