"""Demo people and organisations of Kazan: the city's organisation tree, one staff member for
every role (each with an authenticator whose secret is derived from the user name, so that
``cityhall totp_code USERNAME`` prints the code), a superuser, twenty residents with verified
identities registered at demo buildings, one unverified resident, a company's representative
and a public authority's (both verified, living in flats; the company and the authority verified
with an office address). Loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from cityhall.core.demo import DEMO_PASSWORD, DemoLogin

from . import services
from .models import Organisation, RegisterImport, Role, User, VerifiedIdentity
from .verification import PropertyRight, VerifiedAttributes

SEED = 20261125
T = Organisation.Type

COUNCIL = "Казанская городская Дума"
EXECUTIVE_COMMITTEE = "Исполнительный комитет муниципального образования города Казани"
HOUSING_COMMITTEE = "Комитет жилищно-коммунального хозяйства"
ARCHITECTURE = "Управление архитектуры и градостроительства"
LAND_COMMITTEE = "Комитет земельных и имущественных отношений"
AUTHORITY = "Министерство строительства, архитектуры и ЖКХ Республики Татарстан"
SERVICE_CENTRES = (
    ("МФЦ Вахитовского района", "МФЦ Вахитовский", "ул. Лево-Булачная, д. 44"),
    ("МФЦ Ново-Савиновского района", "МФЦ Ново-Савиновский", "пр-кт Ямашева, д. 36"),
    ("МФЦ Приволжского района", "МФЦ Приволжский", "ул. Павлюхина, д. 91"),
)
MANAGING_ORGANISATIONS = (
    "ООО «УК ЖКХ Авиастроительного района»",
    "ООО «УК ЖКХ Вахитовского района»",
    "ООО «УК ЖКХ Кировского района»",
    "ООО «УК ЖКХ Московского района»",
    "ООО «УК ЖКХ Ново-Савиновского района»",
    "ООО «УК ЖКХ Приволжского района»",
    "ООО «УК ЖКХ Советского района»",
    "ООО «УК «Уютный дом»",
)
CONTRACTORS = (
    "ООО «Лифтремонт»",
    "ООО «КазаньДорСтрой»",
    "ООО «Кровля-Сервис»",
)
RESOURCE_SUPPLIERS = (
    ("АО «Водоканал»", "water"),
    ("АО «Казэнерго»", "heat"),
    ("АО «Сетевая компания»", "power"),
)

#: username → (role, organisation name, last name, first name, patronymic)
STAFF = (
    ("operator", Role.OPERATOR, SERVICE_CENTRES[0][0], "Сафина", "Алсу", "Рашитовна"),
    ("dispatcher", Role.DISPATCHER, HOUSING_COMMITTEE, "Кузнецов", "Игорь", "Павлович"),
    ("executor", Role.EXECUTOR, MANAGING_ORGANISATIONS[1], "Хабибуллин", "Ринат", "Ильдарович"),
    ("expert", Role.EXPERT, ARCHITECTURE, "Морозова", "Елена", "Викторовна"),
    ("decision_maker", Role.DECISION_MAKER, EXECUTIVE_COMMITTEE, "Гарипов", "Марат", "Азатович"),
    ("moderator", Role.MODERATOR, EXECUTIVE_COMMITTEE, "Лебедева", "Ольга", "Игоревна"),
    ("organiser", Role.ORGANISER, ARCHITECTURE, "Валиев", "Тимур", "Рустемович"),
    ("administrator", Role.ADMINISTRATOR, COUNCIL, "Петров", "Андрей", "Николаевич"),
    (
        "service_designer",
        Role.SERVICE_DESIGNER,
        EXECUTIVE_COMMITTEE,
        "Сабирова",
        "Лейсан",
        "Маратовна",
    ),
)

RESIDENT_NAMES = (
    ("Иванова", "Анна", "Сергеевна", "f"),
    ("Галиев", "Айдар", "Ринатович", "m"),
    ("Смирнов", "Дмитрий", "Алексеевич", "m"),
    ("Закирова", "Гульнара", "Фаритовна", "f"),
    ("Николаев", "Павел", "Андреевич", "m"),
    ("Шакирова", "Лейсан", "Ильдусовна", "f"),
    ("Фёдоров", "Артём", "Игоревич", "m"),
    ("Мухаметшина", "Диляра", "Маратовна", "f"),
    ("Волков", "Сергей", "Викторович", "m"),
    ("Ахметова", "Эльвира", "Рустамовна", "f"),
    ("Соколова", "Мария", "Дмитриевна", "f"),
    ("Гайнуллин", "Ильнур", "Азатович", "m"),
    ("Попов", "Алексей", "Петрович", "m"),
    ("Садыкова", "Алина", "Наилевна", "f"),
    ("Орлов", "Константин", "Олегович", "m"),
    ("Хасанова", "Резеда", "Ильшатовна", "f"),
    ("Васильев", "Никита", "Сергеевич", "m"),
    ("Миннахметова", "Айгуль", "Рафаэлевна", "f"),
    ("Егоров", "Михаил", "Юрьевич", "m"),
    ("Сабирова", "Камила", "Тимуровна", "f"),
)


def _inn_with_check_digit(nine_digits: str) -> str:
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    check = sum(w * int(d) for w, d in zip(weights, nine_digits, strict=True)) % 11 % 10
    return nine_digits + str(check)


def demo_totp_key(username: str) -> str:
    """The demo's authenticator secret (hex): derived from the user name, public on purpose."""
    return hashlib.sha1(f"cityhall-demo-totp:{username}".encode()).hexdigest()  # noqa: S324


