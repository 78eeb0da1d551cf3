from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "cityhall.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from cityhall.core.shell import (
            CabinetSection,
            WorkspaceEntry,
            register_entry,
            register_section,
        )

        from . import tasks  # noqa: F401 - declares the jobs that services start by name
        from .events import declare_platform_events
        from .views import cabinet_items

        declare_platform_events()
        register_section(
            CabinetSection(
                key="notifications",
                title=_("Notifications"),
                items=cabinet_items,
                order=90,
                url_name="notifications:list",
                empty_text=_("You have no notifications yet."),
            )
        )
        register_entry(
            WorkspaceEntry(
                key="notification-problems",
                title=_("Delivery problems"),
                url_name="notifications:problems",
                roles=["administrator"],
                description=_("Notifications that could not be delivered: errors and retries."),
                order=900,
            )
        )
        register_entry(
            WorkspaceEntry(
                key="notification-templates",
                title=_("Notification templates"),
                url_name="notifications:templates",
                roles=["administrator", "service_designer"],
                description=_("The wording of every notification in every language."),
                order=901,
            )
        )
