"""Municipal services: definitions as versioned data, applications (cases), standard
interdepartmental requests, life situations, results, registries and consultations.

A :class:`ServiceVersion` holds the whole definition of one service at one time (form schema, UI
hints, documents, fees, legal term, workflow, status texts, variants and decision rules). Once
published it never changes; an :class:`Application` keeps the version it started on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityhall.core import files
from cityhall.core.models import TimeStampedModel

from .definition import expression_problems, schema_problems, text_in


class Service(TimeStampedModel):
    """A municipal service offered by one department (its definition lives in versions)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    department = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="municipal_services",
        verbose_name=_("department"),
    )
    name = models.JSONField(_("name (ru/tt/en)"), default=dict)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipal service")
        verbose_name_plural = _("municipal services")

    def __str__(self) -> str:
        return self.title()

    def title(self, language: str | None = None) -> str:
        return text_in(self.name, language) or self.code


class ServiceVersion(TimeStampedModel):
    """One version of a service definition: draft → published → retired.

    Published and retired versions are immutable (services refuse edits, the admin shows them
    read-only); open applications keep the version they were submitted on.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    #: The definition fields, exported and imported as one file.
    DEFINITION_FIELDS = (
        "form_schema",
        "ui",
        "documents",
        "fees",
        "term_days",
        "result_types",
        "workflow",
        "status_texts",
        "variants",
        "rules",
        "result_template",
        "registry",
    )

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="versions", verbose_name=_("service")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    form_schema = models.JSONField(_("form (JSON Schema 2020-12)"), default=dict)
    ui = models.JSONField(_("form hints (labels, help, order, conditions)"), default=dict)
    documents = models.JSONField(_("required documents and file rules"), default=list)
    fees = models.JSONField(_("fees"), default=list, blank=True)
    term_days = models.PositiveSmallIntegerField(_("legal term, working days"), default=20)
    result_types = models.JSONField(_("result types"), default=list)
    workflow = models.JSONField(_("staff workflow"), default=dict)
    status_texts = models.JSONField(_("status texts for notifications"), default=dict)
    variants = models.JSONField(_("variants (sub-services)"), default=list, blank=True)
    rules = models.JSONField(_("decision rules"), default=list, blank=True)
    result_template = models.JSONField(_("result document template"), default=dict, blank=True)
    registry = models.CharField(_("registry the result is recorded in"), max_length=80, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["service", "-number"]
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="ms_version_number"),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status="published"),
                name="ms_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.number} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def definition(self) -> dict:
        return {name: getattr(self, name) for name in self.DEFINITION_FIELDS}


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
    connection loses nothing already uploaded."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="files", verbose_name=_("application")
    )
    document_code = models.CharField(_("document"), max_length=80)
    file = models.FileField(_("file"), upload_to=files.RandomName("municipal_services/%Y/%m"))
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


class ApplicationEvent(models.Model):
    """One step of an application's history (append-only): status change or staff action."""

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
        super().save(*args, **kwargs)


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


class ResultDocument(TimeStampedModel):
    """The generated result of an application (PDF from the definition's template)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="result")
    kind = models.CharField(pgettext_lazy("type", "kind"), max_length=20)
    number = models.CharField(_("number"), max_length=40)
    file = models.FileField(_("file"), upload_to=files.RandomName("municipal_services/results/%Y"))

    class Meta:
        verbose_name = _("result document")
        verbose_name_plural = _("result documents")

    def __str__(self) -> str:
        return self.number


class RegistryRecord(TimeStampedModel):
    """A public registry entry (e.g. the register of issued building permits)."""

    registry = models.CharField(_("registry"), max_length=80, db_index=True)
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    holder = models.CharField(_("holder"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    issued_on = models.DateField(_("issued"))
    application = models.OneToOneField(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registry_record",
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("registry record")
        verbose_name_plural = _("registry records")
        constraints = [
            models.UniqueConstraint(fields=["registry", "number"], name="ms_registry_number")
        ]
        indexes = [models.Index(fields=["registry", "-issued_on"], name="ms_registry_list")]

    def __str__(self) -> str:
        return f"{self.registry} {self.number}"


class StandardRequestType(TimeStampedModel):
    """A reusable interdepartmental request ("extract from the land registry")."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.JSONField(_("name (ru/tt/en)"), default=dict)
    form_schema = models.JSONField(_("form (JSON Schema 2020-12)"), default=dict)
    addressee = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("addressee department"),
    )
    answer_days = models.PositiveSmallIntegerField(_("answer term, working days"), default=5)

    class Meta:
        ordering = ["code"]
        verbose_name = _("standard request type")
        verbose_name_plural = _("standard request types")

    def __str__(self) -> str:
        return text_in(self.name) or self.code

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if problems := schema_problems(self.form_schema):
            raise ValidationError({"form_schema": problems})


