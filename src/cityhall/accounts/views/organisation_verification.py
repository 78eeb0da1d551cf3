"""The staff screen where a service-centre operator verifies a company or a public authority
from its register extract (``/accounts/verify/organisations/``): its name, kind, registration
number and address, from which its location in discussions is taken. Not the admin site."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.core.errors import DomainError

from .. import selectors, services
from ..forms import OrganisationCheckForm, OrganisationLookupForm
from ..models import Organisation, Role
from ..permissions import staff_required
from .form_errors import show_domain_error

__all__ = ["verify_organisation"]


@staff_required(Role.OPERATOR)
def verify_organisation(request: HttpRequest) -> HttpResponse:
    if not selectors.can_verify_in_person(request.user):
        raise PermissionDenied(_("Only operators of a service centre verify organisations."))
    lookup = OrganisationLookupForm(request.GET if "q" in request.GET else None)
    results = selectors.find_organisations(lookup.cleaned_data["q"]) if lookup.is_valid() else []
    raw = request.POST.get("organisation") or request.GET.get("organisation") or ""
    organisation = (
        Organisation.objects.filter(
            pk=int(raw), type__in=services.PARTICIPANT_ORGANISATION_TYPES
        ).first()
        if raw.isdigit()
        else None
    )
    form = None
    if organisation is not None:
        initial = {
            "name": organisation.name,
            "type": organisation.type,
            "ogrn": organisation.ogrn,
            "address": organisation.address,
        }
        form = OrganisationCheckForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                organisation = services.verify_organisation(
                    organisation=organisation,
                    name=data["name"],
                    type=data["type"],
                    ogrn=data["ogrn"],
                    address=data["address"],
                    actor=request.user,
                )
            except DomainError as exc:
                if exc.status == 403:
                    raise PermissionDenied(str(exc.message)) from exc
                show_domain_error(form, exc)
            else:
                messages.success(
                    request, _("%(organisation)s is verified.") % {"organisation": organisation}
                )
                if organisation.building is None:
                    messages.warning(
                        request,
                        _(
                            "The address “%(address)s” matches no building in the city's "
                            "address register, so the organisation has no location for "
                            "territorial discussions. Check the street and house number."
                        )
                        % {"address": organisation.address},
                    )
                here = reverse("accounts:verify_organisation")
                return redirect(f"{here}?organisation={organisation.pk}")
    return render(
        request,
        "accounts/verify_organisation.html",
        {
            "lookup": lookup,
            "results": results,
            "organisation": organisation,
            "representatives": selectors.representatives_of(organisation) if organisation else [],
            "form": form,
        },
        status=422 if form is not None and form.errors else 200,
    )
