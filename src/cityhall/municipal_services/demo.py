"""Demo data for municipal services: nine published services (the "build an office" life
situation), standard request types, a widget site, applications in every stage, requests,
consultations and registry records. Idempotent and deterministic (seeded)."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cityhall.accounts.demo import demo_totp_key
from cityhall.accounts.models import Membership, Organisation, User
from cityhall.accounts.services import provision_totp_device
from cityhall.core.demo import DEMO_PASSWORD, DemoLogin

from . import demo_catalogue as catalogue
from . import services
from .models import (
    Application,
    Consultation,
    LifeSituation,
    LifeSituationStep,
    LifeSituationVersion,
    Registry,
    RegistryRecord,
    Service,
    StandardRequestType,
    WidgetSite,
)

SEED = 6
EXECUTIVE = "Исполнительный комитет муниципального образования города Казани"
# a one-page PDF that the file service reads (core.uploads refuses what pypdf cannot)
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R  >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000059 00000 n \n"
    b"0000000116 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n187\n%%EOF\n"
)


def demo_document(title: str, applicant: str) -> bytes:
    """A one-page PDF naming the document and its applicant, so a demo case's files read as
    what they stand for; it passes the file service's checks like any upload."""
    from font_roboto import font_files
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("Roboto", "", font_files["Roboto"])
    pdf.add_font("Roboto", "B", font_files["RobotoBold"])
    pdf.set_creation_date(timezone.make_aware(dt.datetime(2026, 11, 25, 9)))
    pdf.add_page()
    pdf.set_font("Roboto", "B", 16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "", 11)
    pdf.multi_cell(0, 7, f"Заявитель: {applicant}\nДемонстрационный документ.")
    return bytes(pdf.output())


STREETS = [
    ("ул. Баумана", 55.7899, 49.1155),
    ("ул. Пушкина", 55.7905, 49.1276),
    ("пр-кт Победы", 55.7567, 49.2120),
    ("ул. Чистопольская", 55.8218, 49.1090),
    ("ул. Декабристов", 55.8290, 49.0939),
    ("ул. Ершова", 55.7912, 49.1733),
    ("ул. Сибгата Хакима", 55.8187, 49.1224),
    ("пр-кт Ямашева", 55.8265, 49.1166),
    ("ул. Павлюхина", 55.7738, 49.1409),
    ("ул. Кремлёвская", 55.7945, 49.1106),
]
COMPANIES = [
    "ООО «Казань-Офис»",
    "ООО «Татпромстрой»",
    "ИП Галиев А. Р.",
    "ООО «Волга-Девелопмент»",
    "ООО «Сувар Плаза»",
    "АО «Казанский завод»",
    "ИП Закирова Г. Ф.",
    "ООО «Идел Групп»",
]


def _org(name: str, short: str, parent: Organisation | None) -> Organisation:
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        org = Organisation.objects.create(
            name=name,
            short_name=short,
            type=Organisation.Type.EXECUTIVE_DEPARTMENT,
            parent=parent,
        )
    return org


def _staff(username: str, last: str, first: str, role: str, org: Organisation, pw: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            password=pw,
            kind=User.Kind.STAFF,
            last_name=last,
            first_name=first,
            email=f"{username}@demo.cityhall.example",
        )
    Membership.objects.get_or_create(user=user, organisation=org, role=role)
    # Staff pass a second factor: the demo's authenticator, so `cityhall totp_code USERNAME`
    # prints the code for these people as for the rest of the demo staff (issue 16.22).
    provision_totp_device(actor=None, user=user, key=demo_totp_key(username))
    return user


