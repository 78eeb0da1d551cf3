"""Admin: officials edit template wording (each save is a new version, via the service);
messages, the delivery log and the SMS log are read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from cityhall.core.admin import ReadOnlyAdmin
from cityhall.core.errors import DomainError

from . import services
from .events import declared_events
from .models import (
    ChannelPreference,
    DeliveryAttempt,
    Message,
    NotificationTemplate,
    PushSubscription,
    SmsLog,
)


class NotificationTemplateForm(forms.ModelForm):
    event = forms.ChoiceField(label=_("event"))

    class Meta:
        model = NotificationTemplate
        fields = ("event", "language", "subject", "body", "short_text")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [
            (e.code, f"{e.code} — {e.description}") for e in declared_events()
        ]

    def clean(self):
        data = super().clean()
        errors = services.check_template_syntax(
            subject=data.get("subject", ""),
            body=data.get("body", ""),
            short_text=data.get("short_text", ""),
        )
        for field, field_errors in errors.items():
            for error in field_errors:
                self.add_error(field, error)
        return data


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    """Saving creates a new active version; the edited row itself is kept as history."""

    form = NotificationTemplateForm
    list_display = ("event", "language", "version", "is_active", "source", "subject", "updated_at")
    list_filter = ("is_active", "language", "source", "event")
    search_fields = ("event", "subject", "body")
    readonly_fields = ("version", "is_active", "source", "changed_by", "updated_at")
    actions = ["make_active"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            saved = services.save_template(
                actor=request.user,
                event=form.cleaned_data["event"],
                language=form.cleaned_data["language"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                short_text=form.cleaned_data.get("short_text", ""),
            )
        except DomainError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        obj.pk = saved.pk
        obj.refresh_from_db()
        messages.info(request, _("Saved as version %(version)s.") % {"version": saved.version})

    @admin.action(description=_("Make the selected version active"))
    def make_active(self, request, queryset):
        for template in queryset:
            services.activate_template(actor=request.user, template=template)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "started_at", "finished_at", "outcome", "error")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "event", "channel", "address", "recipient", "status", "attempts")
    list_filter = ("status", "channel", "event")
    search_fields = ("address", "event", "subject", "recipient__username")
    list_select_related = ("recipient",)
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now"]

    @admin.action(description=_("Retry delivery now"))
    def retry_now(self, request, queryset):
        done = 0
        for message in queryset.filter(status__in=Message.PROBLEMS):
            try:
                services.retry_message(actor=request.user, message=message)
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
                return
            done += 1
        self.message_user(request, _("%(count)d message(s) queued again.") % {"count": done})


@admin.register(SmsLog)
class SmsLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "phone", "text")
    search_fields = ("phone", "text")


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "channel", "enabled", "updated_at")
    list_filter = ("channel", "enabled")
    search_fields = ("user__username",)


@admin.register(PushSubscription)
class PushSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("user", "user_agent", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("user__username",)
