"""What the desks behind a discussion keep: the sections of the project document that
participants attach proposals to (participatory texts), experts' reusable answers, and which
expert a question is assigned to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import TimeStampedModel

from .discussion import Discussion


class DocumentSection(models.Model):
    """A section or page of the project document a participant may attach a proposal to.

    The organiser lists them (``services.set_sections``); a section that has proposals is never
    removed, only renamed, so the record keeps what each proposal was about. Its ``reference``
    is how the document names it ("п. 3.2", "стр. 14"); questions desks use sections as topics.
    """

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    reference = models.CharField(_("section or page"), max_length=50)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["discussion_id", "position", "id"]
        verbose_name = _("section of the project")
        verbose_name_plural = _("sections of the project")
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "reference"], name="discussions_section_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class AnswerTemplate(TimeStampedModel):
    """A reusable answer text for experts' bulk answers to similar questions; data the
    organiser edits in the admin, never code."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("answer"))

    class Meta:
        ordering = ["title"]
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")

    def __str__(self) -> str:
        return self.title


class QuestionAssignment(models.Model):
    """Which expert of the organiser is to answer a question (one at a time; reassigning
    replaces the row, and every assignment is in the audit trail)."""

    question = models.OneToOneField(
        "discussions.Proposal", on_delete=models.CASCADE, related_name="assignment"
    )
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["expert", "assigned_at"])]

    def __str__(self) -> str:
        return f"question {self.question_id} → {self.expert_id}"
