from django.contrib import admin

from .models import SupportTicket


@admin.register(SupportTicket)
class SupportTicketAdmin(admin.ModelAdmin):
    list_display = ("number", "created_at", "topic", "name", "email", "status")
    list_filter = ("status", "topic")
    search_fields = ("number", "name", "email", "message")
    readonly_fields = ("number", "author", "name", "email", "topic", "page_url", "message")
    fields = readonly_fields + ("status", "answer")
