"""What residents and organisations are told about requests: event declarations (default
wording in ru/tt/en) and the calls that queue them in the outbox of the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext_lazy

from cityhall.notifications.services import (
    in_recipient_language,
    notify,
    notify_address,
    register_event,
)

RECEIVED = "service_requests.received"
STATUS_CHANGED = "service_requests.status_changed"
MERGED = "service_requests.merged"
COMMENTED = "service_requests.commented"
OVERDUE = "service_requests.overdue"
EMERGENCY = "service_requests.emergency"
REOPENED = "service_requests.reopened"
HANDED_OVER = "service_requests.handed_over"


def declare_events() -> None:
    declare_emergency_event()
    declare_reopened_event()
    declare_handover_event()
    register_event(
        RECEIVED,
        description=gettext_lazy("A resident's request was received"),
        variables=("number", "category", "status"),
        default_templates={
            "ru": {
                "subject": "Заявка {{ number }} принята",
                "body": "Ваша заявка {{ number }} «{{ category }}» принята.\n"
                "Статус: {{ status }}.\nСледить за ней: {{ site_url }}{{ url }}",
                "sms": "Заявка {{ number }} принята. Статус: {{ status }}.",
            },
            "tt": {
                "subject": "{{ number }} мөрәҗәгате кабул ителде",
                "body": "Сезнең {{ number }} «{{ category }}» мөрәҗәгатегез кабул ителде.\n"
                "Халәте: {{ status }}.\nКүзәтү: {{ site_url }}{{ url }}",
                "sms": "{{ number }} мөрәҗәгате кабул ителде. Халәте: {{ status }}.",
            },
            "en": {
                "subject": "Request {{ number }} received",
                "body": "Your request {{ number }} “{{ category }}” has been received.\n"
                "Status: {{ status }}.\nFollow it: {{ site_url }}{{ url }}",
                "sms": "Request {{ number }} received. Status: {{ status }}.",
            },
        },
    )
    register_event(
        STATUS_CHANGED,
        description=gettext_lazy("A resident's request changed its status"),
        variables=("number", "status", "note"),
        default_templates={
            "ru": {
                "subject": "Заявка {{ number }}: {{ status }}",
                "body": "Статус заявки {{ number }}: {{ status }}.\n{{ note }}\n"
                "Подробнее: {{ site_url }}{{ url }}",
                "sms": "Заявка {{ number }}: {{ status }}.",
            },
            "tt": {
                "subject": "{{ number }} мөрәҗәгате: {{ status }}",
                "body": "{{ number }} мөрәҗәгатенең халәте: {{ status }}.\n{{ note }}\n"
                "Тулырак: {{ site_url }}{{ url }}",
                "sms": "{{ number }} мөрәҗәгате: {{ status }}.",
            },
            "en": {
                "subject": "Request {{ number }}: {{ status }}",
                "body": "Request {{ number }} is now: {{ status }}.\n{{ note }}\n"
                "Details: {{ site_url }}{{ url }}",
                "sms": "Request {{ number }}: {{ status }}.",
            },
        },
    )
    register_event(
        MERGED,
        description=gettext_lazy("A request was merged with another one about the same problem"),
        variables=("number", "parent_number"),
        default_templates={
            "ru": {
                "subject": "Заявка {{ number }} объединена с {{ parent_number }}",
                "body": "Заявка {{ number }} описывает ту же проблему, что и заявка "
                "{{ parent_number }}, и теперь идёт вместе с ней. Вы будете получать "
                "уведомления о ходе работ.\n{{ site_url }}{{ url }}",
                "sms": "Заявка {{ number }} объединена с {{ parent_number }}.",
            },
            "tt": {
                "subject": "{{ number }} мөрәҗәгате {{ parent_number }} белән берләштерелде",
                "body": "{{ number }} мөрәҗәгате {{ parent_number }} мөрәҗәгате белән бер үк "
                "проблема турында, хәзер алар бергә карала. Эшләрнең барышы турында хәбәрләр "
                "киләчәк.\n{{ site_url }}{{ url }}",
                "sms": "{{ number }} мөрәҗәгате {{ parent_number }} белән берләштерелде.",
            },
            "en": {
                "subject": "Request {{ number }} merged with {{ parent_number }}",
                "body": "Request {{ number }} describes the same problem as request "
                "{{ parent_number }} and now follows it. You will be told how the work goes."
                "\n{{ site_url }}{{ url }}",
                "sms": "Request {{ number }} merged with {{ parent_number }}.",
            },
        },
    )
    register_event(
        COMMENTED,
        description=gettext_lazy("A new message on a request"),
        variables=("number", "text"),
        default_templates={
            "ru": {
                "subject": "Новое сообщение по заявке {{ number }}",
                "body": "{{ text }}\n\nОтветить: {{ site_url }}{{ url }}",
                "sms": "Новое сообщение по заявке {{ number }}.",
            },
            "tt": {
                "subject": "{{ number }} мөрәҗәгате буенча яңа хәбәр",
                "body": "{{ text }}\n\nҖавап бирү: {{ site_url }}{{ url }}",
                "sms": "{{ number }} мөрәҗәгате буенча яңа хәбәр.",
            },
            "en": {
                "subject": "New message on request {{ number }}",
                "body": "{{ text }}\n\nReply: {{ site_url }}{{ url }}",
                "sms": "New message on request {{ number }}.",
            },
        },
    )
    register_event(
        OVERDUE,
        description=gettext_lazy(
            "Requests ran over their time limits (to the organisation's head or the committee)"
        ),
        # ``requests`` is the count with its noun in the recipient's plural form ("1 заявка",
        # "5 заявок"); templates never put a noun after ``count`` themselves.
        variables=("organisation", "count", "requests", "level"),
        default_templates={
            "ru": {
                "subject": "Просрочены заявки: {{ count }} ({{ organisation }})",
                "body": "У организации «{{ organisation }}» превышен срок этапа: {{ requests }} "
                "(уровень эскалации {{ level }}).\nОчередь: {{ site_url }}{{ url }}",
                "sms": "Просрочено заявок: {{ count }} ({{ organisation }}).",
            },
            "tt": {
                "subject": "Вакыты чыккан мөрәҗәгатьләр: {{ count }} ({{ organisation }})",
                "body": "«{{ organisation }}» оешмасында этап вакыты чыккан: {{ requests }} "
                "(эскалация дәрәҗәсе {{ level }}).\nЧират: {{ site_url }}{{ url }}",
                "sms": "Вакыты чыккан мөрәҗәгатьләр: {{ count }} ({{ organisation }}).",
            },
            "en": {
                "subject": "Overdue requests: {{ count }} ({{ organisation }})",
                "body": "“{{ organisation }}” ran over a stage limit: {{ requests }} "
                "(escalation level {{ level }}).\nQueue: {{ site_url }}{{ url }}",
                "sms": "Overdue requests: {{ count }} ({{ organisation }}).",
            },
        },
    )


def declare_reopened_event() -> None:
    register_event(
        REOPENED,
        description=gettext_lazy("A request came back to work (to its executor)"),
        variables=("number", "reason"),
        default_templates={
            "ru": {
                "subject": "Заявка {{ number }} возвращена в работу",
                "body": "Заявитель вернул заявку {{ number }} в работу.\nПричина: {{ reason }}"
                "\nОткрыть: {{ site_url }}{{ url }}",
                "sms": "Заявка {{ number }} возвращена в работу: {{ reason }}",
            },
            "tt": {
                "subject": "{{ number }} мөрәҗәгате яңадан эшкә кайтарылды",
                "body": "Мөрәҗәгать итүче {{ number }} мөрәҗәгатен яңадан эшкә кайтарды.\n"
                "Сәбәбе: {{ reason }}\nАчу: {{ site_url }}{{ url }}",
                "sms": "{{ number }} мөрәҗәгате яңадан эшкә кайтарылды: {{ reason }}",
            },
            "en": {
                "subject": "Request {{ number }} is back in work",
                "body": "Request {{ number }} has been reopened.\nReason: {{ reason }}"
                "\nOpen: {{ site_url }}{{ url }}",
                "sms": "Request {{ number }} reopened: {{ reason }}",
            },
        },
    )


def tell_reopened(request, *, reason: str) -> None:
    """A reopened request goes back to whoever did the work: its executor, or with none named
    the organisation's executors."""
    from cityhall.accounts.models import Role, User

    if request.executor_id is not None:
        people = [request.executor]
    elif request.organisation_id is not None:
        people = User.objects.filter(
            memberships__organisation_id=request.organisation_id,
            memberships__role=Role.EXECUTOR,
            is_active=True,
        ).distinct()
    else:
        people = []
    for person in people:
        notify(
            recipient=person,
            event=REOPENED,
            context={"number": request.number, "reason": reason, "url": staff_url(request)},
        )


