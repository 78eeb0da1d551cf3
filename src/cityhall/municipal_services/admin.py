"""Officials edit service definitions here. Drafts only: a published or retired version is shown
read-only and cannot be saved (the service layer refuses it too); "publish" validates the whole
definition and shows every problem beside its field; each draft links to a live preview."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cityhall.core.errors import DomainError

from . import services
from .definition import problems_of
from .models import (
    Application,
    Consultation,
    LifeSituation,
    LifeSituationStep,
    RegistryRecord,
    Service,
    ServiceVersion,
    StandardRequest,
    StandardRequestType,
    WidgetSite,
)


class ServiceVersionForm(forms.ModelForm):
    publish_now = forms.BooleanField(
        label=_("Publish after saving"),
        required=False,
        help_text=_("The definition is checked in full; problems are shown beside each part."),
    )

    class Meta:
        model = ServiceVersion
        fields = ["service", *ServiceVersion.DEFINITION_FIELDS]

    def clean(self):
        data = super().clean()
        definition = {k: data.get(k) for k in ServiceVersion.DEFINITION_FIELDS if k in data}
        problems = problems_of(definition)
        # A draft may be incomplete, but a form that is not JSON Schema is refused at once.
        blocking = (
            problems
            if data.get("publish_now")
            else {k: v for k, v in problems.items() if k == "form_schema"}
        )
        for name, messages_ in blocking.items():
            for message in messages_:
                self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(ServiceVersion)
class ServiceVersionAdmin(admin.ModelAdmin):
    form = ServiceVersionForm
    list_display = ("service", "number", "status", "published_at", "preview")
    list_filter = ("status",)
    search_fields = ("service__code",)
    readonly_fields = ("status", "published_at", "published_by", "preview")
    actions = ["publish"]

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        if not obj.pk:
            return ""
        url = reverse("municipal_services:preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("Preview the form"))

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        definition = {k: form.cleaned_data[k] for k in ServiceVersion.DEFINITION_FIELDS}
        if change:
            saved = services.update_draft(actor=request.user, version=obj, definition=definition)
        else:
            saved = services.create_draft(
                actor=request.user, service=form.cleaned_data["service"], definition=definition
            )
        obj.pk, obj.number = saved.pk, saved.number
        obj.refresh_from_db()
        if form.cleaned_data.get("publish_now"):
            services.publish_version(actor=request.user, version=saved)
            obj.refresh_from_db()

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                services.publish_version(actor=request.user, version=version)
            except DomainError as exc:
                details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
                self.message_user(
                    request, f"{version}: {exc.message} {details}", level=messages.ERROR
                )
            else:
                self.message_user(request, f"{version}: {_('published')}")


class VersionInline(admin.TabularInline):
    model = ServiceVersion
    fields = ("number", "status", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "__str__", "department", "is_active")
    search_fields = ("code",)
    inlines = [VersionInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("number", "service", "status", "channel", "submitted_at", "due_at")
    list_filter = ("status", "channel", "service")
    search_fields = ("number",)
    list_select_related = ("service",)
    raw_id_fields = ("applicant", "registered_by", "assignee", "version", "life_situation_case")

    def has_change_permission(self, request, obj=None):
        return False  # applications change only through the workflow


class StepInline(admin.TabularInline):
    model = LifeSituationStep
    extra = 1


@admin.register(LifeSituation)
class LifeSituationAdmin(admin.ModelAdmin):
    list_display = ("code", "__str__", "is_active")
    inlines = [StepInline]


@admin.register(StandardRequestType)
class StandardRequestTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "__str__", "addressee", "answer_days")


@admin.register(StandardRequest)
class StandardRequestAdmin(admin.ModelAdmin):
    list_display = ("type", "application", "addressee", "status", "sent_at", "due_at")
    list_filter = ("status", "type")

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(WidgetSite)
admin.site.register(RegistryRecord)
admin.site.register(Consultation)
