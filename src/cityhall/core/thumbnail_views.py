"""``/files/<id>/thumbnail/``: the small copy of a photo, under the photo's own rule
(``core.file_purposes``: whoever the purpose refuses gets a 404, a visitor not signed in is
sent to sign in) — the same answers as ``/files/<id>/`` (``core.file_views``). With
``?placeholder=1`` (lists, map pop-ups) a thumbnail not made yet or a photo gone from the
storage is a neutral picture, never the full photo or an error page."""

from __future__ import annotations

import uuid

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .file_purposes import purpose as find_purpose
from .file_serving import FileMissing
from .file_views import find_stored
from .models import StoredFile
from .thumbnails import send_placeholder, send_thumbnail


@require_safe
def thumbnail(request: HttpRequest, file_id: uuid.UUID) -> HttpResponse:
    stored = find_stored(file_id)
    declared = find_purpose(stored.purpose) if stored is not None else None
    if stored is None or declared is None or not declared.can_view(request.user, stored):
        if stored is not None and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    if not stored.is_image:
        raise Http404
    placeholder = request.GET.get("placeholder") == "1"
    try:
        return send_thumbnail(
            request,
            stored,
            public=stored.visibility == StoredFile.Visibility.PUBLIC,
            placeholder=placeholder,
        )
    except FileMissing:
        if placeholder:
            return send_placeholder()
        return render(request, "core/file_missing.html", {"stored": stored}, status=404)
