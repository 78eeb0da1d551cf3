from django.conf import settings


def portal(request):
    return {"CITY_NAME": settings.CITY_NAME, "SITE_URL": settings.SITE_URL}
