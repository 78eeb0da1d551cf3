from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "cityhall.discussions"
    label = "discussions"
    verbose_name = _("Public discussions")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from cityhall.core import inbox
        from cityhall.core.places import register_building_section
        from cityhall.core.shell import (
            CabinetSection,
            WorkspaceEntry,
            register_entry,
            register_section,
        )

        from . import (
            intake,
            tasks,  # noqa: F401  (registers the periodic jobs)
        )
        from .eligibility import OPEN_DISCUSSIONS
        from .events import declare_events
        from .models import Discussion
        from .selectors.record import cabinet_items
        from .selectors.territory import (
            concerning_my_address_items,
            discussions_section,
        )

        declare_events()
        from cityhall.core.file_purposes import register_purpose

        from .file_access import purposes
        from .uploads import MAX_ATTACHMENT_BYTES, MAX_DOCUMENT_BYTES

        for purpose in purposes(
            attachment_bytes=MAX_ATTACHMENT_BYTES, document_bytes=MAX_DOCUMENT_BYTES
        ):
            register_purpose(purpose)
        from .opendata import declare_datasets

        declare_datasets()
        inbox.register(intake.KIND, intake.handle)
        OPEN_DISCUSSIONS.connect_signals()
        m2m_changed.connect(
            OPEN_DISCUSSIONS.mark_changed,
            sender=Discussion.districts.through,
            dispatch_uid="discussions-open-districts",
        )
        register_section(
            CabinetSection(
                key="discussions",
                title=_("My proposals in public discussions"),
                items=cabinet_items,
                order=30,
                url_name="discussions:list",
                empty_text=_("You have not taken part in public discussions yet."),
            )
        )
        register_section(
            CabinetSection(
                key="discussions-my-address",
                title=_("Discussions that concern my address"),
                items=concerning_my_address_items,
                order=31,
                url_name="discussions:my_address",
                empty_text=_(
                    "No discussion announced or open now includes your registered address."
                ),
            )
        )
        register_building_section("discussions", discussions_section, order=30)
        register_entry(
            WorkspaceEntry(
                key="discussions-manage",
                title=_("Public discussions"),
                url_name="discussions:manage",
                roles=["organiser", "administrator"],
                description=_("Notices, documents, offline proposals, protocol and conclusion."),
                order=30,
            )
        )
        register_entry(
            WorkspaceEntry(
                key="discussions-moderation",
                title=_("Moderation of discussions"),
                url_name="discussions:moderation",
                roles=["moderator", "organiser"],
                description=_("Reported proposals and comments."),
                order=31,
            )
        )
        register_entry(
            WorkspaceEntry(
                key="discussions-questions",
                title=_("Questions to experts"),
                url_name="discussions:questions",
                roles=["expert"],
                description=_("Participants' questions awaiting a public answer."),
                order=32,
            )
        )
