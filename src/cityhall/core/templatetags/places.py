"""``{% building_sections building %}``: what each app registered about a building
(core.places)."""

from __future__ import annotations

from django import template

from ..places import sections_for_building

register = template.Library()


@register.inclusion_tag("core/includes/building_sections.html")
def building_sections(building) -> dict:
    return {"sections": sections_for_building(building)}
