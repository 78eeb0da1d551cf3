"""Background jobs of public discussions (huey). Tasks take ids and call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cityhall.core import jobs

from . import protocol, services
from .models import Discussion


@db_periodic_task(crontab(minute="*"))
def move_discussions_on_time() -> list:
    """Every minute: open expositions that start, close proposals after the deadline."""
    return services.run_scheduled_transitions()


@db_periodic_task(crontab(minute="15"))
def remind_before_deadlines() -> int:
    """Hourly: remind subscribers that proposals close within two days; remind followers
    (exposition open, deadline near, if they have not submitted) and everyone who submitted
    (conclusion published). Each reminder goes at most once: reruns send nothing new."""
    return services.send_deadline_reminders()


@db_task()
def tell_subscribers(discussion_id: int) -> int:
    discussion = Discussion.objects.filter(pk=discussion_id).first()
    return services.tell_subscribers(discussion=discussion) if discussion else 0


@db_task()
def tell_participants(discussion_id: int, status: str) -> int:
    discussion = Discussion.objects.filter(pk=discussion_id).first()
    return services.tell_participants(discussion=discussion, status=status) if discussion else 0


@db_task()
def generate_final_document(document_id: int) -> int:
    """Build the protocol or conclusion files; the page polls the row's progress."""
    return protocol.generate(document_id).pk


jobs.declare("discussions.tell_subscribers", tell_subscribers)
jobs.declare("discussions.tell_participants", tell_participants)
jobs.declare("discussions.generate_final_document", generate_final_document)
