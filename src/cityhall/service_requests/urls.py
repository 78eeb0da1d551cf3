from django.urls import path

from .views import (
    call_centre,
    dispatch,
    handovers,
    maps,
    placing,
    public,
    reports,
    resident,
    staff_maps,
)

app_name = "service_requests"

urlpatterns = [
    path("", public.public_list, name="list"),
    path("new/", resident.new_request, name="new"),
    path("new/earlier.json", resident.earlier_reports_json, name="earlier_reports"),
    path("new/place.json", placing.place_json, name="place"),
    path("map/", maps.public_map, name="map"),
    path("map/clusters.json", maps.public_map_clusters, name="map_clusters"),
    path("mine/", resident.my_requests, name="mine"),
    path("organisations/", public.organisations, name="organisations"),
    path("reports/", reports.public_reports, name="public_reports"),
    path("reports/export.<str:fmt>", reports.public_reports_export, name="public_reports_export"),
    path("organisations/<int:pk>/", public.organisation_page, name="organisation"),
    path("<int:pk>/", resident.request_page, name="detail"),
    path("<int:pk>/follow/", placing.follow, name="follow"),
    path("t/<str:token>/", resident.request_page, name="track"),
    path("t/<str:token>/act/", resident.resident_action, name="resident_action"),
    path("t/<str:token>/status.json", resident.live_status, name="live_status"),
    path("staff/queue/", dispatch.org_queue, name="queue"),
    path("staff/board/", dispatch.board, name="board"),
    path("staff/queue/map/", staff_maps.queue_map, name="queue_map"),
    path("staff/queue/map/clusters.json", staff_maps.queue_map_clusters, name="queue_map_clusters"),
    path("staff/board/map/", staff_maps.board_map, name="board_map"),
    path("staff/board/map/clusters.json", staff_maps.board_map_clusters, name="board_map_clusters"),
    path("staff/handovers/", handovers.handovers, name="handovers"),
    path("staff/bulk/", dispatch.bulk_action, name="bulk"),
    path("staff/call-centre/", call_centre.operator, name="operator"),
    path("staff/reports/", reports.reports, name="reports"),
    path("staff/reports/export.<str:fmt>", reports.reports_export, name="reports_export"),
    path("staff/reports/refresh/", reports.refresh_figures, name="reports_refresh"),
    path("staff/<int:pk>/", dispatch.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/act/", dispatch.staff_action, name="staff_action"),
]
