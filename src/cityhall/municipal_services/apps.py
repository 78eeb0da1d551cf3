from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalServicesConfig(AppConfig):
    name = "cityhall.municipal_services"
    label = "municipal_services"
    verbose_name = _("Municipal services")

    def ready(self) -> None:
        from cityhall.core import inbox
        from cityhall.core.file_purposes import register_purpose
        from cityhall.core.shell import (
            CabinetSection,
            WorkspaceEntry,
            register_entry,
            register_section,
        )

        from . import file_access, intake, notices

        for purpose in file_access.purposes():
            register_purpose(purpose)
        from .cabinet import my_applications
        from .opendata import declare_datasets

        notices.declare_events()
        declare_datasets()
        inbox.register(intake.KIND, intake.register_applications)
        register_section(
            CabinetSection(
                key="municipal_services",
                title=_("My applications for municipal services"),
                items=my_applications,
                order=30,
                url_name="municipal_services:my_applications",
                empty_text=_("You have not applied for a municipal service yet."),
            )
        )
        register_entry(
            WorkspaceEntry(
                key="municipal_services_desk",
                title=_("Municipal services: applications"),
                url_name="municipal_services:desk",
                roles=("operator", "expert", "decision_maker"),
                description=_("Document check, consideration, decisions, overdue applications."),
                order=30,
            )
        )
        register_entry(
            WorkspaceEntry(
                key="municipal_services_designer",
                title=_("Municipal services: designer"),
                url_name="service_designer:index",
                roles=("administrator", "service_designer"),
                description=_(
                    "Services' forms, variants, rules, stages and result documents; versions "
                    "checked before they are published."
                ),
                order=32,
            )
        )
        register_entry(
            WorkspaceEntry(
                key="municipal_services_statistics",
                title=_("Municipal services: statistics"),
                url_name="municipal_services:statistics",
                roles=("operator", "expert", "decision_maker", "administrator"),
                order=31,
            )
        )
