"""The final documents of a discussion: the protocol and the conclusion (PDF and JSON with their
SHA-256), generated in the background and signed in the system.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .discussion import Discussion


def final_path(instance: FinalDocument, filename: str) -> str:
    """Where a generated file was stored before the file service (migration 0001 names it)."""
    return f"discussions/{instance.discussion_id}/final/{uuid.uuid4().hex}/{filename}"


class FinalDocument(models.Model):
    """The protocol or the conclusion: PDF + JSON with their SHA-256, signed in the system.

    Generated in the background; ``progress`` is polled by the page. Same data → same bytes.
    """

    class Kind(models.TextChoices):
        PROTOCOL = "protocol", _("Protocol")
        CONCLUSION = "conclusion", _("Conclusion")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        GENERATING = "generating", _("Generating")
        READY = "ready", _("Ready for signature")
        SIGNED = "signed", _("Signed")
        FAILED = "failed", _("Failed")

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="final_documents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.CharField(max_length=40)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    # Kept by the file service and served at /files/<id>/ (discussions.file_access): public
    # once signed; the appendix (participant list with identification data) never.
    pdf_file = models.OneToOneField(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    json_file = models.OneToOneField(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appendix_file = models.OneToOneField(
        "core.StoredFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="participant list with identification data; never public",
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    json_sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["discussion", "kind"], name="discussions_final_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
