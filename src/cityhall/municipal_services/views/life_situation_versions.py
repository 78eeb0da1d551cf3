"""A life situation's versions in the designer: "new version" (a draft copying the published
questionnaire and steps) and publishing — the draft's difference from the published version,
every problem that stops it, and the button; a refused publication changes nothing and lists
the problems (:mod:`..services.life_situation_versions`)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cityhall.accounts.permissions import staff_required
from cityhall.core.errors import DomainError, InvalidInput

from ..definition import text_in
from ..designer.difference import difference
from ..models import LifeSituation
from ..services import life_situation_versions as versions
from .life_situation_designer import DESIGNERS, version_context

__all__ = ["new_version", "publish_page"]

PART_NAMES = {
    "form_schema": gettext_lazy("Question"),
    "ui": gettext_lazy("Questionnaire layout"),
    "steps": gettext_lazy("Step"),
}


@staff_required(DESIGNERS)
@require_POST
def new_version(request, pk: int):
    """Start a draft copying the published version (or open the draft there is)."""
    situation = get_object_or_404(LifeSituation, pk=pk)
    draft = versions.start_situation_version(actor=request.user, situation=situation)
    messages.success(
        request,
        _("Version %(n)s is a draft: change it here, then publish it.") % {"n": draft.number},
    )
    return redirect("municipal_services:designer_situation", pk=pk)


@staff_required(DESIGNERS)
def publish_page(request, pk: int):
    """The draft against the published version, its problems and the publish button."""
    situation = get_object_or_404(LifeSituation, pk=pk)
    draft = situation.versions.filter(status="draft").first()
    status, refusal = 200, []
    if request.method == "POST" and draft is not None:
        try:
            revision = int(request.POST.get("revision", ""))
        except ValueError:
            revision = -1
        try:
            versions.publish_situation_version(
                actor=request.user, version=draft, expected_revision=revision
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
            if isinstance(exc, InvalidInput):
                refusal = [str(m) for found in exc.fields.values() for m in found]
            draft.refresh_from_db()
        else:
            messages.success(
                request,
                _("Version %(n)s is published: residents see it now.") % {"n": draft.number},
            )
            return redirect("municipal_services:designer_situation", pk=pk)
    published = situation.published_version()
    rows = []
    if draft is not None:
        before = versions.compared_definition(published) if published else None
        titles = {
            s.service.code: s.service.title()
            for v in (draft, published)
            if v is not None
            for s in v.steps.select_related("service")
        }
        for change in difference(before, versions.compared_definition(draft)):
            part, item = PART_NAMES.get(change.part, change.part), change.item
            if change.part.startswith(versions.STEP_PART):
                code = change.part.removeprefix(versions.STEP_PART)
                part, item = PART_NAMES["steps"], titles.get(code, code)
            rows.append(
                {
                    "part": part,
                    "item": item,
                    "before": change.before_text,
                    "after": change.after_text,
                }
            )
    return render(
        request,
        "municipal_services/life_situation_designer/publish.html",
        {
            "title": text_in(situation.name) or situation.code,
            "situation": situation,
            "rows": rows,
            "problems": refusal or (versions.version_problems(draft) if draft else []),
            **version_context(situation, draft),
        },
        status=status,
    )
