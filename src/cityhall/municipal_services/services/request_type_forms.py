"""Designing an interdepartmental request type's form, versioned like a service: a draft
(copied from the published form, or from the form the type had before the designer) is edited
field by field with a revision check, and published only when it passes
:func:`request_form_problems`; the previous version is retired, the form is copied onto the
type (what sending validates against) and the publication is audited with its difference."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from ..definition import schema_problems
from ..designer.difference import as_audit, difference
from ..designer.request_forms import source_problems
from ..models import RequestTypeFormVersion, StandardRequestType
from .versioning import locked_draft, next_number

__all__ = [
    "publish_request_form",
    "request_form_problems",
    "start_request_form_draft",
    "update_request_form_draft",
]

V = RequestTypeFormVersion.Status


def request_form_problems(version: RequestTypeFormVersion) -> dict[str, list[str]]:
    """Part → messages in the reader's language; empty when the form may be published."""
    schema = version.form_schema or {}
    if not (schema.get("properties") or {}):
        return {"form_schema": [_("The form has no fields: add at least one.")]}
    problems: dict[str, list[str]] = {}
    if found := schema_problems(schema):
        problems["form_schema"] = [str(p) for p in found]
    for part, messages in source_problems(version.ui or {}).items():
        problems.setdefault(part, []).extend(messages)
    return problems


def start_request_form_draft(*, actor: User, type: StandardRequestType) -> RequestTypeFormVersion:
    """The type's open draft, or a new one copying the published form (else the form the type
    had before it was designed here, else an empty one)."""
    with transaction.atomic():
        type = StandardRequestType.objects.select_for_update().get(pk=type.pk)
        draft = type.form_versions.filter(status=V.DRAFT).first()
        if draft is not None:
            return draft
        published = type.form_versions.filter(status=V.PUBLISHED).first()
        schema, ui = (
            (published.form_schema, published.ui) if published else (type.form_schema or {}, {})
        )
        number = next_number(type.form_versions)
        draft = RequestTypeFormVersion.objects.create(
            type=type, number=number, form_schema=schema, ui=ui
        )
        audit.record(
            actor=actor,
            action="municipal_services.request_form_draft_started",
            target=draft,
            after={"type": type.code, "number": number},
        )
    return draft


def _locked_draft(version: RequestTypeFormVersion, revision: int | None) -> RequestTypeFormVersion:
    return locked_draft(RequestTypeFormVersion, version.pk, revision, "type")


def update_request_form_draft(
    *,
    actor: User,
    version: RequestTypeFormVersion,
    changes: dict,
    expected_revision: int | None,
) -> RequestTypeFormVersion:
    """Change the draft's ``form_schema`` and/or ``ui`` (what the form builder returns); a save
    made from an older revision is refused as a conflict, never a silent overwrite."""
    with transaction.atomic():
        version = _locked_draft(version, expected_revision)
        changed = sorted(k for k in ("form_schema", "ui") if k in changes)
        for key in changed:
            setattr(version, key, changes[key])
        version.revision += 1
        version.save(update_fields=[*changed, "revision", "updated_at"])
        audit.record(
            actor=actor,
            action="municipal_services.request_form_edited",
            target=version,
            after={"changed": changed, "revision": version.revision},
        )
    return version


def publish_request_form(
    *, actor: User, version: RequestTypeFormVersion, expected_revision: int | None
) -> RequestTypeFormVersion:
    """Publish the draft the official reviewed: refused whole with every problem, or as a
    conflict when it changed since. The form becomes what staff sending this request get."""
    with transaction.atomic():
        version = _locked_draft(version, expected_revision)
        if problems := request_form_problems(version):
            raise InvalidInput(
                _("This form cannot be published: please correct the errors."), fields=problems
            )
        previous = version.type.form_versions.filter(status=V.PUBLISHED).first()
        before = (
            previous.definition()
            if previous
            else {"form_schema": version.type.form_schema or {}, "ui": {}}
        )
        changes = difference(before, version.definition())
        now = timezone.now()
        if previous is not None:
            previous.status = V.RETIRED
            previous.save(update_fields=["status", "updated_at"])
        version.status, version.published_at, version.published_by = V.PUBLISHED, now, actor
        version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        type = StandardRequestType.objects.select_for_update().get(pk=version.type_id)
        type.form_schema = version.form_schema
        type.save(update_fields=["form_schema", "updated_at"])
        audit.record(
            actor=actor,
            action="municipal_services.request_form_published",
            target=version,
            after={
                "type": type.code,
                "number": version.number,
                "previous": previous.number if previous else None,
                "difference": as_audit(changes),
            },
        )
    return version
