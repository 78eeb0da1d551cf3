"""People, organisations and roles; verified identity attributes; API tokens."""

from __future__ import annotations

import datetime as dt
from binascii import unhexlify

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityhall.core.models import TimeStampedModel


class CityhallUserManager(UserManager):
    pass


class User(AbstractUser):
    """A person who uses the platform: a resident, a legal entity's representative or staff.

    Residents sign in with e-mail or phone (confirmed by a code); staff additionally with a
    TOTP second factor. What the person *is* (age, address, rights) comes only from
    :class:`VerifiedIdentity`, never from what they typed.
    """

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        BUSINESS = "business", _("Legal entity representative")
        STAFF = "staff", _("Staff")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RESIDENT)
    email = models.EmailField(_("e-mail"), unique=True, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, unique=True, null=True, blank=True)
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)
    phone_confirmed_at = models.DateTimeField(_("phone confirmed"), null=True, blank=True)
    preferred_language = models.CharField(
        _("language"),
        max_length=5,
        choices=[("ru", "Русский"), ("tt", "Татарча"), ("en", "English")],
        default="ru",
    )
    #: When the person agreed to the processing of their personal data at registration
    #: (Federal Law 152-FZ art. 9); empty for accounts made by staff or before consent was asked.
    personal_data_consent_at = models.DateTimeField(
        _("personal data consent given"), null=True, blank=True, editable=False
    )

    objects = CityhallUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        full = " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)
        return full or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.kind == self.Kind.STAFF


