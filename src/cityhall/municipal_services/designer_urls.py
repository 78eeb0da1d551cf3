"""The service designer's pages, mounted at ``/staff/services/`` (namespace
``service_designer``)."""

from django.urls import path

from .views import (
    designer,
    designer_form,
    designer_group,
    designer_parts,
    designer_publish,
    designer_rules,
)
from .views import request_type_designer as request_forms

app_name = "service_designer"

V = "<slug:code>/v<int:number>/"

urlpatterns = [
    path("", designer.designer_index, name="index"),
    path("new/", designer.service_new, name="service_new"),
    path("import/", designer.service_import, name="import"),
    path("<slug:code>/", designer.service_page, name="service"),
    path("<slug:code>/new-version/", designer.version_new, name="version_new"),
    path(V, designer.version_page, name="version"),
    path(V + "export.json", designer.service_export, name="export"),
    path(V + "fields/", designer_form.fields_page, name="fields"),
    path(V + "fields/<str:name>/", designer_form.field_edit, name="field"),
    path(V + "fields/<str:name>/act/", designer_form.field_action, name="field_action"),
    path(V + "fields/<str:name>/items/", designer_group.group_page, name="group"),
    path(
        V + "fields/<str:name>/items/<str:sub>/", designer_group.group_item_edit, name="group_item"
    ),
    path(
        V + "fields/<str:name>/items/<str:sub>/act/",
        designer_group.group_item_action,
        name="group_item_action",
    ),
    path(V + "documents/", designer_parts.documents_page, name="documents"),
    path(V + "variants/", designer_parts.variants_page, name="variants"),
    path(V + "stages/", designer_parts.stages_page, name="stages"),
    path(V + "texts/", designer_parts.texts_page, name="texts"),
    path(V + "rules/", designer_rules.rules_page, name="rules"),
    path(V + "template/", designer_rules.template_page, name="template"),
    path(V + "preview/", designer_publish.preview_page, name="preview"),
    path(V + "publish/", designer_publish.publish_page, name="publish"),
]

# Interdepartmental request types' forms (before ``<slug:code>/``, which would take them).
R = "request-types/<slug:code>/v<int:number>/"
urlpatterns[0:0] = [
    path("request-types/", request_forms.request_types, name="request_types"),
    path(
        "request-types/<slug:code>/start/",
        request_forms.request_type_start,
        name="request_type_start",
    ),
    path(R, request_forms.request_form_page, name="request_form"),
    path(R + "publish/", request_forms.request_form_publish, name="request_form_publish"),
    path(R + "fields/<str:name>/", request_forms.request_form_field, name="request_field"),
    path(
        R + "fields/<str:name>/act/",
        request_forms.request_form_field_action,
        name="request_field_action",
    ),
]
