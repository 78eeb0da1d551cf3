"""Moderation: reports (flags) join the moderators' queue; a moderator hides an item for a
listed reason or restores it, or dismisses the report. Nothing is deleted: hiding is a new
moderation row, the public page says why, and the author is told.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityhall.accounts.models import Role
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Conflict, Forbidden, InvalidInput
from cityhall.notifications.services import notify

from .. import events
from ..models import Comment, Flag, ModerationAction, ModerationReason, Proposal

__all__ = ["dismiss_flag", "flag_item", "moderate"]


def flag_item(
    *,
    reporter: Any,
    reason: str,
    proposal: Proposal | None = None,
    comment: Comment | None = None,
    note: str = "",
) -> Flag:
    """A signed-in user reports an item; it joins the moderators' queue."""
    if not getattr(reporter, "is_authenticated", False):
        raise Forbidden(_("Sign in to report an item."))
    if reason not in ModerationReason.values:
        raise InvalidInput(fields={"reason": [_("Choose a reason from the list.")]})
    if (proposal is None) == (comment is None):
        raise InvalidInput(fields={"__all__": [_("Report one item.")]})
    with transaction.atomic():
        flag = Flag.objects.create(
            reporter=reporter, reason=reason, proposal=proposal, comment=comment, note=note[:500]
        )
        audit.record(actor=reporter, action="discussions.item_flagged", target=flag)
    return flag


def moderate(
    *,
    moderator: Any,
    hide: bool,
    reason: str = "",
    proposal: Proposal | None = None,
    comment: Comment | None = None,
    note: str = "",
) -> ModerationAction:
    """Hide an item for a listed reason, or restore it. Nothing is deleted: the public page says
    the item was hidden and why, the author is told, and open flags on it are resolved."""
    item = proposal or comment
    if (proposal is None) == (comment is None):
        raise InvalidInput(fields={"__all__": [_("Moderate one item.")]})
    discussion = proposal.discussion if proposal else comment.proposal.discussion
    if not has_role(moderator, (Role.MODERATOR, Role.ORGANISER), discussion.organiser):
        raise Forbidden(_("Only moderators may hide or restore items."))
    if discussion.is_read_only:
        raise Conflict(_("The discussion is archived; its record cannot change."))
    if hide and reason not in ModerationReason.values:
        raise InvalidInput(fields={"reason": [_("Choose a reason from the list.")]})
    with transaction.atomic():
        model = type(item)
        locked = model.objects.select_for_update().get(pk=item.pk)
        before = audit.snapshot(locked, ["visibility", "hidden_reason"])
        target_visibility = Proposal.Visibility.HIDDEN if hide else Proposal.Visibility.VISIBLE
        if locked.visibility == target_visibility:
            raise Conflict(_("The item is already in that state."))
        locked.visibility = target_visibility
        locked.hidden_reason = reason if hide else ""
        locked.save(update_fields=["visibility", "hidden_reason"])
        action = ModerationAction.objects.create(
            proposal=proposal,
            comment=comment,
            moderator=moderator,
            action=ModerationAction.Action.HIDE if hide else ModerationAction.Action.RESTORE,
            reason=reason if hide else "",
            note=note[:500],
        )
        Flag.objects.filter(proposal=proposal, comment=comment, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=moderator
        )
        audit.record(
            actor=moderator,
            action="discussions.item_hidden" if hide else "discussions.item_restored",
            target=locked,
            before=before,
            after=audit.snapshot(locked, ["visibility", "hidden_reason"]),
            message=note,
        )
        author = proposal.author if proposal else comment.author
        if hide and author is not None:
            prop = proposal or comment.proposal
            with translation.override(author.preferred_language):  # the author's language
                what = (
                    _("Your proposal No. %(n)s") % {"n": prop.number}
                    if proposal
                    else _("Your comment on proposal No. %(n)s") % {"n": prop.number}
                )
                reason_label = str(ModerationReason(reason).label)
            notify(
                recipient=author,
                event=events.ITEM_HIDDEN,
                context={
                    "what": what,
                    "reason": reason_label,
                    "url": reverse("discussions:proposal", args=[discussion.pk, prop.number]),
                },
            )
    return action


def dismiss_flag(*, moderator: Any, flag: Flag) -> Flag:
    """The moderator finds nothing wrong: the flag leaves the queue (the item stays)."""
    item_discussion = (flag.proposal or flag.comment.proposal).discussion
    if not has_role(moderator, (Role.MODERATOR, Role.ORGANISER), item_discussion.organiser):
        raise Forbidden(_("Only moderators may handle reports."))
    with transaction.atomic():
        flag.resolved_at, flag.resolved_by = timezone.now(), moderator
        flag.save(update_fields=["resolved_at", "resolved_by"])
        audit.record(actor=moderator, action="discussions.flag_dismissed", target=flag)
    return flag
