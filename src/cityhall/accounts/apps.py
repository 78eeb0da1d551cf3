from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cityhall.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from cityhall.core.shell import (
            CabinetSection,
            WorkspaceEntry,
            register_entry,
            register_section,
        )

        from . import tasks  # noqa: F401  (declares the background jobs)
        from .cabinet import profile_items
        from .models import Role
        from .selectors import can_import_register, can_verify_in_person

        register_entry(
            WorkspaceEntry(
                key="accounts.people",
                title=_("People and roles"),
                url_name="accounts:people",
                roles=[Role.ADMINISTRATOR],
                description=_("Who works in your organisations; grant and revoke roles."),
                order=90,
            )
        )
        register_entry(
            WorkspaceEntry(
                key="accounts.verify",
                title=_("Identity verification"),
                url_name="accounts:verify",
                roles=[Role.OPERATOR],
                visible_to=can_verify_in_person,
                description=_("Check a resident's identity document in person."),
                order=80,
            )
        )
        register_entry(
            WorkspaceEntry(
                key="accounts.verify_organisation",
                title=_("Verifying organisations"),
                url_name="accounts:verify_organisation",
                roles=[Role.OPERATOR],
                visible_to=can_verify_in_person,  # service-centre operators, as the page checks
                description=_(
                    "Check a company's or public authority's register extract and record "
                    "its address."
                ),
                order=81,
            )
        )
        register_entry(
            WorkspaceEntry(
                key="accounts.register_imports",
                title=_("Verification registers"),
                url_name="accounts:register_imports",
                roles=[Role.ADMINISTRATOR],
                visible_to=can_import_register,
                description=_(
                    "Import a register of people that verifies matching accounts and future "
                    "sign-ups."
                ),
                order=91,
            )
        )
        register_section(
            CabinetSection(
                key="profile",
                title=_("My profile and verification"),
                items=profile_items,
                order=5,
                url_name="accounts:profile",
            )
        )
