"""What applicants are told: event declarations (default wording in ru/tt/en). The status text
itself comes from the service definition (``status_texts``), so officials word it per service
(:func:`status_text`); :func:`notify_status` tells the applicant their application's new status
(called by the one transition and by registration in the intake)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from cityhall.notifications.services import notify, register_event

from .definition import text_in
from .models import Application

STATUS_CHANGED = "municipal_services.status_changed"
SIGNING_CODE = "municipal_services.signing_code"

S = Application.Status


def declare_events() -> None:
    register_event(
        STATUS_CHANGED,
        description="The status of a municipal service application changed",
        variables=("number", "service", "status", "status_text", "url"),
        default_templates={
            "ru": {
                "subject": "Заявление {{ number }}: {{ status }}",
                "body": "{{ service }}\nЗаявление {{ number }}.\n{{ status_text }}\n"
                "Подробнее: {{ site_url }}{{ url }}",
                "sms": "Заявление {{ number }}: {{ status_text }}",
            },
            "tt": {
                "subject": "{{ number }} гаризасы: {{ status }}",
                "body": "{{ service }}\n{{ number }} гаризасы.\n{{ status_text }}\n"
                "Тулырак: {{ site_url }}{{ url }}",
                "sms": "{{ number }} гаризасы: {{ status_text }}",
            },
            "en": {
                "subject": "Application {{ number }}: {{ status }}",
                "body": "{{ service }}\nApplication {{ number }}.\n{{ status_text }}\n"
                "Details: {{ site_url }}{{ url }}",
                "sms": "Application {{ number }}: {{ status_text }}",
            },
        },
    )
    register_event(
        SIGNING_CODE,
        description="A one-time code that signs a municipal service application",
        variables=("code", "minutes", "service", "digest"),
        default_templates={
            "ru": {
                "subject": "Код подписи заявления: {{ code }}",
                "body": "Код {{ code }} подписывает заявление «{{ service }}» "
                "(контрольная сумма {{ digest }}…). Код действует {{ minutes }} мин.\n"
                "Если вы не подписываете заявление, никому не сообщайте код.",
                "sms": "Код подписи заявления: {{ code }}. Никому не сообщайте его.",
            },
            "tt": {
                "subject": "Гаризаны имзалау коды: {{ code }}",
                "body": "{{ code }} коды «{{ service }}» гаризасын имзалый "
                "(контроль суммасы {{ digest }}…). Код {{ minutes }} мин. гамәлдә.\n"
                "Гаризаны имзаламасагыз, кодны беркемгә дә әйтмәгез.",
                "sms": "Гаризаны имзалау коды: {{ code }}. Аны беркемгә дә әйтмәгез.",
            },
            "en": {
                "subject": "Application signing code: {{ code }}",
                "body": "The code {{ code }} signs your application “{{ service }}” "
                "(digest {{ digest }}…). It is valid for {{ minutes }} min.\n"
                "If you are not signing an application, do not tell anyone this code.",
                "sms": "Application signing code: {{ code }}. Do not tell it to anyone.",
            },
        },
    )


def status_changed(
    *,
    recipient,
    number: str,
    service: str,
    status: str,
    text: str,
    url: str,
    language: str | None = None,
):
    """``language``: the one ``service``, ``status`` and ``text`` are worded in, so the message
    is written wholly in it (the recipient's own when not given)."""
    return notify(
        recipient=recipient,
        language=language,
        event=STATUS_CHANGED,
        context={
            "number": number,
            "service": service,
            "status": status,
            "status_text": text,
            "url": url,
        },
    )


def status_text(application: Application, status: str, language: str | None = None) -> str:
    """The definition's wording of a status for the applicant (the status name by default)."""
    texts = (application.version.status_texts or {}).get(status)
    if text := text_in(texts, language):
        return text
    with translation.override(language or None):
        return str(S(status).label)


def notify_status(application: Application, *, url: str = "") -> None:
    """Tell the applicant (in their language) the application's current status with the
    definition's status text; ``url`` saves reversing the case page's address."""
    applicant = application.applicant
    language = application.language or applicant.preferred_language
    status_changed(
        recipient=applicant,
        number=application.number or "",
        service=application.service.title(language),
        status=S(application.status).label,  # lazy: worded in ``language`` when rendered
        text=status_text(application, application.status, language),
        url=url or reverse("municipal_services:application", args=[application.pk]),
        language=language,
    )
