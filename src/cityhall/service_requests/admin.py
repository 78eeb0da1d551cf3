"""Officials edit the catalogue, areas of responsibility and Open311 clients here.

A category version that a request already uses cannot be changed: add a new version instead
(it becomes current; open requests keep the one they started on)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from cityhall.core import audit
from cityhall.core.admin import ReadOnlyAdmin
from cityhall.core.errors import InvalidInput

from . import services
from .models import (
    BuildingManagement,
    Category,
    CategoryVersion,
    DispatchCentre,
    HandoverPartner,
    Open311Client,
    ResponsibilityArea,
    ServiceRequest,
    StageLimit,
)


class StageLimitInline(admin.TabularInline):
    model = StageLimit
    extra = 0


class CategoryVersionForm(forms.ModelForm):
    """Refuses questions nobody can answer (see ``services.check_questions``)."""

    class Meta:
        model = CategoryVersion
        fields = ["category", "attributes"]

    def clean_attributes(self):
        attributes = self.cleaned_data.get("attributes") or []
        try:
            services.check_questions(attributes)
        except InvalidInput as exc:
            raise forms.ValidationError(list((exc.fields or {}).get("attributes", []))) from exc
        return attributes


@admin.register(CategoryVersion)
class CategoryVersionAdmin(admin.ModelAdmin):
    form = CategoryVersionForm
    list_display = ["category", "number", "created_at"]
    list_filter = ["category"]
    inlines = [StageLimitInline]
    readonly_fields = ["number", "created_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and ServiceRequest.objects.filter(category_version=obj).exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            last = CategoryVersion.objects.filter(category=obj.category).aggregate(n=Max("number"))
            obj.number = (last["n"] or 0) + 1
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        version = form.instance
        with transaction.atomic():
            Category.objects.filter(pk=version.category_id).update(current_version=version)
            audit.record(
                actor=request.user,
                action="service_requests.category_published",
                target=version.category,
                after={"version": version.number},
            )
        services.forget_catalogue()


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "is_emergency", "responsible_type", "is_active"]
    list_filter = ["is_emergency", "responsible_type", "is_active"]
    search_fields = ["code", "name_ru", "name_en"]
    readonly_fields = ["current_version"]


@admin.register(ResponsibilityArea)
class ResponsibilityAreaAdmin(admin.ModelAdmin):
    list_display = ["category", "organisation", "building", "district"]
    list_filter = ["category"]
    raw_id_fields = ["building"]


@admin.register(BuildingManagement)
class BuildingManagementAdmin(admin.ModelAdmin):
    list_display = ["building", "organisation"]
    raw_id_fields = ["building"]
    search_fields = ["building__address", "organisation__name"]


admin.site.register(DispatchCentre)


@admin.register(HandoverPartner)
class HandoverPartnerAdmin(ReadOnlyAdmin):
    """Allowed and withdrawn by the committee's dispatchers on their page (audited)."""

    list_display = ["organisation", "partner", "allowed_by", "created_at"]


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "is_active", "created_at"]
    fields = ["name", "is_active"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        client, key = services.create_open311_client(name=obj.name, actor=request.user)
        obj.pk = client.pk
        obj.__dict__.update(client.__dict__)
        messages.warning(
            request,
            _("The api_key of %(name)s is %(key)s — copy it now, it is not shown again.")
            % {"name": client.name, "key": key},
        )


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["number", "category", "status", "organisation", "created_at"]
    list_filter = ["status", "channel"]
    search_fields = ["number"]
    raw_id_fields = ["building", "author", "parent", "executor", "entered_by"]
    list_select_related = ["category", "organisation"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # status moves only through the workflow pages

    def has_add_permission(self, request):
        return False
