"""The portal's own notification events: the answer to a support ticket.

(``support_ticket.submitted``, told to the administrators, is declared with the platform's
events in ``notifications.events``.)"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from cityhall.notifications.services import register_event

__all__ = ["SUPPORT_TICKET_ANSWERED", "declare_events"]

SUPPORT_TICKET_ANSWERED = "support_ticket.answered"


def declare_events() -> None:
    register_event(
        SUPPORT_TICKET_ANSWERED,
        description=gettext_lazy(
            "An administrator answered a support ticket: the answer, to its author"
        ),
        variables=("number", "message", "answer", "url"),
        default_templates={
            "ru": {
                "subject": "Ответ на ваше обращение {{ number }}",
                "body": (
                    "Здравствуйте!\n\n"
                    "Администраторы портала ответили на ваше обращение {{ number }}.\n\n"
                    "Ответ:\n{{ answer }}\n\n"
                    "Ваше обращение:\n{{ message }}"
                    "{% if url %}\n\nОтвет сохранён в личном кабинете: {{ site_url }}{{ url }}"
                    "{% endif %}"
                ),
                "sms": "Ответ на обращение {{ number }} — в личном кабинете.",
            },
            "tt": {
                "subject": "{{ number }} номерлы мөрәҗәгатегезгә җавап",
                "body": (
                    "Исәнмесез!\n\n"
                    "Портал администраторлары {{ number }} номерлы мөрәҗәгатегезгә җавап "
                    "бирде.\n\n"
                    "Җавап:\n{{ answer }}\n\n"
                    "Сезнең мөрәҗәгать:\n{{ message }}"
                    "{% if url %}\n\nҖавап шәхси кабинетта саклана: {{ site_url }}{{ url }}"
                    "{% endif %}"
                ),
                "sms": "{{ number }} мөрәҗәгатенә җавап — шәхси кабинетта.",
            },
            "en": {
                "subject": "Answer to your support ticket {{ number }}",
                "body": (
                    "Hello,\n\n"
                    "The portal's administrators answered your ticket {{ number }}.\n\n"
                    "Answer:\n{{ answer }}\n\n"
                    "Your message:\n{{ message }}"
                    "{% if url %}\n\nThe answer is kept in your cabinet: {{ site_url }}{{ url }}"
                    "{% endif %}"
                ),
                "sms": "The answer to ticket {{ number }} is in your cabinet.",
            },
        },
    )
