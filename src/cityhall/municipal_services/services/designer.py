"""What the service designer changes beyond a draft's definition (which
:func:`.definitions.update_draft` changes, with its revision check): the service's own names,
and a new version started from the published one."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from ..models import Service, ServiceVersion
from .definitions import create_draft

__all__ = ["rename_service", "start_new_version"]


def rename_service(*, actor: User, service: Service, name: dict) -> Service:
    """The service's name in ru/tt/en (Russian required); audited with before and after."""
    name = {k: v.strip() for k, v in name.items() if isinstance(v, str) and v.strip()}
    if not name.get("ru"):
        raise InvalidInput(fields={"name_ru": [_("Give the service a name in Russian.")]})
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        before = dict(service.name)
        service.name = name
        service.save(update_fields=["name", "updated_at"])
        audit.record(
            actor=actor,
            action="municipal_services.service_renamed",
            target=service,
            before={"name": before},
            after={"name": name},
        )
    return service


def start_new_version(*, actor: User, service: Service) -> ServiceVersion:
    """A new draft copying the published version (else the newest one). An open draft is
    returned instead of starting a second: officials work on one draft at a time."""
    draft = service.versions.filter(status=ServiceVersion.Status.DRAFT).order_by("-number").first()
    if draft is not None:
        return draft
    source = (
        service.versions.filter(status=ServiceVersion.Status.PUBLISHED).first()
        or service.versions.order_by("-number").first()
    )
    return create_draft(
        actor=actor, service=service, definition=source.definition() if source else None
    )
