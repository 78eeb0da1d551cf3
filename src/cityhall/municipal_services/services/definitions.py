"""Service definitions and their versions: create a service, draft, edit, publish, retire,
import a definition file, and the variant the version's rules choose.

Published and retired versions are immutable: a change is a new draft, published when its form,
rules and rule examples pass :func:`cityhall.municipal_services.definition.problems_of`.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation, User
from cityhall.core import audit
from cityhall.core.errors import Conflict, InvalidInput

from ..definition import DEFAULT_WORKFLOW, RuleOutcome
from ..designer.checks import publication_problems
from ..designer.difference import as_audit, difference
from ..intake import compiled_rules
from ..models import Service, ServiceVersion
from .versioning import locked_draft, publish_over

__all__ = [
    "EXPORT_FORMAT",
    "create_service",
    "create_draft",
    "update_draft",
    "publish_version",
    "retire_version",
    "import_service",
    "choose_variant",
]

# --- definitions --------------------------------------------------------------------------------


def create_service(
    *, actor: User | None, code: str, department: Organisation, name: dict
) -> Service:
    with transaction.atomic():
        if Service.objects.filter(code=code).exists():
            raise InvalidInput(fields={"code": [_("A service with this code already exists.")]})
        service = Service.objects.create(code=code, department=department, name=name)
        audit.record(
            actor=actor,
            action="municipal_services.service_created",
            target=service,
            after=audit.snapshot(service, ["code", "department", "name"]),
        )
    return service


def create_draft(
    *, actor: User | None, service: Service, definition: dict | None = None
) -> ServiceVersion:
    """A new draft version: the given definition, or a copy of the latest version."""
    with transaction.atomic():
        Service.objects.select_for_update().filter(pk=service.pk).first()
        latest = service.versions.order_by("-number").first()
        number = (service.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        if definition is None:
            definition = latest.definition() if latest else {"workflow": DEFAULT_WORKFLOW}
        version = ServiceVersion(service=service, number=number)
        _apply_definition(version, definition)
        version.save()
        audit.record(
            actor=actor,
            action="municipal_services.version_drafted",
            target=version,
            after={"service": service.code, "number": number},
        )
    return version


def _apply_definition(version: ServiceVersion, definition: dict) -> None:
    unknown = set(definition) - set(ServiceVersion.DEFINITION_FIELDS)
    if unknown:
        raise InvalidInput(
            _("The definition has unknown parts: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            fields={"__all__": [_("Unknown parts: %(n)s") % {"n": ", ".join(sorted(unknown))}]},
        )
    term = definition.get("term_days", version.term_days)
    if not isinstance(term, int) or isinstance(term, bool) or not 0 < term <= 1000:
        raise InvalidInput(
            fields={"term_days": [_("The legal term must be a positive number of working days.")]}
        )
    for name, value in definition.items():
        if name == "registry" and value is None:
            value = ""
        if name == "identity" and not value:
            value = ServiceVersion.Identity.ACCOUNT
        setattr(version, name, value)


def update_draft(
    *,
    actor: User | None,
    version: ServiceVersion,
    definition: dict,
    expected_revision: int | None = None,
) -> ServiceVersion:
    """Change a draft. Published and retired versions are immutable: make a new draft instead.

    ``expected_revision`` is the revision the editor's page was made from: when another
    official saved the draft since, the edit is refused as a conflict (never a silent
    overwrite); each save counts the revision up."""
    with transaction.atomic():
        version = locked_draft(ServiceVersion, version.pk, expected_revision)
        before = version.definition()
        _apply_definition(version, definition)
        version.revision += 1
        version.save()
        changed = sorted(k for k in definition if before.get(k) != definition[k])
        audit.record(
            actor=actor,
            action="municipal_services.version_edited",
            target=version,
            after={"changed": changed},
        )
    return version


def publish_version(
    *, actor: User | None, version: ServiceVersion, expected_revision: int | None = None
) -> ServiceVersion:
    """Publish a draft: it must pass every check of
    :func:`..designer.checks.publication_problems` (the form, the rules against their
    examples, the result template compiled and rendered with sample answers, every name it
    refers to). The previously published version is retired; submitted applications keep
    theirs. The audit keeps the difference from the version published before.

    ``expected_revision``: the revision the official reviewed; a draft changed since is
    refused as a conflict (they publish what they saw)."""
    with transaction.atomic():
        version = ServiceVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != ServiceVersion.Status.DRAFT:
            raise Conflict(_("Only a draft can be published."), code="not_draft")
        if expected_revision is not None and expected_revision != version.revision:
            raise Conflict(
                _("The draft was changed after you reviewed it; review it again."),
                code="draft_changed",
            )
        problems = publication_problems(version.definition())
        if problems:
            raise InvalidInput(
                _("This definition cannot be published: please correct the errors."),
                fields=problems,
            )
        previous = (
            ServiceVersion.objects.filter(service=version.service)
            .exclude(pk=version.pk)
            .exclude(status=ServiceVersion.Status.DRAFT)
            .order_by("-number")
            .first()
        )
        changes = difference(previous.definition() if previous else None, version.definition())
        publish_over(
            actor=actor,
            version=version,
            retiring=ServiceVersion.objects.select_for_update().filter(
                service=version.service, status=ServiceVersion.Status.PUBLISHED
            ),
            action="municipal_services.version",
            after={
                "service": version.service.code,
                "number": version.number,
                "previous": previous.number if previous else None,
                "difference": as_audit(changes),
            },
        )
    return version


def retire_version(*, actor: User | None, version: ServiceVersion) -> ServiceVersion:
    with transaction.atomic():
        version = ServiceVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != ServiceVersion.Status.PUBLISHED:
            raise Conflict(_("Only a published version can be retired."))
        version.status, version.retired_at = ServiceVersion.Status.RETIRED, timezone.now()
        version.save(update_fields=["status", "retired_at", "updated_at"])
        audit.record(actor=actor, action="municipal_services.version_retired", target=version)
    return version


EXPORT_FORMAT = "cityhall.municipal_service/1"


def import_service(
    *, actor: User | None, data: dict, department: Organisation | None = None, publish: bool = False
) -> ServiceVersion:
    """Import a definition file (see ``selectors.export_service``) as a new draft version;
    the service is created when missing, its department found by name unless given."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise InvalidInput(
            _("This is not a service definition file (format %(f)s expected).")
            % {"f": EXPORT_FORMAT}
        )
    code = data.get("code") or ""
    with transaction.atomic():
        service = Service.objects.filter(code=code).first()
        if service is None:
            if department is None:
                dept_name = data.get("department") or ""
                department = (
                    Organisation.objects.filter(name=dept_name).first()
                    or Organisation.objects.filter(short_name=dept_name).first()
                )
            if department is None:
                raise InvalidInput(
                    _("Department “%(name)s” is not known here; choose one.")
                    % {"name": data.get("department", "")},
                    fields={"department": [_("Unknown department.")]},
                )
            service = create_service(
                actor=actor, code=code, department=department, name=data.get("name") or {}
            )
        version = create_draft(
            actor=actor, service=service, definition=data.get("definition") or {}
        )
        audit.record(
            actor=actor,
            action="municipal_services.version_imported",
            target=version,
            after={"service": code},
        )
        if publish:
            version = publish_version(actor=actor, version=version)
    return version


# --- rules --------------------------------------------------------------------------------------


def choose_variant(version: ServiceVersion, answers: dict) -> RuleOutcome:
    """Which variant (sub-service) the answers fall into and the decision a typical one gets."""
    return compiled_rules(version).evaluate(answers)
