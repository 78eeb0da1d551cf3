"""Pages of public discussions: the public record, participation, and the staff desks.

Views parse, call one service or selector, and render. Domain errors become messages beside
the fields (or a 4xx page) through :func:`_apply`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.models import Role
from cityhall.accounts.permissions import staff_required
from cityhall.accounts.selectors import has_role, organisations_where
from cityhall.core.charts import bar_chart
from cityhall.core.errors import DomainError, Forbidden, NotFound
from cityhall.geo.models import District

from . import drawing, listing, protocol, selectors, services
from .eligibility import eligibility_of
from .forms import (
    AnswerForm,
    CommentForm,
    ConclusionsForm,
    DiscussionForm,
    DocumentUploadForm,
    FilterForm,
    FlagForm,
    ImportForm,
    InitiationForm,
    MeetingForm,
    ModerationForm,
    OfflineProposalForm,
    ProposalForm,
    RecommendationForm,
    SubscriptionForm,
)
from .importing import read_rows
from .intake import fmt_local
from .models import (
    Comment,
    Discussion,
    DocumentVersion,
    FinalDocument,
    InitiationRequest,
    Participant,
    Proposal,
    Status,
)

ORGANISER = (Role.ORGANISER, Role.ADMINISTRATOR)
MODERATION = (Role.MODERATOR, Role.ORGANISER)
EXPERTS = (Role.EXPERT, Role.ORGANISER)

#: Statistics charts show the 15 largest rows, labels cut at 32 characters.
CHART_LIMITS = {"max_rows": 15, "label_chars": 32}


def _apply(form, action: Callable[[], Any]) -> tuple[bool, Any]:
    """Run a service; put its domain error on the form. Returns (ok, result)."""
    try:
        return True, action()
    except DomainError as exc:
        for field, errors in exc.fields.items():
            for error in errors:
                target = field if form is not None and field in form.fields else None
                if form is not None:
                    form.add_error(target, error)
        if not exc.fields and form is not None:
            form.add_error(None, str(exc.message))
        if form is None:
            raise
        return False, exc


def _int(value: Any, default: int = 1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- public record -----------------------------------------------------------------------------


def discussion_list(request):
    """The public list with filters; territory filters (suburb, address) keep the discussions
    whose territory overlaps or covers them. The RSS/Atom links follow the same filters."""
    form = FilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    territory: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "q": data["q"],
            "district": data["district"].pk if data["district"] else None,
            "document_type": data["document_type"].pk if data["document_type"] else None,
            "status": data["status"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
        ok, place = _apply(form, lambda: selectors.find_place(address=data["address"]))
        territory = {
            k: v
            for k, v in {
                "district": data["district"],
                "suburb": data["suburb"],
                "document_type": data["document_type"],
                "place": place if ok else None,
            }.items()
            if v is not None
        }
    discussions = selectors.public_discussions(**filters)
    if "place" in territory:
        discussions = selectors.discussions_for_place(discussions, territory["place"])
    elif "suburb" in territory:
        discussions = selectors.discussions_for_suburb(discussions, territory["suburb"])
    paginator = Paginator(discussions, 20)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "discussions/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "feed_query": feed_query(territory),
            "territory": territory,
        },
    )


def discussion_detail(request, pk: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    kind = request.GET.get("kind", "")
    if kind:
        page = selectors.proposals_page(
            discussion, kind=kind, after=_int(request.GET.get("after"), 0) or None
        )
        rows = [selectors.row_of(p) for p in page.items]
    else:
        page = selectors.proposal_rows(discussion, page=_int(request.GET.get("page")))
        rows = page.items
    eligibility = eligibility_of(discussion, request.user) if discussion.accepts_proposals else None
    return render(
        request,
        "discussions/detail.html",
        {
            "discussion": discussion,
            "documents": selectors.documents_of(discussion),
            "page": page,
            "items_html": listing.proposal_items(discussion.pk, rows),
            "kind": kind,
            "eligibility": eligibility,
            "form": ProposalForm() if eligibility and eligibility.eligible else None,
            "history": discussion.status_changes.all(),
            "final": selectors.final_documents(discussion),
            "meetings": discussion.meetings.all(),
            "districts": discussion.districts.all(),
            "is_organiser": has_role(request.user, ORGANISER, discussion.organiser),
            "has_own": request.user.is_authenticated
            and discussion.participants.filter(user=request.user).exists(),
            **_follow_context(request, discussion, eligibility),
        },
    )


def _follow_context(request, discussion: Discussion, eligibility: Any) -> dict[str, Any]:
    """Whether the "remind me" button shows, and in which state."""
    if not request.user.is_authenticated or discussion.status not in services.FOLLOWABLE:
        return {"can_follow": False, "following": False}
    following = selectors.is_following(discussion, request.user)
    if not following and eligibility is None:
        eligibility = eligibility_of(discussion, request.user)
    return {
        "can_follow": following or bool(eligibility and eligibility.eligible),
        "following": following,
    }


def submit(request, pk: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    eligibility = eligibility_of(discussion, request.user)
    form = ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if form.is_valid():
            data = form.cleaned_data
            ok, proposal = _apply(
                form,
                lambda: services.submit_proposal(
                    discussion=discussion,
                    author=request.user,
                    text=data["text"],
                    kind=data["kind"],
                    attachments=[data["attachments"]] if data["attachments"] else [],
                    lat=data["lat"],
                    lon=data["lon"],
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
        {"discussion": discussion, "form": form, "eligibility": eligibility},
        status=status,
    )


def proposal_detail(request, pk: int, number: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    proposal = selectors.get_proposal(discussion, number)
    comments = selectors.comments_page(proposal, page=_int(request.GET.get("page")))
    can_answer = proposal.kind == Proposal.Kind.QUESTION and has_role(
        request.user, (Role.EXPERT, Role.ORGANISER), discussion.organiser
    )
    can_moderate = has_role(request.user, (Role.MODERATOR, Role.ORGANISER), discussion.organiser)
    talk_open = discussion.status == Status.EXPOSITION_OPEN and request.user.is_authenticated
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
                pk=_int(request.POST["comment"], 0), proposal=proposal
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
                pk=_int(request.POST["comment"], 0), proposal=proposal
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


def document_version(request, pk: int, version_id: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    version = DocumentVersion.objects.filter(pk=version_id, document__discussion=discussion).first()
    if version is None:
        raise Http404
    return FileResponse(
        version.file.open("rb"),
        content_type=version.content_type,
        as_attachment=version.content_type not in ("application/pdf", "image/png", "image/jpeg"),
        filename=version.original_name,
    )


def attachment(request, pk: int, number: int, attachment_id: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    proposal = selectors.get_proposal(discussion, number)
    item = proposal.attachments.filter(pk=attachment_id).first()
    if item is None or proposal.visibility == Proposal.Visibility.HIDDEN:
        raise Http404
    return FileResponse(
        item.file.open("rb"), content_type=item.content_type, filename=item.original_name
    )


def final_file(request, pk: int, kind: str, fmt: str):
    discussion = selectors.get_discussion(pk, user=request.user)
    if kind not in FinalDocument.Kind.values or fmt not in ("pdf", "json"):
        raise Http404
    doc = FinalDocument.objects.filter(discussion=discussion, kind=kind).first()
    public = doc is not None and doc.state == FinalDocument.State.SIGNED
    if doc is None or not (public or has_role(request.user, ORGANISER, discussion.organiser)):
        raise Http404
    field = doc.pdf if fmt == "pdf" else doc.json
    if not field:
        raise Http404
    content_type = "application/pdf" if fmt == "pdf" else "application/json"
    return FileResponse(field.open("rb"), content_type=content_type, filename=f"{doc.number}.{fmt}")


@login_required
def extract(request, pk: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    if not discussion.participants.filter(user=request.user).exists():
        raise Http404
    data = protocol.participant_extract_pdf(discussion, request.user)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="extract-{discussion.number}.pdf"'
    return response


def discussion_map(request):
    """Every published discussion: its territory polygon, or a marker at its districts' (or
    the city's) representative point; the list beside the map says the same in words. The
    subscription form below takes an address, or a point clicked on the map."""
    districts = list(District.objects.all())
    discussions = list(selectors.public_discussions().prefetch_related("districts")[:500])
    entries = selectors.map_entries(discussions, districts)
    form = SubscriptionForm(
        initial={"email": request.user.email} if request.user.is_authenticated else {}
    )
    svg = drawing.discussion_map(districts, entries, title=_("Map of public discussions"))
    return render(
        request,
        "discussions/map.html",
        {"svg": svg, "entries": entries, "form": form},
    )


# --- feeds ----------------------------------------------------------------------------------------


def feed_filters(params) -> dict[str, Any]:
    """The territory and topic of a feed from its query: ``district``, ``suburb``,
    ``document_type`` (ids), ``address`` or ``lat``+``lon``. Refuses unknown values with the
    reason (:class:`InvalidInput`)."""
    from cityhall.core.errors import InvalidInput
    from cityhall.geo.models import Suburb

    from .models import DocumentType

    found: dict[str, Any] = {}
    for name, model, message in (
        ("district", District, _("There is no such district.")),
        ("suburb", Suburb, _("There is no such suburb.")),
        ("document_type", DocumentType, _("There is no such topic.")),
    ):
        value = params.get(name)
        if value:
            obj = model.objects.filter(pk=_int(value, 0)).first()
            if obj is None:
                raise InvalidInput(fields={name: [message]})
            found[name] = obj
    place = selectors.find_place(
        address=params.get("address", ""), lat=params.get("lat"), lon=params.get("lon")
    )
    if place is not None:
        found["place"] = place
    return found


def feed_items(filters: dict[str, Any], *, limit: int = 50) -> list[Discussion]:
    qs = selectors.public_discussions(
        district=filters["district"].pk if "district" in filters else None,
        document_type=filters["document_type"].pk if "document_type" in filters else None,
    )
    if "place" in filters:
        return selectors.discussions_for_place(qs, filters["place"], limit=limit)
    if "suburb" in filters:
        return selectors.discussions_for_suburb(qs, filters["suburb"], limit=limit)
    return list(qs[:limit])


def feed_query(filters: dict[str, Any]) -> str:
    """The query string that selects the same feed (for links on pages)."""
    from urllib.parse import urlencode

    query: dict[str, Any] = {}
    for name in ("district", "suburb", "document_type"):
        if name in filters:
            query[name] = filters[name].pk
    if "place" in filters:
        query["lat"], query["lon"] = filters["place"].lat, filters["place"].lon
    return urlencode(query)


class DiscussionsFeed(Feed):
    """All public discussions, or those of a territory (district, suburb, address or point)
    and/or topic. A bad filter is answered 400 with the reason, not an empty feed."""

    def __call__(self, request, *args, **kwargs):
        try:
            # Kept on the request: one Feed instance serves every thread.
            request.discussion_feed_filters = feed_filters(request.GET)
        except DomainError as exc:
            reasons = [str(m) for errors in exc.fields.values() for m in errors] or [
                str(exc.message)
            ]
            return HttpResponse(
                "\n".join(reasons), status=400, content_type="text/plain; charset=utf-8"
            )
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return getattr(request, "discussion_feed_filters", None) or feed_filters(request.GET)

    def title(self, filters):
        parts = []
        if "place" in filters:
            parts.append(filters["place"].label)
        for name in ("suburb", "district"):
            if name in filters:
                parts.append(filters[name].display_name)
        if "document_type" in filters:
            parts.append(str(filters["document_type"]))
        title = _("Public discussions")
        return f"{title}: {', '.join(parts)}" if parts else title

    def description(self):
        return _("Public discussions of urban-planning documents")

    def link(self):
        return reverse("discussions:list")

    def items(self, filters):
        return feed_items(filters)

    def item_title(self, item):
        return f"{item.number} {item.title} ({item.get_status_display()})"

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return reverse("discussions:detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at


class DiscussionsAtomFeed(DiscussionsFeed):
    feed_type = Atom1Feed

    def subtitle(self, filters):
        return self.description()


class ProposalsFeed(Feed):
    def get_object(self, request, pk: int):
        return selectors.get_discussion(pk, user=request.user)

    def title(self, obj):
        return f"{obj.number} {obj.title}: proposals"

    def link(self, obj):
        return reverse("discussions:detail", args=[obj.pk])

    def description(self, obj):
        return obj.title

    def items(self, obj):
        return (
            Proposal.objects.filter(discussion=obj)
            .select_related("participant")
            .order_by("-number")[:50]
        )

    def item_title(self, item):
        return f"No. {item.number} — {item.participant.public_name}"

    def item_description(self, item):
        if item.visibility == Proposal.Visibility.HIDDEN:
            return _("Hidden by a moderator: %(r)s") % {"r": item.get_hidden_reason_display()}
        return item.text

    def item_link(self, item):
        return reverse("discussions:proposal", args=[item.discussion_id, item.number])

    def item_pubdate(self, item):
        return item.registered_at


# --- subscriptions, initiation -------------------------------------------------------------------


def subscribe(request):
    """E-mail news by district, suburb, address or map point, and topic. Also the target of
    the map page's form; the chosen filters show the matching RSS/Atom links."""
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _sub = _apply(form, lambda: services.subscribe(**form.cleaned_data))
        if ok:
            messages.success(request, _("Subscribed. Every e-mail has a link to unsubscribe."))
            return redirect("discussions:list")
    return render(request, "discussions/subscribe.html", {"form": form})


