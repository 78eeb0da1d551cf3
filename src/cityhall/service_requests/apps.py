from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceRequestsConfig(AppConfig):
    name = "cityhall.service_requests"
    label = "service_requests"
    verbose_name = _("Resident requests")

    def ready(self) -> None:
        from cityhall.core import inbox
        from cityhall.core.shell import (
            CabinetSection,
            WorkspaceEntry,
            register_entry,
            register_section,
        )

        from . import services, tasks  # noqa: F401 - tasks registers the periodic jobs
        from .notices import declare_events
        from .services import intake
        from .views.resident import cabinet_items

        declare_events()
        from cityhall.core.file_purposes import register_purpose

        from .photo_access import declare_purpose

        register_purpose(declare_purpose())
        from .opendata import declare_datasets

        declare_datasets()
        inbox.register(intake.KIND, intake.register_requests)
        from cityhall.core.places import register_building_section

        from .building_page import requests_about_building

        register_building_section("requests", requests_about_building, order=10)
        services.open311_clients.connect_signals()
        register_section(
            CabinetSection(
                key="requests",
                title=_("My requests"),
                items=cabinet_items,
                order=20,
                url_name="service_requests:mine",
                empty_text=_("You have not reported any problem yet."),
            )
        )
        for entry in (
            WorkspaceEntry(
                key="requests-operator",
                title=_("Call centre: new request"),
                url_name="service_requests:operator",
                roles=["operator"],
                description=_("Take a request by phone, find the caller's earlier requests."),
                order=20,
            ),
            WorkspaceEntry(
                key="requests-board",
                title=_("Dispatcher board"),
                url_name="service_requests:board",
                roles=["dispatcher"],
                description=_("Unrouted and overdue requests, reassigning, merging."),
                order=21,
            ),
            WorkspaceEntry(
                key="requests-queue",
                title=_("Requests queue"),
                url_name="service_requests:queue",
                roles=["executor", "dispatcher", "operator"],
                description=_("Your organisation's requests: accept, work, report."),
                order=22,
            ),
            WorkspaceEntry(
                key="requests-reports",
                title=_("Requests: reports"),
                url_name="service_requests:reports",
                # Every organisation sees its own figures (service_requests.reporting).
                roles=["dispatcher", "decision_maker", "administrator", "executor", "operator"],
                description=_("Counts, timeliness and reopen rate by district, organisation…"),
                order=23,
            ),
            WorkspaceEntry(
                key="requests-catalogue",
                title=_("Request catalogue"),
                url_name="service_requests:catalogue",
                roles=["administrator", "service_designer"],
                description=_("Categories, their questions, time limits and emergency guidance."),
                order=24,
            ),
        ):
            register_entry(entry)
