from django.urls import path

from . import views

app_name = "service_requests"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("new/", views.new_request, name="new"),
    path("map/", views.public_map, name="map"),
    path("mine/", views.my_requests, name="mine"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<int:pk>/", views.organisation_page, name="organisation"),
    path("<int:pk>/", views.request_page, name="detail"),
    path("t/<str:token>/", views.request_page, name="track"),
    path("t/<str:token>/act/", views.resident_action, name="resident_action"),
    path("t/<str:token>/status.json", views.live_status, name="live_status"),
    path("staff/queue/", views.org_queue, name="queue"),
    path("staff/board/", views.board, name="board"),
    path("staff/bulk/", views.bulk_action, name="bulk"),
    path("staff/call-centre/", views.operator, name="operator"),
    path("staff/reports/", views.reports, name="reports"),
    path("staff/reports/export.<str:fmt>", views.reports_export, name="reports_export"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/act/", views.staff_action, name="staff_action"),
]
