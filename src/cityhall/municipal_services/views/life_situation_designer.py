"""The life-situation designer for administrators: a situation's steps, each built from lists —
the service it opens, when it applies (a questionnaire answer), which questionnaire field fills
each field of the service's form, and which steps it waits for. Nothing is typed but numbers, so
a misspelled field cannot be saved; :mod:`..services.life_situation_design` checks again.

Without JavaScript, choosing another service is a step of its own ("Show this service's
fields"), after which its form's fields are listed for mapping.

The pages show the situation's draft version when there is one, else the published one,
read-only with a "new version" button (:mod:`.life_situation_versions`): residents never see a
half-finished change.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityhall.accounts.models import Role
from cityhall.accounts.permissions import staff_required
from cityhall.core.errors import DomainError
from cityhall.core.params import whole_number

from ..definition import text_in
from ..models import LifeSituation, LifeSituationStep, LifeSituationVersion, Service, ServiceVersion
from ..schema_form import fields_of
from ..services import life_situation_design as design

__all__ = [
    "draft_or_refusal",
    "situation_steps",
    "situations",
    "step_delete",
    "step_edit",
    "working_version",
]

DESIGNERS = [Role.ADMINISTRATOR.value, getattr(Role, "SERVICE_DESIGNER", "service_designer")]


def working_version(situation: LifeSituation) -> LifeSituationVersion | None:
    """What the designer shows: the draft, else the published version, else the newest."""
    versions = situation.versions.all()
    return (
        versions.filter(status=LifeSituationVersion.Status.DRAFT).first()
        or versions.filter(status=LifeSituationVersion.Status.PUBLISHED).first()
        or versions.order_by("-number").first()
    )


def draft_or_refusal(request, situation: LifeSituation) -> LifeSituationVersion | None:
    """The situation's draft; None (with the reason on the next page) when there is none."""
    draft = situation.versions.filter(status=LifeSituationVersion.Status.DRAFT).first()
    if draft is None:
        messages.error(
            request,
            _("The published version cannot be changed. Start a new version to change it."),
        )
    return draft


def version_context(situation: LifeSituation, version: LifeSituationVersion | None) -> dict:
    """What the version bar on the designer's pages shows."""
    published = situation.published_version()
    return {
        "version": version,
        "published": published,
        "editable": version is not None and version.is_editable,
    }


def _questionnaire(version: LifeSituationVersion):
    return fields_of(version.questionnaire or {}, version.ui or {})


def _conditions(version: LifeSituationVersion) -> list[tuple[str, str, object]]:
    """The "applies when" choices: always, or one questionnaire answer (yes/no, a listed value)."""
    choices: list[tuple[str, str, object]] = [("always", _("Always"), None)]
    properties = (version.questionnaire or {}).get("properties") or {}
    for field in _questionnaire(version):
        prop = properties.get(field.name) or {}
        if prop.get("type") == "boolean":
            for value, word in ((True, _("yes")), (False, _("no"))):
                choices.append(
                    (
                        f"{field.name}:{'yes' if value else 'no'}",
                        _("When “%(field)s” is %(answer)s")
                        % {"field": field.label, "answer": word},
                        {"==": [{"var": field.name}, value]},
                    )
                )
        several = prop.get("type") == "array"
        for key, label in field.choices:
            choices.append(
                (
                    f"{field.name}:{key}",
                    (
                        _("When “%(field)s” includes %(answer)s")
                        if several
                        else _("When “%(field)s” is %(answer)s")
                    )
                    % {"field": field.label, "answer": label},
                    {"in": [key, {"var": field.name}]}
                    if several
                    else {"==": [{"var": field.name}, key]},
                )
            )
    return choices


def _services() -> list[Service]:
    published = ServiceVersion.objects.filter(status=ServiceVersion.Status.PUBLISHED).values(
        "service_id"
    )
    return list(Service.objects.filter(pk__in=published, is_active=True).order_by("code")[:500])


def _service_form(service: Service | None):
    if service is None:
        return []
    version = service.versions.filter(status=ServiceVersion.Status.PUBLISHED).first()
    return fields_of(version.form_schema or {}, version.ui or {}) if version else []


@staff_required(DESIGNERS)
def situations(request):
    return render(
        request,
        "municipal_services/life_situation_designer/list.html",
        {
            "title": _("Life situations"),
            "situations": LifeSituation.objects.prefetch_related("versions").order_by("code"),
        },
    )


