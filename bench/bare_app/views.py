import json

from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse

from .models import BareRow


def insert(request):
    """Parse a JSON body and insert one row: what any Django write costs at the least."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    body = json.loads(request.body or b"{}")
    row = BareRow.objects.create(message=str(body.get("message", ""))[:5000])
    return JsonResponse({"id": row.pk}, status=201)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
