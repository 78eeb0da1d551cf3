from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    path("", views.district_list, name="districts"),
    path("search/", views.address_search, name="search"),
    path("districts/<slug:code>/", views.district_detail, name="district"),
    path("buildings/<int:pk>/", views.building_detail, name="building"),
    path("map/base.geojson", views.map_base, name="map_base"),
]
