"""Merging duplicates: a dispatcher joins a request to the open request it repeats; the
duplicate and whatever was merged into it then follow that request, and every author is told.
A merge is not a :func:`~.workflow.transition`: it is allowed from the statuses whose
``ALLOWED`` moves include ``merged``, and only to a dispatcher.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import Forbidden, InvalidInput

from .. import notices
from ..models import (
    OPEN_STATUSES,
    ServiceRequest,
    Status,
    StatusChange,
)
from .workflow import (
    ALLOWED,
    DISPATCHER,
    SNAPSHOT_FIELDS,
    check_version,
    lock_request,
    roles_on,
    start_stage,
)

__all__ = [
    "merge",
]


def merge(
    *,
    request: ServiceRequest | int,
    parent: ServiceRequest | int,
    actor: User,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Join a duplicate to the request it repeats. The duplicate (and anything merged into it)
    then follows the parent; every author is told."""
    now = timezone.now()
    with transaction.atomic():
        req = lock_request(request)
        if DISPATCHER not in roles_on(actor, req):
            raise Forbidden(_("Only a dispatcher may merge requests."))
        check_version(req, expected_version)
        parent_pk = parent.pk if isinstance(parent, ServiceRequest) else int(parent)
        target = lock_request(parent_pk)
        if target.pk == req.pk:
            raise InvalidInput(fields={"parent": [_("A request cannot be merged into itself.")]})
        if Status.MERGED not in ALLOWED.get(req.status, {}):
            raise InvalidInput(
                _("A request that is “%(status)s” cannot be merged.")
                % {"status": req.get_status_display()}
            )
        if target.status not in OPEN_STATUSES:
            raise InvalidInput(fields={"parent": [_("Merge into a request that is still open.")]})
        before = audit.snapshot(req, SNAPSHOT_FIELDS)
        from_status = req.status
        req.status = Status.MERGED
        req.parent = target
        req.closed_at = now
        req.version += 1
        req.updated_at = now
        req.status_note = _("Merged into %(number)s") % {"number": target.number}
        start_stage(req, now)
        req.save(
            update_fields=[
                "status",
                "parent",
                "closed_at",
                "version",
                "updated_at",
                "status_note",
                "stage_due_at",
                "is_overdue",
            ]
        )
        ServiceRequest.objects.filter(parent=req).update(parent=target, updated_at=now)
        StatusChange.objects.create(
            request=req,
            from_status=from_status,
            to_status=Status.MERGED,
            organisation_id=req.organisation_id,
            actor=actor,
            reason=req.status_note,
            created_at=now,
        )
        audit.record(
            actor=actor,
            action="service_requests.merged",
            target=req,
            before=before,
            after=audit.snapshot(req, SNAPSHOT_FIELDS),
        )
        # Each author is told about both requests: the duplicate's author that theirs now
        # follows the parent; the parent's author that the duplicate joined theirs.
        notices.tell_applicants(
            [req], event=notices.MERGED, context={"parent_number": target.number}
        )
        notices.tell_applicants(
            [target],
            event=notices.MERGED,
            context={"number": req.number, "parent_number": target.number},
        )
    return req
