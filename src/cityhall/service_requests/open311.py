"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): services, service definitions,
requests (POST and search), a request, tokens — in JSON and XML, with the spec's error list
``[{"code": 400, "description": "..."}]``.

Reads are public and show no personal data; POST needs an ``api_key`` issued by an
administrator (``cityhall create_open311_key NAME``). POST is checked at once (every refusal
that depends on the input alone, in the spec's error list) and then received by the intake
inbox: the answer is a ``token`` (202) that ``tokens/{token}`` turns into the
``service_request_id`` once :mod:`~cityhall.service_requests.services.intake` has registered
it — the same registration as the web form's and the call centre's — or, when registered at once
(``settings.INBOX_INLINE``), the ``service_request_id`` itself (200).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import unquote_to_bytes
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cityhall.core import inbox
from cityhall.core.api import idempotency_key
from cityhall.core.errors import DomainError, InvalidInput
from cityhall.core.models import StoredFile

from . import selectors, services
from .models import OPEN_STATUSES, Category, Channel, Photo, ServiceRequest, Status
from .services import intake

DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000

#: The element name of one item in an XML list.
_XML_ITEM = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    # discovery (GeoReport v2): <endpoints><endpoint>…<formats><format>…
    "endpoints": "endpoint",
    "formats": "format",
}


def _xml(root: str, data: Any) -> bytes:
    def build(parent: ET.Element, value: Any, item_name: str) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                child = ET.SubElement(parent, key)
                build(child, sub, _XML_ITEM.get(key, "item"))
        elif isinstance(value, list):
            for sub in value:
                child = ET.SubElement(parent, item_name)
                build(child, sub, "item")
        elif value is None:
            return
        elif isinstance(value, bool):
            parent.text = "true" if value else "false"
        else:
            parent.text = str(value)

    element = ET.Element(root)
    build(element, data, _XML_ITEM.get(root, "item"))
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")


