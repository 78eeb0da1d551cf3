"""Demo data for resident requests: the catalogue (with emergency categories), who answers for
every demo building, an Open311 client, and a year of generated requests (≥ 100,000) in every
state, so that the map, ratings and reports look real.

The catalogue and a few live requests of ``resident01`` go through the services (audited,
notified). The year of history is generated in bulk (explicit ids, multi-row INSERTs in batches)
from a seeded generator: deterministic, well under a minute. Loading twice changes nothing.

The generated history is what the services would have left behind: numbers gap-free per year
in order of creation (the year's counter is advanced, so live requests continue it), a history
row per move, and the audit records of ``submit_request`` and ``transition`` — same actions, same
before/after snapshots — appended to the chain with ``audit.record_many``, so that
``cityhall verify_audit`` passes and a request's history can be checked against its trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from cityhall.accounts.models import Membership, Organisation, Role, User
from cityhall.core import audit
from cityhall.core.demo import DemoLogin
from cityhall.core.numbering import next_values
from cityhall.geo.models import Building

from . import services
from .models import (
    OPEN_STATUSES,
    ApplicantKind,
    BuildingManagement,
    Category,
    Channel,
    DispatchCentre,
    Feedback,
    Open311Client,
    ResponsibilityArea,
    ServiceRequest,
    Stage,
    Status,
    StatusChange,
)
from .services.intake import NUMBER_SERIES, number_for

SEED = 20260311
REQUESTS = 100_000
BATCH = 5_000
#: Audit records appended per call of audit.record_many (one lock of the chain head each).
AUDIT_BATCH = 4_000
DEMO_OPEN311_KEY = "o311_demo-city-open311-key"

T = Organisation.Type
ROUTINE = {
    "new": (2, "working_hours"),
    "routed": (1, "working_days"),
    "accepted": (2, "working_days"),
    "in_work": (5, "working_days"),
}
EMERGENCY = {
    "new": (30, "calendar_minutes"),
    "routed": (1, "calendar_hours"),
    "accepted": (2, "calendar_hours"),
    "in_work": (24, "calendar_hours"),
}

#: People stuck in a lift: a dispatcher takes the call within 15 minutes and the lift crew is
#: on its way within the next 15; freeing people must not wait for the working day.
LIFT_STUCK = {
    "new": (15, "calendar_minutes"),
    "routed": (15, "calendar_minutes"),
    "accepted": (45, "calendar_minutes"),
    "in_work": (4, "calendar_hours"),
}
#: The demo dispatch centre's round-the-clock line (a made-up number).
DEMO_DISPATCH_LINE = "+7 843 555-01-12"

#: What to do right now, shown before the form (ru, tt, en).
GUIDANCE = {
    "lift_stuck": (
        "Если в лифте застряли люди, звоните 112 или на линию диспетчерской службы. "
        "Не пытайтесь открыть двери сами; успокойте застрявших и оставайтесь рядом.",
        "Лифтта кешеләр калса, 112 яки диспетчерлык хезмәте линиясенә шалтыратыгыз. "
        "Ишекләрне үзегез ачарга тырышмагыз; калганнарны тынычландырыгыз һәм янда булыгыз.",
        "If people are stuck in a lift, call 112 or the dispatch line. Do not try to open the "
        "doors yourself; reassure the people inside and stay nearby.",
    ),
    "pipe_burst": (
        "Перекройте воду, если можете, и отключите электричество в затопленных помещениях. "
        "Звоните 112 или на линию диспетчерской службы.",
        "Мөмкин булса, суны ябыгыз һәм су баскан бүлмәләрдә электрны сүндерегез. "
        "112 яки диспетчерлык хезмәте линиясенә шалтыратыгыз.",
        "Shut off the water if you can and switch off the power in flooded rooms. Call 112 or "
        "the dispatch line.",
    ),
}
GENERIC_GUIDANCE = (
    "Если есть угроза жизни или здоровью, звоните 112.",
    "Гомергә яки сәламәтлеккә куркыныч булса, 112 гә шалтыратыгыз.",
    "If life or health is in danger, call 112.",
)

YES_NO = [
    {"key": "yes", "name": "Да", "name_tt": "Әйе", "name_en": "Yes"},
    {"key": "no", "name": "Нет", "name_tt": "Юк", "name_en": "No"},
]

#: code, ru, tt, en, group, emergency, responsible type, resource/contractor hint, weight
CATEGORIES = (
    (
        "roof_leak",
        "Протечка кровли",
        "Түбә агып тора",
        "Roof leak",
        "Кровля",
        False,
        T.MANAGING_ORGANISATION,
        None,
        8,
    ),
    (
        "pipe_burst",
        "Прорыв трубы, затопление",
        "Торба ярылган",
        "Burst pipe, flooding",
        "Водоснабжение",
        True,
        T.MANAGING_ORGANISATION,
        None,
        5,
    ),
    (
        "no_heating",
        "Нет отопления",
        "Җылыту юк",
        "No heating",
        "Отопление",
        True,
        T.RESOURCE_SUPPLIER,
        "heat",
        9,
    ),
    (
        "cold_radiator",
        "Холодные батареи",
        "Радиаторлар салкын",
        "Cold radiators",
        "Отопление",
        False,
        T.MANAGING_ORGANISATION,
        None,
        9,
    ),
    (
        "no_hot_water",
        "Нет горячей воды",
        "Кайнар су юк",
        "No hot water",
        "Водоснабжение",
        False,
        T.RESOURCE_SUPPLIER,
        "heat",
        7,
    ),
    (
        "no_cold_water",
        "Нет холодной воды",
        "Салкын су юк",
        "No cold water",
        "Водоснабжение",
        True,
        T.RESOURCE_SUPPLIER,
        "water",
        5,
    ),
    (
        "no_power",
        "Нет электричества",
        "Электр юк",
        "No electricity",
        "Электроснабжение",
        True,
        T.RESOURCE_SUPPLIER,
        "power",
        5,
    ),
    (
        "lift_stuck",
        "Застрял лифт",
        "Лифт тукталды",
        "People stuck in a lift",
        "Лифты",
        True,
        T.CONTRACTOR,
        "lift",
        2,
    ),
    (
        "lift_broken",
        "Не работает лифт",
        "Лифт эшләми",
        "Lift out of order",
        "Лифты",
        False,
        T.CONTRACTOR,
        "lift",
        7,
    ),
    (
        "stairwell",
        "Ремонт подъезда",
        "Подъезд ремонты",
        "Stairwell repair",
        "Содержание дома",
        False,
        T.MANAGING_ORGANISATION,
        None,
        8,
    ),
    (
        "yard_cleaning",
        "Уборка двора",
        "Ишегалды җыештыру",
        "Yard cleaning",
        "Двор",
        False,
        T.MANAGING_ORGANISATION,
        None,
        10,
    ),
    (
        "snow",
        "Уборка снега и наледи",
        "Кар һәм боз чистарту",
        "Snow and ice",
        "Двор",
        False,
        T.MANAGING_ORGANISATION,
        None,
        8,
    ),
    (
        "yard_lighting",
        "Не горит освещение во дворе",
        "Ишегалдында ут янмый",
        "Yard lighting out",
        "Освещение",
        False,
        T.MANAGING_ORGANISATION,
        None,
        6,
    ),
    (
        "pothole",
        "Яма на дворовом проезде",
        "Ишегалды юлында чокыр",
        "Pothole in the yard",
        "Двор",
        False,
        T.CONTRACTOR,
        "roads",
        4,
    ),
    (
        "rubbish",
        "Не вывезен мусор",
        "Чүп чыгарылмаган",
        "Rubbish not collected",
        "Двор",
        False,
        T.MANAGING_ORGANISATION,
        None,
        7,
    ),
)

ATTRIBUTES = {
    "lift_stuck": [
        {
            "code": "people_inside",
            "datatype": "singlevaluelist",
            "required": True,
            "description": "Есть ли люди в кабине?",
            "description_tt": "Кабинада кешеләр бармы?",
            "description_en": "Is anybody inside?",
            "values": YES_NO,
        },
        {
            "code": "entrance",
            "datatype": "number",
            "required": False,
            "description": "Номер подъезда",
            "description_tt": "Подъезд номеры",
            "description_en": "Entrance number",
        },
    ],
    "pipe_burst": [
        {
            "code": "flat_flooded",
            "datatype": "singlevaluelist",
            "required": True,
            "description": "Затоплена квартира?",
            "description_tt": "Фатирны су бастымы?",
            "description_en": "Is a flat flooded?",
            "values": YES_NO,
        },
    ],
    "no_heating": [
        {
            "code": "whole_building",
            "datatype": "singlevaluelist",
            "required": False,
            "description": "Во всём доме?",
            "description_tt": "Бөтен йорттамы?",
            "description_en": "The whole building?",
            "values": YES_NO,
        },
    ],
}

CONTRACTOR_KIND = {"Лифт": "lift", "Дор": "roads", "Кровл": "roof"}
SUPPLIER_KIND = {"Водоканал": "water", "Казэнерго": "heat", "Сетевая": "power"}

DESCRIPTIONS = {
    "roof_leak": "После дождя течёт с потолка на последнем этаже.",
    "pipe_burst": "Прорвало трубу в подвале, вода поступает в подъезд.",
    "no_heating": "В квартире нет отопления со вчерашнего вечера.",
    "cold_radiator": "Батареи еле тёплые, в комнате 16 градусов.",
    "no_hot_water": "Нет горячей воды во всём стояке.",
    "no_cold_water": "Нет холодной воды без предупреждения.",
    "no_power": "Отключилось электричество во всём подъезде.",
    "lift_stuck": "В лифте застрял человек между этажами.",
    "lift_broken": "Лифт не работает третий день.",
    "stairwell": "В подъезде облупилась краска, разбито окно.",
    "yard_cleaning": "Двор давно не убирали, мусор у детской площадки.",
    "snow": "Не убран снег на тротуаре у подъезда, наледь.",
    "yard_lighting": "Во дворе не горят фонари, темно вечером.",
    "pothole": "Глубокая яма на проезде во дворе.",
    "rubbish": "Контейнеры переполнены, мусор не вывозят.",
}


def _org_kind(name: str, table: dict[str, str]) -> str | None:
    return next((kind for key, kind in table.items() if key in name), None)


def _catalogue(stdout) -> dict[str, Category]:
    categories = {}
    for code, ru, tt, en, group, emergency, responsible, _hint, _w in CATEGORIES:
        category, created = Category.objects.get_or_create(
            code=code,
            defaults={
                "name_ru": ru,
                "name_tt": tt,
                "name_en": en,
                "group": group,
                "is_emergency": emergency,
                "responsible_type": responsible,
                **(
                    dict(
                        zip(
                            ("guidance_ru", "guidance_tt", "guidance_en"),
                            GUIDANCE.get(code, GENERIC_GUIDANCE),
                            strict=True,
                        )
                    )
                    if emergency
                    else {}
                ),
            },
        )
        if created or category.current_version_id is None:
            services.publish_category_version(
                category=category,
                actor=None,
                attributes=ATTRIBUTES.get(code, []),
                limits=LIFT_STUCK if code == "lift_stuck" else EMERGENCY if emergency else ROUTINE,
            )
            category.refresh_from_db()
        categories[code] = category
    stdout.write(f"  catalogue: {len(categories)} categories")
    return categories


def _responsibility(categories: dict[str, Category], rng: random.Random) -> dict:
    """Every building gets a managing organisation; suppliers and contractors serve districts."""
    managing = list(Organisation.objects.filter(type=T.MANAGING_ORGANISATION).order_by("name"))
    suppliers = list(Organisation.objects.filter(type=T.RESOURCE_SUPPLIER).order_by("name"))
    contractors = list(Organisation.objects.filter(type=T.CONTRACTOR).order_by("name"))
    buildings = list(Building.objects.order_by("pk").values_list("pk", "district_id"))
    district_ids = sorted({d for _b, d in buildings if d is not None})
    if managing and not BuildingManagement.objects.exists():
        BuildingManagement.objects.bulk_create(
            BuildingManagement(
                building_id=pk,
                organisation=managing[(district or 0) % len(managing)]
                if rng.random() < 0.7
                else rng.choice(managing),
            )
            for pk, district in buildings
        )
    by_kind: dict[str, Organisation] = {}
    for org in suppliers:
        kind = _org_kind(org.name, SUPPLIER_KIND)
        if kind:
            by_kind[kind] = org
    for org in contractors:
        kind = _org_kind(org.name, CONTRACTOR_KIND)
        if kind:
            by_kind[kind] = org
    if not ResponsibilityArea.objects.exists():
        rows = []
        for code, *_rest in CATEGORIES:
            hint = _rest[6]
            org = by_kind.get(hint) if hint else None
            if org is None:
                continue
            for district in district_ids:
                rows.append(
                    ResponsibilityArea(
                        organisation=org, category=categories[code], district_id=district
                    )
                )
        ResponsibilityArea.objects.bulk_create(rows)
    manager_of = dict(BuildingManagement.objects.values_list("building_id", "organisation_id"))
    area_of = {
        (c, d): o
        for c, d, o in ResponsibilityArea.objects.filter(district__isnull=False).values_list(
            "category_id", "district_id", "organisation_id"
        )
    }
    return {"manager_of": manager_of, "area_of": area_of}


def _committee() -> Organisation | None:
    membership = (
        Membership.objects.filter(user__username="dispatcher", role=Role.DISPATCHER)
        .select_related("organisation")
        .first()
    )
    if membership is None:
        return None
    DispatchCentre.objects.get_or_create(
        organisation=membership.organisation, defaults={"phone": DEMO_DISPATCH_LINE}
    )
    return membership.organisation


def _open311_client() -> None:
    key_hash = hashlib.sha256(DEMO_OPEN311_KEY.encode()).hexdigest()
    Open311Client.objects.get_or_create(
        name="Demo city app",
        defaults={"key_prefix": DEMO_OPEN311_KEY[:10], "key_hash": key_hash},
    )


REQUEST_COLUMNS = (
    "id",
    "number",
    "public_token",
    "category",
    "category_version",
    "building",
    "district",
    "suburb",
    "address",
    "lat",
    "lon",
    "description",
    "attributes",
    "channel",
    "applicant_kind",
    "author",
    "contact_name",
    "contact_phone",
    "contact_email",
    "status",
    "organisation",
    "executor",
    "stage_due_at",
    "is_overdue",
    "reopen_count",
    "parent",
    "report",
    "status_note",
    "version",
    "created_at",
    "updated_at",
    "closed_at",
)
HISTORY_COLUMNS = ("request", "from_status", "to_status", "organisation", "reason", "created_at")
STAGE_COLUMNS = (
    "request",
    "stage",
    "organisation",
    "started_at",
    "due_at",
    "finished_at",
)
FEEDBACK_COLUMNS = ("request", "organisation", "author", "score", "text", "created_at")


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain multi-row INSERT: the ORM's per-value preparation is what makes 100,000 model
    instances slow; the rows here are already in the database's terms."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})",  # noqa: S608
            rows,
        )


def _numbers(created: list[dt.datetime]) -> list[str]:
    """Public numbers for requests created at ``created`` (oldest first): gap-free per year, in
    order of creation, taken from the year's counter in one block so live requests continue the
    sequence."""
    years = [timezone.localtime(moment).year for moment in created]
    values: dict[int, range] = {}
    for year in sorted(set(years)):
        values[year] = next_values(NUMBER_SERIES.format(year=year), years.count(year))
    used: dict[int, int] = defaultdict(int)
    numbers = []
    for year in years:
        numbers.append(number_for(year, values[year][used[year]]))
        used[year] += 1
    return numbers


def _routing_reason(category: Category, org: int | None) -> str:
    """What :func:`routing.decide` says for a demo request (the building's manager or the
    district's area of responsibility; nobody found goes to the dispatcher)."""
    managed = category.responsible_type == T.MANAGING_ORGANISATION
    if org is None:
        return "no_managing_organisation" if managed else "no_responsible_organisation"
    return "building_manager" if managed else "district_area"


REQUEST_TYPE = ServiceRequest._meta.label_lower
REOPEN_REASON = "Проблема вернулась"
NOT_OURS_REASON = "Дом не в нашем управлении"
REJECT_REASON = "Не относится к ЖКХ"


def _adapter():
    """Datetimes in the database's terms. Every demo time is derived from ``timezone.now()``
    (UTC), and SQLite stores UTC as naive text, so the text is made directly: the general
    adapter is a tenth of the generation time."""
    if (
        connection.vendor != "sqlite"
        or str(connection.timezone) != "UTC"
        or timezone.now().utcoffset() != dt.timedelta(0)
    ):
        return connection.ops.adapt_datetimefield_value

    def when(value: dt.datetime | None) -> str | None:
        return None if value is None else str(value.replace(tzinfo=None))

    return when


@contextmanager
def _bulk_cache():
    """On SQLite, a page cache big enough for the indexes being filled (the audit trail's hash
    index above all): without it every insert reads index pages back from the file."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-256 * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _generate(categories, routing, rng: random.Random, stdout) -> int:
    """A year of requests in bulk: explicit ids, history rows, open stages, feedback, and the
    audit records the services would have written for that history (same actions, same
    before/after shapes), appended to the chain in blocks."""
    buildings = list(
        Building.objects.order_by("pk").values_list(
            "pk", "district_id", "suburb_id", "address", "lat", "lon"
        )
    )
    if not buildings:
        return 0
    residents = list(
        User.objects.filter(kind=User.Kind.RESIDENT).order_by("pk").values_list("pk", flat=True)
    )
    executors = {
        m.organisation_id: m.user_id
        for m in Membership.objects.filter(role=Role.EXECUTOR).order_by("pk")
    }
    cats = [categories[c[0]] for c in CATEGORIES]
    weights = [c[8] for c in CATEGORIES]
    quality = defaultdict(lambda: rng.uniform(3.0, 4.7))
    when = _adapter()
    no_answers = ServiceRequest._meta.get_field("attributes").get_db_prep_save({}, connection)
    now = timezone.now().replace(microsecond=0)
    start_id = (
        ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    last_by_building: dict[tuple[int, int], int] = {}
    requests, history, stages, votes, trail = [], [], [], [], []
    total = 0
    open_statuses = set(OPEN_STATUSES)

    def flush():
        nonlocal requests, history, stages, votes
        _insert(ServiceRequest, REQUEST_COLUMNS, requests)
        _insert(StatusChange, HISTORY_COLUMNS, history)
        _insert(Stage, STAGE_COLUMNS, stages)
        _insert(Feedback, FEEDBACK_COLUMNS, votes)
        requests, history, stages, votes = [], [], [], []
        flush_trail()

    def flush_trail():
        nonlocal trail
        audit.record_many(trail)
        trail = []

    # Oldest first, so that merged requests point to an earlier parent and numbers follow the
    # order of creation.
    offsets = sorted(rng.random() for _ in range(REQUESTS))
    created_at = [
        (now - dt.timedelta(days=365 * (1 - share)) + dt.timedelta(minutes=1)).replace(
            microsecond=0
        )
        for share in offsets
    ]
    numbers = _numbers(created_at)
    for index, created in enumerate(created_at):
        pk = start_id + index
        category = rng.choices(cats, weights)[0]
        if category.code in ("no_heating", "cold_radiator", "snow") and created.month in (
            5,
            6,
            7,
            8,
        ):
            category = categories["yard_cleaning"]
        b_pk, district, suburb, address, lat, lon = rng.choice(buildings)
        if category.responsible_type == T.MANAGING_ORGANISATION:
            org = routing["manager_of"].get(b_pk)
        else:
            org = routing["area_of"].get((category.pk, district))
        age = now - created
        emergency = category.is_emergency
        roll = rng.random()
        if age > dt.timedelta(days=30):
            status = (
                Status.CONFIRMED
                if roll < 0.78
                else Status.DONE
                if roll < 0.88
                else Status.REJECTED
                if roll < 0.95
                else Status.MERGED
            )
        elif age > dt.timedelta(days=3):
            status = rng.choice(
                [
                    Status.CONFIRMED,
                    Status.DONE,
                    Status.DONE,
                    Status.IN_WORK,
                    Status.ACCEPTED,
                    Status.REJECTED,
                ]
            )
        else:
            status = rng.choice(
                [Status.ROUTED, Status.ROUTED, Status.ACCEPTED, Status.IN_WORK, Status.DONE]
            )
        if status in (Status.ROUTED, Status.ACCEPTED, Status.IN_WORK) and (
            org is None or rng.random() < 0.08
        ):
            status = Status.NEW  # unclear requests wait in the committee's dispatcher queue
        parent_id = None
        if status == Status.MERGED:
            parent_id = last_by_building.get((b_pk, category.pk))
            if parent_id is None:
                status = Status.CONFIRMED
        last_by_building[(b_pk, category.pk)] = pk
        author = rng.choice(residents) if residents and rng.random() < 0.3 else None
        channel = rng.choices([Channel.WEB, Channel.OPERATOR, Channel.OPEN311], [45, 45, 10])[0]
        kind = ApplicantKind.ORGANISATION if rng.random() < 0.06 else ApplicantKind.PERSON
        resolution = dt.timedelta(hours=rng.uniform(1, 30) if emergency else rng.uniform(4, 216))
        overdue = resolution > dt.timedelta(hours=24 if emergency else 168) or rng.random() < 0.04
        closed_at = None
        if status not in open_statuses:
            closed_at = min(created + resolution, now)
        stage_due = None
        if status in open_statuses:
            amount, unit = (EMERGENCY if emergency else ROUTINE)[status]
            stage_due = created + dt.timedelta(hours=amount * (24 if unit.endswith("days") else 1))
            overdue = False  # an open request is late by its stage_due_at; flagged on leaving
        reopened = 1 if status in (Status.CONFIRMED, Status.DONE) and rng.random() < 0.05 else 0
        updated = closed_at or created + (age / 2)
        assigned = org if status != Status.NEW else None
        worked = status in (Status.IN_WORK, Status.DONE, Status.CONFIRMED)
        executor = executors.get(org) if worked else None
        requests.append(
            (
                pk,
                numbers[index],
                f"demo{pk:012d}{rng.getrandbits(40):010x}",
                category.pk,
                category.current_version_id,
                b_pk,
                district,
                suburb,
                address,
                lat,
                lon,
                DESCRIPTIONS[category.code],
                no_answers,
                channel.value,
                kind.value,
                author,
                "" if author else "Житель",
                "" if author else f"+7917{rng.randrange(10**6, 10**7):07d}",
                "",
                status.value,
                assigned,
                executor,
                when(stage_due),
                overdue,
                reopened,
                parent_id,
                "Работы выполнены." if status in (Status.DONE, Status.CONFIRMED) else "",
                REJECT_REASON if status == Status.REJECTED else "",
                1,
                when(created),
                when(updated),
                when(closed_at),
            )
        )
        path = [Status.ROUTED if org else Status.NEW]
        if status in (Status.ACCEPTED, Status.IN_WORK, Status.DONE, Status.CONFIRMED):
            path.append(Status.ACCEPTED)
        if worked:
            path.append(Status.IN_WORK)
        if status in (Status.DONE, Status.CONFIRMED):
            path.append(Status.DONE)
            if reopened:  # the resident reopened it once; the organisation finished it again
                path += [Status.IN_WORK, Status.DONE]
        if status in (Status.CONFIRMED, Status.REJECTED, Status.MERGED):
            path.append(status)
        if status == Status.NEW and path[-1] != Status.NEW:
            path.append(Status.NEW)
        span = ((closed_at or now) - created) / len(path)
        limits = EMERGENCY if emergency else ROUTINE
        routing_reason = _routing_reason(category, org)
        # The fields services.transition() snapshots for the audit trail, as they stand
        # after each step.
        state = {
            "status": path[0].value,
            "organisation": org if path[0] != Status.NEW else None,
            "executor": None,
            "stage_due_at": None,
            "reopen_count": 0,
            "parent": None,
        }
        previous = ""
        for step, to in enumerate(path):
            began = created + span * step
            reason = ""
            if step == 0:
                reason = routing_reason
            elif to == Status.REJECTED:
                reason = REJECT_REASON
            elif to == Status.NEW:
                reason = NOT_OURS_REASON
            elif to == Status.IN_WORK and previous == Status.DONE:
                reason = REOPEN_REASON
            due = None
            if to in open_statuses:
                amount, unit = limits[to]
                due = began + dt.timedelta(hours=amount * (24 if unit.endswith("days") else 1))
                last_open = step == len(path) - 1 and status in open_statuses
                if last_open:
                    due = stage_due
                stages.append(
                    (
                        pk,
                        to.value,
                        org if to != Status.NEW else None,
                        when(began),
                        when(due),
                        None if last_open else when(created + span * (step + 1)),
                    )
                )
            history.append(
                (
                    pk,
                    previous,
                    to.value,
                    org if to != Status.NEW else None,
                    reason if to != Status.DONE else "Работы выполнены.",
                    when(began),
                )
            )
            before = dict(state)
            state["status"] = to.value
            state["stage_due_at"] = due
            if to == Status.NEW:
                state["organisation"] = state["executor"] = None
            if to == Status.IN_WORK:
                state["executor"] = executor
            if reason == REOPEN_REASON:
                state["reopen_count"] += 1
            if to == Status.MERGED:
                state["parent"] = parent_id
            if step == 0:
                trail.append(
                    audit.Entry(
                        action="service_requests.submitted",
                        object_type=REQUEST_TYPE,
                        object_id=pk,
                        after={
                            "number": numbers[index],
                            "category": category.code,
                            "channel": channel.value,
                            "status": to.value,
                            "organisation": state["organisation"],
                            "routing": routing_reason,
                        },
                    )
                )
            else:
                trail.append(
                    audit.Entry(
                        action=f"service_requests.{to.value}",
                        object_type=REQUEST_TYPE,
                        object_id=pk,
                        before=before,
                        after=dict(state),
                        message=reason,
                    )
                )
            previous = to.value
        if author and status in (Status.DONE, Status.CONFIRMED) and org and rng.random() < 0.5:
            score = max(1, min(5, round(rng.gauss(quality[org], 1.0))))
            votes.append((pk, org, author, score, "", when(closed_at or created)))
        total += 1
        if len(requests) >= BATCH:
            flush()
        elif len(trail) >= AUDIT_BATCH:
            flush_trail()
    flush()
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [ServiceRequest]):
            cursor.execute(sql)
    stdout.write(f"  requests: {total} generated over the past year")
    return total


def _live_requests(categories) -> None:
    """A few of resident01's requests made through the services, in several states."""
    resident = User.objects.filter(username="resident01").first()
    executor = User.objects.filter(username="executor").first()
    if (
        resident is None
        or ServiceRequest.objects.filter(
            author=resident, channel=Channel.WEB, description__startswith="[demo]"
        ).exists()
    ):
        return
    executor_orgs = [
        m.organisation for m in Membership.objects.filter(user=executor, role=Role.EXECUTOR)
    ]
    managed = (
        BuildingManagement.objects.filter(organisation__in=executor_orgs)
        .select_related("building")
        .order_by("pk")
    )
    building = managed.first().building if managed.exists() else Building.objects.first()
    if building is None:
        return
    first = services.submit_request(
        category=categories["roof_leak"],
        description="[demo] Течёт крыша над моей квартирой.",
        channel=Channel.WEB,
        author=resident,
        building=building,
        photos=[_demo_photo("roof.jpg", (92, 110, 140))],
    )
    second = services.submit_request(
        category=categories["yard_lighting"],
        description="[demo] Во дворе не горят фонари.",
        channel=Channel.WEB,
        author=resident,
        building=building,
    )
    if executor is not None and first.organisation_id and services.roles_on(executor, first):
        services.transition(request=first, actor=executor, to=Status.ACCEPTED)
        services.transition(request=first, actor=executor, to=Status.IN_WORK)
        services.add_comment(
            request=first, author=executor, text="Мастер придёт завтра с 10 до 12. Вы будете дома?"
        )
        services.transition(request=second, actor=executor, to=Status.ACCEPTED)
        services.transition(
            request=second,
            actor=executor,
            to=Status.DONE,
            report="Заменены две лампы во дворе.",
            photos=[_demo_photo("lamps-after.jpg", (235, 200, 90))],
        )


def _demo_photo(name: str, colour: tuple[int, int, int]):
    """A generated photo (a sky-and-ground picture in the given colour), so pages show one."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 320, 640, 480), fill=(90, 90, 90))
    draw.rectangle((240, 160, 400, 320), fill=(200, 200, 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def load(stdout) -> list[DemoLogin]:
    rng = random.Random(SEED)
    categories = _catalogue(stdout)
    _committee()
    _open311_client()
    routing = _responsibility(categories, rng)
    if not ServiceRequest.objects.filter(public_token__startswith="demo").exists():
        with _bulk_cache():
            _generate(categories, routing, rng, stdout)
        services.recompute_ratings()
        services.rebuild_daily_stats()
    else:
        stdout.write("  requests: already loaded")
    _live_requests(categories)
    return [
        DemoLogin(
            "open311", DEMO_OPEN311_KEY, "Open311 api_key", note="POST /open311/v2/requests.json"
        ),
    ]
