from django.urls import path, re_path

from . import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("catalog.jsonld", views.catalog, name="catalog"),
    path("list.csv", views.list_csv, name="list"),
    path("staff/", views.staff, name="staff"),
    path("staff/generate", views.generate, name="generate"),
    # the passport files: /opendata/<INN>-<code>/meta.csv, structure-…csv, data-…csv
    re_path(r"^(?P<ident>\d{10,12}-[a-z0-9-]+)/meta\.csv$", views.meta, name="meta"),
    re_path(
        r"^(?P<ident>\d{10,12}-[a-z0-9-]+)/structure-(?P<structure>\d{8})\.csv$",
        views.structure,
        name="structure",
    ),
    re_path(
        r"^(?P<ident>\d{10,12}-[a-z0-9-]+)/(?P<name>data-[0-9T]+-structure-\d{8}\.csv)$",
        views.data,
        name="data",
    ),
    path("<slug:code>/", views.set_page, name="set"),
    re_path(
        r"^(?P<code>[a-z0-9-]+)/(?P<version>latest|\d{8}T\d{6})/(?P<fmt>csv|json|geojson|xlsx)$",
        views.download,
        name="download",
    ),
]
urlpatterns.append(re_path(r"^.+$", views.unknown, name="unknown"))
