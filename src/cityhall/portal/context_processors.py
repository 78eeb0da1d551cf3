from django.conf import settings


def portal(request):
    return {
        "CITY_NAME": settings.CITY_NAME,
        "CITY_HALL_NAME": settings.CITY_HALL_NAME,
        "SITE_URL": settings.SITE_URL,
    }
