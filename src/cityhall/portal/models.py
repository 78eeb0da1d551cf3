"""Portal models: feedback / technical-support tickets for administrators."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import TimeStampedModel


class SupportTicket(TimeStampedModel):
    """A question or problem sent through the feedback form; administrators answer it on the
    support desk (``portal.services.answer_support_ticket``), and the answer reaches the person
    by e-mail and, when they were signed in, in their cabinet."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    class Topic(models.TextChoices):
        QUESTION = "question", _("Question about the portal")
        TECHNICAL = "technical", _("Technical problem")
        ACCESSIBILITY = "accessibility", _("Accessibility problem")
        SUGGESTION = "suggestion", _("Suggestion")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_tickets",
        verbose_name=_("author"),
    )
    name = models.CharField(_("your name"), max_length=200)
    email = models.EmailField(_("e-mail for the answer"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    message = models.TextField(_("message"), max_length=5000)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    # The page's language when the ticket was sent: the answer to a person without an account
    # is written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")

    def __str__(self) -> str:
        return f"{self.number}: {self.get_topic_display()}"
