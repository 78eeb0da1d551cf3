from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import inbox, services
from .models import AuditRecord, CalendarDay, InboxItem


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened (audit, receipts, outbox, signatures, the public record):
    looked at in the admin, changed only through the services, never here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    """Read-only: nothing in the audit trail can be changed through the app."""

    list_display = (
        "chain",
        "seq",
        "created_at",
        "actor_repr",
        "action",
        "object_type",
        "object_id",
    )
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_repr", "action")
    readonly_fields = [f.name for f in AuditRecord._meta.fields]


@admin.register(InboxItem)
class InboxItemAdmin(ReadOnlyAdmin):
    """Received submissions and what became of them; read-only (the inbox worker writes)."""

    list_display = ("id", "kind", "state", "received_at", "processed_at", "ref", "attempts")
    list_filter = ("state", "kind")
    search_fields = ("token", "ref")
    readonly_fields = [f.name for f in InboxItem._meta.fields]
    actions = ["requeue"]

    @admin.action(description=_("Register the selected failed items again"))
    def requeue(self, request, queryset):
        count = inbox.requeue(
            actor=request.user,
            ids=queryset.filter(state=InboxItem.FAILED).values_list("pk", flat=True),
        )
        self.message_user(request, _("%(count)d item(s) requeued.") % {"count": count})


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Officials override the holiday library; changes go through the service (audited)."""

    list_display = ("date", "is_working", "name", "region")
    list_filter = ("is_working", "region")
    fields = ("date", "is_working", "name", "region")

    def save_model(self, request, obj, form, change):
        day = services.set_calendar_day(
            actor=request.user,
            date=obj.date,
            is_working=obj.is_working,
            name=obj.name,
            region=obj.region,
        )
        obj.pk = day.pk
        messages.info(request, _("The business calendar was updated."))

    def delete_model(self, request, obj):
        services.clear_calendar_day(actor=request.user, date=obj.date)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.clear_calendar_day(actor=request.user, date=obj.date)
