from django.urls import path

from . import pages, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("cabinet/", views.cabinet, name="cabinet"),
    path("staff/", views.staff_workspace, name="workspace"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/sent/", views.feedback_sent, name="feedback_sent"),
    path("favicon.ico", pages.favicon, name="favicon"),
    *(path(f"{name}/", pages.information_page, {"name": name}, name=name) for name in pages.PAGES),
]
