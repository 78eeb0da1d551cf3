"""WSGI entry point (gunicorn ``cityhall.wsgi``): the two lanes of core.handlers."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityhall.settings")
django.setup(set_prefix=False)

from cityhall.core.handlers import Application  # noqa: E402 - after setup

application = Application()


def _freeze_what_lives_forever() -> None:
    """Load what every request uses (URL patterns with the API, the translation catalogues),
    then move every object alive now out of the cyclic garbage collector's reach. Its full
    collections otherwise walk these ~200,000 objects again and again for nothing: about a
    tenth of a submission's CPU time."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver()._populate()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Authentication required.")
    gc.collect()
    gc.freeze()


_freeze_what_lives_forever()
