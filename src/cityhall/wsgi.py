"""WSGI entry point (gunicorn ``cityhall.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityhall.settings")
application = get_wsgi_application()
