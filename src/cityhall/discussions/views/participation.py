"""Pages where people take part: sending a proposal, its page with comments, support,
reports, experts' answers and moderators' decisions beside it; subscribing, following a
discussion and asking for one (initiation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cityhall.accounts.models import Role
from cityhall.accounts.permissions import staff_required
from cityhall.accounts.selectors import has_role
from cityhall.core.errors import DomainError, NotFound

from .. import selectors, services, similarity
from ..eligibility import eligibility_of
from ..file_access import may_read_attachments
from ..forms import (
    AnswerForm,
    CommentForm,
    FlagForm,
    InitiationForm,
    ModerationForm,
    ProposalForm,
    SubscriptionForm,
)
from ..intake import fmt_local
from ..models import (
    Comment,
    Proposal,
    Status,
)
from .base import EXPERTS, MODERATION, int_param, run_service
from .proposal_places import place_form_context, proposal_place_context


def submit(request, pk: int):
    """The proposal form. "Check for similar proposals" (a second button; as one types with
    JavaScript) lists the discussion's similar texts first and submits nothing — so an author
    may support an existing proposal instead. Similarity never runs on submitting."""
    discussion = selectors.get_discussion(pk, user=request.user)
    eligibility = eligibility_of(discussion, request.user)
    capacities = [(o.on_behalf, o.capacity_label) for o in eligibility.options]
    form = ProposalForm(
        request.POST or None, request.FILES or None, discussion=discussion, capacities=capacities
    )
    similar = None
    if request.method == "POST" and request.POST.get("step") == "check":
        if form.is_valid():
            similar = similarity.similar_proposals(discussion, form.cleaned_data["text"])
    elif request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if form.is_valid():
            data = form.cleaned_data
            ok, proposal = run_service(
                form,
                lambda: services.submit_proposal(
                    discussion=discussion,
                    author=request.user,
                    text=data["text"],
                    kind=data["kind"],
                    attachments=[data["attachments"]] if data["attachments"] else [],
                    **form.place(),
                    on_behalf=data.get("on_behalf", ""),
                    section=data["section"].pk if data.get("section") else None,
                ),
            )
            if ok:
                messages.success(
                    request,
                    _("Registered as No. %(n)s at %(t)s. A receipt was sent to you.")
                    % {"n": proposal.number, "t": fmt_local(proposal.registered_at)},
                )
                return redirect("discussions:proposal", pk=discussion.pk, number=proposal.number)
    status = 422 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "discussions/submit.html",
        {
            "discussion": discussion,
            "form": form,
            "eligibility": eligibility,
            "similar": similar,
            "checked": similar is not None,
            **place_form_context(discussion),
        },
        status=status,
    )


def proposal_detail(request, pk: int, number: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    proposal = selectors.get_proposal(discussion, number)
    comments = selectors.comments_page(proposal, page=int_param(request.GET.get("page")))
    can_answer = proposal.kind == Proposal.Kind.QUESTION and has_role(
        request.user, (Role.EXPERT, Role.ORGANISER), discussion.organiser
    )
    can_moderate = has_role(request.user, (Role.MODERATOR, Role.ORGANISER), discussion.organiser)
    talk_open = discussion.status == Status.EXPOSITION_OPEN and request.user.is_authenticated
    hidden = proposal.visibility == Proposal.Visibility.HIDDEN
    own = request.user.is_authenticated and proposal.author_id == request.user.pk
    pending_review = hidden and bool(
        selectors.pending_review_numbers(discussion, [proposal.number])
    )
    return render(
        request,
        "discussions/proposal.html",
        {
            "discussion": discussion,
            "proposal": proposal,
            "comments": comments,
            "comment_form": CommentForm() if talk_open else None,
            "flag_form": FlagForm() if request.user.is_authenticated else None,
            "answer_form": AnswerForm() if can_answer else None,
            "moderation_form": ModerationForm() if can_moderate else None,
            "pending_review": pending_review,
            # Moderation hides a text from the public only; staff and its author still read it.
            "hidden_text": proposal.text if hidden and (can_moderate or own) else None,
            "hidden_text_is_own": own and not can_moderate,
            # Its files, to whom the file service serves them (its author and the staff).
            "hidden_attachments": list(proposal.attachments.all())
            if hidden and may_read_attachments(request.user, proposal)
            else [],
            **proposal_place_context(discussion, proposal),
        },
    )


def _proposal_action(request, pk: int, number: int, action: Callable, form_class=None):
    discussion = selectors.get_discussion(pk, user=request.user)
    proposal = selectors.get_proposal(discussion, number)
    form = form_class(request.POST) if form_class else None
    back = reverse("discussions:proposal", args=[pk, number])
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        note = action(proposal, form.cleaned_data if form else {})
    except DomainError as exc:
        text = str(exc.message)
        if exc.fields:
            text = " ".join(str(m) for ms in exc.fields.values() for m in ms)
        messages.error(request, text)
    else:
        if note:
            messages.success(request, note)
    return redirect(back)


@login_required
@require_POST
def comment(request, pk: int, number: int):
    def act(proposal, data):
        parent = None
        if data.get("parent"):
            parent = Comment.objects.filter(pk=data["parent"], proposal=proposal).first()
        services.add_comment(
            author=request.user, proposal=proposal, text=data["text"], parent=parent
        )
        return _("Your comment is published.")

    return _proposal_action(request, pk, number, act, CommentForm)


@login_required
@require_POST
def support(request, pk: int, number: int):
    def act(proposal, _data):
        created = services.support_proposal(user=request.user, proposal=proposal)
        return _("You support this proposal.") if created else _("You already support it.")

    return _proposal_action(request, pk, number, act)


@login_required
@require_POST
def flag(request, pk: int, number: int):
    def act(proposal, data):
        target = {"proposal": proposal}
        if request.POST.get("comment"):
            comment_obj = Comment.objects.filter(
                pk=int_param(request.POST["comment"], 0), proposal=proposal
            ).first()
            if comment_obj is None:
                raise NotFound()
            target = {"comment": comment_obj}
        services.flag_item(
            reporter=request.user, reason=data["reason"], note=data["note"], **target
        )
        return _("Thank you. A moderator will look at it.")

    return _proposal_action(request, pk, number, act, FlagForm)


@staff_required(EXPERTS)
@require_POST
def answer(request, pk: int, number: int):
    def act(proposal, data):
        services.answer_question(expert=request.user, question=proposal, text=data["text"])
        return _("The answer is published.")

    return _proposal_action(request, pk, number, act, AnswerForm)


@staff_required(MODERATION)
@require_POST
def moderate(request, pk: int, number: int):
    hide = request.POST.get("action") != "restore"
    form_class = ModerationForm if hide else None

    def act(proposal, data):
        target: dict[str, Any] = {"proposal": proposal}
        if request.POST.get("comment"):
            comment_obj = Comment.objects.filter(
                pk=int_param(request.POST["comment"], 0), proposal=proposal
            ).first()
            if comment_obj is None:
                raise NotFound()
            target = {"comment": comment_obj}
        services.moderate(
            moderator=request.user,
            hide=hide,
            reason=data.get("reason", ""),
            note=data.get("note", "") or request.POST.get("note", ""),
            **target,
        )
        return _("Hidden; the author was told.") if hide else _("Restored.")

    return _proposal_action(request, pk, number, act, form_class)


# --- subscriptions, initiation -------------------------------------------------------------------


def subscribe(request):
    """E-mail news by district, suburb, address or map point, and topic. Also the target of
    the map page's form; the chosen filters show the matching RSS/Atom links. The address gets
    a confirmation link first (double opt-in); the answer does not say whether it was already
    subscribed."""
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _sub = run_service(form, lambda: services.subscribe(**form.cleaned_data))
        if ok:
            messages.success(
                request,
                _(
                    "Almost done: we sent a link to %(email)s. Open it to confirm the "
                    "subscription; until then nothing is sent. Every e-mail has a link to "
                    "unsubscribe."
                )
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("discussions:list")
    return render(request, "discussions/subscribe.html", {"form": form})


def confirm_subscription(request, token: str):
    """The confirmation link of the e-mail opens a page with one button: a mail scanner that
    fetches links does not subscribe anyone, the person does."""
    if request.method == "POST":
        services.confirm_subscription(token=token)
        messages.success(request, _("Your subscription is confirmed."))
        return redirect("discussions:list")
    return render(request, "discussions/confirm_subscription.html", {"token": token})


@csrf_exempt  # the signed token is the credential; mail clients' one-click POST has no cookie
def unsubscribe(request, token: str):
    """One click: the page's button, or the mail client's ``List-Unsubscribe-Post`` (RFC 8058).
    A GET only shows the button, so link scanners unsubscribe nobody."""
    if request.method == "POST":
        services.unsubscribe(token=token)
        messages.success(request, _("You are unsubscribed."))
        return redirect("discussions:list")
    return render(request, "discussions/unsubscribe.html", {"token": token})


@require_POST
@login_required
def follow(request, pk: int):
    """ "Remind me" on the discussion page (a plain form: works without JavaScript)."""
    discussion = selectors.get_discussion(pk, user=request.user)
    if request.POST.get("action") == "unfollow":
        services.unfollow(user=request.user, discussion=discussion)
        messages.success(request, _("You will no longer get reminders of this discussion."))
    else:
        try:
            services.follow(user=request.user, discussion=discussion)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _(
                    "We will remind you when proposals open, before they close and when the "
                    "conclusion is published."
                ),
            )
    return redirect("discussions:detail", pk=discussion.pk)


@login_required
def initiate(request):
    form = InitiationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _req = run_service(
            form, lambda: services.request_initiation(initiator=request.user, **form.cleaned_data)
        )
        if ok:
            messages.success(request, _("Your request was sent to the organiser."))
            return redirect("portal:cabinet")
    return render(request, "discussions/initiate.html", {"form": form})
