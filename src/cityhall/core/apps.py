from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cityhall.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import security, tasks  # noqa: F401 - the deploy check, the inbox safety-net job
        from .audit_checkpoints import declare_dataset

        declare_dataset()
