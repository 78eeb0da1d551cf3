"""What applicants and staff are told: event declarations (default wording in ru/tt/en). The
status text itself comes from the service definition (``status_texts``), so officials word it
per service (:func:`status_text`); :func:`notify_status` tells the applicant their
application's new status (called by the one transition and by registration in the intake).

Who is told what:

* the applicant, at every status they can act on or wait for (automatic decisions: the outcome
  only, see ``stages.accept_application``);
* an applicant who cannot sign in (registered by a service centre from a paper form) is not
  promised a cabinet: for a return, a result or a refusal they get the service centre's wording
  (:func:`applicant_text`) by SMS (on by default for them, ``SmsChannel.enabled_by_default``),
  and the operator who registered the application is asked to print the letter for them
  (:data:`LETTER_TO_PRINT`);
* an expert a case is forwarded to (:data:`CASE_FORWARDED`).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.selectors import can_sign_in
from cityhall.notifications.services import notify, register_event

from .definition import text_in
from .models import Application

STATUS_CHANGED = "municipal_services.status_changed"
SIGNING_CODE = "municipal_services.signing_code"
CASE_FORWARDED = "municipal_services.case_forwarded"
LETTER_TO_PRINT = "municipal_services.letter_to_print"

#: Statuses a person without a cabinet needs a letter for (what to fix, the result, reasons).
LETTER_STATUSES = ("returned", "result_issued", "refused")

#: The service centre's wording of those statuses for an applicant who cannot sign in: the
#: definition's own text may point to a cabinet they cannot open.
_WITHOUT_CABINET = {
    "returned": _(
        "The application has been returned for corrections. The letter with the remarks is "
        "waiting for you at the service centre where you applied."
    ),
    "result_issued": _(
        "Done: the result of the service is waiting for you at the service centre where you "
        "applied. Bring your identity document."
    ),
    "refused": _(
        "The service has been refused. The letter with the reasons is waiting for you at the "
        "service centre where you applied."
    ),
}

S = Application.Status


def declare_events() -> None:
    _declare_staff_events()
    register_event(
        STATUS_CHANGED,
        description=_("The status of a municipal service application changed"),
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
        description=_("A one-time code that signs a municipal service application"),
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


def _declare_staff_events() -> None:
    register_event(
        CASE_FORWARDED,
        description=_("A municipal service case was forwarded to an expert"),
        variables=("number", "service", "by", "note", "url"),
        default_templates={
            "ru": {
                "subject": "Вам передано заявление {{ number }}",
                "body": "{{ by }} передал(а) вам на рассмотрение заявление {{ number }} "
                "({{ service }}).\n{{ note }}\nОткрыть: {{ site_url }}{{ url }}",
                "sms": "Вам передано заявление {{ number }}",
            },
            "tt": {
                "subject": "Сезгә {{ number }} гаризасы тапшырылды",
                "body": "{{ by }} сезгә {{ number }} гаризасын ({{ service }}) карарга "
                "тапшырды.\n{{ note }}\nАчу: {{ site_url }}{{ url }}",
                "sms": "Сезгә {{ number }} гаризасы тапшырылды",
            },
            "en": {
                "subject": "Application {{ number }} has been forwarded to you",
                "body": "{{ by }} forwarded application {{ number }} ({{ service }}) to you "
                "for consideration.\n{{ note }}\nOpen: {{ site_url }}{{ url }}",
                "sms": "Application {{ number }} has been forwarded to you",
            },
        },
    )
    register_event(
        LETTER_TO_PRINT,
        description=_("A letter to print for a paper applicant who cannot sign in"),
        variables=("number", "service", "applicant", "status", "url"),
        default_templates={
            "ru": {
                "subject": "Письмо заявителю по заявлению {{ number }}",
                "body": "{{ applicant }} не пользуется личным кабинетом. Заявление {{ number }} "
                "({{ service }}): {{ status }}. Распечатайте письмо для выдачи в центре "
                "обслуживания: {{ site_url }}{{ url }}",
                "sms": "Распечатайте письмо по заявлению {{ number }}",
            },
            "tt": {
                "subject": "{{ number }} гаризасы буенча гариза бирүчегә хат",
                "body": "{{ applicant }} шәхси кабинет кулланмый. {{ number }} гаризасы "
                "({{ service }}): {{ status }}. Хезмәт күрсәтү үзәгендә бирү өчен хатны "
                "бастырыгыз: {{ site_url }}{{ url }}",
                "sms": "{{ number }} гаризасы буенча хатны бастырыгыз",
            },
            "en": {
                "subject": "Letter to the applicant: application {{ number }}",
                "body": "{{ applicant }} does not use a cabinet. Application {{ number }} "
                "({{ service }}): {{ status }}. Print the letter to hand over at the service "
                "centre: {{ site_url }}{{ url }}",
                "sms": "Print the letter for application {{ number }}",
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


def applicant_text(application: Application, status: str, language: str | None = None) -> str:
    """What the applicant is told of a status: the definition's text, or for a person who
    cannot sign in, the service centre's wording of a return, result or refusal."""
    if status in _WITHOUT_CABINET and not can_sign_in(application.applicant):
        with translation.override(language or application.language or "ru"):
            return str(_WITHOUT_CABINET[status])
    return status_text(application, status, language)


def letter_url(application: Application) -> str:
    return reverse("municipal_services:application_letter", args=[application.pk])


def notify_status(application: Application, *, url: str = "") -> None:
    """Tell the applicant (in their language) the application's current status with the
    definition's status text; ``url`` saves reversing the case page's address. For an applicant
    who cannot sign in, the operator who registered the application is asked to print the
    letter of a return, result or refusal."""
    applicant = application.applicant
    language = application.language or applicant.preferred_language
    status_changed(
        recipient=applicant,
        number=application.number or "",
        service=application.service.title(language),
        status=S(application.status).label,  # lazy: worded in ``language`` when rendered
        text=applicant_text(application, application.status, language),
        url=url or reverse("municipal_services:application", args=[application.pk]),
        language=language,
    )
    operator = application.registered_by
    if (
        application.status in LETTER_STATUSES
        and operator is not None
        and not can_sign_in(applicant)
    ):
        staff_language = operator.preferred_language
        with translation.override(staff_language):
            status = str(S(application.status).label)
        notify(
            recipient=operator,
            event=LETTER_TO_PRINT,
            context={
                "number": application.number or "",
                "service": application.service.title(staff_language),
                "applicant": str(applicant),
                "status": status,
                "url": letter_url(application),
            },
        )


def notify_forwarded(application: Application, *, expert, by, note: str = "") -> None:
    """Tell the expert a case was forwarded to them (with the note and a link to the case)."""
    language = expert.preferred_language
    notify(
        recipient=expert,
        event=CASE_FORWARDED,
        context={
            "number": application.number or "",
            "service": application.service.title(language),
            "by": str(by),
            "note": note,
            "url": reverse("municipal_services:application", args=[application.pk]),
        },
    )
