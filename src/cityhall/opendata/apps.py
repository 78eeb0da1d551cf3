from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "cityhall.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from cityhall.core.shell import WorkspaceEntry, register_entry

        from . import tasks  # noqa: F401 - the periodic generation
        from .generation import declare_events

        declare_events()

        register_entry(
            WorkspaceEntry(
                key="opendata",
                title=_("Open data"),
                url_name="opendata:staff",
                roles=("administrator",),
                description=_("Generate the open data sets and follow their progress."),
                order=90,
            )
        )
