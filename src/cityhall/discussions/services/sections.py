"""Participatory texts: the organiser lists the sections (or pages) of the project document,
and participants attach a proposal to one of them; the public page shows proposals per section.

Rule: once proposals are accepted a section is never removed (a proposal may be on its way
through the inbox, and the record must keep what each proposal was about); it may be renamed.
Before the exposition opens the list may change freely.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from ..models import Discussion, DocumentSection, Status
from .lifecycle import require_organiser

__all__ = ["check_section", "set_sections"]

#: Stages in which sections may still be removed (no proposal can refer to them yet).
REMOVABLE_IN = (Status.DRAFT, Status.ANNOUNCED)


def check_section(discussion_id: int, section_id: Any) -> None:
    """A proposal's section must be one of its discussion's sections."""
    try:
        section_id = int(section_id)
    except (TypeError, ValueError):
        section_id = 0
    if not DocumentSection.objects.filter(pk=section_id, discussion_id=discussion_id).exists():
        raise InvalidInput(fields={"section": [_("Choose a section of this project.")]})


def set_sections(
    *, actor: Any, discussion: Discussion, sections: Sequence[tuple[str, str]]
) -> list[DocumentSection]:
    """Replace the list of sections with ``sections`` — (reference, title) pairs in order.
    A reference already listed keeps its row (and its proposals) and takes the new title."""
    require_organiser(actor, discussion.organiser)
    if discussion.is_read_only:
        raise InvalidInput(fields={"sections": [_("The discussion's record cannot change.")]})
    errors: list[str] = []
    seen: set[str] = set()
    for reference, title in sections:
        if not reference.strip() or not title.strip():
            errors.append(_("Each line needs a section or page and a title."))
        elif reference.strip() in seen:
            errors.append(_("%(ref)s is listed twice.") % {"ref": reference.strip()})
        elif len(reference.strip()) > 50 or len(title.strip()) > 300:
            errors.append(_("%(ref)s is too long.") % {"ref": reference.strip()[:50]})
        seen.add(reference.strip())
    if errors:
        raise InvalidInput(fields={"sections": errors})
    with transaction.atomic():
        existing = {
            s.reference: s
            for s in DocumentSection.objects.select_for_update().filter(discussion=discussion)
        }
        gone = [s for ref, s in existing.items() if ref not in seen]
        if gone and discussion.status not in REMOVABLE_IN:
            raise InvalidInput(
                fields={
                    "sections": [
                        _(
                            "Sections cannot be removed once proposals are accepted: "
                            "%(refs)s. Rename them instead."
                        )
                        % {"refs": ", ".join(s.reference for s in gone)}
                    ]
                }
            )
        DocumentSection.objects.filter(pk__in=[s.pk for s in gone]).delete()
        result = []
        for position, (reference, title) in enumerate(sections):
            row = existing.get(reference.strip())
            if row is None:
                row = DocumentSection.objects.create(
                    discussion=discussion,
                    position=position,
                    reference=reference.strip(),
                    title=title.strip(),
                )
            elif (row.position, row.title) != (position, title.strip()):
                row.position, row.title = position, title.strip()
                row.save(update_fields=["position", "title"])
            result.append(row)
        audit.record(
            actor=actor,
            action="discussions.sections_set",
            target=discussion,
            before={"sections": sorted(existing)},
            after={"sections": [r.reference for r in result]},
        )
    return result
