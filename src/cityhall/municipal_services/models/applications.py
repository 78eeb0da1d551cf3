"""Applications (cases), their documents, the append-only event history and experts' opinions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityhall.core.models import TimeStampedModel

from .catalogue import Service, ServiceVersion


class Application(TimeStampedModel):
    """An application for one service and the case staff work on (one row, one workflow).

    The current ``status`` is kept in step by ``services.transition`` only; every move is an
    :class:`ApplicationEvent` row.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACCEPTANCE = "acceptance", _("Document check")
        RETURNED = "returned", _("Returned for corrections")
        CONSIDERATION = "consideration", _("Under consideration")
        DECISION = "decision", _("Awaiting decision")
        RESULT_ISSUED = "result_issued", _("Result issued")
        REFUSED = "refused", pgettext_lazy("application status", "Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (Status.ACCEPTANCE, Status.RETURNED, Status.CONSIDERATION, Status.DECISION)
    FINAL = (Status.RESULT_ISSUED, Status.REFUSED, Status.WITHDRAWN)

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal")
        SERVICE_CENTRE = "service_centre", _("Service centre (paper)")
        WIDGET = "widget", _("Widget on another portal")
        API = "api", _("API")

    number = models.CharField(_("number"), max_length=30, unique=True, null=True, blank=True)
    version = models.ForeignKey(
        ServiceVersion,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("service version"),
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="applications", verbose_name=_("service")
    )
    department = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="municipal_applications",
        verbose_name=_("department"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="municipal_applications",
        verbose_name=pgettext_lazy("service application", "applicant"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by (service centre)"),
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.PORTAL
    )
    widget_site = models.ForeignKey(
        "WidgetSite",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("widget site"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    variant = models.CharField(_("variant"), max_length=80, blank=True)
    proposed_decision = models.CharField(_("proposed decision"), max_length=20, blank=True)
    proposal_reason = models.TextField(_("reason of the proposal"), blank=True)
    decision_reasons = models.JSONField(_("decision reasons"), default=list, blank=True)
    return_reasons = models.JSONField(_("reasons of the return"), default=list, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("expert"),
    )
    life_situation_case = models.ForeignKey(
        "LifeSituationCase",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("life situation application"),
    )
    language = models.CharField(_("language"), max_length=5, default="ru")
    submitted_at = models.DateTimeField(pgettext_lazy("date", "submitted"), null=True, blank=True)
    stage_started_at = models.DateTimeField(_("stage started"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended since"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("date", "closed"), null=True, blank=True)
    location_lat = models.FloatField(_("latitude"), null=True, blank=True)
    location_lon = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="ms_app_desk"),
            models.Index(fields=["applicant", "-created_at"], name="ms_app_applicant"),
            models.Index(fields=["service", "submitted_at"], name="ms_app_stats"),
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["acceptance", "returned", "consideration", "decision"]),
                name="ms_app_open_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"]) | Q(submitted_at__isnull=False),
                name="ms_app_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"]) | Q(number__isnull=False),
                name="ms_app_submitted_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"draft #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_open
            and self.suspended_at is None
            and self.due_at is not None
            and self.due_at < timezone.now()
        )


class ApplicationFile(models.Model):
    """A document uploaded for an application. Stored at once (before submission), so a dropped
    connection loses nothing already uploaded. Once the application is submitted with it the
    file is part of the case file (``submitted``): it stays, and a replacement is a new file."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="files", verbose_name=_("application")
    )
    document_code = models.CharField(_("document"), max_length=80)
    # the file as the file service keeps it (core.uploads): checked, recorded, served by its rule
    stored = models.OneToOneField(
        "core.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name=_("file")
    )
    submitted = models.BooleanField(_("part of a submitted application"), default=False)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size, bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("application file")
        verbose_name_plural = _("application files")

    def __str__(self) -> str:
        return self.original_name


#: What each kind of history step is called on the pages (the applicant never sees a code).
EVENT_LABELS = {
    "created": _("Draft created"),
    "submitted": _("Submitted"),
    "resubmitted": _("Submitted again after corrections"),
    "accepted": _("Documents accepted"),
    "returned": _("Returned for corrections"),
    "forwarded": _("Passed to another expert"),
    "opinion_asked": _("An expert's opinion was asked"),
    "opinion_given": _("An expert's opinion was given"),
    "concluded": _("The expert's conclusion was sent to the decision maker"),
    "auto_concluded": _("Decided automatically by the service's rule"),
    "approved": _("Approved, the result is issued"),
    "refused": pgettext_lazy("application event", "Refused"),
    "withdrawn": _("Withdrawn"),
    "suspended": _("The term was suspended"),
    "resumed": _("The term was resumed"),
    "extended": _("The term was extended"),
    "request_sent": _("An interdepartmental request was sent"),
    "request_accepted": _("The interdepartmental request was accepted"),
    "request_answered": _("The interdepartmental request was answered"),
    "request_rejected": _("The interdepartmental request was rejected"),
    "request_expired": _("The interdepartmental request was not answered in time"),
    "result_template_failed": _("The result template failed; the standard text was issued"),
    "request_waived": _("A required interdepartmental request was marked as not needed"),
}


class ApplicationEvent(models.Model):
    """One step of an application's history (append-only): status change or staff action.

    What the applicant sees (issue 16.17): a step's ``text`` is either meant for the applicant
    (reasons for a return or a refusal, why the term was suspended or extended) or an internal
    note of the department (the forwarding note, an expert's draft conclusion, opinions, the
    answer of another department). Internal notes are marked ``internal`` when the row is
    written — by default for the kinds in :attr:`INTERNAL_KINDS` — and are shown to staff
    only; the applicant sees an internal step only when it changed the status, and then only
    its label (:func:`cityhall.municipal_services.selectors.history_for`).
    """

    #: Kinds whose text is a note of the department, never shown to the applicant.
    INTERNAL_KINDS = frozenset(
        {
            "forwarded",
            "opinion_asked",
            "opinion_given",
            "concluded",
            "request_sent",
            "request_accepted",
            "request_answered",
            "request_rejected",
            "request_expired",
            "result_template_failed",
            "request_waived",
        }
    )

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", verbose_name=_("application")
    )
    kind = models.CharField(pgettext_lazy("type", "kind"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)
    internal = models.BooleanField(
        _("internal note (staff only)"),
        default=False,
        help_text=_("The text is a note of the department; the applicant never sees it."),
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        indexes = [models.Index(fields=["application", "stage", "actor"], name="ms_event_stage")]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.kind} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("application events are append-only")
        if self.kind in self.INTERNAL_KINDS:
            self.internal = True
        super().save(*args, **kwargs)

    @property
    def changes_status(self) -> bool:
        return bool(self.to_status) and self.to_status != self.from_status

    @property
    def label(self) -> str:
        """The step as people read it: the new status, else what happened (never a code)."""
        if self.changes_status and self.kind not in ("created",):
            try:
                status = str(Application.Status(self.to_status).label)
            except ValueError:
                status = ""
            kind = EVENT_LABELS.get(self.kind)
            if status and kind and self.kind not in _KINDS_NAMED_BY_STATUS:
                return f"{kind} — {status}"
            if status:
                return status
        return str(EVENT_LABELS.get(self.kind, _("Other step")))


#: Steps whose new status says all there is to say ("Submitted" → "Document check").
_KINDS_NAMED_BY_STATUS = frozenset({"withdrawn", "returned", "refused"})


class Opinion(TimeStampedModel):
    """An expert asked for an opinion on an application (inside the department or another)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="opinions")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("expert opinion")
        verbose_name_plural = _("expert opinions")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.question[:40]}"
