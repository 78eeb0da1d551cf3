from django.urls import path

from . import views

app_name = "municipal_services"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("my/", views.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/upload/", views.application_upload, name="application_upload"),
    path("applications/<int:pk>/sign/", views.application_sign, name="application_sign"),
    path(
        "applications/<int:pk>/signatures/<int:signature_pk>/verify/",
        views.signature_verify,
        name="signature_verify",
    ),
    path("applications/<int:pk>/act/", views.application_act, name="application_act"),
    path("applications/<int:pk>/result.pdf", views.result_pdf, name="result_pdf"),
    path("applications/<int:pk>/files/<int:file_pk>/", views.application_file, name="file"),
    path("desk/", views.desk, name="desk"),
    path("desk/register/<slug:code>/", views.register_paper, name="register_paper"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.<str:fmt>", views.statistics_export, name="statistics_export"),
    path("consultations/", views.consultations, name="consultations"),
    path("requests/", views.requests_desk, name="requests_desk"),
    path("requests/<int:pk>/act/", views.request_act, name="request_act"),
    path("registry/", views.registry, name="registry"),
    path("registry/map.svg", views.registry_map, name="registry_map"),
    path("situations/<slug:code>/", views.life_situation, name="life_situation"),
    path("situations/cases/<int:pk>/", views.life_situation_case, name="life_situation_case"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("preview/draft/", views.preview_draft, name="preview_draft"),
    path("widget.js", views.widget_script, name="widget_script"),
    path("widget/continue/<str:token>/", views.widget_continue, name="widget_continue"),
    path("widget/<slug:site>/<slug:code>/", views.widget, name="widget"),
    path("<slug:code>/", views.service_detail, name="service"),
    path("<slug:code>/apply/", views.apply, name="apply"),
]
