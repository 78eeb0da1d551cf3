"""The notification events of public discussions, with default wording in ru/tt/en."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from cityhall.notifications.events import register_event

PROPOSAL_RECEIVED = "discussions.proposal_received"
STATUS_CHANGED = "discussions.status_changed"
ITEM_HIDDEN = "discussions.item_hidden"
QUESTION_ANSWERED = "discussions.question_answered"
INITIATION_DECIDED = "discussions.initiation_decided"
NEW_DISCUSSION = "discussions.new_discussion"
DEADLINE_REMINDER = "discussions.deadline_reminder"
SUBSCRIPTION_CONFIRM = "discussions.subscription_confirm"
SUBSCRIPTION_CONCLUSION = "discussions.subscription_conclusion"
FOLLOWED_OPENED = "discussions.followed_opened"
FOLLOWED_DEADLINE = "discussions.followed_deadline"
CONCLUSION_PUBLISHED = "discussions.conclusion_published"


def _t(subject: str, body: str) -> dict[str, str]:
    return {"subject": subject, "body": body, "sms": subject}


def declare_events() -> None:
    register_event(
        PROPOSAL_RECEIVED,
        description=gettext_lazy("Receipt: a participant's proposal was registered"),
        variables=("number", "discussion_number", "discussion_title", "registered_at", "url"),
        default_templates={
            "ru": _t(
                "Предложение № {{ number }} зарегистрировано",
                "Ваше предложение по общественным обсуждениям {{ discussion_number }} "
                "«{{ discussion_title }}» зарегистрировано под № {{ number }} "
                "({{ registered_at }}).\n{{ site_url }}{{ url }}",
            ),
            "tt": _t(
                "№ {{ number }} тәкъдим теркәлде",
                "{{ discussion_number }} «{{ discussion_title }}» иҗтимагый фикер алышуы буенча "
                "тәкъдимегез № {{ number }} белән теркәлде ({{ registered_at }}).\n"
                "{{ site_url }}{{ url }}",
            ),
            "en": _t(
                "Proposal No. {{ number }} registered",
                "Your proposal to public discussion {{ discussion_number }} "
                '"{{ discussion_title }}" was registered as No. {{ number }} '
                "({{ registered_at }}).\n{{ site_url }}{{ url }}",
            ),
        },
    )
    register_event(
        STATUS_CHANGED,
        description=gettext_lazy("A discussion the person took part in changed its stage"),
        variables=("discussion_number", "discussion_title", "status", "url"),
        default_templates={
            "ru": _t(
                "Обсуждения {{ discussion_number }}: {{ status }}",
                "Общественные обсуждения «{{ discussion_title }}»: {{ status }}.\n"
                "{{ site_url }}{{ url }}",
            ),
            "tt": _t(
                "{{ discussion_number }} фикер алышу: {{ status }}",
                "«{{ discussion_title }}» иҗтимагый фикер алышу: {{ status }}.\n"
                "{{ site_url }}{{ url }}",
            ),
            "en": _t(
                "Discussion {{ discussion_number }}: {{ status }}",
                'Public discussion "{{ discussion_title }}": {{ status }}.\n'
                "{{ site_url }}{{ url }}",
            ),
        },
    )
    register_event(
        ITEM_HIDDEN,
        description=gettext_lazy("A moderator hid the person's proposal or comment"),
        variables=("what", "reason", "url"),
        default_templates={
            "ru": _t(
                "Ваш текст скрыт модератором",
                "{{ what }} скрыт(о) модератором. Причина: {{ reason }}. Текст не удалён и "
                "остаётся в протоколе.\n{{ site_url }}{{ url }}",
            ),
            "tt": _t(
                "Текстыгыз модератор тарафыннан яшерелде",
                "{{ what }} яшерелде. Сәбәп: {{ reason }}. Текст бетерелмәде.\n"
                "{{ site_url }}{{ url }}",
            ),
            "en": _t(
                "A moderator hid your text",
                "{{ what }} was hidden by a moderator. Reason: {{ reason }}. Nothing was "
                "deleted; it stays in the protocol.\n{{ site_url }}{{ url }}",
            ),
        },
    )
    register_event(
        QUESTION_ANSWERED,
        description=gettext_lazy("An expert answered the person's question"),
        variables=("number", "discussion_title", "url"),
        default_templates={
            "ru": _t(
                "Ответ на вопрос № {{ number }}",
                "Эксперт ответил на ваш вопрос № {{ number }} по обсуждениям "
                "«{{ discussion_title }}».\n{{ site_url }}{{ url }}",
            ),
            "tt": _t(
                "№ {{ number }} сорауга җавап",
                "Эксперт «{{ discussion_title }}» буенча № {{ number }} сорауга җавап бирде.\n"
                "{{ site_url }}{{ url }}",
            ),
            "en": _t(
                "Answer to question No. {{ number }}",
                "An expert answered your question No. {{ number }} in "
                '"{{ discussion_title }}".\n{{ site_url }}{{ url }}',
            ),
        },
    )
    register_event(
        INITIATION_DECIDED,
        description=gettext_lazy(
            "The organiser accepted or refused a request to hold a discussion"
        ),
        variables=("title", "decision", "reason"),
        default_templates={
            "ru": _t(
                "Решение по инициативе «{{ title }}»",
                "Ваша инициатива «{{ title }}»: {{ decision }}. {{ reason }}",
            ),
            "tt": _t(
                "«{{ title }}» инициативасы буенча карар",
                "«{{ title }}» инициативагыз: {{ decision }}. {{ reason }}",
            ),
            "en": _t(
                'Decision on your request "{{ title }}"',
                'Your request "{{ title }}": {{ decision }}. {{ reason }}',
            ),
        },
    )
    register_event(
        NEW_DISCUSSION,
        description=(
            gettext_lazy(
                "Subscription: a discussion was announced for the chosen district, suburb, "
                "address or topic"
            )
        ),
        variables=("discussion_number", "discussion_title", "exposition_start", "url", "stop"),
        default_templates={
            "ru": _t(
                "Новые общественные обсуждения: {{ discussion_title }}",
                "Объявлены обсуждения {{ discussion_number }} «{{ discussion_title }}». "
                "Экспозиция открывается {{ exposition_start }}.\n{{ site_url }}{{ url }}\n"
                "Отписаться: {{ site_url }}{{ stop }}",
            ),
            "tt": _t(
                "Яңа иҗтимагый фикер алышу: {{ discussion_title }}",
                "{{ discussion_number }} «{{ discussion_title }}» игълан ителде. Экспозиция "
                "{{ exposition_start }} ачыла.\n{{ site_url }}{{ url }}\n"
                "Язылудан баш тарту: {{ site_url }}{{ stop }}",
            ),
            "en": _t(
                "New public discussion: {{ discussion_title }}",
                'Discussion {{ discussion_number }} "{{ discussion_title }}" was announced. '
                "The exposition opens {{ exposition_start }}.\n{{ site_url }}{{ url }}\n"
                "Unsubscribe: {{ site_url }}{{ stop }}",
            ),
        },
    )
    register_event(
        DEADLINE_REMINDER,
        description=gettext_lazy("Subscription: proposals to a discussion close soon"),
        variables=("discussion_number", "discussion_title", "deadline", "url", "stop"),
        default_templates={
            "ru": _t(
                "Приём предложений закрывается {{ deadline }}",
                "Предложения по обсуждениям {{ discussion_number }} «{{ discussion_title }}» "
                "принимаются до {{ deadline }}.\n{{ site_url }}{{ url }}\n"
                "Отписаться: {{ site_url }}{{ stop }}",
            ),
            "tt": _t(
                "Тәкъдимнәр {{ deadline }} кадәр кабул ителә",
                "{{ discussion_number }} «{{ discussion_title }}» буенча тәкъдимнәр "
                "{{ deadline }} кадәр кабул ителә.\n{{ site_url }}{{ url }}\n"
                "Язылудан баш тарту: {{ site_url }}{{ stop }}",
            ),
            "en": _t(
                "Proposals close {{ deadline }}",
                'Proposals to discussion {{ discussion_number }} "{{ discussion_title }}" are '
                "accepted until {{ deadline }}.\n{{ site_url }}{{ url }}\n"
                "Unsubscribe: {{ site_url }}{{ stop }}",
            ),
        },
    )
    register_event(
        SUBSCRIPTION_CONFIRM,
        description=gettext_lazy(
            "Subscription: confirm the address (double opt-in) before any news is sent"
        ),
        variables=("confirm", "stop", "days"),
        default_templates={
            "ru": _t(
                "Подтвердите подписку на общественные обсуждения",
                "Здравствуйте!\n\nНа этот адрес попросили присылать новости общественных "
                "обсуждений. Чтобы подписаться, откройте ссылку (она действует {{ days }} "
                "дн.):\n{{ site_url }}{{ confirm }}\n\nЕсли вы не подписывались, ничего не "
                "делайте: писем больше не будет. Отказаться сразу: {{ site_url }}{{ stop }}",
            ),
            "tt": _t(
                "Иҗтимагый фикер алышуларга язылуны раслагыз",
                "Исәнмесез!\n\nБу адреска иҗтимагый фикер алышу яңалыкларын җибәрергә "
                "сорадылар. Язылу өчен сылтаманы ачыгыз (ул {{ days }} көн гамәлдә):\n"
                "{{ site_url }}{{ confirm }}\n\nӘгәр сез язылмаган булсагыз, бернәрсә дә "
                "эшләмәгез: башка хатлар булмаячак. Шунда ук баш тарту: {{ site_url }}{{ stop }}",
            ),
            "en": _t(
                "Confirm your subscription to public discussions",
                "Hello,\n\nSomeone asked for news of public discussions at this address. To "
                "subscribe, open the link (it works for {{ days }} days):\n"
                "{{ site_url }}{{ confirm }}\n\nIf it was not you, do nothing: no more mail "
                "will come. To refuse at once: {{ site_url }}{{ stop }}",
            ),
        },
    )
    register_event(
        SUBSCRIPTION_CONCLUSION,
        description=gettext_lazy(
            "Subscription: the conclusion of a discussion of the territory or topic"
        ),
        variables=("discussion_number", "discussion_title", "url", "stop"),
        default_templates={
            "ru": _t(
                "Опубликовано заключение: {{ discussion_title }}",
                "Опубликовано заключение о результатах обсуждений {{ discussion_number }} "
                "«{{ discussion_title }}».\n{{ site_url }}{{ url }}\n"
                "Отписаться: {{ site_url }}{{ stop }}",
            ),
            "tt": _t(
                "Йомгак бастырылды: {{ discussion_title }}",
                "{{ discussion_number }} «{{ discussion_title }}» фикер алышу нәтиҗәләре "
                "турында йомгак бастырылды.\n{{ site_url }}{{ url }}\n"
                "Язылудан баш тарту: {{ site_url }}{{ stop }}",
            ),
            "en": _t(
                "Conclusion published: {{ discussion_title }}",
                'The conclusion of discussion {{ discussion_number }} "{{ discussion_title }}" '
                "is published.\n{{ site_url }}{{ url }}\nUnsubscribe: {{ site_url }}{{ stop }}",
            ),
        },
    )
    register_event(
        FOLLOWED_OPENED,
        description=gettext_lazy(
            "Reminder to a follower: the exposition is open, proposals are accepted"
        ),
        variables=("discussion_number", "discussion_title", "deadline", "url"),
        default_templates={
            "ru": _t(
                "Открыт приём предложений: {{ discussion_title }}",
                "Экспозиция по обсуждениям {{ discussion_number }} «{{ discussion_title }}» "
                "открыта. Предложения принимаются до {{ deadline }}.\n{{ site_url }}{{ url }}",
            ),
            "tt": _t(
                "Тәкъдимнәр кабул ителә: {{ discussion_title }}",
                "{{ discussion_number }} «{{ discussion_title }}» экспозициясе ачык. "
                "Тәкъдимнәр {{ deadline }} кадәр кабул ителә.\n{{ site_url }}{{ url }}",
            ),
            "en": _t(
                "Proposals are open: {{ discussion_title }}",
                'The exposition of discussion {{ discussion_number }} "{{ discussion_title }}" '
                "is open. Proposals are accepted until {{ deadline }}.\n{{ site_url }}{{ url }}",
            ),
        },
    )
    register_event(
        FOLLOWED_DEADLINE,
        description=gettext_lazy(
            "Reminder to a follower who has not submitted yet: proposals close soon"
        ),
        variables=("discussion_number", "discussion_title", "deadline", "url"),
        default_templates={
            "ru": _t(
                "Приём предложений закрывается {{ deadline }}",
                "Вы просили напомнить: предложения по обсуждениям {{ discussion_number }} "
                "«{{ discussion_title }}» принимаются до {{ deadline }}, а вы ещё ничего не "
                "подали.\n{{ site_url }}{{ url }}",
            ),
            "tt": _t(
                "Тәкъдимнәр {{ deadline }} кадәр кабул ителә",
                "Сез искә төшерүне сорадыгыз: {{ discussion_number }} «{{ discussion_title }}» "
                "буенча тәкъдимнәр {{ deadline }} кадәр кабул ителә, ә сез әле бернәрсә дә "
                "җибәрмәдегез.\n{{ site_url }}{{ url }}",
            ),
            "en": _t(
                "Proposals close {{ deadline }}",
                "You asked to be reminded: proposals to discussion {{ discussion_number }} "
                '"{{ discussion_title }}" are accepted until {{ deadline }}, and you have not '
                "submitted anything yet.\n{{ site_url }}{{ url }}",
            ),
        },
    )
    register_event(
        CONCLUSION_PUBLISHED,
        description=gettext_lazy(
            "The conclusion of a discussion the person took part in or followed"
        ),
        variables=("discussion_number", "discussion_title", "url"),
        default_templates={
            "ru": _t(
                "Опубликовано заключение: {{ discussion_title }}",
                "Опубликовано заключение о результатах обсуждений {{ discussion_number }} "
                "«{{ discussion_title }}» с рекомендациями по каждому предложению.\n"
                "{{ site_url }}{{ url }}",
            ),
            "tt": _t(
                "Йомгак бастырылды: {{ discussion_title }}",
                "{{ discussion_number }} «{{ discussion_title }}» фикер алышу нәтиҗәләре "
                "турында йомгак һәр тәкъдим буенча тәкъдимнәр белән бастырылды.\n"
                "{{ site_url }}{{ url }}",
            ),
            "en": _t(
                "Conclusion published: {{ discussion_title }}",
                "The conclusion of discussion {{ discussion_number }} "
                '"{{ discussion_title }}" is published, with the recommendation on every '
                "proposal.\n{{ site_url }}{{ url }}",
            ),
        },
    )