def _organisation(name: str, type: str, parent: Organisation | None, **extra) -> Organisation:
    existing = Organisation.objects.filter(name=name, type=type).first()
    if existing is None:
        return services.create_organisation(
            actor=None, name=name, type=type, parent=parent, **extra
        )
    if existing.parent_id != (parent.pk if parent else None):
        services.set_parent(actor=None, organisation=existing, parent=parent)
    return existing


def _person(
    username: str,
    *,
    password_hash: str,
    kind: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    phone: str | None = None,
    superuser: bool = False,
) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    now = timezone.now()
    return User.objects.create(
        username=username,
        password=password_hash,
        kind=kind,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        email=f"{username}@demo.cityhall.example",
        email_confirmed_at=now,
        phone=phone,
        phone_confirmed_at=now if phone else None,
        is_superuser=superuser,
        is_staff=superuser,
    )


def build_organisations() -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    council = _organisation(COUNCIL, T.COUNCIL, None, short_name="Казанская гордума")
    orgs[COUNCIL] = council
    executive = _organisation(
        EXECUTIVE_COMMITTEE, T.EXECUTIVE_DEPARTMENT, council, short_name="Исполком г. Казани"
    )
    orgs[EXECUTIVE_COMMITTEE] = executive
    housing = _organisation(
        HOUSING_COMMITTEE, T.EXECUTIVE_DEPARTMENT, executive, short_name="Комитет ЖКХ"
    )
    orgs[HOUSING_COMMITTEE] = housing
    orgs[ARCHITECTURE] = _organisation(
        ARCHITECTURE, T.EXECUTIVE_DEPARTMENT, executive, short_name="УАиГ"
    )
    orgs[LAND_COMMITTEE] = _organisation(
        LAND_COMMITTEE, T.EXECUTIVE_DEPARTMENT, executive, short_name="Земельный комитет"
    )
    for name, short, address in SERVICE_CENTRES:
        orgs[name] = _organisation(
            name, T.SERVICE_CENTRE, executive, short_name=short, address=address
        )
    for name in MANAGING_ORGANISATIONS:
        orgs[name] = _organisation(name, T.MANAGING_ORGANISATION, housing)
    for name in CONTRACTORS:
        orgs[name] = _organisation(name, T.CONTRACTOR, housing)
    for name, _resource in RESOURCE_SUPPLIERS:
        orgs[name] = _organisation(name, T.RESOURCE_SUPPLIER, housing)
    return orgs