def declare_emergency_event() -> None:
    register_event(
        EMERGENCY,
        description=gettext_lazy(
            "An emergency request reached the organisation (the crew must arrive soon)"
        ),
        variables=("number", "category", "address", "due"),
        default_templates={
            "ru": {
                "subject": "АВАРИЙНАЯ заявка {{ number }}: {{ category }}",
                "body": "Аварийная заявка {{ number }} «{{ category }}» по адресу {{ address }}."
                "\nСрок этапа: {{ due }}.\nОткрыть: {{ site_url }}{{ url }}",
                "sms": "АВАРИЯ {{ number }}: {{ category }}, {{ address }}. Срок: {{ due }}.",
            },
            "tt": {
                "subject": "АВАРИЯ мөрәҗәгате {{ number }}: {{ category }}",
                "body": "{{ number }} авария мөрәҗәгате «{{ category }}», адрес: {{ address }}."
                "\nЭтап вакыты: {{ due }}.\nАчу: {{ site_url }}{{ url }}",
                "sms": "АВАРИЯ {{ number }}: {{ category }}, {{ address }}. Вакыт: {{ due }}.",
            },
            "en": {
                "subject": "EMERGENCY request {{ number }}: {{ category }}",
                "body": "Emergency request {{ number }} “{{ category }}” at {{ address }}."
                "\nStage due: {{ due }}.\nOpen: {{ site_url }}{{ url }}",
                "sms": "EMERGENCY {{ number }}: {{ category }}, {{ address }}. Due {{ due }}.",
            },
        },
    )


