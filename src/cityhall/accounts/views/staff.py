"""Staff pages of accounts: people and roles (administrators of an organisation) and in-person
identity verification (service-centre operators only).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core.errors import DomainError

from .. import selectors, services
from ..forms import AddressCorrectionForm, DocumentCheckForm, GrantRoleForm, PersonLookupForm
from ..models import Membership, Role, User, VerifiedIdentity
from ..permissions import staff_required
from ..verification import VerifiedAttributes
from .form_errors import show_domain_error
from .sign_in import find_by_login

__all__ = [
    "people",
    "verify_identity",
]


def _with_depth(organisations: list) -> list[tuple[object, int]]:
    by_id = {o.pk: o for o in organisations}
    depth: dict[int, int] = {}

    def depth_of(org) -> int:
        if org.pk not in depth:
            parent = by_id.get(org.parent_id)
            depth[org.pk] = 0
            depth[org.pk] = depth_of(parent) + 1 if parent is not None else 0
        return depth[org.pk]

    return [(o, depth_of(o)) for o in organisations]


@staff_required(Role.ADMINISTRATOR)
def people(request: HttpRequest) -> HttpResponse:
    organisations = selectors.administered_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    by_id = {o.pk: o for o in organisations}
    raw = request.POST.get("organisation") or request.GET.get("organisation") or ""
    selected = by_id.get(int(raw)) if raw.isdigit() else organisations[0]
    if selected is None:
        raise PermissionDenied
    action = request.POST.get("action")
    grant_form = GrantRoleForm(request.POST if action == "grant" else None)
    here = f"{reverse('accounts:people')}?organisation={selected.pk}"
    if request.method == "POST":
        try:
            if action == "grant" and grant_form.is_valid():
                person = find_by_login(grant_form.cleaned_data["person"])
                if person is None:
                    grant_form.add_error(
                        "person", _("No one with this user name, e-mail or phone.")
                    )
                else:
                    role = grant_form.cleaned_data["role"]
                    services.grant_role(
                        actor=request.user, user=person, organisation=selected, role=role
                    )
                    messages.success(
                        request,
                        _("%(person)s is now %(role)s in %(organisation)s.")
                        % {"person": person, "role": Role(role).label, "organisation": selected},
                    )
                    return redirect(here)
            elif action == "enrolment_code":
                membership = (
                    Membership.objects.select_related("user")
                    .filter(pk=request.POST.get("membership") or 0, organisation=selected)
                    .first()
                )
                if membership is None:
                    raise Http404
                code = services.issue_enrolment_code(actor=request.user, user=membership.user)
                messages.success(
                    request,
                    _(
                        "Enrolment code for %(person)s: %(code)s. Give it to them in person; "
                        "it works once, for 24 hours, and is not shown again."
                    )
                    % {"person": membership.user, "code": code},
                )
                return redirect(here)
            elif action == "revoke":
                membership = (
                    Membership.objects.select_related("user")
                    .filter(pk=request.POST.get("membership") or 0, organisation=selected)
                    .first()
                )
                if membership is None:
                    raise Http404
                services.revoke_role(
                    actor=request.user,
                    user=membership.user,
                    organisation=selected,
                    role=membership.role,
                )
                messages.success(
                    request,
                    _("%(person)s no longer holds the role %(role)s here.")
                    % {"person": membership.user, "role": membership.get_role_display()},
                )
                return redirect(here)
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(str(exc.message)) from exc
            show_domain_error(grant_form, exc)
    return render(
        request,
        "accounts/people.html",
        {
            "organisations": _with_depth(organisations),
            "selected": selected,
            "memberships": selectors.people_of(selected),
            "grant_form": grant_form,
        },
        status=422 if grant_form.errors else 200,
    )


def _warn_if_no_building(request: HttpRequest, identity: VerifiedIdentity) -> None:
    """The operator is told at once when the verified address names no building: the person
    is verified, but no territorial discussion can count them as a resident until it does."""
    if selectors.address_matches_no_building(identity):
        messages.warning(
            request,
            _(
                "The address “%(address)s” matches no building in the city's address register, "
                "so this person cannot take part in territorial discussions as a resident. "
                "Check the street and house number and correct the address below."
            )
            % {"address": identity.registered_address},
        )


@staff_required(Role.OPERATOR)
def verify_identity(request: HttpRequest) -> HttpResponse:
    if not selectors.can_verify_in_person(request.user):
        raise PermissionDenied(_("Only operators of a service centre verify identities."))
    lookup = PersonLookupForm(request.GET if "q" in request.GET else None)
    results = selectors.find_people(lookup.cleaned_data["q"]) if lookup.is_valid() else []
    raw = request.POST.get("person") or request.GET.get("person") or ""
    person = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    form = None
    address_form = None
    if person is not None and request.POST.get("action") == "address":
        address_form = AddressCorrectionForm(request.POST, prefix="address")
        if address_form.is_valid():
            try:
                identity = services.correct_registered_address(
                    person=person,
                    address=address_form.cleaned_data["registered_address"],
                    actor=request.user,
                )
            except DomainError as exc:
                if exc.status == 403:
                    raise PermissionDenied(str(exc.message)) from exc
                show_domain_error(address_form, exc)
            else:
                if not selectors.address_matches_no_building(identity):
                    messages.success(
                        request,
                        _("The registered address is now %(address)s.")
                        % {"address": identity.registered_building},
                    )
                _warn_if_no_building(request, identity)
                return redirect(f"{reverse('accounts:verify')}?person={person.pk}")
    elif person is not None:
        initial = {
            "last_name": person.last_name,
            "first_name": person.first_name,
            "middle_name": person.middle_name,
        }
        form = DocumentCheckForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            attributes = VerifiedAttributes(
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                birth_date=data["birth_date"],
                document_number=data["document_number"],
                registered_address=data["registered_address"],
                rights=data["rights"],
            )
            try:
                identity = services.apply_verification(
                    person=person,
                    attributes=attributes,
                    method=VerifiedIdentity.Method.SERVICE_CENTRE,
                    actor=request.user,
                )
            except DomainError as exc:
                if exc.status == 403:
                    raise PermissionDenied(str(exc.message)) from exc
                show_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(person)s is verified: document %(document)s, age %(age)s.")
                    % {
                        "person": identity.full_name,
                        "document": identity.document_masked,
                        "age": identity.age_on(timezone.localdate()),
                    },
                )
                _warn_if_no_building(request, identity)
                return redirect(f"{reverse('accounts:verify')}?person={person.pk}")
    identity = selectors.identity_of(person) if person else None
    if identity is not None:
        services.note_identity_read(actor=request.user, person=person, page="accounts:verify")
    unmatched = selectors.address_matches_no_building(identity)
    if unmatched and address_form is None:
        address_form = AddressCorrectionForm(
            initial={"registered_address": identity.registered_address}, prefix="address"
        )
    return render(
        request,
        "accounts/verify.html",
        {
            "lookup": lookup,
            "results": results,
            "person": person,
            "identity": identity,
            "age": identity.age_on(timezone.localdate()) if identity else None,
            "form": form,
            "unmatched_address": unmatched,
            "address_form": address_form,
        },
        status=422 if any(f is not None and f.errors for f in (form, address_form)) else 200,
    )
