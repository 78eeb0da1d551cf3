from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "cityhall.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from cityhall.core.shell import (
            CabinetSection,
            WorkspaceEntry,
            register_entry,
            register_section,
        )

        from .notices import declare_events
        from .support_desk import cabinet_items

        declare_events()
        register_section(
            CabinetSection(
                key="support",
                title=_("My support tickets"),
                items=cabinet_items,
                order=85,
                url_name="portal:my_tickets",
                empty_text=_("You have not written to the administrators."),
            )
        )
        register_entry(
            WorkspaceEntry(
                key="support-desk",
                title=_("Support desk"),
                url_name="portal:support_desk",
                roles=["administrator"],
                description=_(
                    "Questions and problems sent through the feedback form: answer them."
                ),
                order=890,
            )
        )
