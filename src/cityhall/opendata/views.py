"""Open data pages: the list of sets, a set's page, downloads (with ranges), the catalogues,
and the administrators' page that starts a generation and shows its progress."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cityhall.accounts.models import Role
from cityhall.accounts.permissions import staff_required
from cityhall.core import jobs
from cityhall.core.opendata import Dataset, dataset, datasets

from . import catalogue, selectors
from .downloads import send_file
from .formats import FORMATS
from .generation import version_folder
from .models import DatasetVersion

PASSPORT_CSV = "text/csv; charset=utf-8"


def _not_found(request, message: str) -> HttpResponse:
    """An unknown set or version: 404 with the list of sets (page and API alike)."""
    return render(
        request,
        "opendata/not_found.html",
        {"message": message, "sets": selectors.latest_by_set()},
        status=404,
    )


def _context() -> dict:
    return {
        "licence": settings.OPENDATA_LICENCE,
        "publisher": selectors.publisher(get_language() or "ru"),
    }


@require_GET
def index(request):
    return render(request, "opendata/index.html", {**_context(), "sets": selectors.latest_by_set()})


@require_GET
def set_page(request, code: str):
    found = dataset(code)
    if found is None:
        return _not_found(request, _("There is no data set “%(code)s”.") % {"code": code})
    versions = list(selectors.published(code)[:20])
    return render(
        request,
        "opendata/set.html",
        {
            **_context(),
            "set": found,
            "latest": versions[0] if versions else None,
            "versions": versions,
            "identifier": catalogue.identifier(found),
            "formats": FORMATS,
        },
    )


@require_GET
def download(request, code: str, version: str, fmt: str):
    found = dataset(code)
    chosen = selectors.version(code, version) if found else None
    info = chosen.files.get(fmt) if chosen else None
    if found is None or chosen is None or not info or "skipped" in info:
        return _not_found(request, _("There is no such version or file of this data set."))
    path = version_folder(chosen) / info["name"]
    if not path.exists():
        raise Http404(_("The file of this version is missing."))
    return send_file(
        request,
        path,
        content_type=FORMATS[fmt][1] if fmt == "xlsx" else "application/gzip",
        filename=f"{code}-{info['name']}",
        etag=info["sha256"],
        immutable=version != "latest",
    )


@require_GET
def catalog(request):
    return JsonResponse(
        catalogue.catalog(),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


def _csv_response(text: str) -> HttpResponse:
    return HttpResponse(text.encode("utf-8"), content_type=PASSPORT_CSV)


@require_GET
def list_csv(request):
    return _csv_response(catalogue.list_csv())


def _by_identifier(ident: str) -> Dataset | None:
    prefix = f"{settings.OPENDATA_INN}-"
    if not ident.startswith(prefix):
        return None
    found = dataset(ident[len(prefix) :])
    return found if found and selectors.latest(found.code) else None


@require_GET
def meta(request, ident: str):
    found = _by_identifier(ident)
    if found is None:
        return _not_found(request, _("There is no data set “%(code)s”.") % {"code": ident})
    return _csv_response(catalogue.meta_csv(found))


@require_GET
def structure(request, ident: str, structure: str):
    found = _by_identifier(ident)
    if found is None or not selectors.published(found.code).filter(structure=structure).exists():
        return _not_found(request, _("There is no such structure of this data set."))
    return _csv_response(catalogue.structure_csv(found))


@require_GET
def data(request, ident: str, name: str):
    """The passport's data file: the version's CSV, sent gzip-encoded (clients decode it)."""
    found = _by_identifier(ident)
    chosen = None
    if found is not None and name.startswith("data-") and "-structure-" in name:
        version = name[len("data-") :].split("-structure-")[0]
        chosen = selectors.version(found.code, version)
    expected = f"data-{chosen.version}-structure-{chosen.structure}.csv" if chosen else ""
    if chosen is None or name != expected:
        return _not_found(request, _("There is no such version or file of this data set."))
    info = chosen.files["csv"]
    return send_file(
        request,
        version_folder(chosen) / info["name"],
        content_type=PASSPORT_CSV,
        filename=name,
        etag=info["sha256"],
        immutable=True,
        encoding="gzip",
    )


@staff_required(Role.ADMINISTRATOR)
def staff(request):
    running = selectors.running()
    failed = list(
        DatasetVersion.objects.filter(state=DatasetVersion.State.FAILED).order_by("-started_at")[
            :10
        ]
    )
    return render(
        request,
        "opendata/staff.html",
        {
            "sets": selectors.latest_by_set(),
            "running": running,
            "failed": failed,
            "refresh": bool(running),
        },
    )


@require_POST
@staff_required(Role.ADMINISTRATOR)
def generate(request):
    wanted = request.POST.getlist("dataset")
    known = {d.code for d in datasets()}
    codes = [c for c in wanted if c in known]
    if not codes or len(codes) != len(wanted):
        messages.error(request, _("Choose one or more data sets to generate."))
        return redirect("opendata:staff")
    for code in codes:
        jobs.enqueue("opendata.generate", code, request.user.pk)
    messages.success(
        request,
        _("Generation started: %(sets)s. The progress is shown below.")
        % {"sets": ", ".join(codes)},
    )
    return redirect("opendata:staff")


def unknown(request, **kwargs):
    return _not_found(request, _("There is no such data set, version or file."))
