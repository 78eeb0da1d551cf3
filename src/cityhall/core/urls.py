"""The shared kernel's public pages: the audit chain's checkpoints (ADR 0010)."""

from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("checkpoints/", views.audit_checkpoints_page, name="audit_checkpoints"),
    path("checkpoints.json", views.audit_checkpoints_json, name="audit_checkpoints_json"),
    path("checkpoints.csv", views.audit_checkpoints_csv, name="audit_checkpoints_csv"),
]