def load(stdout) -> list[DemoLogin]:
    """Loads (or confirms) the demo organisations and people."""
    from cityhall.geo.models import Building

    rng = random.Random(SEED)
    password_hash = make_password(DEMO_PASSWORD)
    orgs = build_organisations()
    logins: list[DemoLogin] = []

    admin = _person(
        "admin",
        password_hash=password_hash,
        kind=User.Kind.STAFF,
        last_name="Администратор",
        first_name="Портал",
        superuser=True,
    )
    services.provision_totp_device(actor=None, user=admin, key=demo_totp_key("admin"))
    logins.append(
        DemoLogin("admin", DEMO_PASSWORD, "superuser", note="TOTP: cityhall totp_code admin")
    )

    staff_users: dict[str, User] = {}
    for username, role, organisation, last, first, middle in STAFF:
        user = _person(
            username,
            password_hash=password_hash,
            kind=User.Kind.STAFF,
            last_name=last,
            first_name=first,
            middle_name=middle,
        )
        services.grant_role(actor=None, user=user, organisation=orgs[organisation], role=role)
        services.provision_totp_device(actor=None, user=user, key=demo_totp_key(username))
        staff_users[username] = user
        logins.append(
            DemoLogin(
                username,
                DEMO_PASSWORD,
                f"{Role(role).label} — {orgs[organisation]}",
                note=f"TOTP: cityhall totp_code {username}",
            )
        )

    buildings = list(Building.objects.order_by("address_normalised")[:400])
    operator = staff_users["operator"]
    verified = 0
    for number, (last, first, middle, _sex) in enumerate(RESIDENT_NAMES, start=1):
        username = f"resident{number:02d}"
        user = _person(
            username,
            password_hash=password_hash,
            kind=User.Kind.RESIDENT,
            last_name=last,
            first_name=first,
            middle_name=middle,
            phone=f"+7917555{number:04d}",
        )
        # Always draw, so that the sequence does not depend on what exists already.
        building = rng.choice(buildings) if buildings else None
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
        if number == 20:
            birth = dt.date(2010, 3, 14)  # a minor: some discussions are for adults only
        series = rng.randrange(1000, 9999)
        owns = rng.random() < 0.4
        if VerifiedIdentity.objects.filter(user=user).exists():
            continue
        rights: tuple[PropertyRight, ...] = ()
        if owns and building is not None and building.cadastral_number:
            rights = (PropertyRight("ownership", building.cadastral_number),)
        attributes = VerifiedAttributes(
            last_name=last,
            first_name=first,
            middle_name=middle,
            birth_date=birth,
            document_number=f"92{number:02d} {series:06d}",
            registered_address=building.address if building else "",
            rights=rights,
            subject=f"demo-{username}" if number % 2 else "",
        )
        if number % 2:
            services.apply_verification(
                person=user, attributes=attributes, method=VerifiedIdentity.Method.OIDC, actor=user
            )
        else:
            services.apply_verification(
                person=user,
                attributes=attributes,
                method=VerifiedIdentity.Method.SERVICE_CENTRE,
                actor=operator,
            )
        verified += 1
    logins.append(
        DemoLogin("resident01", DEMO_PASSWORD, "resident (verified)", note="+79175550001")
    )

    _person(
        "newcomer",
        password_hash=password_hash,
        kind=User.Kind.RESIDENT,
        last_name="Новикова",
        first_name="Дарья",
        middle_name="Андреевна",
    )
    logins.append(DemoLogin("newcomer", DEMO_PASSWORD, "resident (not verified)"))

    company = Organisation.objects.filter(inn=_inn_with_check_digit("165501234")).first()
    if company is None:
        company = services.create_organisation(
            actor=None,
            name="ООО «Татпромстрой»",
            type=T.LEGAL_ENTITY,
            inn=_inn_with_check_digit("165501234"),
        )
    representative = _person(
        "business",
        password_hash=password_hash,
        kind=User.Kind.BUSINESS,
        last_name="Зарипов",
        first_name="Руслан",
        middle_name="Фаридович",
    )
    services.grant_role(
        actor=None, user=representative, organisation=company, role=Role.REPRESENTATIVE
    )
    logins.append(DemoLogin("business", DEMO_PASSWORD, f"representative — {company}"))

    # Issue 20.7, 20.8, 20.10: the representative lives in a flat, the company's address is
    # verified at the service centre (an office in a demo building), and a public authority
    # takes part through its own representative.
    authority = Organisation.objects.filter(inn=_inn_with_check_digit("165401111")).first()
    if authority is None:
        authority = services.create_organisation(
            actor=None,
            name=AUTHORITY,
            type=T.PUBLIC_AUTHORITY,
            inn=_inn_with_check_digit("165401111"),
        )
    official = _person(
        "authority",
        password_hash=password_hash,
        kind=User.Kind.BUSINESS,
        last_name="Гарипова",
        first_name="Лейсан",
        middle_name="Ильдаровна",
    )
    services.grant_role(actor=None, user=official, organisation=authority, role=Role.REPRESENTATIVE)
    logins.append(DemoLogin("authority", DEMO_PASSWORD, f"representative — {authority}"))
    if len(buildings) >= 3:
        for person, document, building, birth in (
            (representative, "9205 778812", buildings[1], dt.date(1979, 6, 2)),
            (official, "9206 551290", buildings[2], dt.date(1983, 9, 17)),
        ):
            if VerifiedIdentity.objects.filter(user=person).exists():
                continue
            services.apply_verification(
                person=person,
                attributes=VerifiedAttributes(
                    last_name=person.last_name,
                    first_name=person.first_name,
                    middle_name=person.middle_name,
                    birth_date=birth,
                    document_number=document,
                    registered_address=f"{building.address}, кв. 126",
                ),
                method=VerifiedIdentity.Method.SERVICE_CENTRE,
                actor=operator,
            )
        for organisation, ogrn, building in (
            (company, "1161690012345", buildings[0]),
            (authority, "1021602866120", buildings[2]),
        ):
            if organisation.verified_at is None:
                services.verify_organisation(
                    organisation=organisation,
                    name=organisation.name,
                    type=organisation.type,
                    ogrn=ogrn,
                    address=f"{building.address}, оф. 12",
                    actor=operator,
                )

    if len(buildings) >= 5 and not RegisterImport.objects.exists():
        _demo_register(admin, buildings)
    logins.append(
        DemoLogin(
            PORTAL_CITIZEN,
            "any",
            "the identity portal's test person (make demo starts the portal)",
            note="«Sign in with the state identity portal»",
        )
    )

    stdout.write(
        f"  organisations: {Organisation.objects.count()}, people: {User.objects.count()}, "
        f"newly verified: {verified}"
    )
    return logins


