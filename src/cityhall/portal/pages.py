"""The portal's information pages: accessibility statement, privacy notice, help, contacts;
the favicon at the address browsers ask for; the server-error page.

Their long texts are written once per language (``portal/pages/<name>.<language>.html``)
rather than cut into gettext messages: a legal notice reads as a whole and is reviewed as a
whole by whoever answers for it. Titles and the page frame are translated as usual. A language
without its own text falls back to Russian, the official language of every document here.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control

__all__ = ["PAGES", "favicon", "information_page", "server_error"]

logger = logging.getLogger(__name__)

#: name → title; each has ``portal/pages/<name>.{ru,tt,en}.html``.
PAGES = {
    "accessibility": _("Accessibility statement"),
    "privacy": _("Privacy notice"),
    "help": _("Help"),
    "contacts": _("Contacts"),
}
LANGUAGES = ("ru", "tt", "en")
FAVICON = Path(__file__).parent / "static" / "portal" / "favicon.ico"


def information_page(request, name: str):
    language = (translation.get_language() or "ru")[:2]
    body = f"portal/pages/{name}.{language if language in LANGUAGES else 'ru'}.html"
    return render(
        request,
        "portal/information_page.html",
        {
            "title": PAGES[name],
            "body": body,
            "name": name,
            "contacts": {
                "address": settings.CONTACT_ADDRESS,
                "phone": settings.CONTACT_PHONE,
                "email": settings.CONTACT_EMAIL,
                "hours": settings.CONTACT_HOURS,
            },
            "reviewed": settings.INFORMATION_PAGES_REVIEWED,
        },
    )


@cache_control(max_age=86400, public=True)
def favicon(request):
    """``/favicon.ico``: browsers and bookmarks ask there whatever the page's ``<link>`` says."""
    return FileResponse(FAVICON.open("rb"), content_type="image/vnd.microsoft.icon")


#: Served when even the branded page cannot be rendered (the template engine is the fault).
PLAIN_ERROR = """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Ошибка сервера</title>
</head><body><main><h1>Ошибка сервера</h1><p>Попробуйте ещё раз через несколько минут.</p>
<p lang="tt">Сервер хатасы. Берничә минуттан соң кабатлап карагыз.</p>
<p lang="en">Server error. Please try again in a few minutes.</p><p><a href="/">/</a></p>
</main></body></html>"""


def server_error(request, template_name: str = "500.html"):
    """The 500 page in the reader's language, branded like every page but built without the
    database or the request's context processors (either may be what failed)."""
    try:
        language = getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE
        with translation.override(language if language in LANGUAGES else settings.LANGUAGE_CODE):
            html = loader.get_template(template_name).render(
                {
                    "CITY_HALL_NAME": settings.CITY_HALL_NAME,
                    "LANGUAGE_CODE": translation.get_language(),
                    "year": timezone.now().year,
                }
            )
        return HttpResponseServerError(html)
    except Exception:  # noqa: BLE001 - the error page must never fail itself
        logger.exception("the branded error page failed; serving the plain one")
        return HttpResponse(PLAIN_ERROR, status=500)