def load(stdout) -> list[DemoLogin]:
    rng = random.Random(SEED)
    pw = make_password(DEMO_PASSWORD)
    executive = Organisation.objects.filter(name=EXECUTIVE).first()
    departments = {
        catalogue.LAND: _org(catalogue.LAND, "Земельный комитет", executive),
        catalogue.ARCHITECTURE: _org(catalogue.ARCHITECTURE, "УАиГ", executive),
        catalogue.PERMITS: _org(catalogue.PERMITS, "УГР", executive),
        catalogue.IMPROVEMENT: _org(catalogue.IMPROVEMENT, "КВБ", executive),
        catalogue.HOUSING: _org(catalogue.HOUSING, "Комитет ЖКХ", executive),
    }
    top = executive or departments[catalogue.PERMITS]
    acceptor = _staff("services_operator", "Ахмедова", "Лилия", "operator", top, pw)
    expert = _staff("services_expert", "Степанов", "Олег", "expert", top, pw)
    expert2 = _staff("services_expert2", "Нуриева", "Венера", "expert", top, pw)
    decider = User.objects.filter(username="decision_maker").first() or _staff(
        "services_head", "Гарипов", "Марат", "decision_maker", top, pw
    )
    if not Membership.objects.filter(user=decider, role="decision_maker").exists():
        Membership.objects.create(user=decider, organisation=top, role="decision_maker")
    logins = [
        DemoLogin(
            "services_operator",
            DEMO_PASSWORD,
            "operator (municipal services)",
            note=(
                "accepts documents in every department; TOTP: cityhall totp_code services_operator"
            ),
        ),
        DemoLogin(
            "services_expert",
            DEMO_PASSWORD,
            "expert (municipal services)",
            note="TOTP: cityhall totp_code services_expert",
        ),
        DemoLogin(
            "services_expert2",
            DEMO_PASSWORD,
            "expert (municipal services)",
            note="TOTP: cityhall totp_code services_expert2",
        ),
    ]

    by_code: dict[str, Service] = {}
    for data in catalogue.services():
        service = Service.objects.filter(code=data["code"]).first()
        if service is None:
            services.import_service(
                actor=None, data=data, department=departments[data["department"]], publish=True
            )
            service = Service.objects.get(code=data["code"])
        by_code[service.code] = service

    for code, dept_name, name, days, schema in catalogue.REQUEST_TYPES:
        StandardRequestType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "form_schema": schema,
                "addressee": departments[dept_name],
                "answer_days": days,
            },
        )

    office = LifeSituation.objects.filter(code="build-an-office").first()
    if office is None:
        office = LifeSituation.objects.create(
            code="build-an-office",
            name=catalogue.t("Построить офис", "Офис төзү", "Build an office"),
            description=catalogue.t(
                "Одна анкета — все девять услуг: аренда участка, согласования, разрешения, "
                "ввод в эксплуатацию.",
                "Бер анкета — тугыз хезмәт.",
                "One questionnaire for all nine services, from the plot lease to commissioning.",
            ),
        )
        version = LifeSituationVersion.objects.create(
            situation=office,
            number=1,
            status=LifeSituationVersion.Status.PUBLISHED,
            published_at=timezone.now(),
            questionnaire=catalogue.OFFICE_QUESTIONNAIRE,
            ui=catalogue.OFFICE_UI,
        )
        for order, (code, condition, constants) in enumerate(catalogue.OFFICE_STEPS, start=1):
            prefill = dict(catalogue.SHARED)
            props = by_code[code].versions.first().form_schema["properties"]
            if "floors" in props:
                prefill["floors"] = "floors"
            LifeSituationStep.objects.create(
                version=version,
                service=by_code[code],
                order=order,
                condition=condition,
                prefill=prefill,
                constants=constants,
            )
        steps = {step.service.code: step for step in version.steps.select_related("service")}
        for code, required in catalogue.OFFICE_REQUIRES.items():
            steps[code].requires.set([steps[r] for r in required])

    site, _ = WidgetSite.objects.get_or_create(
        key="uslugi-tatarstan",
        defaults={
            "name": "Портал государственных и муниципальных услуг РТ",
            "origin": "https://uslugi.tatarstan.example",
        },
    )
    site.services.add(*by_code.values())

    if Application.objects.exists():
        stdout.write(f"  municipal services: {len(by_code)} services (applications kept)")
        return logins

    # The demo services ask for a verified identity (``identity: verified``).
    residents = list(
        User.objects.filter(
            kind__in=["resident", "business"], verified_identity__isnull=False
        ).order_by("pk")[:20]
    )
    if not residents:
        residents = [
            User.objects.create(
                username="services_applicant", password=pw, last_name="Иванова", first_name="Анна"
            )
        ]
    stages = [
        "draft",
        "acceptance",
        "returned",
        "consideration",
        "decision",
        "result_issued",
        "refused",
        "withdrawn",
    ]
    codes = list(by_code)
    created = 0
    now = timezone.now()
    for i in range(48):
        code = codes[i % len(codes)]
        service = by_code[code]
        stage = stages[i % len(stages)]
        applicant = residents[i % len(residents)]
        street, lat, lon = STREETS[i % len(STREETS)]
        answers = _answers(
            service,
            rng,
            COMPANIES[i % len(COMPANIES)],
            f"г. Казань, {street}, д. {rng.randint(1, 120)}",
        )
        application = _apply(
            service,
            applicant,
            answers,
            lat + rng.uniform(-0.004, 0.004),
            lon + rng.uniform(-0.004, 0.004),
            channel=_channel(i),
            site=site,
        )
        _advance(application, stage, acceptor, expert, expert2, decider, rng)
        if i % 7 == 3:  # older applications, some of them overdue
            Application.objects.filter(pk=application.pk).update(
                submitted_at=now - dt.timedelta(days=40),
                due_at=now - dt.timedelta(days=rng.randint(1, 10)),
            )
        created += 1

    _requests(acceptor, expert, departments)
    _consultations(rng, by_code, departments, acceptor, expert)
    _office_case(office, residents[0], by_code)
    _registries()
    _historical_records(rng)
    stdout.write(
        f"  municipal services: {len(by_code)} services, {created} applications, "
        f"{RegistryRecord.objects.count()} registry records"
    )
    return logins