@staff_required(DESIGNERS)
def situation_steps(request, pk: int):
    """A situation's steps in order, with what each maps and waits for, and its problems."""
    situation = get_object_or_404(LifeSituation, pk=pk)
    version = working_version(situation)
    steps = (
        list(
            version.steps.select_related("service")
            .prefetch_related("requires__service")
            .order_by("order", "pk")
        )
        if version
        else []
    )
    labels = {f.name: f.label for f in _questionnaire(version)} if version else {}
    choices = _conditions(version) if version else []
    conditions = {key: label for key, label, _expr in choices}
    rows = []
    for step in steps:
        form_labels = {f.name: f.label for f in _service_form(step.service)}
        condition_key = next((k for k, _label, e in choices if e == step.condition), None)
        rows.append(
            {
                "step": step,
                "applies": conditions.get(condition_key) if condition_key else _("as set before"),
                "mappings": [
                    (form_labels.get(t, t), labels.get(s, s))
                    for t, s in (step.prefill or {}).items()
                ],
                "requires": [r.service.title() for r in step.requires.all()],
            }
        )
    return render(
        request,
        "municipal_services/life_situation_designer/steps.html",
        {
            "title": text_in(situation.name) or situation.code,
            "situation": situation,
            "rows": rows,
            "problems": [m for v in design.situation_problems(version).values() for m in v]
            if version
            else [],
            "questions_count": len(
                ((version.questionnaire if version else {}) or {}).get("properties") or {}
            ),
            "history": situation.versions.select_related("published_by")
            .annotate(case_count=Count("cases"))
            .order_by("-number"),
            **version_context(situation, version),
        },
    )


@staff_required(DESIGNERS)
@require_http_methods(["GET", "POST"])
def step_edit(request, pk: int, step_pk: int | None = None):
    """Add or change a step: service, position, when it applies, the mappings, what it waits
    for — every one chosen from a list."""
    situation = get_object_or_404(LifeSituation, pk=pk)
    version = draft_or_refusal(request, situation)
    if version is None:
        return redirect("municipal_services:designer_situation", pk=situation.pk)
    step = get_object_or_404(version.steps, pk=step_pk) if step_pk else None
    services = _services()
    by_pk = {s.pk: s for s in services}
    others = list(version.steps.select_related("service").exclude(pk=getattr(step, "pk", None)))
    conditions = _conditions(version)
    questionnaire = _questionnaire(version)
    errors: dict[str, list[str]] = {}
    status = 200
    data = request.POST if request.method == "POST" else None
    if data is not None:
        service = by_pk.get(whole_number(data.get("service")) or 0)
        order = whole_number(data.get("order")) or 1
        prefill = {
            key[len("map_") :]: value
            for key, value in data.items()
            if key.startswith("map_") and value
        }
        condition_key = data.get("applies", "always")
        chosen = next((c for c in conditions if c[0] == condition_key), None)
        condition = chosen[2] if chosen else (step.condition if step else None)
        wanted = {whole_number(v) for v in data.getlist("requires")}
        requires = [o for o in others if o.pk in wanted]
        if data.get("step") != "fields":  # "fields": show the chosen service's, save nothing
            try:
                design.save_step(
                    version=version,
                    actor=request.user,
                    service=service,
                    order=order,
                    prefill=prefill,
                    condition=condition,
                    requires=requires,
                    step=step,
                )
                messages.success(request, _("The step is saved."))
                return redirect("municipal_services:designer_situation", pk=situation.pk)
            except DomainError as exc:
                errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
                errors.setdefault("__all__", [str(exc.message)])
                status = exc.status
    else:
        service = step.service if step else None
        order = step.order if step else len(others) + 1
        prefill = dict(step.prefill or {}) if step else {}
        condition_key = next((c[0] for c in conditions if step and c[2] == step.condition), "")
        if not step or step.condition is None:
            condition_key = "always"
        requires = list(step.requires.all()) if step else []
    return render(
        request,
        "municipal_services/life_situation_designer/step.html",
        {
            "title": _("Change a step") if step else _("Add a step"),
            "situation": situation,
            "step": step,
            "services": services,
            "service": service,
            "order": order,
            "conditions": [(k, label) for k, label, _e in conditions],
            "condition_key": condition_key,
            "kept_condition": step is not None
            and step.condition is not None
            and not any(c[2] == step.condition for c in conditions),
            "mapping_rows": [
                {"field": f, "source": prefill.get(f.name, "")} for f in _service_form(service)
            ],
            "questionnaire": questionnaire,
            "others": others,
            "requires": {r.pk for r in requires},
            "refusal": errors.pop("__all__", [""])[0],
            "errors": errors,
        },
        status=status,
    )


@staff_required(DESIGNERS)
@require_POST
def step_delete(request, pk: int, step_pk: int):
    step = get_object_or_404(
        LifeSituationStep.objects.select_related("service", "version"), pk=step_pk
    )
    draft = draft_or_refusal(request, step.version.situation)
    if step.version.situation_id != pk or draft is None or step.version_id != draft.pk:
        return redirect("municipal_services:designer_situation", pk=pk)
    design.delete_step(step=step, actor=request.user)
    messages.success(request, _("The step is removed."))
    return redirect("municipal_services:designer_situation", pk=pk)
