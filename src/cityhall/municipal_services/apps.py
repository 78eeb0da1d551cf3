from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalServicesConfig(AppConfig):
    name = "cityhall.municipal_services"
    label = "municipal_services"
    verbose_name = _("Municipal services")
