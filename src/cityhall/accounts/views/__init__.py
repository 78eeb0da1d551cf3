"""Accounts pages: sign-in with a second factor for staff, registration and confirmation,
profile, people and roles for administrators, identity verification (in person and through
the state identity portal). Views parse input, call one service and render.

One module per workflow: ``sign_in`` (password, second factor, identity portal),
``registration``, ``passwords`` (reset and change), ``api_tokens``, ``profile``, ``staff``
(people and roles, in-person verification), ``organisation_verification`` (companies and
public authorities from their register extract), ``register_imports`` (verification
registers);
``form_errors`` shows a domain error on its form. ``urls.py`` takes the views from here.
"""

from __future__ import annotations

from .api_tokens import api_tokens
from .organisation_verification import verify_organisation
from .passwords import password_change, password_reset, password_reset_code
from .profile import profile
from .register_imports import register_import_detail, register_imports
from .registration import confirm, register
from .sign_in import oidc_callback, oidc_start, second_factor_setup, second_factor_step, sign_in
from .staff import people, verify_identity

__all__ = [
    "api_tokens",
    "sign_in",
    "second_factor_step",
    "second_factor_setup",
    "password_change",
    "password_reset",
    "password_reset_code",
    "register",
    "confirm",
    "profile",
    "people",
    "verify_identity",
    "verify_organisation",
    "register_imports",
    "register_import_detail",
    "oidc_start",
    "oidc_callback",
]