#: The people of the local identity portal (tests/oidc_provider, started by ``make demo``): one
#: with every claim (a new account, verified by the portal) and one whose portal shares only
#: the name, whom the city's demo register lists (verified from the register, issue 20.9).
PORTAL_CITIZEN = "portal-citizen"
PORTAL_REGISTER_ONLY = "portal-register-only"


def _demo_register(admin: User, buildings: list) -> None:
    """A small verification register: the portal person known only by id, and a future
    sign-up by e-mail (register.demo@example.org, «Хайруллина Эльмира»)."""
    header = "last_name;first_name;middle_name;birth_date;document_number;portal_id;"
    header += "registered_address;phone;email"
    rows = [
        f"Мухаметшин;Ильдар;Радикович;1988-04-12;9212 300400;{PORTAL_REGISTER_ONLY};"
        f"{buildings[3].address}, кв. 7;;",
        f"Хайруллина;Эльмира;Маратовна;1995-09-30;9215 500600;;"
        f"{buildings[4].address}, кв. 48;;register.demo@example.org",
    ]
    register = services.start_register_import(
        actor=admin, file_name="demo-register.csv", data="\n".join([header, *rows]).encode()
    )
    services.apply_register_import(import_id=register.pk)


def identity_portal_accounts() -> dict[str, dict]:
    """The claims of the local identity portal's people, by account id (JSON for
    tests/oidc_provider/server.js ``OIDC_ACCOUNTS``); addresses are demo buildings."""
    from cityhall.geo.models import Building

    buildings = list(Building.objects.order_by("address_normalised")[:6])
    home = (
        f"Республика Татарстан, г. Казань, {buildings[5].address}, кв. 12" if buildings[5:] else ""
    )
    return {
        PORTAL_CITIZEN: {
            "family_name": "Иванова",
            "given_name": "Анна",
            "middle_name": "Сергеевна",
            "name": "Анна Сергеевна Иванова",
            "birthdate": "1990-05-17",
            "email": "anna.ivanova@example.org",
            "email_verified": True,
            "address": {"formatted": home},
            "document_number": "9219 123456",
            "property_rights": [],
        },
        PORTAL_REGISTER_ONLY: {
            "family_name": "Мухаметшин",
            "given_name": "Ильдар",
            "name": "Ильдар Мухаметшин",
        },
    }
