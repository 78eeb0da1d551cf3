"""Demo public discussions of Kazan, one in every stage.

An open general-plan discussion covers the whole city, so every verified demo resident may
take part; an archived planning project has its signed protocol and conclusion. Past
discussions get their proposals through the same registration code as live ones (with past
registration times). Loading twice changes nothing (the demo numbers are looked up first).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from cityhall.accounts.models import Organisation, User
from cityhall.core.demo import DemoLogin
from cityhall.geo.models import District

from . import demo_territories as territories
from . import intake, protocol, services
from .file_access import follow_discussion
from .models import (
    Discussion,
    DocumentType,
    FinalDocument,
    Meeting,
    Participant,
    Proposal,
    RecommendationTemplate,
    Status,
    StatusChange,
)
from .pdf_document import DocumentPdf
from .services.final_documents import final_number
from .uploads import check_attachment, store_attachment

SEED = 20261125
PREFIX = "D-2026-"

#: code → (name, min notice days, max days notice→conclusion, min / max exposition days)
DOCUMENT_TYPES = (
    ("general_plan", "Генеральный план", 7, 30, 7, 30),
    ("land_use_rules", "Правила землепользования и застройки", 7, 60, 14, 30),
    ("planning_project", "Проект планировки территории", 7, 60, 14, 30),
    ("special_permit", "Разрешение на условно разрешённый вид использования", 7, 30, 7, 30),
    ("deviation_permit", "Отклонение от предельных параметров строительства", 7, 30, 7, 30),
)
#: The document types' names in Tatar and English (code: (tt, en)).
DOCUMENT_TYPE_NAMES = {
    "general_plan": ("Генераль план", "General plan"),
    "land_use_rules": (
        "Җирдән файдалану һәм төзелеш кагыйдәләре",
        "Land use and development rules",
    ),
    "planning_project": ("Территорияне планлаштыру проекты", "Territory planning project"),
    "special_permit": (
        "Шартлы рөхсәт ителгән файдалану төренә рөхсәт",
        "Permit for a conditionally permitted use",
    ),
    "deviation_permit": (
        "Төзелешнең чик параметрларыннан тайпылу",
        "Deviation from the limit parameters of construction",
    ),
}

PROPOSALS = (
    "Сохранить сквер у школы № 12 и не размещать на его месте парковку.",
    "Предусмотреть пешеходный переход со светофором у остановки.",
    "Ограничить высотность новой застройки девятью этажами.",
    "Добавить велосипедную дорожку вдоль набережной.",
    "Предусмотреть участок под детский сад в новом квартале.",
    "Какой срок реализации проекта планировки?",
    "Сохранить исторический облик улицы, не сносить дома XIX века.",
    "Устроить шумозащитный экран вдоль магистрали.",
)

#: What the demo's attached schemes say (a page each, made with the protocol's PDF layout).
ATTACHMENTS = (
    ("Схема перехода.pdf", "Схема пешеходного перехода у остановки"),
    ("Фотофиксация.pdf", "Фотофиксация состояния сквера"),
    ("Расчёт высотности.pdf", "Расчёт инсоляции при девяти этажах"),
)


def demo_pdf(title: str, text: str) -> bytes:
    """A one-page PDF with a heading and a paragraph: the demo's documents and attachments,
    which pass the file service's checks like any upload."""
    pdf = DocumentPdf(title, "демо", timezone.make_aware(dt.datetime(2026, 11, 25, 9)))
    pdf.heading(title, 14)
    pdf.para(text)
    return bytes(pdf.output())


NOTICE_SOURCE = "Официальный портал правовой информации города, https://kzn.example/notices"


