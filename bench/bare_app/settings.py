"""Settings of the bare benchmark app: the project's DATABASES, and nothing else of it (no
middleware, no sessions, no auth, no templates)."""

from cityhall.settings import DATABASES  # noqa: F401 - same database, same options

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["bare_app"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bare_app.urls"
WSGI_APPLICATION = "bare_app.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LOGGING_CONFIG = None
