"""What every versioned definition edited in the designer shares (a request type's form, a life
situation's questionnaire and steps): the next version number, and the draft locked for a
change — refused as a conflict when it is published or retired, or when another official saved
it after the page was made (``revision``)."""

from __future__ import annotations

from django.db.models import Max, Model, QuerySet
from django.utils.translation import gettext as _

from cityhall.core.errors import Conflict

__all__ = ["locked_draft", "next_number"]


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
