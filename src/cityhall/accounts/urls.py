from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/code/", views.second_factor_step, name="second_factor"),
    path("login/authenticator/", views.second_factor_setup, name="second_factor_setup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/code/", views.password_reset_code, name="password_reset_code"),
    path("password/change/", views.password_change, name="password_change"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("register/", views.register, name="register"),
    path("confirm/", views.confirm, name="confirm"),
    path("profile/", views.profile, name="profile"),
    path("staff/people/", views.people, name="people"),
    path("verify/", views.verify_identity, name="verify"),
    path("verify/organisations/", views.verify_organisation, name="verify_organisation"),
    path("verify/registers/", views.register_imports, name="register_imports"),
    path("verify/registers/<int:pk>/", views.register_import_detail, name="register_import"),
    path("oidc/start/", views.oidc_start, name="oidc_start"),
    path("oidc/callback/", views.oidc_callback, name="oidc_callback"),
]