def _channel(i: int) -> str:
    return [
        Application.Channel.PORTAL,
        Application.Channel.PORTAL,
        Application.Channel.SERVICE_CENTRE,
        Application.Channel.WIDGET,
        Application.Channel.API,
    ][i % 5]


def _answers(service: Service, rng: random.Random, company: str, address: str) -> dict:
    props = service.versions.first().form_schema["properties"]
    values = {
        "applicant_name": company,
        "inn": "1655" + "".join(str(rng.randint(0, 9)) for _ in range(6)),
        "phone": f"+7917{rng.randint(1000000, 9999999)}",
        "address": address,
        "cadastral_number": f"16:50:{rng.randint(10000, 999999):06d}:{rng.randint(1, 999)}",
        "purpose": rng.choice(["office", "shop", "warehouse"]),
        "area_sqm": rng.choice([600, 1200, 3000, 8000]),
        "lease_years": rng.choice([5, 10, 25]),
        "investment_project": rng.random() < 0.4,
        "floors": rng.choice([2, 3, 5, 9]),
        "historic_centre": rng.random() < 0.3,
        "networks": ["water", "power"],
        "load_kw": rng.choice([60, 120, 400]),
        "total_area": rng.choice([450, 900, 2400]),
        "expertise_required": rng.random() < 0.5,
        "works_from": "2027-05-10",
        "works_to": "2027-05-25",
        "emergency": rng.random() < 0.3,
        "road_surface": rng.random() < 0.5,
        "street": address.split(",")[1].strip() if "," in address else address,
        "restriction": rng.choice(["partial", "full"]),
        "days": rng.choice([2, 3, 10]),
        "building_permit_number": f"16-RU{rng.randint(10000, 99999)}-2026",
        "greenery_sqm": rng.choice([80, 150, 300]),
        "parking_places": rng.choice([4, 12, 30]),
        "signage": True,
        "facade_colour": rng.choice(["охра", "светло-серый", "терракотовый"]),
    }
    return {k: v for k, v in values.items() if k in props}


def _title(doc: dict) -> str:
    title = doc.get("title") or doc["code"]
    return title.get("ru") or doc["code"] if isinstance(title, dict) else str(title)


