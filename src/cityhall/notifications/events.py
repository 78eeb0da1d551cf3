"""The catalogue of notification events: each app declares what it notifies about.

An app calls :func:`register_event` in its ``AppConfig.ready()`` with default wording in every
language of the site (``settings.LANGUAGES``)::

    register_event(
        "service_request.closed",
        description="A resident's request was closed",
        default_templates={
            "ru": {"subject": "Заявка {{ number }} закрыта", "body": "…", "sms": "…"},
            "tt": {...},
            "en": {...},
        },
        variables=("number",),
    )

The defaults are copied into :class:`~cityhall.notifications.models.NotificationTemplate` rows
by ``cityhall sync_notification_templates`` (the demo loader runs it too), where officials edit
them. A missing language, an empty subject or body, or a template that does not compile is an
``ImproperlyConfigured`` error at start-up, never a notification silently dropped later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import Template, TemplateSyntaxError
from django.utils.translation import gettext_lazy

__all__ = [
    "EventDeclaration",
    "TemplateText",
    "UnknownEvent",
    "declared_events",
    "get_event",
    "register_event",
]

_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_ALLOWED_KEYS = {"subject", "body", "sms", "short_text"}


class UnknownEvent(ImproperlyConfigured):
    """``notify`` was called with an event nobody declared."""


@dataclass(frozen=True)
class TemplateText:
    subject: str
    body: str
    short_text: str = ""


@dataclass(frozen=True)
class EventDeclaration:
    code: str
    description: str
    defaults: Mapping[str, TemplateText]
    variables: tuple[str, ...] = ()


_EVENTS: dict[str, EventDeclaration] = {}


def site_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _compile(code: str, language: str, part: str, source: str) -> None:
    try:
        Template(source)
    except TemplateSyntaxError as exc:
        raise ImproperlyConfigured(
            f"notification event {code!r}: the {language} {part} template does not compile: {exc}"
        ) from exc


def register_event(
    code: str,
    *,
    description: str,
    default_templates: Mapping[str, Mapping[str, str]],
    variables: Iterable[str] = (),
) -> EventDeclaration:
    """Declare an event and its default wording; see the module docstring.

    ``default_templates[lang]`` has ``subject`` and ``body`` (required) and ``sms`` (the short
    text for SMS and browser notifications; the subject is used when it is absent).
    ``variables`` are context keys that every ``notify`` call must pass.
    Declaring the same event twice with the same content is harmless; with different content
    it is an error (two apps would fight over the wording).
    """
    if not _CODE.match(code):
        raise ImproperlyConfigured(
            f"notification event code {code!r} must look like 'app.something_happened'"
        )
    missing = [lang for lang in site_languages() if lang not in default_templates]
    if missing:
        raise ImproperlyConfigured(
            f"notification event {code!r} has no default template for: {', '.join(missing)}"
        )
    unknown_languages = set(default_templates) - set(site_languages())
    if unknown_languages:
        raise ImproperlyConfigured(
            f"notification event {code!r}: unknown languages {sorted(unknown_languages)}"
        )
    defaults: dict[str, TemplateText] = {}
    for language, parts in default_templates.items():
        extra = set(parts) - _ALLOWED_KEYS
        if extra:
            raise ImproperlyConfigured(
                f"notification event {code!r} ({language}): unknown keys {sorted(extra)}"
            )
        subject = (parts.get("subject") or "").strip()
        body = (parts.get("body") or "").strip()
        short_text = (parts.get("sms") or parts.get("short_text") or "").strip()
        if not subject or not body:
            raise ImproperlyConfigured(
                f"notification event {code!r} ({language}) needs both a subject and a body"
            )
        for part, source in (("subject", subject), ("body", body), ("sms", short_text)):
            _compile(code, language, part, source)
        defaults[language] = TemplateText(subject=subject, body=body, short_text=short_text)
    declaration = EventDeclaration(
        code=code, description=description, defaults=defaults, variables=tuple(variables)
    )
    existing = _EVENTS.get(code)
    if existing is not None and existing != declaration:
        raise ImproperlyConfigured(f"notification event {code!r} is declared twice, differently")
    _EVENTS[code] = declaration
    return declaration


def get_event(code: str) -> EventDeclaration:
    try:
        return _EVENTS[code]
    except KeyError:
        raise UnknownEvent(
            f"notification event {code!r} is not declared; call register_event() in the "
            "app's AppConfig.ready()"
        ) from None


def declared_events() -> list[EventDeclaration]:
    return sorted(_EVENTS.values(), key=lambda e: e.code)


def unregister_event(code: str) -> None:
    """For tests that declare throw-away events."""
    _EVENTS.pop(code, None)


def declare_platform_events() -> None:
    """Events of the shared foundation (accounts, portal): declared here so that they exist
    whichever app calls them first."""
    register_event(
        "accounts.confirmation_code",
        description=gettext_lazy("A one-time code that confirms an e-mail address or phone number"),
        variables=("code", "minutes"),
        default_templates={
            "ru": {
                "subject": "Код подтверждения: {{ code }}",
                "body": (
                    "Здравствуйте!\n\n"
                    "Ваш код подтверждения: {{ code }}.\n"
                    "Код действует {{ minutes }} мин. Никому не сообщайте его — сотрудники "
                    "мэрии никогда не спрашивают коды.\n\n"
                    "Если вы не запрашивали код, просто проигнорируйте это письмо."
                ),
                "sms": "Код подтверждения: {{ code }}. Действует {{ minutes }} мин. "
                "Никому не сообщайте.",
            },
            "tt": {
                "subject": "Раслау коды: {{ code }}",
                "body": (
                    "Исәнмесез!\n\n"
                    "Сезнең раслау кодыгыз: {{ code }}.\n"
                    "Код {{ minutes }} минут дәвамында гамәлдә. Аны беркемгә дә әйтмәгез — "
                    "мэрия хезмәткәрләре беркайчан да код сорамый.\n\n"
                    "Әгәр сез код сорамаган булсагыз, бу хатка игътибар итмәгез."
                ),
                "sms": "Раслау коды: {{ code }}. {{ minutes }} минут гамәлдә. "
                "Беркемгә дә әйтмәгез.",
            },
            "en": {
                "subject": "Your confirmation code: {{ code }}",
                "body": (
                    "Hello,\n\n"
                    "Your confirmation code is {{ code }}.\n"
                    "It is valid for {{ minutes }} minutes. Do not share it with anyone — "
                    "city hall staff never ask for codes.\n\n"
                    "If you did not ask for a code, simply ignore this message."
                ),
                "sms": "Confirmation code: {{ code }}. Valid for {{ minutes }} min. "
                "Do not share it.",
            },
        },
    )
    register_event(
        "accounts.registration_attempt",
        description=gettext_lazy(
            "Someone tried to register with an address that already has an account"
        ),
        variables=(),
        default_templates={
            "ru": {
                "subject": "Попытка регистрации с вашим адресом",
                "body": (
                    "Здравствуйте!\n\n"
                    "Кто-то пытался зарегистрироваться на портале с этим адресом, но у вас уже "
                    "есть учётная запись. Если это были вы, войдите или восстановите пароль: "
                    "{{ site_url }}/accounts/login/\n\n"
                    "Если это были не вы, просто проигнорируйте это сообщение."
                ),
                "sms": "У вас уже есть учётная запись на портале. Войдите или восстановите пароль.",
            },
            "tt": {
                "subject": "Сезнең адрес белән теркәлергә омтылыш",
                "body": (
                    "Исәнмесез!\n\n"
                    "Кемдер порталда бу адрес белән теркәлергә тырышты, ләкин сезнең инде "
                    "хисап язмагыз бар. Бу сез булсагыз, керегез яки серсүзне торгызыгыз: "
                    "{{ site_url }}/accounts/login/\n\n"
                    "Бу сез булмасагыз, бу хәбәргә игътибар итмәгез."
                ),
                "sms": "Порталда сезнең хисап язмагыз бар инде. Керегез яки серсүзне торгызыгыз.",
            },
            "en": {
                "subject": "Someone tried to register with your address",
                "body": (
                    "Hello,\n\n"
                    "Someone tried to register on the portal with this address, but you "
                    "already have an account. If it was you, sign in or reset your password: "
                    "{{ site_url }}/accounts/login/\n\n"
                    "If it was not you, simply ignore this message."
                ),
                "sms": "You already have an account on the portal. Sign in or reset your password.",
            },
        },
    )
    register_event(
        "support_ticket.submitted",
        description=gettext_lazy(
            "A question or problem was sent to the administrators via the feedback form"
        ),
        variables=("number", "topic"),
        default_templates={
            "ru": {
                "subject": "Новое обращение в техподдержку {{ number }}",
                "body": (
                    "Через форму обратной связи поступило обращение {{ number }}.\n"
                    "Тема: {{ topic }}.\n\n"
                    "Ответьте на него в службе поддержки: {{ site_url }}/staff/support/"
                ),
                "sms": "Новое обращение в техподдержку {{ number }}: {{ topic }}.",
            },
            "tt": {
                "subject": "Техник ярдәмгә яңа мөрәҗәгать {{ number }}",
                "body": (
                    "Кире элемтә формасы аша {{ number }} номерлы мөрәҗәгать керде.\n"
                    "Темасы: {{ topic }}.\n\n"
                    "Аңа ярдәм хезмәтендә җавап бирегез: {{ site_url }}/staff/support/"
                ),
                "sms": "Техник ярдәмгә яңа мөрәҗәгать {{ number }}: {{ topic }}.",
            },
            "en": {
                "subject": "New support ticket {{ number }}",
                "body": (
                    "Support ticket {{ number }} has arrived through the feedback form.\n"
                    "Topic: {{ topic }}.\n\n"
                    "Answer it on the support desk: {{ site_url }}/staff/support/"
                ),
                "sms": "New support ticket {{ number }}: {{ topic }}.",
            },
        },
    )
