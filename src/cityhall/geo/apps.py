from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "cityhall.geo"
    label = "geo"
    verbose_name = _("Districts and buildings")

    def ready(self) -> None:
        # Not domain flow: this only drops the in-process boundary index (area_index.py) on
        # any change to a boundary, however it was made (service, fixture, data migration).
        from . import area_index
        from .models import District, Suburb

        for model in (District, Suburb):
            post_save.connect(area_index.mark_changed, sender=model, dispatch_uid=f"geo-{model}")
            post_delete.connect(
                area_index.mark_changed, sender=model, dispatch_uid=f"geo-del-{model}"
            )