class Organisation(TimeStampedModel):
    """Any body that acts on the platform, in one hierarchy (council → departments → …)."""

    class Type(models.TextChoices):
        COUNCIL = "council", _("City council")
        EXECUTIVE_DEPARTMENT = "executive_department", _("Executive committee department")
        MANAGING_ORGANISATION = "managing_organisation", _("Managing organisation")
        CONTRACTOR = "contractor", _("Contractor")
        RESOURCE_SUPPLIER = "resource_supplier", _("Resource supplier")
        SERVICE_CENTRE = "service_centre", _("Service centre")
        LEGAL_ENTITY = "legal_entity", _("Legal entity")
        PUBLIC_AUTHORITY = "public_authority", _("Public authority")

    name = models.CharField(pgettext_lazy("object name", "name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    type = models.CharField(_("type"), max_length=30, choices=Type.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    inn = models.CharField(_("taxpayer number (INN)"), max_length=12, blank=True)
    ogrn = models.CharField(_("registration number (OGRN)"), max_length=15, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    building = models.ForeignKey(
        "geo.Building",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("building"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    head = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_organisations",
        verbose_name=_("head"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A company's or public authority's details checked by staff against the state register
    # (``services.verify_organisation``): its location in discussions comes from here.
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("verified by"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["inn"], condition=~models.Q(inn=""), name="accounts_org_unique_inn"
            )
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def ancestors(self) -> list[Organisation]:
        """This organisation's parents up to the root (no loops: the service refuses them)."""
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    EXECUTOR = "executor", _("Executor")
    EXPERT = "expert", _("Expert")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    MODERATOR = "moderator", _("Moderator")
    ORGANISER = "organiser", _("Organiser")
    ADMINISTRATOR = "administrator", _("Administrator")
    SERVICE_DESIGNER = "service_designer", _("Service designer")
    REPRESENTATIVE = "representative", _("Representative of a legal entity")


class Membership(TimeStampedModel):
    """A person holds a role in an organisation (and, through the hierarchy, in its children)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="accounts_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"


class ApiToken(TimeStampedModel):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once.

    ``scopes`` (space-separated) limit what it may do: ``read`` (GET), ``submit`` (every other
    method) and ``staff`` (without it the holder acts with no staff role and no superuser
    rights); past ``expires_at`` it no longer works.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        SUBMIT = "submit", _("Submit")
        STAFF = "staff", _("Staff work")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(pgettext_lazy("object name", "name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    scopes = models.CharField(_("scopes"), max_length=60, default="read submit")

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class VerifiedIdentity(TimeStampedModel):
    """The attributes a verifier vouched for. Age and territory are derived from these only.

    The identity-document number is never stored in clear: a keyed hash (to find duplicates)
    and a masked form (for staff to recognise it).
    """

    class Method(models.TextChoices):
        OIDC = "oidc", _("State identity portal (OpenID Connect)")
        SERVICE_CENTRE = "service_centre", _("Document check at a service centre")
        REGISTER = "register", _("Verification register imported by the city")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="verified_identity")
    method = models.CharField(_("method"), max_length=30, choices=Method.choices)
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    birth_date = models.DateField(_("birth date"))
    document_hash = models.CharField(max_length=64, db_index=True, editable=False)
    document_masked = models.CharField(_("identity document"), max_length=40, editable=False)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    registered_building = models.ForeignKey(
        "geo.Building",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered at building"),
    )
    rights = models.JSONField(
        _("rights to land and buildings"),
        default=list,
        blank=True,
        help_text=_("List of {kind, cadastral_number, building_id} the person holds rights to."),
    )
    verified_at = models.DateTimeField(_("verified at"))
    verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    subject = models.CharField(_("identity provider subject"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("verified identity")
        verbose_name_plural = _("verified identities")
        constraints = [
            models.UniqueConstraint(
                fields=["method", "subject"],
                condition=~models.Q(subject=""),
                name="accounts_identity_unique_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name} ({self.get_method_display()})"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class RegisterImport(TimeStampedModel):
    """One file of a verification register (people with their document numbers or
    identity-portal ids, birth dates and addresses) imported by an administrator
    (``services.register_import``). Its entries verify matching accounts when it is applied
    and wait for future sign-ups; nothing counts until the import is ``applied``."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        MATCHING = "matching", _("Matching accounts")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed; nothing applied")

    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64, editable=False)
    imported_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("imported by")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows matched so far"), default=0)
    verified_now = models.PositiveIntegerField(_("accounts verified"), default=0)
    already_verified = models.PositiveIntegerField(_("already verified"), default=0)
    waiting = models.PositiveIntegerField(_("waiting for sign-up"), default=0)
    conflicts = models.PositiveIntegerField(_("conflicts"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    problem = models.CharField(_("problem"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.MATCHING)


class RegisterEntry(models.Model):
    """One person of an imported register. The document number is kept only as a keyed hash
    and a masked form, like a verified identity's. ``outcome`` says what the import did with
    it; an entry ``waiting`` verifies the account that later signs up with its contact or
    signs in with its identity-portal id (``services.claim_register_entry``)."""

    class Outcome(models.TextChoices):
        VERIFIED = "verified", _("Account verified")
        ALREADY_VERIFIED = "already_verified", _("Already verified")
        WAITING = "waiting", _("Waiting for sign-up")
        CONFLICT = "conflict", _("Conflict: the document belongs to another account")

    register_import = models.ForeignKey(
        RegisterImport, on_delete=models.CASCADE, related_name="entries"
    )
    row = models.PositiveIntegerField(_("row"))
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    birth_date = models.DateField(_("birth date"))
    document_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    document_masked = models.CharField(_("identity document"), max_length=40, blank=True)
    subject = models.CharField(_("identity-portal id"), max_length=200, blank=True, db_index=True)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)

    class Meta:
        ordering = ["register_import_id", "row"]
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")

    def __str__(self) -> str:
        return f"{self.register_import_id}:{self.row}"


class ContactConfirmation(models.Model):
    """A one-time code sent to an e-mail address or phone to prove the person controls it.

    Only an HMAC of the code is stored. A code expires, allows a few attempts, and a new one
    can be requested only after a cooldown (see ``services.CONFIRMATION_*``).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")

    class Purpose(models.TextChoices):
        CONFIRM = "confirm", _("Confirming the contact")
        PASSWORD_RESET = "password_reset", _("Resetting the password")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contact_confirmations")
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.CONFIRM
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("sent to"), max_length=254)
    code_hash = models.CharField(max_length=64, editable=False)
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("contact confirmation")
        verbose_name_plural = _("contact confirmations")
        indexes = [models.Index(fields=["user", "-sent_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address} @ {self.sent_at:%Y-%m-%d %H:%M}"


class RateCounter(models.Model):
    """One counter of the shared rate limits and back-offs (``accounts.throttle``).

    In the database, not in a worker's memory, so every worker (and every server) counts the
    same attempts. The key is a scope and a hash: no login name or address is kept in clear.
    """

    key = models.CharField(max_length=80, unique=True)
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class SecondFactorEnrolmentCode(models.Model):
    """A one-time code an administrator issues so that a staff member without an
    authenticator may set one up: the password alone never lets anyone enrol (ADR 0012).

    Only an HMAC of the code is kept; it is used once and expires (``ENROLMENT_CODE_TTL``).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="second_factor_enrolment_codes"
    )
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("authenticator enrolment code")
        verbose_name_plural = _("authenticator enrolment codes")
        indexes = [models.Index(fields=["user", "issued_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.issued_at:%Y-%m-%d %H:%M}"


def _new_encrypted_totp_secret() -> str:
    from django_otp.util import random_hex

    from .totp_secrets import encrypt_secret

    return encrypt_secret(random_hex(20))


class Authenticator(TimestampMixin, ThrottlingMixin, Device):
    """A person's TOTP authenticator: django-otp's ``TOTPDevice`` with the secret encrypted at
    rest (``totp_secrets``; ADR 0012). Its verification, throttling and ``otpauth://`` URI are
    django-otp's own; only where the secret lives differs."""

    key = models.TextField(
        default=_new_encrypted_totp_secret,
        help_text="The Fernet token of the hex-encoded secret (never the secret itself).",
    )
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    @property
    def bin_key(self) -> bytes:
        from .totp_secrets import decrypt_secret

        return unhexlify(decrypt_secret(self.key).encode())

    def set_secret(self, hex_secret: str) -> None:
        from .totp_secrets import encrypt_secret

        self.key = encrypt_secret(hex_secret)

    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings
