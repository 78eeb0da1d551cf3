"""Handing a request over between organisations (issue 16.5).

The rule: the committee's dispatcher decides which organisation answers for a request. An
organisation that finds a request is not its own returns it to the dispatcher with the reason
(``routed`` → ``new`` in the ``ALLOWED`` table); it passes a request straight to another
organisation only where the dispatcher allowed that pair beforehand
(:class:`~cityhall.service_requests.models.HandoverPartner`, kept here: allowed and withdrawn by
the committee's dispatchers only, audited). :func:`~.workflow.transition` enforces the rule
and tells both sides (:func:`cityhall.service_requests.notices.tell_handover`).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation, Role, User
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Conflict, Forbidden, InvalidInput

from ..models import HandoverPartner
from ..selectors import committee

__all__ = [
    "allow_handover",
    "withdraw_handover",
]


def _check_dispatcher(actor: User) -> None:
    if not has_role(actor, Role.DISPATCHER, committee()):
        raise Forbidden(_("Only the committee's dispatchers decide who may hand requests over."))


def allow_handover(
    *, actor: User, organisation: Organisation, partner: Organisation
) -> HandoverPartner:
    """Let ``organisation`` pass its requests straight to ``partner``."""
    _check_dispatcher(actor)
    if organisation.pk == partner.pk:
        raise InvalidInput(fields={"partner": [_("Choose another organisation.")]})
    try:
        with transaction.atomic():
            row = HandoverPartner.objects.create(
                organisation=organisation, partner=partner, allowed_by=actor
            )
            audit.record(
                actor=actor,
                action="service_requests.handover_allowed",
                target=row,
                after={"organisation": organisation.pk, "partner": partner.pk},
            )
    except IntegrityError:
        raise Conflict(
            _("%(organisation)s may already pass requests to %(partner)s.")
            % {"organisation": organisation, "partner": partner}
        ) from None
    return row


def withdraw_handover(*, actor: User, handover: HandoverPartner | int) -> None:
    """Take back an allowed handover: the organisation returns such requests to the
    dispatcher again."""
    _check_dispatcher(actor)
    with transaction.atomic():
        pk = handover.pk if isinstance(handover, HandoverPartner) else int(handover)
        row = HandoverPartner.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            return
        audit.record(
            actor=actor,
            action="service_requests.handover_withdrawn",
            target=row,
            before={"organisation": row.organisation_id, "partner": row.partner_id},
        )
        row.delete()
