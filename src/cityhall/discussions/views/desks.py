"""The desks for thousands of items, and what they publish: the experts' questions desk
(counts, filters, search, pages, templates, bulk answers, assignment), the moderators' queue
with bulk actions, the project's sections (participatory texts) and the public moderation log.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityhall.accounts.models import Role
from cityhall.accounts.permissions import staff_required
from cityhall.accounts.selectors import has_role
from cityhall.core.errors import DomainError, Forbidden
from cityhall.geo.models import District

from .. import selectors, services
from ..desk_forms import BulkAnswerForm, BulkModerationForm, SectionsForm
from ..forms import ModerationForm, parse_numbers
from ..models import Flag, Proposal
from .base import EXPERTS, MODERATION, ORGANISER, int_param, organiser_discussion


def _error_text(exc: DomainError) -> str:
    if exc.fields:
        return " ".join(str(m) for ms in exc.fields.values() for m in ms)
    return str(exc.message)


# --- the experts' questions desk -----------------------------------------------------------------


def _desk_filters(params) -> selectors.DeskFilters:
    state = params.get("state") or "unanswered"
    return selectors.DeskFilters(
        state=state if state in selectors.DESK_STATES else "unanswered",
        discussion=int_param(params.get("discussion"), 0) or None,
        section=int_param(params.get("section"), 0) or None,
        district=int_param(params.get("district"), 0) or None,
        expert=(params.get("expert") or "")[:20],
        q=(params.get("q") or "")[:200],
    )


def _chosen_questions(data) -> list[Proposal]:
    """The questions a bulk action is for: those ticked on the page, or — typed as numbers and
    ranges ("1, 4, 10-25") — questions of the discussion chosen in the filters, across pages."""
    qs = Proposal.objects.filter(kind=Proposal.Kind.QUESTION)
    discussion = int_param(data.get("discussion"), 0)
    if (data.get("numbers") or "").strip() and discussion:
        numbers = parse_numbers(data["numbers"])[: services.MAX_BATCH + 1]
        qs = qs.filter(discussion_id=discussion, number__in=numbers)
    else:
        qs = qs.filter(pk__in=[int_param(v, 0) for v in data.getlist("question")][:1000])
    return list(qs.select_related("discussion__organiser", "author").order_by("pk"))


@staff_required(EXPERTS)
def questions(request):
    """The questions desk. Bulk actions (answer, assign) act on the questions ticked on the
    page and come back to the same filters and page."""
    if not has_role(request.user, (Role.EXPERT, Role.ORGANISER)):
        raise Forbidden()
    answer_form = BulkAnswerForm(request.POST if request.POST.get("do") == "answer" else None)
    if request.method == "POST":
        try:
            chosen = _chosen_questions(request.POST)
            if request.POST.get("do") == "answer":
                if answer_form.is_valid():
                    count = services.answer_questions(
                        expert=request.user, questions=chosen, text=answer_form.answer_text()
                    )
                    messages.success(request, _("%(n)s questions answered.") % {"n": count})
                else:
                    messages.error(request, _("Write the answer or choose a template."))
            elif request.POST.get("do") == "assign":
                expert_id = request.POST.get("expert") or ""
                expert = (
                    selectors.desk_experts(request.user).filter(pk=int_param(expert_id, 0)).first()
                )
                if expert_id != "none" and expert is None:
                    messages.error(request, _("Choose an expert."))
                else:
                    count = services.assign_questions(
                        actor=request.user, questions=chosen, expert=expert
                    )
                    messages.success(request, _("%(n)s questions assigned.") % {"n": count})
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        back = request.POST.get("back", "")
        return redirect(f"{request.path}?{back}" if back and "//" not in back else request.path)
    filters = _desk_filters(request.GET)
    desk = selectors.questions_desk(request.user, filters, page=int_param(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "discussions/questions.html",
        {
            **desk,
            "filters": filters,
            "states": [
                ("unanswered", _("Unanswered")),
                ("answered", _("Answered")),
                ("all", _("All")),
            ],
            "discussions": selectors.desk_discussions(request.user),
            "districts": District.objects.order_by("name").only("pk", "name"),
            "experts": selectors.desk_experts(request.user),
            "can_assign": has_role(request.user, ORGANISER),
            "answer_form": BulkAnswerForm(),
            "query": query.urlencode(),
            "full_query": request.GET.urlencode(),
        },
    )


# --- moderation ----------------------------------------------------------------------------------


@staff_required(MODERATION)
def moderation_queue(request):
    """Open reports, oldest first; one report dismissed, or many items moderated at once."""
    if not has_role(request.user, (Role.MODERATOR, Role.ORGANISER)):
        raise Forbidden()
    if request.method == "POST" and request.POST.get("do") == "bulk":
        form = BulkModerationForm(request.POST)
        flags = list(
            Flag.objects.filter(
                pk__in=[int_param(v, 0) for v in request.POST.getlist("flag")][:1000]
            ).select_related("proposal__discussion", "comment__proposal__discussion")
        )
        if not form.is_valid():
            messages.error(request, _("Choose what to do."))
        else:
            try:
                result = services.moderate_many(
                    moderator=request.user, flags=flags, **form.cleaned_data
                )
            except DomainError as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(
                    request,
                    _("Done for %(done)s items; %(skipped)s were already so.") % result,
                )
        return redirect("discussions:moderation")
    if request.method == "POST":
        item = Flag.objects.filter(pk=int_param(request.POST.get("flag"), 0)).first()
        if item is None:
            raise Http404
        try:
            services.dismiss_flag(moderator=request.user, flag=item)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("discussions:moderation")
    return render(
        request,
        "discussions/moderation.html",
        {
            "flags": selectors.open_flags(),
            "form": ModerationForm(),
            "bulk_form": BulkModerationForm(),
        },
    )


def moderation_log(request, pk: int):
    """Public: what moderators (and the platform, after reports) hid or restored, when, why."""
    discussion = selectors.get_discussion(pk, user=request.user)
    return render(
        request,
        "discussions/moderation_log.html",
        {"discussion": discussion, "entries": selectors.moderation_log(discussion)},
    )


# --- participatory texts -------------------------------------------------------------------------


def sections(request, pk: int):
    """Public: the project's sections, each with its proposals' count and a link to them."""
    discussion = selectors.get_discussion(pk, user=request.user)
    return render(
        request,
        "discussions/sections.html",
        {
            "discussion": discussion,
            "sections": selectors.section_counts(discussion),
            "is_organiser": has_role(request.user, ORGANISER, discussion.organiser),
        },
    )


@staff_required(ORGANISER)
def manage_sections(request, pk: int):
    discussion = organiser_discussion(request, pk)
    current = selectors.section_counts(discussion)
    form = SectionsForm(
        request.POST or None,
        initial={"sections": "\n".join(f"{s.reference} | {s.title}" for s in current)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_sections(
                actor=request.user, discussion=discussion, sections=form.cleaned_data["sections"]
            )
        except DomainError as exc:
            form.add_error("sections" if exc.fields else None, _error_text(exc))
        else:
            messages.success(request, _("The sections are saved."))
            return redirect("discussions:manage_sections", pk=pk)
    return render(
        request,
        "discussions/manage_sections.html",
        {"discussion": discussion, "form": form, "sections": current},
        status=422 if form.errors else 200,
    )
