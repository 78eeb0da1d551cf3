from django.urls import path

from .views import (
    applications,
    catalogue,
    consultations,
    desk,
    letters,
    life_situation_designer,
    life_situation_versions,
    life_situations,
    preview,
    signature,
    standard_requests,
    statistics,
    widget,
)
from .views import questionnaire_designer as questionnaire_pages

app_name = "municipal_services"

urlpatterns = [
    path("", catalogue.catalogue, name="catalogue"),
    path("my/", applications.my_applications, name="my_applications"),
    path("applications/<int:pk>/", applications.application_detail, name="application"),
    path("applications/<int:pk>/edit/", applications.application_edit, name="application_edit"),
    path(
        "applications/<int:pk>/upload/",
        applications.application_upload,
        name="application_upload",
    ),
    path("applications/<int:pk>/sign/", signature.application_sign, name="application_sign"),
    path(
        "applications/<int:pk>/signatures/<int:signature_pk>/verify/",
        signature.signature_verify,
        name="signature_verify",
    ),
    path("applications/<int:pk>/letter/", letters.application_letter, name="application_letter"),
    path("applications/<int:pk>/act/", desk.application_act, name="application_act"),
    path("applications/<int:pk>/result.pdf", applications.result_pdf, name="result_pdf"),
    path("applications/<int:pk>/files/<int:file_pk>/", applications.application_file, name="file"),
    path("desk/", desk.desk, name="desk"),
    path("desk/register/<slug:code>/", desk.register_paper, name="register_paper"),
    path("statistics/", statistics.statistics, name="statistics"),
    path("statistics/export.<str:fmt>", statistics.statistics_export, name="statistics_export"),
    path("consultations/", consultations.consultations, name="consultations"),
    path("requests/", standard_requests.requests_desk, name="requests_desk"),
    path("requests/<int:pk>/act/", standard_requests.request_act, name="request_act"),
    path("registry/", catalogue.registry, name="registry"),
    path("registry/map.svg", catalogue.registry_map, name="registry_map"),
    path("registry/records.geojson", catalogue.registry_places, name="registry_places"),
    path("situations/<slug:code>/", life_situations.life_situation, name="life_situation"),
    path(
        "situations/cases/<int:pk>/",
        life_situations.life_situation_case,
        name="life_situation_case",
    ),
    path("preview/<int:pk>/", preview.preview, name="preview"),
    path("preview/draft/", preview.preview_draft, name="preview_draft"),
    path("widget.js", widget.widget_script, name="widget_script"),
    path("widget/continue/<str:token>/", widget.widget_continue, name="widget_continue"),
    path("widget/<slug:site>/<slug:code>/", widget.widget, name="widget"),
    path("<slug:code>/", catalogue.service_detail, name="service"),
    path("<slug:code>/apply/", applications.apply, name="apply"),
]

# The life-situation designer (administrators).
urlpatterns += [
    path("staff/situations/", life_situation_designer.situations, name="designer_situations"),
    path(
        "staff/situations/<int:pk>/",
        life_situation_designer.situation_steps,
        name="designer_situation",
    ),
    path(
        "staff/situations/<int:pk>/steps/new/",
        life_situation_designer.step_edit,
        name="designer_step_new",
    ),
    path(
        "staff/situations/<int:pk>/steps/<int:step_pk>/",
        life_situation_designer.step_edit,
        name="designer_step",
    ),
    path(
        "staff/situations/<int:pk>/steps/<int:step_pk>/delete/",
        life_situation_designer.step_delete,
        name="designer_step_delete",
    ),
]

# The life situation's versions: a new draft, and publishing it (administrators).
urlpatterns += [
    path(
        "staff/situations/<int:pk>/new-version/",
        life_situation_versions.new_version,
        name="designer_situation_new_version",
    ),
    path(
        "staff/situations/<int:pk>/publish/",
        life_situation_versions.publish_page,
        name="designer_situation_publish",
    ),
]

# The life situation's questionnaire, built from field kinds (administrators).
urlpatterns += [
    path(
        "staff/situations/<int:pk>/questions/",
        questionnaire_pages.questions,
        name="designer_questions",
    ),
    path(
        "staff/situations/<int:pk>/questions/<str:name>/",
        questionnaire_pages.question_edit,
        name="designer_question",
    ),
    path(
        "staff/situations/<int:pk>/questions/<str:name>/act/",
        questionnaire_pages.question_action,
        name="designer_question_action",
    ),
]
