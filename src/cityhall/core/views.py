import logging

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from . import audit_checkpoints, inbox

log = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Liveness and readiness: ok only after a round trip to the database. Also counts the
    intake inbox's items waiting too long and failed (``attention``): the node still serves,
    but an operator must look (``cityhall inbox failed``). No error text is published."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        figures = inbox.health()
    except Exception:  # noqa: BLE001 - any database failure means not ready
        log.exception("health check failed")
        return JsonResponse({"status": "error"}, status=503)
    attention = bool(figures["pending_too_long"] or figures["failed"])
    return JsonResponse({"status": "attention" if attention else "ok", "inbox": figures})


@csrf_exempt  # it changes nothing; a CSRF refusal would answer with a page, not JSON
def api_not_found(request, *args, **kwargs):
    """An address under /api/ that names no operation: the API's error format, not a page."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)


@require_safe
def audit_checkpoints_page(request):
    """The audit chain's daily checkpoints, public (ADR 0010): keep a copy, and a rewritten
    history is caught by ``cityhall verify_audit --checkpoint FILE``."""
    rows = audit_checkpoints.published()
    return render(request, "core/audit_checkpoints.html", {"checkpoints": rows[::-1]})


@require_safe
def audit_checkpoints_json(request):
    response = JsonResponse(audit_checkpoints.published(), safe=False)
    response["Content-Disposition"] = 'attachment; filename="audit-checkpoints.json"'
    return response


@require_safe
def audit_checkpoints_csv(request):
    response = HttpResponse(
        audit_checkpoints.as_csv(audit_checkpoints.published()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="audit-checkpoints.csv"'
    return response
