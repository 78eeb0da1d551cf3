from django.urls import path

from . import support_desk, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("cabinet/", views.cabinet, name="cabinet"),
    path("staff/", views.staff_workspace, name="workspace"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/sent/", views.feedback_sent, name="feedback_sent"),
    path("staff/support/", support_desk.desk, name="support_desk"),
    path("staff/support/<str:number>/", support_desk.ticket, name="support_ticket"),
    path("staff/support/<str:number>/close/", support_desk.close, name="support_close"),
    path("cabinet/support/", support_desk.my_tickets, name="my_tickets"),
    path("cabinet/support/<str:number>/", support_desk.my_ticket, name="my_ticket"),
]