def alert_organisation(request) -> None:
    """An emergency request reaches its organisation: its executors and dispatchers are told at
    once on every channel they have (the clock is in calendar hours)."""
    from django.utils import timezone

    from cityhall.accounts.models import Role, User

    if not request.category.is_emergency or request.organisation_id is None:
        return
    people = User.objects.filter(
        memberships__organisation_id=request.organisation_id,
        memberships__role__in=[Role.EXECUTOR, Role.DISPATCHER],
        is_active=True,
    ).distinct()
    due = (
        timezone.localtime(request.stage_due_at).strftime("%d.%m %H:%M")
        if request.stage_due_at
        else "—"
    )
    for person in people:
        notify(
            recipient=person,
            event=EMERGENCY,
            context={
                "number": request.number,
                "category": in_recipient_language(lambda: request.category.name),
                "address": request.address or "—",
                "due": due,
                "url": staff_url(request),
            },
        )


def request_url(request) -> str:
    return reverse("service_requests:track", args=[request.public_token])


def tell_applicants(requests: Iterable, *, event: str, context: dict) -> None:
    """Queue ``event`` for the author of each request: the account, or for a caller without
    one the e-mail/phone they left."""
    for item in requests:
        ctx = {"number": item.number, "url": request_url(item), **context}
        if item.author_id is not None:
            notify(recipient=item.author, event=event, context=ctx)
        elif item.contact_email or item.contact_phone:
            notify_address(
                email=item.contact_email or None,
                phone=item.contact_phone or None,
                event=event,
                context=ctx,
            )


def tell_followers(request, *, event: str, context: dict) -> None:
    """Queue ``event`` for the residents following the request ("this is my problem too"),
    and those following a request merged into it: the account, or the caller's phone/e-mail."""
    from django.db.models import Q

    from .models import Follower

    ctx = {"number": request.number, "url": request_url(request), **context}
    followers = Follower.objects.filter(Q(request=request) | Q(request__parent=request))
    for follower in followers.select_related("user").order_by("pk"):
        if follower.user is not None:
            notify(recipient=follower.user, event=event, context=ctx)
        else:
            notify_address(
                email=follower.contact_email or None,
                phone=follower.contact_phone or None,
                event=event,
                context=ctx,
            )