def _respond(fmt: str, data: Any, *, root: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(_xml(root, data), content_type="text/xml; charset=utf-8", status=status)
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _errors(fmt: str, status: int, items: list[tuple[int, str]]) -> HttpResponse:
    body = [{"code": code, "description": text} for code, text in items]
    return _respond(fmt, body, root="errors", status=status)


def _domain_errors(fmt: str, exc: DomainError) -> HttpResponse:
    status = 400 if exc.status == 422 else exc.status
    if exc.fields:
        items = [(status, f"{field}: {msg}") for field, msgs in exc.fields.items() for msg in msgs]
    else:
        items = [(status, str(exc.message))]
    response = _errors(fmt, status, items)
    if getattr(exc, "retry_after", None):  # the file store is down: when to try again
        response["Retry-After"] = str(exc.retry_after)
    return response


def _w3c(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _service(category: Category) -> dict[str, Any]:
    version = category.current_version
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name_en or category.name_ru,
        "metadata": bool(version and version.attributes),
        "type": "realtime",
        "keywords": "emergency" if category.is_emergency else "",
        "group": category.group,
    }


def discovery(request, fmt: str):
    base = settings.SITE_URL.rstrip("/") + "/open311/v2/"
    data = {
        "changeset": "2026-01-01T00:00:00Z",
        "contact": settings.DEFAULT_FROM_EMAIL,
        "key_service": _("Ask the city administrators for an api_key."),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-01-01T00:00:00Z",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _respond(fmt, data, root="discovery")


def services_list(request, fmt: str):
    data = [_service(c) for c in selectors.active_categories().order_by("group", "code")]
    return _respond(fmt, data, root="services")


def service_definition(request, fmt: str, code: str):
    category = selectors.active_categories().filter(code=code).first()
    if category is None:
        return _errors(fmt, 404, [(404, _("service_code %(code)s is not known") % {"code": code})])
    attributes = []
    for position, question in enumerate(category.current_version.attributes or [], start=1):
        attributes.append(
            {
                "variable": question.get("variable", True),
                "code": question["code"],
                "datatype": question.get("datatype", "string"),
                "required": bool(question.get("required")),
                "datatype_description": question.get("datatype_description"),
                "order": question.get("order", position),
                "description": question.get("description", ""),
                "values": [
                    {"key": v["key"], "name": v["name"]} for v in question.get("values", [])
                ],
            }
        )
    return _respond(
        fmt, {"service_code": category.code, "attributes": attributes}, root="service_definition"
    )


def _request_data(item: ServiceRequest) -> dict[str, Any]:
    shown = item.parent if item.status == Status.MERGED and item.parent else item
    return {
        "service_request_id": item.number,
        "status": "open" if shown.status in OPEN_STATUSES else "closed",
        "status_notes": str(shown.get_status_display()),
        "service_name": item.category.name,
        "service_code": item.category.code,
        # Never the words a resident kept private or staff hid; the redacted text if any.
        "description": item.public_description,
        "agency_responsible": str(shown.organisation) if shown.organisation_id else None,
        "service_notice": None,
        "requested_datetime": _w3c(item.created_at),
        "updated_datetime": _w3c(item.updated_at),
        "expected_datetime": _w3c(shown.stage_due_at),
        "address": item.address,
        "address_id": item.building_id,
        "zipcode": None,
        "lat": item.lat,
        "long": item.lon,
        "media_url": _media_url(item),
    }


def _media_url(item: ServiceRequest) -> str | None:
    """The address of the request's first public photo (``/files/<id>/``), or none."""
    photos = getattr(item, "public_photos", None)
    if photos is None:
        photos = list(_public_photos().filter(request=item)[:1])
    if not photos:
        return None
    return settings.SITE_URL.rstrip("/") + reverse("files:serve", args=[photos[0].stored_id])


def _public_photos():
    return Photo.objects.filter(stored__visibility=StoredFile.Visibility.PUBLIC).order_by(
        "created_at", "pk"
    )


def _with_photos(qs):
    return qs.prefetch_related(
        Prefetch("photos", queryset=_public_photos(), to_attr="public_photos")
    )


def _parse_date(value: str) -> dt.datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value.replace(" ", "+"))
    if parsed is None:
        raise InvalidInput(
            fields={"date": [_("%(value)s is not a W3C date-time") % {"value": value}]}
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_endpoint(request, fmt: str):
    if request.method == "POST":
        return _post_request(request, fmt)
    params = request.GET
    qs = _with_photos(
        ServiceRequest.objects.select_related("category", "organisation", "parent__organisation")
    )
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(number__in=ids[:MAX_RESULTS])
    else:
        try:
            start = _parse_date(params.get("start_date", ""))
            end = _parse_date(params.get("end_date", ""))
        except InvalidInput as exc:
            return _domain_errors(fmt, exc)
        if start is None:
            start = (end or timezone.now()) - DEFAULT_WINDOW
        qs = qs.filter(created_at__gte=start)
        if end is not None:
            qs = qs.filter(created_at__lte=end)
        codes = [c for c in params.get("service_code", "").split(",") if c]
        if codes:
            qs = qs.filter(category__code__in=codes)
        status = params.get("status", "")
        if status:
            wanted = {s.strip() for s in status.split(",")}
            if wanted == {"open"}:
                qs = qs.filter(status__in=OPEN_STATUSES)
            elif wanted == {"closed"}:
                qs = qs.exclude(status__in=OPEN_STATUSES)
    items = [_request_data(r) for r in qs.order_by("-created_at", "-pk")[:MAX_RESULTS]]
    return _respond(fmt, items, root="service_requests")


#: Our field names → the GeoReport v2 parameters a client sent, for the error descriptions.
_SPEC_NAMES = {
    "category": "service_code",
    "building": "address_id",
    "address": "address_string",
    "contact_email": "email",
    "contact_phone": "phone",
    "contact_name": "first_name",
    "photos": "media",
}


#: How a client says yes in a form field.
_TRUE = {"true", "1", "yes", "on"}

#: The charsets a POST body may declare: GeoReport v2 bodies are UTF-8.
_UTF8 = {"utf-8", "utf8"}


def _encoding_problem(request) -> str | None:
    """Why the body cannot be read as UTF-8 (None if it can). A body declaring another charset
    (``windows-1251``) is refused rather than decoded, and so is an undeclared body that is not
    valid UTF-8 — Django would decode it with replacement characters and store mojibake. A
    form-encoded body is checked byte for byte (no database, no copy beyond the body); in a
    multipart body Django has already replaced invalid bytes by U+FFFD, so a text field holding
    one is refused."""
    charset = (request.content_params or {}).get("charset", "").strip().lower()
    if charset and charset not in _UTF8:
        return _("The body must be encoded in UTF-8 (it declares %(charset)s).") % {
            "charset": charset[:40]
        }
    if request.content_type == "application/x-www-form-urlencoded":
        try:
            unquote_to_bytes(request.body.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return _("The body is not valid UTF-8: send the text in UTF-8.")
    return None


def _post_request(request, fmt: str):
    """Check everything the input alone decides, then hand the request to the intake inbox:
    the answer carries the ``token`` (registration follows within moments) or, when
    registered at once, the ``service_request_id`` — GeoReport v2 allows either.

    ``description`` is optional as in GeoReport v2 when ``media`` (a photo) is the report; a
    request with neither is refused with the error list."""
    problem = _encoding_problem(request)
    if problem is None:
        try:
            data = request.POST
        except BadRequest:  # a body Django itself refuses to parse
            problem = _("The body must be form-encoded in UTF-8.")
        else:
            if any("\ufffd" in v for _key, values in data.lists() for v in values):
                problem = _("The body is not valid UTF-8: send the text in UTF-8.")
    if problem is not None:
        return _errors(fmt, 400, [(400, problem)])
    client = services.open311_client_for_key(data.get("api_key", ""))
    if client is None:
        return _errors(fmt, 403, [(403, _("api_key is missing or not valid"))])
    lat, lon = data.get("lat", ""), data.get("long", "")
    address = data.get("address_string", "")
    building = data.get("address_id") or None
    attributes = {
        key[len("attribute[") : -1]: (
            data.getlist(key) if len(data.getlist(key)) > 1 else data[key]
        )
        for key in data
        if key.startswith("attribute[") and key.endswith("]")
    }
    name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)
    if not data.get("service_code"):
        return _errors(fmt, 400, [(400, _("service_code: this parameter is required"))])
    if not (lat or lon or address or building):
        return _errors(fmt, 400, [(400, _("lat/long or address_string is required"))])
    if building is not None and not str(building).isdigit():
        return _errors(fmt, 400, [(400, _("address_id: must be a building id"))])
    try:
        payload = intake.prepare(
            category=data["service_code"],
            description=data.get("description", ""),
            # An extension of GeoReport v2: the client's user kept the description private.
            description_private=data.get("description_private", "").lower() in _TRUE,
            channel=Channel.OPEN311,
            building=building,
            address=address,
            lat=lat,
            lon=lon,
            contact_name=name,
            contact_phone=data.get("phone", ""),
            contact_email=data.get("email", ""),
            attributes=attributes,
            photos=request.FILES.getlist("media"),
            media_url=data.get("media_url", ""),
            # GeoReport v2 publishes media_url to everyone, so a client's photos are public;
            # an extension like description_private keeps them to the people handling it.
            photos_public=data.get("media_private", "").lower() not in _TRUE,
            open311_client=client,
        )
        key = idempotency_key(request, scope=f"open311:{client.pk}")
        item = intake.receive(payload, idempotency_key=key)
    except InvalidInput as exc:
        exc.fields = {_SPEC_NAMES.get(k, k): v for k, v in exc.fields.items()}
        return _domain_errors(fmt, exc)
    except DomainError as exc:
        return _domain_errors(fmt, exc)
    if item.pending or item.repeated:  # a repeated key answers with the first receipt
        return _respond(fmt, [{"token": item.token}], root="service_requests", status=202)
    if item.object_id is None:
        return _errors(fmt, 400, [(400, item.error or _("The request was refused."))])
    body = [
        {
            "service_request_id": item.ref,
            "service_notice": _("Registered; follow it by its service_request_id."),
            "account_id": None,
        }
    ]
    return _respond(fmt, body, root="service_requests", status=200)


def request_detail(request, fmt: str, request_id: str):
    item = (
        _with_photos(
            ServiceRequest.objects.select_related(
                "category", "organisation", "parent__organisation"
            )
        )
        .filter(number=request_id)
        .first()
    )
    if item is None:
        return _errors(
            fmt, 404, [(404, _("service_request_id %(id)s is not known") % {"id": request_id})]
        )
    return _respond(fmt, [_request_data(item)], root="service_requests")


def token_detail(request, fmt: str, token: str):
    """What became of a POST's ``token``: the ``service_request_id`` once registered; while
    registration is pending, the token alone (the spec's answer for "not yet")."""
    item = inbox.status(token)
    if item is None or item.kind != intake.KIND:
        return _errors(fmt, 404, [(404, _("token is not known"))])
    if item.state == item.PENDING:
        return _respond(fmt, [{"token": token}], root="service_requests")
    if item.state != item.DONE:
        reason = item.error or _("The request could not be registered.")
        return _errors(fmt, 400, [(400, reason)])
    return _respond(
        fmt, [{"service_request_id": item.ref, "token": token}], root="service_requests"
    )
