"""Officials edit service definitions here. Drafts only: a published or retired version is shown
read-only and cannot be saved (the service layer refuses it too); "publish" validates the whole
definition and shows every problem beside its field; each draft links to a live preview."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.models import Organisation
from cityhall.core.admin import ReadOnlyAdmin
from cityhall.core.errors import DomainError

from . import selectors, services
from .definition import problems_of
from .models import (
    Application,
    ApplicationSignature,
    Consultation,
    LifeSituation,
    LifeSituationStep,
    LifeSituationVersion,
    Registry,
    RegistryRecord,
    Service,
    ServiceVersion,
    StandardRequest,
    StandardRequestType,
    WidgetHandoff,
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
    change_form_template = "admin/municipal_services/serviceversion/change_form.html"
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
    actions = ["export_definition"]

    @admin.action(description=_("Export the definition (JSON file)"))
    def export_definition(self, request, queryset):
        service = queryset.first()
        data = selectors.export_service(service)
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{service.code}.json"'
        return response

    def get_urls(self):
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="municipal_services_service_import",
            )
        ]
        return extra + super().get_urls()

    def import_view(self, request):
        """Import a definition file as a new draft (or published) version."""
        if not self.has_add_permission(request):
            raise PermissionError
        errors: list[str] = []
        if request.method == "POST":
            try:
                data = json.loads(request.FILES["file"].read().decode("utf-8"))
            except (KeyError, ValueError, UnicodeDecodeError):
                errors.append(str(_("The file is not readable JSON.")))
            else:
                department = Organisation.objects.filter(
                    pk=request.POST.get("department") or 0
                ).first()
                try:
                    version = services.import_service(
                        actor=request.user,
                        data=data,
                        department=department,
                        publish=bool(request.POST.get("publish")),
                    )
                except DomainError as exc:
                    errors.append(str(exc.message))
                    errors += [f"{k}: {m}" for k, v in exc.fields.items() for m in v]
                else:
                    self.message_user(request, f"{version}: {_('imported')}")
                    return redirect("admin:municipal_services_serviceversion_change", version.pk)
        return TemplateResponse(
            request,
            "admin/municipal_services/service/import.html",
            {
                **self.admin_site.each_context(request),
                "errors": errors,
                "departments": Organisation.objects.filter(
                    type=Organisation.Type.EXECUTIVE_DEPARTMENT
                ),
                "title": _("Import a service definition"),
            },
        )


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


@admin.register(LifeSituationVersion)
class LifeSituationVersionAdmin(admin.ModelAdmin):
    """Read-only: versions change only in the designer (drafts) and by publishing."""

    list_display = ("situation", "number", "status", "published_at")
    list_filter = ("status",)
    inlines = [StepInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StandardRequestType)
class StandardRequestTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "__str__", "addressee", "answer_days")


@admin.register(StandardRequest)
class StandardRequestAdmin(admin.ModelAdmin):
    list_display = ("type", "application", "addressee", "status", "sent_at", "due_at")
    list_filter = ("status", "type")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApplicationSignature)
class ApplicationSignatureAdmin(ReadOnlyAdmin):
    list_display = ("application", "signer", "method", "channel", "signed_at", "digest")
    list_filter = ("method", "channel")
    search_fields = ("application__number", "digest")
    list_select_related = ("application", "signer")


@admin.register(WidgetHandoff)
class WidgetHandoffAdmin(ReadOnlyAdmin):
    list_display = ("site", "service", "created_at", "expires_at", "claimed_at", "application")
    list_filter = ("site",)
    list_select_related = ("site", "service", "application")
    exclude = ("answers",)  # personal data, kept only until the person continues


admin.site.register(WidgetSite)


@admin.register(Registry)
class RegistryAdmin(admin.ModelAdmin):
    """Officials name the registers (ru/tt/en) the services record into."""

    list_display = ("code", "__str__")
    search_fields = ("code",)


@admin.register(RegistryRecord)
class RegistryRecordAdmin(admin.ModelAdmin):
    list_display = ("registry", "number", "title", "holder", "cadastral_number", "issued_on")
    list_filter = ("registry",)
    search_fields = ("number", "cadastral_number")


admin.site.register(Consultation)
