"""The organiser's territory form: draw on the map, pick districts, suburbs and buildings, or
upload a GeoJSON file; the territory is the union of all of them (services.territory).

Without JavaScript every way but drawing works as plain fields; the drawing is a GeoJSON
text field the map fills in (and that shows the current territory, so saving keeps it).
"""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.geo import selectors as geo
from cityhall.geo.models import District, Suburb

__all__ = ["TerritoryForm"]

MAX_BUILDINGS = 200


class TerritoryForm(forms.Form):
    drawn = forms.CharField(
        label=gettext_lazy("Territory drawn on the map (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "The map fills this in as you draw; it holds the current territory. Empty it to "
            "start again."
        ),
    )
    districts = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Whole districts"),
        queryset=District.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    suburbs = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Suburbs"),
        queryset=Suburb.objects.select_related("district").order_by("district__name", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    buildings = forms.CharField(
        label=gettext_lazy("Buildings (one address per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Each building's plot counts as a 60 m square around it."),
    )
    upload = forms.FileField(
        label=gettext_lazy("GeoJSON file"),
        required=False,
        help_text=gettext_lazy(
            "Polygons in longitude/latitude (WGS 84), as exported by QGIS or geojson.io."
        ),
    )
    territory_description = forms.CharField(
        label=gettext_lazy("Territory in words"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("For example: the block between Баумана, Кремлёвская and Пушкина."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].label_from_instance = lambda d: d.display_name
        self.fields["suburbs"].label_from_instance = lambda s: (
            f"{s.display_name} ({s.district.display_name})"
        )

    def clean_drawn(self):
        text = self.cleaned_data.get("drawn", "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("This is not valid GeoJSON.")) from None
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        return value

    def clean_buildings(self):
        lines = [line.strip() for line in self.cleaned_data.get("buildings", "").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_BUILDINGS:
            raise forms.ValidationError(
                _("At most %(n)s buildings; upload a GeoJSON file for a bigger territory.")
                % {"n": MAX_BUILDINGS}
            )
        found, unknown = [], []
        for line in lines:
            building = geo.find_building(line)
            if building is None:
                unknown.append(line)
            else:
                found.append(building)
        if unknown:
            raise forms.ValidationError(
                _("These addresses are not in the city's register: %(addresses)s.")
                % {"addresses": "; ".join(a[:100] for a in unknown[:10])}
            )
        return found

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        from .services.territory import MAX_TERRITORY_FILE_BYTES

        if upload.size > MAX_TERRITORY_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB; simplify the boundary.")
                % {"mb": MAX_TERRITORY_FILE_BYTES // (1024 * 1024)}
            )
        return upload.read()
