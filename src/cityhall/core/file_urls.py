"""The one address of every stored file (``core.file_views``)."""

from django.urls import path

from . import file_views, thumbnail_views

app_name = "files"

urlpatterns = [
    path("<uuid:file_id>/", file_views.serve, name="serve"),
    path("<uuid:file_id>/thumbnail/", thumbnail_views.thumbnail, name="thumbnail"),
]
