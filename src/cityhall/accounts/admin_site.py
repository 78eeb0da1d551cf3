"""The admin site of cityhall: staff reach it only through the sign-in with a second factor.

``settings.INSTALLED_APPS`` names :class:`AdminConfig` instead of ``django.contrib.admin``, so
``admin.site`` is a :class:`CityhallAdminSite`. The admin's own password form is never shown:
signing in (with its lockout and TOTP step) happens on the accounts pages only.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


class CityhallAdminSite(AdminSite):
    def has_permission(self, request) -> bool:
        from .selectors import session_lacks_second_factor

        return super().has_permission(request) and not session_lacks_second_factor(request.user)

    def login(self, request, extra_context=None):
        from .selectors import session_lacks_second_factor

        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        query = urlencode({"next": next_url})
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?{query}")
        if session_lacks_second_factor(request.user):
            return redirect(f"{reverse('accounts:second_factor')}?{query}")
        raise PermissionDenied


class AdminConfig(DjangoAdminConfig):
    default_site = "cityhall.accounts.admin_site.CityhallAdminSite"
