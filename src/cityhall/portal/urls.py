from django.urls import path

from . import pages, support_desk, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("cabinet/", views.cabinet, name="cabinet"),
    path("staff/", views.staff_workspace, name="workspace"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/sent/", views.feedback_sent, name="feedback_sent"),
    path("favicon.ico", pages.favicon, name="favicon"),
    *(path(f"{name}/", pages.information_page, {"name": name}, name=name) for name in pages.PAGES),
    path("staff/support/", support_desk.desk, name="support_desk"),
    path("staff/support/<str:number>/", support_desk.ticket, name="support_ticket"),
    path("staff/support/<str:number>/close/", support_desk.close, name="support_close"),
    path("cabinet/support/", support_desk.my_tickets, name="my_tickets"),
    path("cabinet/support/<str:number>/", support_desk.my_ticket, name="my_ticket"),
]
