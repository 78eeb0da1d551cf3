from django.urls import path

from .views import call_centre, catalogue_editor, dispatch, handovers, public, reports, resident

app_name = "service_requests"

urlpatterns = [
    path("", public.public_list, name="list"),
    path("new/", resident.new_request, name="new"),
    path("new/earlier.json", resident.earlier_reports_json, name="earlier_reports"),
    path("map/", public.public_map, name="map"),
    path("mine/", resident.my_requests, name="mine"),
    path("organisations/", public.organisations, name="organisations"),
    path("reports/", reports.public_reports, name="public_reports"),
    path("reports/export.<str:fmt>", reports.public_reports_export, name="public_reports_export"),
    path("organisations/<int:pk>/", public.organisation_page, name="organisation"),
    path("<int:pk>/", resident.request_page, name="detail"),
    path("t/<str:token>/", resident.request_page, name="track"),
    path("t/<str:token>/act/", resident.resident_action, name="resident_action"),
    path("t/<str:token>/status.json", resident.live_status, name="live_status"),
    path("staff/queue/", dispatch.org_queue, name="queue"),
    path("staff/board/", dispatch.board, name="board"),
    path("staff/handovers/", handovers.handovers, name="handovers"),
    path("staff/bulk/", dispatch.bulk_action, name="bulk"),
    path("staff/call-centre/", call_centre.operator, name="operator"),
    path("staff/reports/", reports.reports, name="reports"),
    path("staff/reports/export.<str:fmt>", reports.reports_export, name="reports_export"),
    path("staff/reports/refresh/", reports.refresh_figures, name="reports_refresh"),
    path("staff/catalogue/", catalogue_editor.catalogue, name="catalogue"),
    path("staff/catalogue/drafts/<int:pk>/", catalogue_editor.draft_edit, name="catalogue_draft"),
    path(
        "staff/catalogue/drafts/<int:pk>/questions/new/",
        catalogue_editor.question_edit,
        name="catalogue_question_new",
    ),
    path(
        "staff/catalogue/drafts/<int:pk>/questions/<slug:code>/",
        catalogue_editor.question_edit,
        name="catalogue_question",
    ),
    path(
        "staff/catalogue/drafts/<int:pk>/questions/<slug:code>/move/",
        catalogue_editor.question_action,
        name="catalogue_question_action",
    ),
    path(
        "staff/catalogue/drafts/<int:pk>/publish/",
        catalogue_editor.draft_publish,
        name="catalogue_publish",
    ),
    path(
        "staff/catalogue/drafts/<int:pk>/discard/",
        catalogue_editor.draft_discard,
        name="catalogue_discard",
    ),
    path("staff/<int:pk>/", dispatch.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/act/", dispatch.staff_action, name="staff_action"),
]