class StandardRequest(TimeStampedModel):
    """One interdepartmental request sent from an application: sent → accepted →
    answered / rejected / expired."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", pgettext_lazy("interagency request status", "Accepted")
        ANSWERED = "answered", _("Answered")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    OPEN = (Status.SENT, Status.ACCEPTED)

    type = models.ForeignKey(StandardRequestType, on_delete=models.PROTECT, related_name="requests")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="standard_requests"
    )
    addressee = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    payload = models.JSONField(_("request"), default=dict)
    answer = models.TextField(_("answer"), blank=True)
    answer_file = models.FileField(
        _("answer document"),
        upload_to=files.RandomName("municipal_services/requests/%Y"),
        blank=True,
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(pgettext_lazy("date", "sent"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))
    closed_at = models.DateTimeField(pgettext_lazy("date", "closed"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("standard request")
        verbose_name_plural = _("standard requests")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["sent", "accepted"]),
                name="ms_request_open_due",
            ),
            models.Index(fields=["addressee", "status"], name="ms_request_desk"),
        ]

    def __str__(self) -> str:
        return f"{self.type.code} for {self.application_id} ({self.status})"


class LifeSituation(TimeStampedModel):
    """A bundle of services behind one questionnaire ("build an office")."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.JSONField(_("name (ru/tt/en)"), default=dict)
    description = models.JSONField(_("description (ru/tt/en)"), default=dict, blank=True)
    questionnaire = models.JSONField(_("questionnaire (JSON Schema 2020-12)"), default=dict)
    ui = models.JSONField(_("questionnaire hints"), default=dict, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("life situation")
        verbose_name_plural = _("life situations")

    def __str__(self) -> str:
        return text_in(self.name) or self.code

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if problems := schema_problems(self.questionnaire):
            raise ValidationError({"questionnaire": problems})


class LifeSituationStep(models.Model):
    """One service of a life situation, with when it applies and how answers map to its form."""

    situation = models.ForeignKey(LifeSituation, on_delete=models.CASCADE, related_name="steps")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    condition = models.JSONField(
        _("applies when (JSON Logic over the answers)"), null=True, blank=True
    )
    prefill = models.JSONField(
        _("prefill: service field → questionnaire field"), default=dict, blank=True
    )
    constants = models.JSONField(_("fixed answers for the service"), default=dict, blank=True)

    class Meta:
        ordering = ["situation", "order"]
        constraints = [
            models.UniqueConstraint(fields=["situation", "service"], name="ms_situation_step")
        ]

    def __str__(self) -> str:
        return f"{self.situation.code}#{self.order}: {self.service.code}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        fields = set((self.situation.questionnaire or {}).get("properties") or {})
        errors = {}
        if self.condition is not None and (problems := expression_problems(self.condition, fields)):
            errors["condition"] = problems
        unknown = sorted(set((self.prefill or {}).values()) - fields)
        if unknown:
            errors["prefill"] = [
                _("The prefill names questionnaire fields that do not exist: %(f)s")
                % {"f": ", ".join(unknown)}
            ]
        if errors:
            raise ValidationError(errors)


class LifeSituationCase(TimeStampedModel):
    """One life-situation application: one questionnaire, a sub-application per department."""

    situation = models.ForeignKey(LifeSituation, on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(_("answers"), default=dict)
    number = models.CharField(_("number"), max_length=30, unique=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("life situation application")
        verbose_name_plural = _("life situation applications")

    def __str__(self) -> str:
        return self.number


class WidgetSite(TimeStampedModel):
    """Another portal allowed to embed the application widget (by its origin)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(pgettext_lazy("object name", "name"), max_length=200)
    origin = models.CharField(
        _("allowed origins"),
        max_length=500,
        help_text=_(
            "Scheme and host of each page allowed to embed the widget, separated by spaces, "
            "e.g. https://uslugi.example https://mfc.example"
        ),
    )
    services = models.ManyToManyField(Service, blank=True, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("widget site")
        verbose_name_plural = _("widget sites")

    def __str__(self) -> str:
        return f"{self.name} ({self.origin})"

    @property
    def origins(self) -> list[str]:
        """The allowed origins that are well formed (scheme://host[:port], nothing more)."""
        from urllib.parse import urlparse

        result = []
        for item in self.origin.split():
            parsed = urlparse(item)
            if parsed.scheme in ("http", "https") and parsed.netloc and not parsed.path.strip("/"):
                result.append(f"{parsed.scheme}://{parsed.netloc}")
        return result

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not self.origins or len(self.origins) != len(self.origin.split()):
            raise ValidationError(
                {"origin": _("Give each origin as scheme and host, e.g. https://uslugi.example")}
            )


class Consultation(TimeStampedModel):
    """A consultation staff gave (question, answer, service), logged as they do today."""

    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="consultations"
    )
    department = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, default="phone")
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return self.question[:60]


class SigningCode(models.Model):
    """A one-time code that signs one application in the state it had when the code was sent.

    The code is bound to the document digest: if the draft changes before the code is entered,
    the code no longer signs anything and the applicant must review and sign again. Only an HMAC
    of the code is kept; it expires, allows a few attempts, and new codes are rationed
    (see ``signing.CODE_*``).
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="signing_codes"
    )
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(_("document digest (SHA-256)"), max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("sent to"), max_length=254)
    code_hash = models.CharField(max_length=64, editable=False)
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("signing code")
        verbose_name_plural = _("signing codes")
        indexes = [models.Index(fields=["application", "signer", "-sent_at"], name="ms_sign_code")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.channel} @ {self.sent_at:%Y-%m-%d %H:%M}"


class ApplicationSignature(models.Model):
    """A simple electronic signature (a one-time code to the signer's confirmed phone or
    e-mail) over the canonical content of an application: service, version, answers and the
    SHA-256 of every file. Append-only; re-signing after a return adds a row."""

    class Method(models.TextChoices):
        SIMPLE = "simple", _("Simple electronic signature (one-time code)")

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="signatures",
        verbose_name=_("application"),
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signer"),
    )
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.SIMPLE
    )
    digest = models.CharField(_("document digest (SHA-256)"), max_length=64)
    content = models.JSONField(_("signed content"), default=dict)
    channel = models.CharField(
        _("code sent by"), max_length=10, choices=SigningCode.Channel.choices
    )
    address = models.CharField(_("code sent to (masked)"), max_length=254, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("application signature")
        verbose_name_plural = _("application signatures")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.digest[:12]}… ({self.signed_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("signatures are append-only")
        super().save(*args, **kwargs)


class WidgetHandoff(models.Model):
    """Answers collected in the widget on another portal, waiting for the person to continue
    on this portal (first-party, in a new tab): no third-party cookie is needed. The token is
    random, single-use and expires; only its SHA-256 is stored."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    site = models.ForeignKey(WidgetSite, on_delete=models.CASCADE, related_name="handoffs")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ServiceVersion, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(_("answers"), default=dict)
    language = models.CharField(_("language"), max_length=5, default="ru")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    claimed_at = models.DateTimeField(_("continued at"), null=True, blank=True)
    application = models.OneToOneField(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="widget_handoff",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("widget handoff")
        verbose_name_plural = _("widget handoffs")
        indexes = [models.Index(fields=["expires_at"], name="ms_handoff_expiry")]

    def __str__(self) -> str:
        return f"{self.site.key}/{self.service.code} @ {self.created_at:%Y-%m-%d %H:%M}"
