"""The person's API tokens: list them (name, scopes, expiry, last use), create one (shown
once) and revoke any. Administrators see and revoke everyone's in the admin site."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .. import selectors, tokens
from ..forms import ApiTokenForm
from ..models import ApiToken, User

__all__ = ["api_tokens"]


@login_required
@never_cache
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = User.objects.get(pk=request.user.pk)
    may_staff = selectors.needs_second_factor(user)
    form = ApiTokenForm(request.POST or None, may_staff=may_staff)
    created = ""
    status = 200
    if request.method == "POST" and request.POST.get("revoke"):
        token = get_object_or_404(ApiToken, pk=request.POST["revoke"], user=user)
        tokens.revoke_api_token(actor=user, token=token)
        messages.success(request, _("The token is revoked."))
        return redirect("accounts:api_tokens")
    if request.method == "POST":
        if form.is_valid():
            days = int(form.cleaned_data["days"])
            created = tokens.create_api_token(
                user=user,
                actor=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
            )
            form = ApiTokenForm(may_staff=may_staff)
            status = 201
        else:
            status = 422
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
            "now": timezone.now(),
        },
        status=status,
    )
