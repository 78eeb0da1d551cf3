"""Shared kernel models: timestamps, the tamper-evident audit chain, business-calendar days and
the record of every stored file."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyQuerySet(models.QuerySet):
    """Audit rows are never changed through the app: bulk update and delete are refused."""

    def update(self, **kwargs):  # noqa: ARG002
        raise PermissionError("audit records are append-only")

    def delete(self):
        raise PermissionError("audit records are append-only")


class AuditRecord(models.Model):
    """One state change of one domain object, linked to the previous record of its chain by its
    hash.

    ``hash = HMAC-SHA256(key[key_id], prev_hash + canonical JSON of the record)`` with a key kept
    outside the database (ADR 0010); records written before keys (``key_id`` empty) are legacy,
    ``sha256(prev_hash + JSON)``. The trail is a fixed number of chains (ADR 0032); ``seq`` has
    no gaps within its ``chain``, so an edited record breaks its hash and a deleted one leaves a
    gap (``cityhall verify_audit``). ``id`` orders records across chains. Fields are primitive
    (no foreign keys) so that deleting a user never rewrites history.
    """

    chain = models.PositiveSmallIntegerField(_("chain"), default=0, editable=False)
    seq = models.PositiveBigIntegerField(_("sequence number"), editable=False)
    created_at = models.DateTimeField(_("time"), editable=False, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, editable=False)
    actor_repr = models.CharField(_("actor"), max_length=200, blank=True, editable=False)
    action = models.CharField(_("action"), max_length=100, editable=False, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, editable=False)
    object_id = models.CharField(_("object id"), max_length=64, editable=False)
    before = models.JSONField(_("before"), null=True, blank=True, editable=False)
    after = models.JSONField(_("after"), null=True, blank=True, editable=False)
    message = models.TextField(_("message"), blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    key_id = models.CharField(_("key"), max_length=32, blank=True, default="", editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="core_audit_chain_seq_unique")
        ]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"#{self.chain}.{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit records are append-only")


class AuditChainHead(models.Model):
    """One chain's head: the row that serialises that chain's appends and remembers its last
    link (detects truncation); one row per chain (ADR 0032). ``mac`` keys ``(seq, last_hash)``,
    so moving the head back over a deleted tail needs the key. Updated on every append by
    design: the one audit row that is not append-only."""

    chain = models.PositiveSmallIntegerField(unique=True, default=0)
    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    mac = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"audit chain {self.chain} head #{self.seq}"


class AuditCheckpoint(models.Model):
    """The chain heads as they were on one day, keyed, published (``/audit/checkpoints/``, JSON
    and CSV) so that anyone holding an older list detects a rewritten history (ADR 0010).

    ``heads`` lists every chain's ``seq:hash`` (ADR 0032), ``seq`` their records in all and
    ``head_hash`` the heads' digest, which the signature covers. A checkpoint taken before the
    chains were split has no ``heads``: its ``seq`` and ``head_hash`` are chain 0's head."""

    date = models.DateField(_("date"), unique=True, editable=False)
    seq = models.PositiveBigIntegerField(_("records"), editable=False)
    head_hash = models.CharField(_("head hash"), max_length=64, editable=False)
    heads = models.TextField(_("chain heads"), blank=True, default="", editable=False)
    key_id = models.CharField(_("key"), max_length=32, editable=False)
    signature = models.CharField(_("signature"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"{self.date} #{self.seq} {self.head_hash[:12]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit checkpoints are append-only")


class CalendarDay(TimeStampedModel):
    """An official's override of the business calendar for one date (a regional holiday, a
    transferred working Saturday). Overrides win over the holiday library."""

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"))
    name = models.CharField(_("reason"), max_length=200, blank=True)
    region = models.CharField(
        _("region"),
        max_length=10,
        blank=True,
        help_text=_("The region whose day off this is (e.g. RU-TA); empty for a city decision."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date}: {'working' if self.is_working else 'day off'}"


class Counter(models.Model):
    """A named gap-free sequence (ticket, request and proposal numbers); see core.numbering."""

    series = models.CharField(max_length=100, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.series}={self.value}"


class InboxItem(models.Model):
    """A submission acknowledged after one durable insert and registered later in a batch
    (core.inbox): an Open311 request, a proposal, an application. The ``token`` is the
    submitter's receipt; the row keeps the outcome (number, object, or refusal) for good."""

    PENDING, DONE, REFUSED, FAILED = "pending", "done", "refused", "failed"
    STATES = [
        (PENDING, _("received, being registered")),
        (DONE, _("registered")),
        (REFUSED, _("refused")),
        (FAILED, _("could not be registered")),
    ]

    kind = models.CharField(_("kind"), max_length=60)
    token = models.CharField(_("receipt token"), max_length=32, unique=True)
    actor_id = models.BigIntegerField(_("submitted by (user id)"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    payload = models.JSONField(_("submission"))
    dedupe_key = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(_("received"))
    state = models.CharField(_("state"), max_length=10, choices=STATES, default=PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: After a failed attempt, not before this time (core.inbox.retry_delay).
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    ref = models.CharField(_("registration number"), max_length=64, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    url = models.CharField(max_length=300, blank=True)
    error = models.TextField(_("reason"), blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"], name="core_inbox_pending", condition=models.Q(state="pending")
            ),
            # /healthz counts failed items on every probe: without this, a scan of the inbox
            models.Index(
                fields=["id"], name="core_inbox_failed", condition=models.Q(state="failed")
            ),
            # a person's recent submissions (core.inbox's hourly limit)
            models.Index(
                fields=["actor_id", "kind", "received_at"],
                name="core_inbox_actor",
                condition=models.Q(actor_id__isnull=False),
            ),
            models.Index(
                fields=["dedupe_key", "received_at"],
                name="core_inbox_dedupe",
                condition=~models.Q(dedupe_key=""),
            ),
        ]
        verbose_name = _("received submission")
        verbose_name_plural = _("received submissions")

    def __str__(self) -> str:
        return f"{self.kind} {self.token} ({self.state})"


class InboxClaim(models.Model):
    """A repeat key held until ``until`` (core.inbox.receive on PostgreSQL): the same key is
    refused while its claim lasts. A unique key serialises two identical submissions arriving
    at the same moment in one statement; expired claims are taken over, and pruned each minute."""

    key = models.CharField(max_length=64, primary_key=True)
    until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} until {self.until}"


class InboxRegistration(models.Model):
    """The outcome of a registered inbox item, written in the registration's own transaction.

    Only where the inbox lives in a database of its own (core.routers): the item's row there is
    updated after this commits, so an item found pending but already listed here was registered
    before a crash and is settled from this row instead of being registered twice."""

    item_id = models.BigIntegerField(primary_key=True)
    ref = models.CharField(max_length=64, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    url = models.CharField(max_length=300, blank=True)
    registered_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"inbox item {self.item_id}: {self.ref}"


class StoredFile(models.Model):
    """A file the platform accepted (``core.uploads.accept``) or generated, kept in the default
    storage under a name it chose (``file``), served only through ``/files/<id>/`` after the
    purpose's rule allowed the viewer (``core.file_purposes``). Apps hold a foreign key to it
    and never a storage path."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        CASE = "case", _("The owner and the staff of the case")
        STAFF = "staff", _("Staff only")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("purpose"), max_length=80, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.CASE
    )
    file = models.FileField(_("stored name"), max_length=300)
    label = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("stored"), default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.label

    @property
    def url(self) -> str:
        """Where people fetch it: the checked view, never the storage's own address."""
        from django.urls import reverse

        return reverse("files:serve", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
