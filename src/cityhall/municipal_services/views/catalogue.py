"""Public pages of the catalogue: the services offered, a service's page, and the registers
of issued permits (a table and the same records on the city map)."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cityhall.core.errors import NotFound
from cityhall.geo.web_map import LegendEntry, Pin, web_map

from .. import selectors
from ..definition import text_in
from ..models import LifeSituation
from .common import PAGE_SIZE, document_rows, domain_errors, page_number


def catalogue(request):
    services_ = list(selectors.catalogue())
    situations = LifeSituation.objects.filter(
        is_active=True, versions__status="published"
    ).order_by("code")
    return render(
        request,
        "municipal_services/catalogue.html",
        {"services": services_, "situations": situations, "title": _("Municipal services")},
    )


@domain_errors
def service_detail(request, code):
    service = selectors.service_by_code(code)
    version = selectors.published_version(service)
    if version is None:
        raise NotFound()
    return render(
        request,
        "municipal_services/service.html",
        {
            "service": service,
            "version": version,
            "documents": document_rows(version),
            "fees": [(text_in(f.get("title")), f.get("amount")) for f in version.fees or []],
        },
    )


#: Each register's pins in their own colour and shape (legend beside the map); a fifth register
#: shares the first's look, and every pin still says its register when opened.
REGISTER_LOOKS = ("#0b4f8a", "#8a4b00", "#1b6e3a", "#5b2a86")


def _register_kinds(registries: list[tuple[str, str]]) -> dict[str, int]:
    return {code: i % len(REGISTER_LOOKS) for i, (code, _name) in enumerate(registries)}


def _record_pin(record, names: dict[str, str], kinds: dict[str, int] | None = None) -> Pin:
    return Pin(
        lat=record.lat,
        lon=record.lon,
        title=f"{record.number}: {record.title}",
        lines=tuple(
            line
            for line in (
                names.get(record.registry, record.registry),
                record.address,
                _("Issued %(date)s") % {"date": date_format(record.issued_on, "SHORT_DATE_FORMAT")},
            )
            if line
        ),
        kind=f"registry-{(kinds or {}).get(record.registry, 0)}",
    )


def registry(request):
    name = request.GET.get("registry", "")
    q = request.GET.get("q", "").strip()[:100]
    page = page_number(request)
    rows = list(selectors.registry_search(name, q)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    registries = selectors.registries()
    names = dict(registries)
    kinds = _register_kinds(registries)
    places = selectors.registry_places(name, q)
    shown = {r.registry for r in places}
    records_map = web_map(
        map_id="registry-map",
        label=_("Map of the records found"),
        pins=[_record_pin(r, names, kinds) for r in places],
        legend=[
            LegendEntry(colour=REGISTER_LOOKS[kinds[code]], label=register)
            for code, register in registries
            if code in shown
        ],
        size="large",
        show_list=False,  # the table above lists the same records
    )
    return render(
        request,
        "municipal_services/registry.html",
        {
            "rows": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page": page,
            "registry": name,
            "q": q,
            "registries": registries,
            "records_map": records_map,
            "title": _("Registers of issued permits"),
        },
    )


def registry_places(request):
    """``registry/records.geojson?registry=&q=``: the records found as GeoJSON points (number,
    title, register, address, date issued; never the holder), for maps and reuse."""
    name = request.GET.get("registry", "")
    q = request.GET.get("q", "").strip()[:100]
    names = dict(selectors.registries())
    features = [
        {
            "type": "Feature",
            "id": r.pk,
            "geometry": {"type": "Point", "coordinates": [round(r.lon, 6), round(r.lat, 6)]},
            "properties": {
                "registry": r.registry,
                "registry_name": names.get(r.registry, r.registry),
                "number": r.number,
                "title": r.title,
                "address": r.address,
                "issued_on": r.issued_on.isoformat(),
            },
        }
        for r in selectors.registry_places(name, q)
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def registry_map(request):
    """The records found, marked on the city's districts (geo's renderer), as an SVG file for
    the registry page's ``<img>``; the page's table lists the same records as text."""
    from django.utils.translation import ngettext

    from cityhall.geo.maps import SHADES, MapPlace, draw_map, render_svg
    from cityhall.geo.models import District

    name = request.GET.get("registry", "")
    q = request.GET.get("q", "").strip()[:100]
    records = selectors.registry_search(name, q).filter(lat__isnull=False, lon__isnull=False)
    places = [MapPlace(r.lat, r.lon, f"{r.number}: {r.title}") for r in records[:2000]]
    districts = list(District.objects.all())
    svg = draw_map(areas=districts, places=places, colours=[SHADES[0]] * len(districts))
    title = _("Registry records on the city map")
    desc = ngettext(
        "%(count)s record found; the register's table lists it.",
        "%(count)s records found; the register's table lists them.",
        len(places),
    ) % {"count": len(places)}
    return HttpResponse(render_svg(svg, title=title, desc=desc), content_type="image/svg+xml")
