"""Notification pages: a person's notifications and channel choices; administrators' delivery
problems. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.selectors import has_role
from cityhall.core.errors import DomainError, NotFound
from cityhall.core.shell import CabinetItem

from . import selectors, services
from .channels import push_public_key
from .forms import ChannelPreferencesForm
from .models import Message

PAGE_SIZE = 20
PROBLEMS_PAGE_SIZE = 50


def cabinet_items(user) -> list[CabinetItem]:
    """The cabinet overview: the five latest notifications, unread ones marked."""
    return [
        CabinetItem(
            title=message.subject,
            status=_("Unread") if message.is_unread else "",
            url=reverse("notifications:detail", args=[message.pk]),
            when=message.created_at,
        )
        for message in selectors.inbox(user)[:5]
    ]


def _forbidden(request):
    return render(request, "portal/forbidden.html", status=403)


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
def inbox_list(request):
    page = Paginator(selectors.inbox(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@login_required
def message_detail(request, message_id: int):
    """Opening a notification marks it read."""
    try:
        message = services.mark_read(user=request.user, message_id=message_id)
    except NotFound:
        return render(request, "notifications/not_found.html", status=404)
    return render(request, "notifications/detail.html", {"message": message})


@login_required
@require_POST
def mark_read(request, message_id: int):
    try:
        services.mark_read(user=request.user, message_id=message_id)
    except NotFound:
        return render(request, "notifications/not_found.html", status=404)
    return _back(request, "notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return _back(request, "notifications:list")


@login_required
def preferences(request):
    choices = selectors.channel_choices(request.user)
    form = ChannelPreferencesForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_channel_preferences(user=request.user, enabled=form.cleaned_data)
        except DomainError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    status = 422 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "rows": [
                (choice, form[choice.code] if choice.code in form.fields else None)
                for choice in choices
            ],
            "push_key": push_public_key(),
            "push_devices": selectors.push_device_count(request.user),
        },
        status=status,
    )


@login_required
def problems(request):
    if not has_role(request.user, "administrator"):
        return _forbidden(request)
    status = request.GET.get("status", "")
    rows = selectors.delivery_problems(status or None)
    page = Paginator(rows, PROBLEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/problems.html",
        {
            "page": page,
            "status": status if status in Message.PROBLEMS else "",
            "statuses": [(s, Message.Status(s).label) for s in Message.PROBLEMS],
        },
    )


@login_required
@require_POST
def retry(request, message_id: int):
    if not has_role(request.user, "administrator"):
        return _forbidden(request)
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return render(request, "notifications/not_found.html", status=404)
    try:
        services.retry_message(actor=request.user, message=message)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Message %(id)s is queued for another attempt.") % {"id": message.pk}
        )
    return _back(request, "notifications:problems")