def unsubscribe(request, token: str):
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
        ok, _req = _apply(
            form, lambda: services.request_initiation(initiator=request.user, **form.cleaned_data)
        )
        if ok:
            messages.success(request, _("Your request was sent to the organiser."))
            return redirect("portal:cabinet")
    return render(request, "discussions/initiate.html", {"form": form})


# --- statistics ---------------------------------------------------------------------------------


def _export(stats: dict[str, Any], fmt: str, name: str) -> HttpResponse:
    rows = [("participants", "", stats["participants"]), ("proposals", "", stats["proposals"])]
    for key in ("by_district", "by_participant_type", "by_kind", "by_channel"):
        rows.extend((key, label, n) for label, n in stats[key])
    rows.append(("average_answer_hours", "", stats["average_answer_hours"]))
    if fmt == "json":
        return JsonResponse(stats, json_dumps_params={"ensure_ascii": False})
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("statistics")
        sheet.append(["measure", "group", "value"])
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["measure", "group", "value"])
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _stats_page(request, stats: dict[str, Any], discussion: Discussion | None):
    fmt = request.GET.get("format", "")
    name = f"discussion-{discussion.number}" if discussion else "discussions"
    if fmt in ("csv", "xlsx", "json"):
        return _export(stats, fmt, name)
    type_labels = {k: str(v) for k, v in Participant.Type.choices}
    charts = [
        bar_chart(
            _("Proposals by district"),
            [(k or "—", n) for k, n in stats["by_district"]],
            **CHART_LIMITS,
        ),
        bar_chart(
            _("Proposals by type of participant"),
            [(type_labels.get(k, k), n) for k, n in stats["by_participant_type"]],
            **CHART_LIMITS,
        ),
        bar_chart(
            _("By channel"),
            [(dict(Proposal.Channel.choices).get(k, k), n) for k, n in stats["by_channel"]],
            **CHART_LIMITS,
        ),
    ]
    return render(
        request,
        "discussions/statistics.html",
        {"stats": stats, "discussion": discussion, "charts": charts, "type_labels": type_labels},
    )


