"""What every versioned definition edited in the designer shares (a service's definition, a
request type's form, a life situation's questionnaire and steps): the next version number, the
draft locked for a change — refused as a conflict when it is published or retired, or when
another official saved it after the page was made (``revision``) — and publishing over the
version published before."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Max, Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import Conflict

__all__ = ["locked_draft", "next_number", "publish_over"]


def next_number(versions: QuerySet) -> int:
    return (versions.aggregate(n=Max("number"))["n"] or 0) + 1


def locked_draft(model: type[Model], pk: int, revision: int | None, *related: str):
    """The version ``pk`` locked for update, when it is a draft and (``revision`` given) no
    one saved it since the official's page was made."""
    version = model.objects.select_for_update().select_related(*related).get(pk=pk)
    if not version.is_editable:
        raise Conflict(
            _("Version %(n)s is published or retired; start a new version to change it.")
            % {"n": version.number},
            code="version_immutable",
        )
    if revision is not None and revision != version.revision:
        raise Conflict(
            _(
                "Someone else saved this draft after you opened it (revision %(theirs)s, "
                "yours %(yours)s). Your change was not saved: reload the page, look at "
                "their change and make yours again."
            )
            % {"theirs": version.revision, "yours": revision},
            code="draft_changed",
        )
    return version


def publish_over(
    *, actor: Any, version: Model, retiring: Iterable[Model], action: str, after: dict
) -> None:
    """Make the checked draft ``version`` the published one: each of ``retiring`` (the versions
    published until now, locked by the caller) is retired, then ``version`` published, each
    step audited (``<action>_retired``, ``<action>_published`` with ``after``). Call inside the
    caller's transaction, after its checks."""
    now = timezone.now()
    for old in retiring:
        old.status, old.retired_at = "retired", now
        old.save(update_fields=["status", "retired_at", "updated_at"])
        audit.record(actor=actor, action=f"{action}_retired", target=old)
    version.status, version.published_at, version.published_by = "published", now, actor
    version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    audit.record(actor=actor, action=f"{action}_published", target=version, after=after)
