"""``/files/<id>/``: every stored file leaves through here, after its purpose's rule.

The purpose (``core.file_purposes``) decides who may see the file; whoever it refuses gets a
404 (a visitor who is not signed in is sent to sign in first), so a private file's existence is
not told. Reads of files whose purpose is marked ``audit_reads`` (identity documents) by anyone
but their owner are written to the audit chain. A file recorded but gone from the storage shows
a "file missing" page, not a server error. The bytes are handed over by
``core.file_serving.send_file`` (X-Accel-Redirect, a pre-signed URL or streaming, with the
content type, disposition, ``nosniff`` and a sandboxing CSP).
"""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import audit
from .file_purposes import purpose as find_purpose
from .file_serving import FileMissing, send_file
from .models import StoredFile

log = logging.getLogger(__name__)


@require_safe
def serve(request: HttpRequest, file_id: uuid.UUID) -> HttpResponse:
    stored = StoredFile.objects.filter(pk=file_id).first()
    declared = find_purpose(stored.purpose) if stored is not None else None
    if stored is None or declared is None or not declared.can_view(request.user, stored):
        if stored is not None and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    if declared.audit_reads and request.user.pk != stored.owner_id:
        audit.record(
            actor=request.user,
            action="file.read",
            target=stored,
            after={"purpose": stored.purpose, "label": stored.label},
        )
    public = stored.visibility == StoredFile.Visibility.PUBLIC
    try:
        if not stored.file.name or not stored.file.storage.exists(stored.file.name):
            raise FileMissing(stored.file.name)
        return send_file(request, stored, public=public, download=declared.download)
    except FileMissing:
        log.error("stored file %s (%s) is missing from the storage", stored.pk, stored.file.name)
        return render(request, "core/file_missing.html", {"stored": stored}, status=404)