def statistics(request, pk: int):
    discussion = selectors.get_discussion(pk, user=request.user)
    return _stats_page(request, selectors.discussion_statistics(discussion), discussion)


def statistics_all(request):
    return _stats_page(request, selectors.overall_statistics(), None)


# --- staff desks ---------------------------------------------------------------------------


def _organiser_discussion(request, pk: int) -> Discussion:
    discussion = (
        Discussion.objects.select_related("document_type", "organiser").filter(pk=pk).first()
    )
    if discussion is None:
        raise Http404
    if not has_role(request.user, ORGANISER, discussion.organiser):
        raise Forbidden(_("Only the organiser of this discussion may do this."))
    return discussion


@staff_required(ORGANISER)
def manage(request):
    if not has_role(request.user, ORGANISER):
        raise Forbidden()
    if request.user.is_superuser:
        qs = Discussion.objects.all()
    else:
        orgs = organisations_where(request.user, ORGANISER)
        qs = Discussion.objects.filter(Q(organiser__in=orgs) | Q(organiser__parent__in=orgs))
    paginator = Paginator(qs.select_related("document_type").order_by("-id"), 30)
    pending = InitiationRequest.objects.filter(state=InitiationRequest.State.PENDING).count()
    return render(
        request,
        "discussions/manage_list.html",
        {"page": paginator.get_page(request.GET.get("page")), "pending": pending},
    )


