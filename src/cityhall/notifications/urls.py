from django.urls import path

from . import template_editor, views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox_list, name="list"),
    path("<int:message_id>/", views.message_detail, name="detail"),
    path("<int:message_id>/read/", views.mark_read, name="mark_read"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("problems/", views.problems, name="problems"),
    path("problems/<int:message_id>/retry/", views.retry, name="retry"),
    path("staff/templates/", template_editor.templates, name="templates"),
    path(
        "staff/templates/missing/",
        template_editor.missing_translations,
        name="missing_translations",
    ),
    path(
        "staff/templates/<str:event>/<slug:language>/",
        template_editor.template_edit,
        name="template_edit",
    ),
    path(
        "staff/templates/<str:event>/<slug:language>/withdraw/",
        template_editor.withdraw,
        name="template_withdraw",
    ),
]
