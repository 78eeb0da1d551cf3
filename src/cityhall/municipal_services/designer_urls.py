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
