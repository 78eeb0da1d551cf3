from django.contrib import admin

from .models import SupportTicket


@admin.register(SupportTicket)
class SupportTicketAdmin(admin.ModelAdmin):
    """Read-only: tickets are answered on the support desk (/staff/support/), which sends the
    answer and audits it; an answer typed here would reach nobody."""

    list_display = ("number", "created_at", "topic", "name", "email", "status")
    list_filter = ("status", "topic")
    search_fields = ("number", "name", "email", "message")
    readonly_fields = (
        "number",
        "author",
        "name",
        "email",
        "topic",
        "page_url",
        "message",
        "language",
        "status",
        "answer",
        "answered_at",
        "answered_by",
    )
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False
