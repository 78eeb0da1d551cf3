"""The staff workspace lists the desks a person may open, by role (core.shell's registry)."""

from __future__ import annotations

from cityhall.accounts.selectors import has_role
from cityhall.core.shell import WorkspaceEntry, workspace_entries

__all__ = ["entries_for"]


def entries_for(user) -> list[WorkspaceEntry]:
    """The desks whose page opens for ``user``: one of the entry's roles, and the entry's
    own finer check when it has one (no link ends in 403)."""
    return [
        e
        for e in workspace_entries()
        if has_role(user, e.roles) and (e.visible_to is None or e.visible_to(user))
    ]
