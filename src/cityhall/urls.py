"""Mounts each app's pages, the API and the admin."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from cityhall.api import api
from cityhall.core.views import api_not_found, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("audit/", include("cityhall.core.urls")),
    path("files/", include("cityhall.core.file_urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),  # the API's own 404 (JSON), not the site's page
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("cityhall.accounts.urls")),
    path("geo/", include("cityhall.geo.urls")),
    path("notifications/", include("cityhall.notifications.urls")),
    path("discussions/", include("cityhall.discussions.urls")),
    path("requests/", include("cityhall.service_requests.urls")),
    path("open311/v2/", include("cityhall.service_requests.open311_urls")),
    path("services/", include("cityhall.municipal_services.urls")),
    path("staff/services/", include("cityhall.municipal_services.designer_urls")),
    path("opendata/", include("cityhall.opendata.urls")),
    path("", include("cityhall.portal.urls")),
]

# The branded 500 page in the reader's language (portal.pages.server_error).
handler500 = "cityhall.portal.pages.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
