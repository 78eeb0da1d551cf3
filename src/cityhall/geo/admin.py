"""Admin for districts, suburbs and buildings. Forms validate with the services' own checks and
saving goes through the services, so every change is checked the same way and audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cityhall.core.errors import DomainError, InvalidInput

from . import services
from .addresses import normalise_address
from .models import Building, District, Suburb


def _add_errors(form: forms.ModelForm, exc: InvalidInput) -> None:
    for name, messages_ in exc.fields.items():
        target = name if name in form.fields else None
        if name == "location" and "lat" in form.fields:
            target = "lat"
        for message in messages_:
            form.add_error(target, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class AreaForm(forms.ModelForm):
    kind = "district"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        code = data.get("code") or getattr(self.instance, "code", "")
        try:
            services.check_area(
                kind=self.kind,
                code=code,
                name=data.get("name", ""),
                geometry=data.get("geometry"),
                district=data.get("district"),
            )
        except InvalidInput as exc:
            _add_errors(self, exc)
        return data


class DistrictForm(AreaForm):
    kind = "district"

    class Meta:
        model = District
        fields = ["code", "name", "name_tt", "name_en", "geometry"]


class SuburbForm(AreaForm):
    kind = "suburb"

    class Meta:
        model = Suburb
        fields = ["code", "name", "name_tt", "name_en", "district", "geometry"]


class AreaAdmin(admin.ModelAdmin):
    kind = "district"
    search_fields = ("code", "name", "name_tt", "name_en")
    readonly_fields = ("min_lon", "min_lat", "max_lon", "max_lat")

    def get_readonly_fields(self, request, obj=None):
        # The code is how imports find an area again: it is fixed once created.
        return (*self.readonly_fields, "code") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        area = services.save_area(
            actor=request.user,
            kind=self.kind,
            code=obj.code,
            name=data["name"],
            geometry=data["geometry"],
            district=data.get("district"),
            name_tt=data.get("name_tt", ""),
            name_en=data.get("name_en", ""),
        )
        obj.pk = area.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            services.delete_area(actor=request.user, area=obj)
        except DomainError as exc:
            messages.error(request, str(exc.message))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(District)
class DistrictAdmin(AreaAdmin):
    form = DistrictForm
    kind = "district"
    list_display = ("name", "code", "name_en", "suburb_total", "building_total")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                suburb_total=Count("suburbs", distinct=True),
                building_total=Count("buildings", distinct=True),
            )
        )

    @admin.display(description=_("suburbs"), ordering="suburb_total")
    def suburb_total(self, obj):
        return obj.suburb_total

    @admin.display(description=_("buildings"), ordering="building_total")
    def building_total(self, obj):
        return obj.building_total


@admin.register(Suburb)
class SuburbAdmin(AreaAdmin):
    form = SuburbForm
    kind = "suburb"
    list_display = ("name", "code", "district")
    list_filter = ("district",)
    list_select_related = ("district",)


BUILDING_FIELDS = [
    "street",
    "house",
    "lat",
    "lon",
    "cadastral_number",
    "floors",
    "apartments",
    "year_built",
]


class BuildingForm(forms.ModelForm):
    class Meta:
        model = Building
        fields = BUILDING_FIELDS

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_building(
                exclude=self.instance if self.instance.pk else None,
                **{name: data.get(name) for name in BUILDING_FIELDS},
            )
        except InvalidInput as exc:
            _add_errors(self, exc)
        return data


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    form = BuildingForm
    list_display = ("address", "district", "suburb", "floors", "year_built", "cadastral_number")
    list_filter = ("district",)
    list_select_related = ("district", "suburb")
    search_fields = ("address", "cadastral_number")
    fields = (*BUILDING_FIELDS, "address", "district", "suburb")
    readonly_fields = ("address", "district", "suburb")
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """Finds "Баумана 5" as well as "ул. Баумана, д. 5"."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        key = normalise_address(search_term)
        if key:
            results = results | queryset.filter(address_normalised__contains=key)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in BUILDING_FIELDS}
        if change:
            building = services.update_building(actor=request.user, building=obj, **data)
        else:
            building = services.create_building(actor=request.user, **data)
        obj.pk = building.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            services.delete_building(actor=request.user, building=obj)
        except DomainError as exc:
            messages.error(request, str(exc.message))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
