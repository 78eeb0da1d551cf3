"""The staff desks: the organiser's discussions (create, edit, move on, documents, offline
and paper proposals, meetings, recommendations, protocol and conclusion) and initiation
requests. Every page checks the role it needs. The moderators' queue and the experts'
questions desk are in :mod:`.desks`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.permissions import staff_required
from cityhall.accounts.selectors import has_role, organisations_where
from cityhall.core.errors import DomainError, Forbidden, InvalidInput

from .. import selectors, services, similarity
from ..forms import (
    ConclusionsForm,
    DiscussionForm,
    DocumentUploadForm,
    ImportForm,
    MeetingForm,
    OfflineProposalForm,
    RecommendationForm,
    SignerForm,
)
from ..importing import read_rows
from ..models import (
    Discussion,
    FinalDocument,
    InitiationRequest,
    Proposal,
    Status,
)
from .base import ORGANISER, int_param, run_service, submitted
from .base import organiser_discussion as _organiser_discussion
from .proposal_places import place_form_context

# --- staff desks ---------------------------------------------------------------------------


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
        pk=int_param(request.GET.get("initiation") or request.POST.get("initiation"), 0),
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

    def create(data: dict) -> Discussion:
        data = dict(data)
        data.pop("version", None)
        return services.create_discussion(
            actor=request.user, districts=data.pop("districts"), initiation=initiation, **data
        )

    done = submitted(
        request,
        form,
        create,
        success=lambda made: _("Draft %(n)s created.") % {"n": made.number},
        to=lambda made: reverse("discussions:manage_detail", args=[made.pk]),
    )
    if done:
        return done
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
        initial={"version": discussion.version},
    )
    done = submitted(
        request,
        form,
        lambda data: services.update_discussion(
            actor=request.user,
            discussion_id=discussion.pk,
            expected_version=data.get("version") or 0,
            changes={
                **{k: v for k, v in data.items() if k in services.EDITABLE_FIELDS},
                "districts": list(data.get("districts") or []),
            },
        ),
        success=_("Saved."),
        to=reverse("discussions:manage_detail", args=[discussion.pk]),
    )
    if done:
        return done
    return render(
        request,
        "discussions/manage_detail.html",
        {
            "discussion": discussion,
            "form": form,
            "upload_form": DocumentUploadForm(discussion=discussion),
            "documents": selectors.documents_of(discussion),
            "targets": [
                (to, Status(to).label, services.reason_shown(reason))
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
            notice_source=request.POST.get("notice_source", ""),
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
        ok, _v = run_service(
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
    """A proposal received in writing, in the visitors' book or orally at a meeting, with the
    place it is about as on the resident's form (the same fieldset, map and checks)."""
    discussion = _organiser_discussion(request, pk)
    form = OfflineProposalForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda data: services.register_offline_proposal(
            actor=request.user,
            discussion=discussion,
            person=services.OfflineIdentity(
                full_name=data["full_name"],
                birth_date=data["birth_date"],
                document_number=data["document_number"],
                address=data["address"],
                email=data["email"],
            ),
            text=data["text"],
            kind=data["kind"],
            channel=data["channel"],
            received_at=data["received_at"],
            **form.place(),
        ),
        success=lambda proposal: _("Registered as No. %(n)s.") % {"n": proposal.number},
        to=reverse("discussions:register", args=[pk]),
    )
    if done:
        return done
    return render(
        request,
        "discussions/register.html",
        {"discussion": discussion, "form": form, **place_form_context(discussion, by_staff=True)},
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
            pk=int_param(request.GET.get("meeting") or request.POST.get("meeting"), 0)
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
    done = submitted(
        request,
        form,
        lambda data: services.record_meeting(
            actor=request.user, discussion=discussion, meeting=meeting, **data
        ),
        success=_("The meeting is recorded."),
        to=reverse("discussions:meetings", args=[pk]),
    )
    if done:
        return done
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
    """The recommendations desk. ``?similar_to=N`` suggests the proposals most like № N and
    fills the form to group them "same as № N" (the organiser checks the list first)."""
    discussion = _organiser_discussion(request, pk)
    similar_to = int_param(request.GET.get("similar_to"), 0)
    base = Proposal.objects.filter(discussion=discussion, number=similar_to).first()
    similar = []
    initial = {}
    if base is not None:
        similar = similarity.similar_proposals(
            discussion,
            base.text,
            limit=10,
            exclude_number=base.number,
            kinds=(Proposal.Kind.PROPOSAL, Proposal.Kind.REMARK),
            include_hidden=True,
        )
        numbers = [base.number, *(s.number for s in similar)]
        initial = {"numbers": ", ".join(map(str, numbers)), "same_as": base.number}
    form = RecommendationForm(request.POST or None, initial=initial)
    done = submitted(
        request,
        form,
        lambda data: services.set_recommendation(
            actor=request.user,
            discussion=discussion,
            numbers=data["numbers"],
            recommendation=data["recommendation"],
            reason=data["reason"],
            same_as=data["same_as"],
        ),
        success=lambda count: _("Recommendation set on %(n)s proposals.") % {"n": count},
        to=reverse("discussions:recommendations", args=[pk]),
    )
    if done:
        return done
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
            "base": base,
            "similar": similar,
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
            elif do == "list_unanswered":
                services.list_unanswered_in_conclusion(actor=request.user, discussion=discussion)
            elif do == "official":
                signer_form = SignerForm(request.POST, organisation=discussion.organiser)
                if not signer_form.is_valid():
                    raise InvalidInput(fields=signer_form.errors)
                services.update_discussion(
                    actor=request.user,
                    discussion_id=discussion.pk,
                    expected_version=discussion.version,
                    changes=signer_form.cleaned_data,
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
            "unanswered": services.unanswered_questions(discussion),
            "signer_form": SignerForm(
                organisation=discussion.organiser,
                initial={
                    "responsible_official": discussion.responsible_official_id,
                    "responsible_official_position": discussion.responsible_official_position,
                },
            ),
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
    if doc is None or not doc.appendix_file_id:
        raise Http404
    return redirect(reverse("files:serve", args=[doc.appendix_file_id]))


@staff_required(ORGANISER)
def initiations(request):
    if not has_role(request.user, ORGANISER):
        raise Forbidden()
    if request.method == "POST":
        req = InitiationRequest.objects.filter(pk=int_param(request.POST.get("request"), 0)).first()
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
