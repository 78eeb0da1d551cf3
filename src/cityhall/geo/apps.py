from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "cityhall.geo"
    label = "geo"
    verbose_name = _("Districts and buildings")

    def ready(self) -> None:
        # Not domain flow: these only drop the in-process indexes of boundaries and building
        # points on any change, however it was made (service, fixture, data migration).
        from . import area_index, building_index

        area_index.connect_signals()
        building_index.connect_signals()
