"""Moderation: reports (flags) join the moderators' queue; a moderator hides an item for a
listed reason or restores it, or dismisses the report. Nothing is deleted: hiding is a new
moderation row, the public page says why, and the author is told.

Auto-hide: when ``settings.DISCUSSIONS_FLAGS_TO_HIDE`` different people (default 3; 0 turns it
off) have reported an item and no moderator has settled it yet, the platform hides it at once
for the reason reported most, *pending review*: it stays in the moderators' queue, where hiding
it confirms the decision and "nothing wrong" or restoring brings it back. Every step is a
moderation row (the platform's own with no moderator), public in the discussion's moderation
log (what, when, why — never the text), and audited. Bulk actions run the same steps per item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.conf import settings
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
from ..file_access import follow_proposals
from ..models import Comment, Flag, ModerationAction, ModerationReason, Proposal

__all__ = ["BULK_ACTIONS", "dismiss_flag", "flag_item", "moderate", "moderate_many"]

#: What a moderator may do to many reported items at once.
BULK_ACTIONS = ("hide", "restore", "dismiss")


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
        _hide_if_reported_enough(proposal=proposal, comment=comment)
    return flag


def _hide_if_reported_enough(*, proposal: Proposal | None, comment: Comment | None) -> None:
    """Hide the item, pending review, once enough different people have open reports on it."""
    threshold = settings.DISCUSSIONS_FLAGS_TO_HIDE
    if threshold <= 0:
        return
    discussion = proposal.discussion if proposal else comment.proposal.discussion
    if discussion.is_read_only:  # an archived record does not change
        return
    # The item's row is locked before counting, so two reports at once are counted in turn.
    model = type(proposal or comment)
    item = model.objects.select_for_update().get(pk=(proposal or comment).pk)
    if item.visibility == Proposal.Visibility.HIDDEN:
        return
    open_flags = Flag.objects.filter(proposal=proposal, comment=comment, resolved_at__isnull=True)
    if open_flags.values("reporter").distinct().count() < threshold:
        return
    reason = Counter(open_flags.values_list("reason", flat=True)).most_common(1)[0][0]
    before = audit.snapshot(item, ["visibility", "hidden_reason"])
    item.visibility, item.hidden_reason = Proposal.Visibility.HIDDEN, reason
    item.save(update_fields=["visibility", "hidden_reason"])
    if proposal is not None:
        follow_proposals([item])
    ModerationAction.objects.create(
        proposal=proposal,
        comment=comment,
        moderator=None,
        action=ModerationAction.Action.AUTO_HIDE,
        reason=reason,
    )
    audit.record(
        actor=None,
        action="discussions.item_auto_hidden",
        target=item,
        before=before,
        after=audit.snapshot(item, ["visibility", "hidden_reason"]),
        message=f"{threshold} reports",
    )
    _tell_author(proposal=proposal, comment=comment, reason=reason)


def _pending_review(*, proposal: Proposal | None, comment: Comment | None) -> bool:
    """Hidden by the platform after reports, and no moderator has decided since."""
    last = (
        ModerationAction.objects.filter(proposal=proposal, comment=comment)
        .order_by("-at", "-id")
        .values_list("action", flat=True)
        .first()
    )
    return last == ModerationAction.Action.AUTO_HIDE


def _tell_author(*, proposal: Proposal | None, comment: Comment | None, reason: str) -> None:
    author = proposal.author if proposal else comment.author
    if author is None:
        return
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
            "url": reverse("discussions:proposal", args=[prop.discussion_id, prop.number]),
        },
    )


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
    the item was hidden and why, the author is told, and open flags on it are resolved. Hiding
    an item the platform hid after reports confirms it (pending review ends)."""
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
        confirming = hide and _pending_review(proposal=proposal, comment=comment)
        if locked.visibility == target_visibility and not confirming:
            raise Conflict(_("The item is already in that state."))
        locked.visibility = target_visibility
        locked.hidden_reason = reason if hide else ""
        locked.save(update_fields=["visibility", "hidden_reason"])
        if proposal is not None:  # its attachments are hidden or shown with it
            follow_proposals([locked])
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
        if hide and not confirming:
            _tell_author(proposal=proposal, comment=comment, reason=reason)
    return action


def dismiss_flag(*, moderator: Any, flag: Flag) -> Flag:
    """The moderator finds nothing wrong: the flag leaves the queue (the item stays). An item
    the platform hid after reports is restored (which settles all its reports)."""
    item_discussion = (flag.proposal or flag.comment.proposal).discussion
    if not has_role(moderator, (Role.MODERATOR, Role.ORGANISER), item_discussion.organiser):
        raise Forbidden(_("Only moderators may handle reports."))
    if flag.resolved_at is None and _pending_review(proposal=flag.proposal, comment=flag.comment):
        moderate(
            moderator=moderator,
            hide=False,
            proposal=flag.proposal,
            comment=flag.comment,
            note=_("Nothing wrong"),
        )
        flag.refresh_from_db()
        return flag
    with transaction.atomic():
        flag.resolved_at, flag.resolved_by = timezone.now(), moderator
        flag.save(update_fields=["resolved_at", "resolved_by"])
        audit.record(actor=moderator, action="discussions.flag_dismissed", target=flag)
    return flag


def moderate_many(
    *, moderator: Any, flags: Sequence[Flag], action: str, reason: str = "", note: str = ""
) -> dict[str, int]:
    """One decision on the items of many reports (the queue's bulk actions): ``hide`` for a
    listed reason, ``restore``, or ``dismiss`` (nothing wrong). Each item goes through the same
    step as alone — its own moderation row, audit record and notice — and the batch has one
    audit record of its own; all or nothing. Items already in the target state are skipped.
    Returns how many items were ``done`` and ``skipped``."""
    if action not in BULK_ACTIONS:
        raise InvalidInput(fields={"action": [_("Choose what to do.")]})
    if not flags:
        raise InvalidInput(fields={"flags": [_("Choose at least one report.")]})
    if action == "hide" and reason not in ModerationReason.values:
        raise InvalidInput(fields={"reason": [_("Choose a reason from the list.")]})
    done = skipped = 0
    seen: set[tuple[str, int]] = set()
    with transaction.atomic():
        for flag in flags:
            target = ("p", flag.proposal_id) if flag.proposal_id else ("c", flag.comment_id)
            if target in seen:
                continue
            seen.add(target)
            if action == "dismiss":
                open_flags = Flag.objects.filter(
                    proposal_id=flag.proposal_id,
                    comment_id=flag.comment_id,
                    resolved_at__isnull=True,
                ).select_related("proposal__discussion", "comment__proposal__discussion")
                if not open_flags:
                    skipped += 1
                for item in open_flags:
                    dismiss_flag(moderator=moderator, flag=item)
                done += bool(open_flags)
                continue
            try:
                moderate(
                    moderator=moderator,
                    hide=action == "hide",
                    reason=reason,
                    note=note,
                    proposal=flag.proposal,
                    comment=flag.comment,
                )
            except Conflict:
                skipped += 1
            else:
                done += 1
        audit.record(
            actor=moderator,
            action="discussions.bulk_moderation",
            object_type="discussions.flag",
            object_id="bulk",
            after={
                "action": action,
                "reason": reason,
                "flags": [f.pk for f in flags][:500],
                "done": done,
                "skipped": skipped,
            },
            message=note,
        )
    return {"done": done, "skipped": skipped}