@staff_required(ORGANISER)
def manage_new(request):
    if not has_role(request.user, ORGANISER):
        raise Forbidden()
    initiation = InitiationRequest.objects.filter(
        pk=_int(request.GET.get("initiation") or request.POST.get("initiation"), 0),
        state=InitiationRequest.State.ACCEPTED,
        discussion__isnull=True,
    ).first()
    initial = {}
    if initiation is not None:
        initial = {
            "title": initiation.title,
            "description": initiation.description,
            "document_type": initiation.document_type_id,
            "organiser": initiation.organiser_id,
            "territory_description": initiation.territory_description,
        }
    form = DiscussionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        territory = data.pop("territory_geojson")
        data.pop("version", None)
        districts = data.pop("districts")
        ok, discussion = _apply(
            form,
            lambda: services.create_discussion(
                actor=request.user,
                districts=districts,
                territory=territory,
                initiation=initiation,
                **data,
            ),
        )
        if ok:
            messages.success(request, _("Draft %(n)s created.") % {"n": discussion.number})
            return redirect("discussions:manage_detail", pk=discussion.pk)
    return render(
        request,
        "discussions/manage_form.html",
        {"form": form, "initiation": initiation},
        status=422 if form.errors else 200,
    )


@staff_required(ORGANISER)
def manage_detail(request, pk: int):
    discussion = _organiser_discussion(request, pk)
    form = DiscussionForm(
        request.POST or None,
        instance=discussion if request.method != "POST" else None,
        initial={
            "version": discussion.version,
            "territory_geojson": json.dumps(discussion.territory) if discussion.territory else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        changes = {k: v for k, v in data.items() if k in services.EDITABLE_FIELDS}
        changes["territory"] = data.get("territory_geojson")
        changes["districts"] = list(data.get("districts") or [])
        ok, _d = _apply(
            form,
            lambda: services.update_discussion(
                actor=request.user,
                discussion_id=discussion.pk,
                expected_version=data.get("version") or 0,
                changes=changes,
            ),
        )
        if ok:
            messages.success(request, _("Saved."))
            return redirect("discussions:manage_detail", pk=discussion.pk)
    return render(
        request,
        "discussions/manage_detail.html",
        {
            "discussion": discussion,
            "form": form,
            "upload_form": DocumentUploadForm(discussion=discussion),
            "documents": selectors.documents_of(discussion),
            "targets": [
                (to, Status(to).label, reason)
                for to, reason in services.ALLOWED.get(discussion.status, {}).items()
                if to not in (Status.PROTOCOL_SIGNED, Status.CONCLUSION_PUBLISHED)
            ],
            "final": selectors.final_documents(discussion),
        },
        status=422 if form.errors else 200,
    )


@staff_required(ORGANISER)
@require_POST
def manage_transition(request, pk: int):
    discussion = _organiser_discussion(request, pk)
    try:
        services.transition(
            discussion=discussion,
            to=request.POST.get("to", ""),
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    except (DomainError, ValueError) as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    else:
        messages.success(request, _("The stage is changed."))
    return redirect("discussions:manage_detail", pk=pk)


@staff_required(ORGANISER)
@require_POST
def manage_document(request, pk: int):
    discussion = _organiser_discussion(request, pk)
    form = DocumentUploadForm(request.POST, request.FILES, discussion=discussion)
    if form.is_valid():
        data = form.cleaned_data
        ok, _v = _apply(
            form,
            lambda: services.add_document_version(
                actor=request.user,
                discussion=discussion,
                upload=data["file"],
                document=data["document"],
                kind=data["kind"],
                title=data["title"],
                note=data["note"],
            ),
        )
        if ok:
            messages.success(request, _("The document is published."))
            return redirect("discussions:manage_detail", pk=pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("discussions:manage_detail", pk=pk)


@staff_required(ORGANISER)
def register_offline(request, pk: int):
    discussion = _organiser_discussion(request, pk)
    form = OfflineProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = services.OfflineIdentity(
            full_name=data["full_name"],
            birth_date=data["birth_date"],
            document_number=data["document_number"],
            address=data["address"],
            email=data["email"],
        )
        ok, proposal = _apply(
            form,
            lambda: services.register_offline_proposal(
                actor=request.user,
                discussion=discussion,
                person=person,
                text=data["text"],
                kind=data["kind"],
                channel=data["channel"],
                received_at=data["received_at"],
            ),
        )
        if ok:
            messages.success(request, _("Registered as No. %(n)s.") % {"n": proposal.number})
            return redirect("discussions:register", pk=pk)
    return render(
        request,
        "discussions/register.html",
        {"discussion": discussion, "form": form},
        status=422 if form.errors else 200,
    )


@staff_required(ORGANISER)
def import_batch(request, pk: int):
    discussion = _organiser_discussion(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            rows = read_rows(form.cleaned_data["file"])
            created = services.import_proposals(
                actor=request.user,
                discussion=discussion,
                rows=rows,
                received_at=form.cleaned_data["received_at"],
            )
        except DomainError as exc:
            row_errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("%(n)s proposals registered.") % {"n": len(created)})
            return redirect("discussions:manage_detail", pk=pk)
    return render(
        request,
        "discussions/import.html",
        {"discussion": discussion, "form": form, "row_errors": row_errors},
        status=422 if form.errors else 200,
    )


@staff_required(ORGANISER)
def meetings(request, pk: int):
    discussion = _organiser_discussion(request, pk)
    meeting = None
    if request.GET.get("meeting") or request.POST.get("meeting"):
        meeting = discussion.meetings.filter(
            pk=_int(request.GET.get("meeting") or request.POST.get("meeting"), 0)
        ).first()
    initial = {}
    if meeting:
        initial = {
            "starts_at": meeting.starts_at,
            "place": meeting.place,
            "attendees": meeting.attendees,
            "minutes": meeting.minutes,
        }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _m = _apply(
            form,
            lambda: services.record_meeting(
                actor=request.user, discussion=discussion, meeting=meeting, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, _("The meeting is recorded."))
            return redirect("discussions:meetings", pk=pk)
    return render(
        request,
        "discussions/meetings.html",
        {
            "discussion": discussion,
            "form": form,
            "meetings": discussion.meetings.all(),
            "meeting": meeting,
        },
    )


@staff_required(ORGANISER)
def recommendations(request, pk: int):
    discussion = _organiser_discussion(request, pk)
    form = RecommendationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, count = _apply(
            form,
            lambda: services.set_recommendation(
                actor=request.user,
                discussion=discussion,
                numbers=data["numbers"],
                recommendation=data["recommendation"],
                reason=data["reason"],
                same_as=data["same_as"],
            ),
        )
        if ok:
            messages.success(request, _("Recommendation set on %(n)s proposals.") % {"n": count})
            return redirect("discussions:recommendations", pk=pk)
    pending = (
        Proposal.objects.filter(discussion=discussion, recommendation="")
        .exclude(kind=Proposal.Kind.QUESTION)
        .select_related("participant")
        .order_by("number")
    )
    return render(
        request,
        "discussions/recommendations.html",
        {
            "discussion": discussion,
            "form": form,
            "pending": pending[:100],
            "pending_count": pending.count(),
        },
        status=422 if form.errors else 200,
    )


@staff_required(ORGANISER)
def final_manage(request, pk: int):
    discussion = _organiser_discussion(request, pk)
    conclusions_form = ConclusionsForm(
        request.POST if request.POST.get("do") == "conclusions" else None,
        initial={"conclusions": discussion.conclusions},
    )
    if request.method == "POST":
        do = request.POST.get("do")
        try:
            if do == "conclusions" and conclusions_form.is_valid():
                services.save_conclusions(
                    actor=request.user,
                    discussion=discussion,
                    text=conclusions_form.cleaned_data["conclusions"],
                )
            elif do in ("generate_protocol", "generate_conclusion"):
                services.request_final_document(
                    actor=request.user, discussion=discussion, kind=do.split("_", 1)[1]
                )
            elif do in ("sign_protocol", "sign_conclusion"):
                doc = FinalDocument.objects.get(discussion=discussion, kind=do.split("_", 1)[1])
                services.sign_final_document(actor=request.user, document=doc)
        except DomainError as exc:
            text = str(exc.message)
            if exc.fields:
                text = " ".join(str(m) for ms in exc.fields.values() for m in ms)
            messages.error(request, text)
        except FinalDocument.DoesNotExist:
            messages.error(request, _("Generate the document first."))
        return redirect("discussions:final_manage", pk=pk)
    final = selectors.final_documents(discussion)
    busy = any(
        d.state in (FinalDocument.State.QUEUED, FinalDocument.State.GENERATING)
        for d in final.values()
    )
    return render(
        request,
        "discussions/final_manage.html",
        {
            "discussion": discussion,
            "final": final,
            "busy": busy,
            "conclusions_form": conclusions_form,
        },
    )


@staff_required(ORGANISER)
def final_progress(request, pk: int):
    discussion = _organiser_discussion(request, pk)
    return JsonResponse(
        {
            d.kind: {"state": d.state, "progress": d.progress}
            for d in FinalDocument.objects.filter(discussion=discussion)
        }
    )


@staff_required(ORGANISER)
def appendix(request, pk: int):
    discussion = _organiser_discussion(request, pk)
    doc = FinalDocument.objects.filter(
        discussion=discussion, kind=FinalDocument.Kind.PROTOCOL
    ).first()
    if doc is None or not doc.appendix:
        raise Http404
    return FileResponse(
        doc.appendix.open("rb"),
        content_type="application/json",
        as_attachment=True,
        filename=f"{doc.number}-participants.json",
    )


@staff_required(ORGANISER)
def initiations(request):
    if not has_role(request.user, ORGANISER):
        raise Forbidden()
    if request.method == "POST":
        req = InitiationRequest.objects.filter(pk=_int(request.POST.get("request"), 0)).first()
        if req is None:
            raise Http404
        try:
            services.decide_initiation(
                actor=request.user,
                request=req,
                accept=request.POST.get("decision") == "accept",
                reason=request.POST.get("reason", ""),
            )
        except DomainError as exc:
            text = str(exc.message)
            if exc.fields:
                text = " ".join(str(m) for ms in exc.fields.values() for m in ms)
            messages.error(request, text)
        else:
            messages.success(request, _("The decision is recorded and the initiator told."))
        return redirect("discussions:initiations")
    pending = InitiationRequest.objects.select_related(
        "initiator", "organiser", "document_type"
    ).order_by("state", "-created_at")[:100]
    return render(request, "discussions/initiations.html", {"requests": pending})


@staff_required(MODERATION)
def moderation_queue(request):
    if not has_role(request.user, (Role.MODERATOR, Role.ORGANISER)):
        raise Forbidden()
    if request.method == "POST":
        from .models import Flag

        item = Flag.objects.filter(pk=_int(request.POST.get("flag"), 0)).first()
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
        {"flags": selectors.open_flags(), "form": ModerationForm()},
    )


@staff_required(EXPERTS)
def questions(request):
    if not has_role(request.user, (Role.EXPERT, Role.ORGANISER)):
        raise Forbidden()
    return render(
        request, "discussions/questions.html", {"questions": selectors.questions_awaiting_answer()}
    )
