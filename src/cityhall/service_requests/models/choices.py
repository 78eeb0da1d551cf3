"""The vocabularies of resident requests: statuses (and which are open, closed or timed),
channels, applicant kinds and the units of a stage's time limit.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "TIMED_STATUSES",
    "ApplicantKind",
    "Channel",
    "LimitUnit",
    "Status",
]


class Status(models.TextChoices):
    NEW = "new", _("Awaiting dispatcher")
    ROUTED = "routed", _("Sent to the organisation")
    ACCEPTED = "accepted", pgettext_lazy("request status", "Accepted")
    IN_WORK = "in_work", _("In work")
    DONE = "done", _("Done, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another request")


OPEN_STATUSES = (Status.NEW, Status.ROUTED, Status.ACCEPTED, Status.IN_WORK)
CLOSED_STATUSES = (Status.DONE, Status.CONFIRMED, Status.REJECTED, Status.MERGED)
#: Statuses whose time runs against a limit (the "stages" of a request).
TIMED_STATUSES = (Status.NEW, Status.ROUTED, Status.ACCEPTED, Status.IN_WORK)


class Channel(models.TextChoices):
    WEB = "web", _("Web site")
    OPERATOR = "operator", _("Call centre")
    OPEN311 = "open311", _("Open311 API")


class ApplicantKind(models.TextChoices):
    PERSON = "person", pgettext_lazy("applicant type", "Person")
    ORGANISATION = "organisation", _("Organisation")


class LimitUnit(models.TextChoices):
    #: Emergencies ("people stuck in a lift": a dispatcher within 15 minutes) run in minutes.
    CALENDAR_MINUTES = "calendar_minutes", _("calendar minutes")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_HOURS = "calendar_hours", _("calendar hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
