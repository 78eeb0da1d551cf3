"""Admin: administrators configure document types (the legal bounds of each procedure) and
answer templates as data; the record itself (discussions, proposals, history) is read here,
changed only through the services."""

from django.contrib import admin

from cityhall.core.admin import ReadOnlyAdmin

from .models import (
    AnswerTemplate,
    Discussion,
    DocumentType,
    FinalDocument,
    Follow,
    InitiationRequest,
    ModerationAction,
    Proposal,
    RecommendationTemplate,
    StatusChange,
    Subscription,
)


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "min_notice_days",
        "max_days_to_conclusion",
        "min_exposition_days",
        "max_exposition_days",
        "terms_in_working_days",
        "is_active",
    )
    list_editable = ("is_active",)
    search_fields = ("name", "code")


@admin.register(RecommendationTemplate)
class RecommendationTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "recommendation")
    search_fields = ("title", "text")


@admin.register(Discussion)
class DiscussionAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "document_type", "organiser", "status", "proposal_count")
    list_filter = ("status", "document_type")
    search_fields = ("number", "title")
    list_select_related = ("document_type", "organiser")


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("discussion", "number", "kind", "channel", "registered_at", "visibility")
    list_filter = ("kind", "channel", "visibility")
    list_select_related = ("discussion",)
    show_full_result_count = False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("email", "district", "suburb", "place", "document_type", "is_active")
    list_filter = ("is_active", "document_type")
    search_fields = ("email", "place")
    list_select_related = ("district", "suburb", "document_type")


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ("discussion", "user", "created_at")
    list_select_related = ("discussion", "user")


for model in (StatusChange, ModerationAction, FinalDocument, InitiationRequest):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    """Experts' reusable answers for the questions desk's bulk answer."""

    list_display = ("title", "updated_at")
    search_fields = ("title", "text")
