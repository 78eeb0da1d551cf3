from django.urls import path

from . import tile_archive, views

app_name = "geo"

urlpatterns = [
    path("", views.district_list, name="districts"),
    path("search/", views.address_search, name="search"),
    path("districts/<slug:code>/", views.district_detail, name="district"),
    path("buildings/<int:pk>/", views.building_detail, name="building"),
    path("map/base.geojson", views.map_base, name="map_base"),
    path("map/tiles.pmtiles", tile_archive.serve_tile_archive, name="tile_archive"),
]