def _apply(service, applicant, answers, lat, lon, *, channel, site) -> Application:
    clerk = None
    if channel == Application.Channel.SERVICE_CENTRE:
        clerk = User.objects.filter(username="operator").first()  # the service centre's
    application = services.start_application(
        actor=clerk or applicant,
        applicant=applicant,
        service=service,
        channel=channel,
        answers=answers,
        widget_site=site if channel == Application.Channel.WIDGET else None,
        language="ru",
    )
    Application.objects.filter(pk=application.pk).update(location_lat=lat, location_lon=lon)
    application.refresh_from_db()
    for doc in application.version.documents:
        if doc.get("required"):
            services.upload_file(
                application=application,
                actor=clerk or applicant,
                document_code=doc["code"],
                upload=SimpleUploadedFile(
                    f"{doc['code']}.pdf",
                    demo_document(_title(doc), applicant.get_full_name() or applicant.username),
                ),
            )
    return application


def _advance(application, stage, acceptor, expert, expert2, decider, rng) -> None:
    applicant = application.applicant
    if stage == "draft":
        return
    services.submit_application(application=application, actor=applicant)
    if stage == "acceptance":
        return
    if stage == "withdrawn":
        services.withdraw_application(application=application, actor=applicant)
        return
    if stage == "returned":
        services.return_application(
            application=application,
            actor=acceptor,
            reasons=[
                "Схема не подписана заявителем",
                "Кадастровый номер не совпадает с выпиской ЕГРН",
            ],
        )
        return
    services.accept_application(application=application, actor=acceptor)
    application.refresh_from_db()
    if application.status != Application.Status.CONSIDERATION:
        return  # decided automatically by a rule
    concluder = expert
    if rng.random() < 0.5:
        services.forward_to_expert(
            application=application, actor=expert, expert=expert2, note="Передаю по специализации"
        )
        concluder = expert2  # the case is the new expert's now
    if stage == "consideration":
        return
    conclusion = "Документы соответствуют требованиям регламента"
    services.send_to_decision(
        application=application,
        actor=concluder,
        conclusion=conclusion,
        proposed="refuse" if stage == "refused" else "approve",
    )
    if stage == "decision":
        return
    if stage == "refused":
        services.decide(
            application=application,
            actor=decider,
            outcome="refuse",
            reasons=["Участок расположен в охранной зоне инженерных сетей"],
        )
    else:
        services.decide(
            application=application,
            actor=decider,
            outcome="approve",
            reasons=["Соответствует градостроительному регламенту"],
        )


def _requests(acceptor, expert, departments) -> None:
    open_cases = list(
        Application.objects.filter(status=Application.Status.CONSIDERATION).select_related(
            "department"
        )[:6]
    )
    types = list(StandardRequestType.objects.select_related("addressee"))
    handler = {
        t.addressee_id: _staff(
            "services_registry",
            "Юсупова",
            "Гульнара",
            "operator",
            t.addressee,
            make_password(DEMO_PASSWORD),
        )
        for t in types
    }
    for n, application in enumerate(open_cases):
        kind = types[n % len(types)]
        payload = {
            k: application.answers.get(k, "г. Казань") for k in kind.form_schema.get("required", [])
        }
        request = services.send_standard_request(
            application=application, actor=expert, type=kind, payload=payload
        )
        if n % 3 == 1:
            services.answer_standard_request(
                request=request,
                actor=handler[kind.addressee_id],
                answer="Сведения предоставлены, ограничений нет.",
            )
        elif n % 3 == 2:
            services.accept_standard_request(request=request, actor=handler[kind.addressee_id])


def _consultations(rng, by_code, departments, acceptor, expert) -> None:
    questions = [
        (
            "Какие документы нужны для аренды участка под офис?",
            "land-plot-lease",
            "Схема расположения участка и документ, удостоверяющий личность.",
        ),
        (
            "Можно ли подать заявление без экспертизы проекта?",
            "building-permit",
            "Да, для объектов до 3 этажей экспертиза не требуется.",
        ),
        (
            "Сколько действует ордер на земляные работы?",
            "excavation-permit",
            "На срок работ, указанный в заявлении.",
        ),
        (
            "Как согласовать вывеску в историческом центре?",
            "facade-design",
            "Через дизайн-проект с паспортом цветовых решений.",
        ),
        (
            "Нужны ли ТУ, если нагрузка 50 кВт?",
            "utility-connection",
            "Да, но они выдаются по типовой схеме автоматически.",
        ),
    ]
    if Consultation.objects.exists():
        return
    for i in range(15):
        question, code, answer = questions[i % len(questions)]
        service = by_code[code]
        services.log_consultation(
            actor=acceptor if i % 2 else expert,
            department=service.department,
            service=service,
            question=question,
            answer=answer,
            channel=rng.choice(["phone", "visit", "email"]),
        )