def staff_url(request) -> str:
    return reverse("service_requests:staff_detail", args=[request.pk])


def declare_handover_event() -> None:
    register_event(
        HANDED_OVER,
        description=gettext_lazy(
            "A request changed hands (to the side receiving it and the one giving it up)"
        ),
        variables=("number", "category", "address", "giver", "receiver", "reason"),
        default_templates={
            "ru": {
                "subject": "Заявка {{ number }} передана: {{ giver }} → {{ receiver }}",
                "body": "Заявка {{ number }} «{{ category }}» ({{ address }}) передана: "
                "{{ giver }} → {{ receiver }}.\nПричина: {{ reason }}"
                "\nОткрыть: {{ site_url }}{{ url }}",
                "sms": "Заявка {{ number }} передана: {{ giver }} → {{ receiver }}.",
            },
            "tt": {
                "subject": "{{ number }} мөрәҗәгате тапшырылды: {{ giver }} → {{ receiver }}",
                "body": "{{ number }} «{{ category }}» мөрәҗәгате ({{ address }}) тапшырылды: "
                "{{ giver }} → {{ receiver }}.\nСәбәбе: {{ reason }}"
                "\nАчу: {{ site_url }}{{ url }}",
                "sms": "{{ number }} мөрәҗәгате тапшырылды: {{ giver }} → {{ receiver }}.",
            },
            "en": {
                "subject": "Request {{ number }} handed over: {{ giver }} → {{ receiver }}",
                "body": "Request {{ number }} “{{ category }}” ({{ address }}) was handed over: "
                "{{ giver }} → {{ receiver }}.\nReason: {{ reason }}"
                "\nOpen: {{ site_url }}{{ url }}",
                "sms": "Request {{ number }} handed over: {{ giver }} → {{ receiver }}.",
            },
        },
    )


def organisation_contacts(organisation) -> list:
    """Whom an organisation is told through about a request changing hands: its head and
    dispatchers; an organisation with neither (the demo's managing organisations), its
    executors."""
    from cityhall.accounts.models import Role, User

    people = list(
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__role=Role.DISPATCHER,
            is_active=True,
        ).distinct()
    )
    if organisation.head_id and organisation.head.is_active:
        people.insert(0, organisation.head)
    if not people:
        people = list(
            User.objects.filter(
                memberships__organisation=organisation,
                memberships__role=Role.EXECUTOR,
                is_active=True,
            ).distinct()
        )
    return list({p.pk: p for p in people}.values())


def tell_handover(request, *, giver, actor, reason: str) -> None:
    """The rule when a request changes hands: the side receiving it is told (the new
    organisation's people, or the committee's dispatchers when it comes back to the dispatcher
    queue) and so is the organisation giving it up; nobody is told of their own move. An
    emergency's receiving organisation has already been alerted (:func:`alert_organisation`)."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext

    from cityhall.accounts.models import Role, User

    from .selectors import committee

    receiver = request.organisation
    receivers: list = []
    if receiver is None:
        centre = committee()
        if centre is not None:
            receivers = list(
                User.objects.filter(
                    memberships__organisation=centre,
                    memberships__role=Role.DISPATCHER,
                    is_active=True,
                ).distinct()
            )
    elif not request.category.is_emergency:
        receivers = organisation_contacts(receiver)
    # The receiving side opens the request; the giving side may no longer see it, so its link
    # is its queue.
    links = {
        p.pk: (p, reverse("service_requests:queue"))
        for p in (organisation_contacts(giver) if giver is not None else [])
    }
    links.update({p.pk: (p, staff_url(request)) for p in receivers})
    actor_pk = getattr(actor, "pk", None)
    for person, url in (link for pk, link in links.items() if pk != actor_pk):
        with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
            queue = gettext("the city dispatcher")
        notify(
            recipient=person,
            event=HANDED_OVER,
            context={
                "number": request.number,
                "category": request.category.name,
                "address": request.address or "—",
                "giver": str(giver) if giver is not None else queue,
                "receiver": str(receiver) if receiver is not None else queue,
                "reason": reason or "—",
                "url": url,
            },
        )