def _aware(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _plan(today: dt.date, offset: int) -> dict[str, Any]:
    """Dates of a discussion whose exposition starts ``offset`` days from today."""
    start = today + dt.timedelta(days=offset)
    end = start + dt.timedelta(days=13)
    return {
        "notice_date": start - dt.timedelta(days=8),
        "exposition_start": _aware(start),
        "exposition_end": end,
        "proposal_deadline": _aware(end, 18),
        "conclusion_due": start + dt.timedelta(days=20),
    }


def _document(organiser: User, discussion: Discussion, title: str) -> None:
    services.add_document_version(
        actor=organiser,
        discussion=discussion,
        upload=ContentFile(
            demo_pdf(title, "Демонстрационный проект для общественных обсуждений."),
            name="Проект.pdf",
        ),
        title=title,
    )


def _force_status(discussion: Discussion, path: list[str], organiser: User) -> None:
    """Walk a past discussion through its stages as history (dates already in the past)."""
    previous = discussion.status
    for status in path:
        if status == Status.ANNOUNCED:
            Discussion.objects.filter(pk=discussion.pk).update(
                notice_published_at=_aware(discussion.notice_date, 10),
                notice_source=NOTICE_SOURCE,
            )
        StatusChange.objects.create(
            discussion=discussion,
            from_status=previous,
            to_status=status,
            actor=(
                None if status in (Status.EXPOSITION_OPEN, Status.PROPOSALS_CLOSED) else organiser
            ),
            reason=services.ALLOWED[previous][status],
        )
        previous = status
    Discussion.objects.filter(pk=discussion.pk).update(status=previous)
    discussion.status = previous
    follow_discussion(discussion)  # its documents are public with it


def _participant_for(
    discussion: Discussion, *, key: str, defaults: dict[str, Any]
) -> tuple[Participant, bool]:
    """Find or register the participant (discussion row already locked: gap-free numbers)."""
    existing = Participant.objects.filter(discussion=discussion, identity_key=key).first()
    if existing is not None:
        return existing, False
    discussion.participant_count += 1
    participant = Participant.objects.create(
        discussion=discussion, number=discussion.participant_count, identity_key=key, **defaults
    )
    return participant, True


def _register(
    *,
    discussion: Discussion,
    participant: Participant,
    author: Any,
    registered_by: Any,
    text: str,
    kind: str,
    channel: str,
    registered_at: dt.datetime,
    attachments: list[dict[str, Any]] | None = None,
) -> Proposal:
    """Write one proposal of a known participant without the receipt-time checks (demo data
    with past dates); the discussion row is locked by the caller."""
    users = {u.pk: u for u in (author, registered_by) if u is not None}
    entry = intake.Entry(
        text=text,
        kind=kind,
        channel=channel,
        registered_at=registered_at,
        key=participant.identity_key,
        participant=participant,
        author_id=getattr(author, "pk", None),
        registered_by_id=getattr(registered_by, "pk", None),
        attachments=attachments or (),
    )
    return intake.write(discussion, [entry], users=users, receipts=False)[0]


def _past_proposals(
    discussion: Discussion, residents: list[User], rng: random.Random, count: int
) -> None:
    """Register proposals of the demo residents during a past exposition."""
    from django.db import transaction

    from .eligibility import eligibility_of

    with transaction.atomic():
        locked = Discussion.objects.select_for_update().get(pk=discussion.pk)
        moment = locked.exposition_start + dt.timedelta(hours=3)
        for i in range(count):
            author = residents[i % len(residents)]
            eligibility = eligibility_of(locked, author)
            if not eligibility.eligible:
                continue
            identity = eligibility.identity
            participant, _ = _participant_for(
                locked,
                key=intake.identity_key("person", identity.document_hash),
                defaults={
                    "type": eligibility.participant_type,
                    "full_name": identity.full_name,
                    "birth_date": identity.birth_date,
                    "address": identity.registered_address,
                    "document_masked": identity.document_masked,
                    "user": author,
                    "from_territory": eligibility.from_territory,
                    "district": eligibility.district,
                },
            )
            text = PROPOSALS[rng.randrange(len(PROPOSALS))]
            files = []
            if i % 3 == 0:  # every third proposal comes with a scheme, checked like any upload
                name, title = ATTACHMENTS[(i // 3) % len(ATTACHMENTS)]
                upload = ContentFile(demo_pdf(title, text), name=name)
                files.append(store_attachment(check_attachment(upload), owner=author))
            _register(
                discussion=locked,
                participant=participant,
                author=author,
                registered_by=None,
                text=f"{text} ({i + 1})",
                kind=Proposal.Kind.QUESTION if text.endswith("?") else Proposal.Kind.PROPOSAL,
                channel=Proposal.Channel.WEB,
                registered_at=moment + dt.timedelta(hours=7 * i),
                attachments=files,
            )
    discussion.refresh_from_db()


def load(stdout) -> list[DemoLogin]:
    for code, name, notice, to_conclusion, min_len, max_len in DOCUMENT_TYPES:
        DocumentType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_tt": DOCUMENT_TYPE_NAMES[code][0],
                "name_en": DOCUMENT_TYPE_NAMES[code][1],
                "min_notice_days": notice,
                "max_days_to_conclusion": to_conclusion,
                "min_exposition_days": min_len,
                "max_exposition_days": max_len,
            },
        )
        # A demo loaded before the names had translations gets them now.
        DocumentType.objects.filter(code=code, name_en="").update(
            name_tt=DOCUMENT_TYPE_NAMES[code][0], name_en=DOCUMENT_TYPE_NAMES[code][1]
        )
    RecommendationTemplate.objects.get_or_create(
        title="Учтено",
        defaults={"recommendation": "accept", "text": "Предложение учтено в проекте."},
    )
    RecommendationTemplate.objects.get_or_create(
        title="Противоречит ПЗЗ",
        defaults={
            "recommendation": "reject",
            "text": "Предложение противоречит правилам землепользования и застройки.",
        },
    )
    if Discussion.objects.filter(number__startswith=PREFIX).exists():
        return []
    organiser = User.objects.filter(username="organiser").first()
    expert = User.objects.filter(username="expert").first()
    office = (
        organiser
        and Organisation.objects.filter(
            memberships__user=organiser, memberships__role="organiser"
        ).first()
    )
    if organiser is None or office is None:
        stdout.write("  discussions: no demo organiser; skipped")
        return []
    rng = random.Random(SEED)
    today = timezone.localdate()
    types = {t.code: t for t in DocumentType.objects.all()}
    districts = list(District.objects.order_by("code"))
    residents = list(
        User.objects.filter(username__startswith="resident", verified_identity__isnull=False)
        .select_related("verified_identity")
        .order_by("username")
    )

    def make(n: int, code: str, title: str, offset: int, **extra: Any) -> Discussion:
        discussion = services.create_discussion(
            actor=organiser,
            organiser=office,
            document_type=types[code],
            title=title,
            responsible_official=organiser,
            responsible_official_position="Начальник управления градостроительной деятельности",
            districts=extra.pop("districts", districts),
            exposition_place="г. Казань, ул. Баумана, д. 5, выставочный зал",
            **_plan(today, max(offset, 9)),
            **extra,
        )
        # A past discussion is planned as if today, then its dates are set as history.
        number = f"{PREFIX}{n:02d}"
        Discussion.objects.filter(pk=discussion.pk).update(number=number, **_plan(today, offset))
        for name, value in {"number": number, **_plan(today, offset)}.items():
            setattr(discussion, name, value)
        return discussion

    # In preparation and announced.
    make(
        1,
        "special_permit",
        "Условно разрешённый вид: магазин на ул. Чистопольской",
        20,
        **territories.around_building("ул. Чистопольская", 60, "Земельный участок и соседние дома"),
    )
    announced = make(
        2,
        "deviation_permit",
        "Отклонение от параметров: дом на ул. С. Хакима",
        9,
        **territories.around_point(
            55.8187, 49.1224, 120, "Участок на ул. Сибгата Хакима и прилегающие дома"
        ),
    )
    services.transition(
        discussion=announced, to=Status.ANNOUNCED, actor=organiser, notice_source=NOTICE_SOURCE
    )

    # Open now: the general plan, for the whole city — every verified demo resident may join.
    general = make(
        3,
        "general_plan",
        "Проект внесения изменений в Генеральный план городского округа «город Казань»",
        -5,
        description="Изменения функциональных зон и планируемого размещения объектов.",
        territory_description="Городской округ «город Казань»",
        open_to_all_verified=True,
    )
    _document(organiser, general, "Проект изменений в Генеральный план")
    services.set_sections(  # participants may attach proposals to these (participatory texts)
        actor=organiser,
        discussion=general,
        sections=[
            ("1", "Положение о территориальном планировании"),
            ("2", "Карта функциональных зон"),
            ("3", "Карта планируемого размещения объектов транспорта"),
            ("4", "Зоны рекреационного назначения"),
        ],
    )
    _force_status(general, [Status.ANNOUNCED, Status.EXPOSITION_OPEN], organiser)
    _past_proposals(general, residents, rng, 12)
    question = Proposal.objects.filter(discussion=general, kind=Proposal.Kind.QUESTION).first()
    if question and expert:
        services.answer_question(
            expert=expert,
            question=question,
            text="Реализация планируется в 2027–2030 годах, по очередям.",
        )
    Meeting.objects.create(
        discussion=general,
        starts_at=general.exposition_start + dt.timedelta(days=3, hours=9),
        place="Казанская ратуша, большой зал",
        recorded_by=organiser,
    )

    # Closed, waiting for the protocol.
    closed = make(4, "land_use_rules", "Изменения в Правила землепользования и застройки", -30)
    _document(organiser, closed, "Проект изменений в ПЗЗ")
    _force_status(closed, [Status.ANNOUNCED, Status.EXPOSITION_OPEN], organiser)
    _past_proposals(closed, residents, rng, 6)
    _force_status(closed, [Status.PROPOSALS_CLOSED], organiser)

    # Protocol signed, conclusion being prepared; then published; then archived.
    quarter = "Квартал планировки"
    signed = _through_protocol(
        5,
        make,
        organiser,
        residents,
        rng,
        today,
        "Ново-Савиновский",
        territories.suburb("yashlek", quarter),
    )
    published = _through_protocol(
        6,
        make,
        organiser,
        residents,
        rng,
        today,
        "Кировский",
        territories.around_building("ул. Горсоветская", 300, quarter),
    )
    _through_conclusion(published, organiser)
    archived = _through_protocol(
        7,
        make,
        organiser,
        residents,
        rng,
        today,
        "Вахитовский",
        territories.suburb("staro-tatarskaya-sloboda", quarter),
    )
    _through_conclusion(archived, organiser)
    services.transition(discussion=archived, to=Status.ARCHIVED, actor=organiser)

    cancelled = make(
        8,
        "special_permit",
        "Условно разрешённый вид: автомойка на Гаврилова",
        10,
        **territories.around_building("ул. Гаврилова", 40, "Участок автомойки"),
    )
    services.transition(
        discussion=cancelled, to=Status.ANNOUNCED, actor=organiser, notice_source=NOTICE_SOURCE
    )
    services.transition(
        discussion=cancelled,
        to=Status.CANCELLED,
        actor=organiser,
        reason="Заявитель отозвал заявление о предоставлении разрешения.",
    )
    stdout.write(
        f"  discussions: 8 in every stage; open for proposals: {general.number} "
        f"({Participant.objects.filter(discussion=general).count()} participants); "
        f"archived with protocol and conclusion: {archived.number}; signed protocol: "
        f"{signed.number}"
    )
    return []


def _through_protocol(
    n, make, organiser, residents, rng, today, district_hint, territory=None
) -> Discussion:
    discussion = make(
        n,
        "planning_project",
        f"Проект планировки территории: квартал в районе {district_hint}",
        -60 + n,
        # A quarter has few demo residents: others take part too, listed apart.
        open_to_all_verified=True,
        **(territory or {}),
    )
    _document(organiser, discussion, "Проект планировки территории")
    _force_status(discussion, [Status.ANNOUNCED, Status.EXPOSITION_OPEN], organiser)
    _past_proposals(discussion, residents, rng, 8)
    _force_status(discussion, [Status.PROPOSALS_CLOSED], organiser)
    doc = FinalDocument.objects.create(
        discussion=discussion,
        kind=FinalDocument.Kind.PROTOCOL,
        number=final_number(discussion, FinalDocument.Kind.PROTOCOL),
    )
    protocol.generate(doc.pk)
    doc.refresh_from_db()
    services.sign_final_document(actor=organiser, document=doc)
    discussion.refresh_from_db()
    return discussion


def _through_conclusion(discussion: Discussion, organiser: User) -> None:
    numbers = list(
        Proposal.objects.filter(discussion=discussion)
        .exclude(kind=Proposal.Kind.QUESTION)
        .values_list("number", flat=True)
    )
    half = len(numbers) // 2
    if numbers[:half]:
        services.set_recommendation(
            actor=organiser,
            discussion=discussion,
            numbers=numbers[:half],
            recommendation="accept",
            reason="Предложение учтено в проекте.",
        )
    if numbers[half:]:
        services.set_recommendation(
            actor=organiser,
            discussion=discussion,
            numbers=numbers[half:],
            recommendation="reject",
            reason="Предложение противоречит правилам землепользования и застройки.",
        )
    services.save_conclusions(
        actor=organiser,
        discussion=discussion,
        text=(
            "Общественные обсуждения признать состоявшимися; проект рекомендовать к утверждению."
        ),
    )
    doc = FinalDocument.objects.create(
        discussion=discussion,
        kind=FinalDocument.Kind.CONCLUSION,
        number=final_number(discussion, FinalDocument.Kind.CONCLUSION),
    )
    protocol.generate(doc.pk)
    doc.refresh_from_db()
    services.sign_final_document(actor=organiser, document=doc)
    discussion.refresh_from_db()