def _office_case(office, applicant, by_code) -> None:
    case = services.submit_life_situation(
        situation=office,
        actor=applicant,
        answers={
            "company": "ООО «Казань-Офис»",
            "inn": "1655123457",
            "address": "г. Казань, ул. Сибгата Хакима, д. 41",
            "cadastral_number": "16:50:011101:42",
            "floors": 3,
            "underground_networks": True,
            "traffic_restriction": True,
        },
    )
    for application in case.applications.filter(status=Application.Status.DRAFT):
        for doc in application.version.documents:
            if doc.get("required"):
                services.upload_file(
                    application=application,
                    actor=applicant,
                    document_code=doc["code"],
                    upload=SimpleUploadedFile(
                        f"{doc['code']}.pdf",
                        demo_document(_title(doc), applicant.get_full_name() or applicant.username),
                    ),
                )
        if application.service.code != "commissioning-permit":  # later, after construction
            services.submit_application(application=application, actor=applicant)


#: The demo city's registers by name (officials edit them in the admin).
REGISTRY_NAMES = {
    "building-permits": {
        "ru": "Реестр разрешений на строительство",
        "tt": "Төзелешкә рөхсәтләр реестры",
        "en": "Register of building permits",
    },
    "excavation-permits": {
        "ru": "Реестр ордеров на земляные работы",
        "tt": "Җир эшләренә ордерлар реестры",
        "en": "Register of excavation permits",
    },
    "commissioning-permits": {
        "ru": "Реестр разрешений на ввод в эксплуатацию",
        "tt": "Файдалануга кертүгә рөхсәтләр реестры",
        "en": "Register of commissioning permits",
    },
    "land-leases": {
        "ru": "Реестр договоров аренды земельных участков",
        "tt": "Җир кишәрлекләрен арендага алу шартнамәләре реестры",
        "en": "Register of land leases",
    },
    "facade-approvals": {
        "ru": "Реестр согласований фасадов",
        "tt": "Фасадларны килештерү реестры",
        "en": "Register of facade approvals",
    },
}


def _registries() -> None:
    for code, name in REGISTRY_NAMES.items():
        Registry.objects.get_or_create(code=code, defaults={"name": name})


def _historical_records(rng: random.Random) -> None:
    """Permits issued before the platform (migrated from the old register), for the public
    registry and its map."""
    today = timezone.localdate()
    rows = []
    for n in range(40):
        street, lat, lon = STREETS[n % len(STREETS)]
        registry = ["building-permits", "excavation-permits", "commissioning-permits"][n % 3]
        rows.append(
            RegistryRecord(
                registry=registry,
                number=f"16-RU16301000-{2024 + n % 3}-{n + 1:04d}",
                title={
                    "building-permits": "Разрешение на строительство",
                    "excavation-permits": "Ордер на земляные работы",
                    "commissioning-permits": "Разрешение на ввод в эксплуатацию",
                }[registry],
                holder=COMPANIES[n % len(COMPANIES)],
                address=f"г. Казань, {street}, д. {rng.randint(1, 150)}",
                cadastral_number=f"16:50:{11101 + n % 9:06d}:{rng.randint(1, 999)}",
                lat=lat + rng.uniform(-0.01, 0.01),
                lon=lon + rng.uniform(-0.01, 0.01),
                issued_on=today - dt.timedelta(days=30 + n * 17),
            ).fold_search_text()
        )
    RegistryRecord.objects.bulk_create(rows, ignore_conflicts=True)
