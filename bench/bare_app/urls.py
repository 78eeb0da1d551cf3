from django.urls import path

from . import views

urlpatterns = [
    path("rows", views.insert),
    path("healthz", views.healthz),
]
