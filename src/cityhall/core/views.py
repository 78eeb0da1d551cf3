import logging

from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from . import inbox

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
