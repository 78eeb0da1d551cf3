"""The demo catalogue: nine real-looking services of the "build an office" life situation,
written as definition data (the same shape ``cityhall export_service`` writes), plus standard
interdepartmental request types. Used by ``demo.load`` and handy as examples for officials."""

from __future__ import annotations

import copy


def t(ru: str, tt: str, en: str) -> dict:
    return {"ru": ru, "tt": tt, "en": en}


PDF_IMG = ["application/pdf", "image/jpeg", "image/png"]

COMMON_FIELDS = {
    "applicant_name": {"type": "string", "minLength": 3, "maxLength": 300},
    "inn": {"type": "string", "pattern": "^([0-9]{10}|[0-9]{12})$"},
    "phone": {"type": "string", "pattern": "^\\+?[0-9 ()-]{10,20}$"},
    "address": {"type": "string", "minLength": 5, "maxLength": 300},
    "cadastral_number": {"type": "string", "pattern": "^16:50:[0-9]{6}:[0-9]{1,5}$"},
}
COMMON_HINTS = {
    "applicant_name": {
        "label": t(
            "Заявитель (организация или ФИО)", "Гариза бирүче", "Applicant (company or name)"
        )
    },
    "inn": {
        "label": t("ИНН", "ИНН", "Taxpayer number (INN)"),
        "help": t("10 цифр для организации, 12 — для ИП", "10 яки 12 сан", "10 or 12 digits"),
        "error": t("ИНН — 10 или 12 цифр", "ИНН — 10 яки 12 сан", "The INN has 10 or 12 digits"),
    },
    "phone": {"label": t("Телефон для уведомлений", "Телефон", "Phone for notifications")},
    "address": {"label": t("Адрес объекта", "Объект адресы", "Address of the site")},
    "cadastral_number": {
        "label": t("Кадастровый номер участка", "Кадастр номеры", "Cadastral number of the plot"),
        "help": t("Например, 16:50:011101:42", "Мәсәлән, 16:50:011101:42", "E.g. 16:50:011101:42"),
        "error": t(
            "Кадастровый номер вида 16:50:011101:42",
            "16:50:011101:42 рәвешендәге номер",
            "A cadastral number like 16:50:011101:42",
        ),
    },
}

WORKFLOW = {
    "stages": {
        "acceptance": {"roles": ["operator"]},
        "consideration": {"roles": ["expert"]},
        "decision": {"roles": ["decision_maker"]},
    },
    "separation": [["acceptance", "decision"]],
}


def status_texts(result: str) -> dict:
    return {
        "acceptance": t(
            "Заявление зарегистрировано и передано на проверку документов.",
            "Гариза теркәлде һәм документларны тикшерүгә тапшырылды.",
            "Your application is registered; the documents are being checked.",
        ),
        "returned": t(
            "Заявление возвращено на доработку: исправьте замечания и отправьте повторно.",
            "Гариза төзәтүгә кайтарылды: искәрмәләрне төзәтеп, яңадан җибәрегез.",
            "Returned for corrections: fix the remarks and submit it again.",
        ),
        "consideration": t(
            "Документы приняты, заявление рассматривает специалист.",
            "Документлар кабул ителде, гаризаны белгеч карый.",
            "Documents accepted; a specialist is considering the application.",
        ),
        "decision": t(
            "Подготовлен проект решения.",
            "Карар проекты әзерләнде.",
            "A draft decision has been prepared.",
        ),
        "result_issued": t(
            f"Готово: {result}. Документ доступен в личном кабинете.",
            f"Әзер: {result}. Документ шәхси кабинетта.",
            f"Done: {result}. The document is in your cabinet.",
        ),
        "refused": t(
            "В предоставлении услуги отказано. Причины — в личном кабинете.",
            "Хезмәт күрсәтүдән баш тартылды. Сәбәпләре — шәхси кабинетта.",
            "The service has been refused. The reasons are in your cabinet.",
        ),
    }


#: The grounds the administrative regulations list for returning documents or refusing.
REFUSAL_REASONS = [
    {
        "code": "incomplete",
        "title": t(
            "Представлен неполный комплект документов",
            "Документларның тулы булмаган җыелмасы тапшырылган",
            "The set of documents is incomplete",
        ),
    },
    {
        "code": "illegible",
        "title": t(
            "Документы нечитаемы или содержат исправления",
            "Документлар укылмый яки төзәтмәләр бар",
            "The documents are illegible or contain corrections",
        ),
    },
    {
        "code": "expired",
        "title": t(
            "Истёк срок действия представленных документов",
            "Тапшырылган документларның гамәлдә булу вакыты чыккан",
            "The documents submitted have expired",
        ),
    },
    {
        "code": "not-authorised",
        "title": t(
            "Заявление подано лицом, не имеющим полномочий",
            "Гариза вәкаләте булмаган зат тарафыннан бирелгән",
            "The application was filed by a person without authority",
        ),
    },
    {
        "code": "not-compliant",
        "title": t(
            "Объект не соответствует требованиям градостроительного регламента",
            "Объект шәһәр төзелеше регламенты таләпләренә туры килми",
            "The object does not meet the town-planning regulations",
        ),
    },
]


def _service(
    *,
    code: str,
    department: str,
    name: dict,
    term_days: int,
    fields: dict,
    hints: dict,
    required: list[str],
    documents: list[dict],
    variants: list[dict],
    rules: list[dict],
    result: str,
    registry: str = "",
    fees: list | None = None,
    body: str = "",
) -> dict:
    properties = {**copy.deepcopy(COMMON_FIELDS), **fields}
    all_hints = {**copy.deepcopy(COMMON_HINTS), **hints}
    return {
        "format": "cityhall.municipal_service/1",
        "code": code,
        "department": department,
        "name": name,
        "definition": {
            "form_schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": properties,
                "required": ["applicant_name", "inn", "address", *required],
                "additionalProperties": False,
            },
            "ui": {"order": list(properties), "fields": all_hints},
            "documents": documents,
            "fees": fees or [],
            "term_days": term_days,
            # Applications for these services are legally significant: only people whose
            # identity was verified (identity portal or a service centre) may apply.
            "identity": "verified",
            "result_types": ["document", "registry_record"] if registry else ["document"],
            "registry": registry,
            "refusal_reasons": copy.deepcopy(REFUSAL_REASONS),
            "workflow": copy.deepcopy(WORKFLOW),
            "status_texts": status_texts(result),
            "variants": variants,
            "rules": rules,
            "result_template": {
                "title": name,
                "body": t(
                    body
                    or "Заявитель: {{ holder }}\nАдрес: {{ answers.address }}\n"
                    "Кадастровый номер: {{ answers.cadastral_number }}",
                    "Гариза бирүче: {{ holder }}\nАдрес: {{ answers.address }}",
                    "Applicant: {{ holder }}\nAddress: {{ answers.address }}",
                ),
            },
        },
    }


def _doc(code: str, title: dict, required: bool = True, mb: int = 10) -> dict:
    return {"code": code, "title": title, "required": required, "types": PDF_IMG, "max_size_mb": mb}


LAND = "Комитет земельных и имущественных отношений"
ARCHITECTURE = "Управление архитектуры и градостроительства"
PERMITS = "Управление градостроительных разрешений"
IMPROVEMENT = "Комитет внешнего благоустройства"
HOUSING = "Комитет жилищно-коммунального хозяйства"

PURPOSE = {"type": "string", "enum": ["office", "shop", "warehouse", "cafe"]}
PURPOSE_HINT = {
    "label": t("Назначение объекта", "Объектның билгеләнеше", "Purpose of the building"),
    "choices": {
        "office": t("Офис", "Офис", "Office"),
        "shop": t("Магазин", "Кибет", "Shop"),
        "warehouse": t("Склад", "Склад", "Warehouse"),
        "cafe": t("Кафе", "Кафе", "Café"),
    },
}
PASSPORT = _doc(
    "identity",
    t("Документ, удостоверяющий личность", "Шәхесне раслаучы документ", "Identity document"),
)
POWER = _doc(
    "power_of_attorney",
    t("Доверенность представителя", "Ышаныч кәгазе", "Power of attorney"),
    required=False,
)


def services() -> list[dict]:
    return [
        _service(
            code="land-plot-lease",
            department=LAND,
            name=t(
                "Предоставление земельного участка в аренду без торгов",
                "Җир кишәрлеген сәүдәсез арендага бирү",
                "Lease of a municipal land plot without tender",
            ),
            term_days=20,
            fields={
                "purpose": PURPOSE,
                "area_sqm": {"type": "number", "minimum": 10, "maximum": 100000},
                "lease_years": {"type": "integer", "minimum": 1, "maximum": 49},
                "investment_project": {"type": "boolean"},
            },
            hints={
                "purpose": PURPOSE_HINT,
                "area_sqm": {"label": t("Площадь участка, м²", "Мәйдан, м²", "Plot area, m²")},
                "lease_years": {
                    "label": t("Срок аренды, лет", "Аренда срогы, ел", "Lease term, years")
                },
                "investment_project": {
                    "label": t(
                        "Масштабный инвестиционный проект (распоряжение Раиса РТ)",
                        "Зур инвестиция проекты",
                        "Large investment project (decree)",
                    )
                },
            },
            required=["cadastral_number", "purpose", "area_sqm", "lease_years"],
            documents=[
                PASSPORT,
                POWER,
                _doc(
                    "site_scheme",
                    t("Схема расположения участка", "Кишәрлек схемасы", "Plot layout scheme"),
                ),
            ],
            variants=[
                {
                    "code": "investment",
                    "title": t("Инвестпроект", "Инвестпроект", "Investment project"),
                    "parameters": ["investment_project", "area_sqm"],
                    "typical": True,
                },
                {
                    "code": "general",
                    "title": t("Общий порядок", "Гомуми тәртип", "General"),
                    "parameters": ["purpose", "area_sqm"],
                },
            ],
            rules=[
                {
                    "code": "investment",
                    "variant": "investment",
                    "when": {
                        "and": [
                            {"==": [{"var": "investment_project"}, True]},
                            {"<=": [{"var": "area_sqm"}, 5000]},
                        ]
                    },
                    "decision": {
                        "outcome": "approve",
                        "mode": "propose",
                        "reason": t(
                            "Инвестпроект с участком до 5000 м² (ст. 39.6 ЗК РФ)",
                            "Инвестпроект, 5000 м² кадәр",
                            "Investment project, plot up to 5,000 m²",
                        ),
                    },
                    "examples": [
                        {
                            "input": {"investment_project": True, "area_sqm": 1200},
                            "variant": "investment",
                            "decision": "approve",
                        },
                        {
                            "input": {"investment_project": True, "area_sqm": 9000},
                            "variant": "general",
                            "decision": "",
                        },
                    ],
                },
                {
                    "code": "general",
                    "variant": "general",
                    "when": True,
                    "examples": [
                        {
                            "input": {"purpose": "office", "area_sqm": 800},
                            "variant": "general",
                            "decision": "",
                        }
                    ],
                },
            ],
            result=t(
                "договор аренды подготовлен", "аренда килешүе әзер", "the lease contract is ready"
            )["ru"],
            registry="land-leases",
        ),
        _service(
            code="office-project-approval",
            department=ARCHITECTURE,
            name=t(
                "Согласование архитектурно-градостроительного облика объекта",
                "Объектның архитектура йөзен килештерү",
                "Approval of the architectural design of a building",
            ),
            term_days=15,
            fields={
                "purpose": PURPOSE,
                "floors": {"type": "integer", "minimum": 1, "maximum": 60},
                "historic_centre": {"type": "boolean"},
            },
            hints={
                "purpose": PURPOSE_HINT,
                "floors": {"label": t("Этажность", "Катлар саны", "Floors")},
                "historic_centre": {
                    "label": t(
                        "В границах исторического центра", "Тарихи үзәктә", "In the historic centre"
                    )
                },
            },
            required=["cadastral_number", "purpose", "floors"],
            documents=[
                PASSPORT,
                _doc("project", t("Эскизный проект", "Эскиз проекты", "Design sketch"), mb=20),
            ],
            variants=[
                {
                    "code": "standard",
                    "title": t("Типовой", "Типик", "Standard"),
                    "parameters": ["floors", "historic_centre"],
                    "typical": True,
                },
                {
                    "code": "historic",
                    "title": t("Исторический центр", "Тарихи үзәк", "Historic centre"),
                    "parameters": ["historic_centre"],
                },
            ],
            rules=[
                {
                    "code": "historic",
                    "variant": "historic",
                    "when": {"==": [{"var": "historic_centre"}, True]},
                    "examples": [
                        {"input": {"historic_centre": True}, "variant": "historic", "decision": ""}
                    ],
                },
                {
                    "code": "standard",
                    "variant": "standard",
                    "when": {"<=": [{"var": "floors"}, 5]},
                    "decision": {
                        "outcome": "approve",
                        "mode": "propose",
                        "reason": t(
                            "До 5 этажей вне исторического центра",
                            "5 катка кадәр",
                            "Up to 5 floors outside the centre",
                        ),
                    },
                    "examples": [
                        {"input": {"floors": 3}, "variant": "standard", "decision": "approve"}
                    ],
                },
            ],
            result="облик согласован",
        ),
        _service(
            code="utility-connection",
            department=HOUSING,
            name=t(
                "Выдача технических условий подключения к сетям инженерно-технического обеспечения",
                "Инженерлык челтәрләренә тоташу шартлары",
                "Utility connection specifications",
            ),
            term_days=10,
            fields={
                "networks": {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {"type": "string", "enum": ["water", "sewerage", "heat", "power"]},
                },
                "load_kw": {"type": "number", "minimum": 0, "maximum": 10000},
            },
            hints={
                "networks": {
                    "label": t("Сети", "Челтәрләр", "Networks"),
                    "choices": {
                        "water": t("Водоснабжение", "Су", "Water"),
                        "sewerage": t("Водоотведение", "Канализация", "Sewerage"),
                        "heat": t("Теплоснабжение", "Җылылык", "Heat"),
                        "power": t("Электроснабжение", "Электр", "Power"),
                    },
                },
                "load_kw": {"label": t("Нагрузка, кВт", "Йөкләнеш, кВт", "Load, kW")},
            },
            required=["cadastral_number", "networks", "load_kw"],
            documents=[
                PASSPORT,
                _doc("site_plan", t("Ситуационный план", "Ситуацион план", "Site plan")),
            ],
            variants=[
                {
                    "code": "small-load",
                    "title": t("До 150 кВт", "150 кВт кадәр", "Up to 150 kW"),
                    "parameters": ["load_kw"],
                    "typical": True,
                },
                {
                    "code": "general",
                    "title": t("Общий порядок", "Гомуми тәртип", "General"),
                    "parameters": ["load_kw"],
                },
            ],
            rules=[
                {
                    "code": "small-load",
                    "variant": "small-load",
                    "when": {"<=": [{"var": "load_kw"}, 150]},
                    "decision": {
                        "outcome": "approve",
                        "mode": "auto",
                        "reason": t(
                            "Нагрузка до 150 кВт: типовые условия",
                            "150 кВт кадәр: типик шартлар",
                            "Up to 150 kW: standard specifications",
                        ),
                    },
                    "examples": [
                        {"input": {"load_kw": 90}, "variant": "small-load", "decision": "approve"},
                        {"input": {"load_kw": 400}, "variant": "general", "decision": ""},
                    ],
                },
                {"code": "general", "variant": "general", "when": True},
            ],
            result="технические условия выданы",
        ),
        _service(
            code="building-permit",
            department=PERMITS,
            name=t("Выдача разрешения на строительство", "Төзелеш рөхсәте бирү", "Building permit"),
            term_days=5,
            fields={
                "purpose": PURPOSE,
                "floors": {"type": "integer", "minimum": 1, "maximum": 60},
                "total_area": {"type": "number", "minimum": 10, "maximum": 500000},
                "expertise_required": {"type": "boolean"},
            },
            hints={
                "purpose": PURPOSE_HINT,
                "floors": {"label": t("Этажность", "Катлар саны", "Floors")},
                "total_area": {
                    "label": t("Общая площадь, м²", "Гомуми мәйдан, м²", "Total area, m²")
                },
                "expertise_required": {
                    "label": t(
                        "Требуется экспертиза проекта",
                        "Экспертиза кирәк",
                        "Project expertise required",
                    )
                },
            },
            required=["cadastral_number", "purpose", "floors", "total_area"],
            documents=[
                PASSPORT,
                POWER,
                _doc(
                    "gpzu",
                    t(
                        "Градостроительный план земельного участка",
                        "Җир кишәрлегенең шәһәр төзелеше планы",
                        "Town-planning plan of the plot",
                    ),
                ),
                _doc(
                    "project",
                    t("Проектная документация", "Проект документлары", "Project documentation"),
                    mb=50,
                ),
            ],
            variants=[
                {
                    "code": "no-expertise",
                    "title": t("Без экспертизы", "Экспертизасыз", "No expertise"),
                    "parameters": ["expertise_required", "floors"],
                    "typical": True,
                },
                {
                    "code": "general",
                    "title": t("Общий порядок", "Гомуми тәртип", "General"),
                    "parameters": ["expertise_required"],
                },
            ],
            rules=[
                {
                    "code": "no-expertise",
                    "variant": "no-expertise",
                    "when": {
                        "and": [
                            {"!": {"var": "expertise_required"}},
                            {"<=": [{"var": "floors"}, 3]},
                        ]
                    },
                    "decision": {
                        "outcome": "approve",
                        "mode": "propose",
                        "reason": t(
                            "Объект до 3 этажей без экспертизы (ч. 2 ст. 49 ГрК)",
                            "3 катка кадәр",
                            "Up to 3 floors, no expertise",
                        ),
                    },
                    "examples": [
                        {"input": {"floors": 2}, "variant": "no-expertise", "decision": "approve"}
                    ],
                },
                {
                    "code": "general",
                    "variant": "general",
                    "when": True,
                    "examples": [
                        {
                            "input": {"floors": 9, "expertise_required": True},
                            "variant": "general",
                            "decision": "",
                        }
                    ],
                },
            ],
            result="разрешение на строительство выдано",
            registry="building-permits",
        ),
        _service(
            code="excavation-permit",
            department=IMPROVEMENT,
            name=t(
                "Выдача ордера на производство земляных работ",
                "Җир эшләренә ордер",
                "Excavation works permit",
            ),
            term_days=5,
            fields={
                "works_from": {"type": "string", "format": "date"},
                "works_to": {"type": "string", "format": "date"},
                "emergency": {"type": "boolean"},
                "road_surface": {"type": "boolean"},
            },
            hints={
                "works_from": {"label": t("Начало работ", "Эш башы", "Works start")},
                "works_to": {"label": t("Окончание работ", "Эш ахыры", "Works end")},
                "emergency": {"label": t("Аварийные работы", "Авария эшләре", "Emergency works")},
                "road_surface": {
                    "label": t(
                        "Вскрытие дорожного покрытия", "Юл өслеген ачу", "Road surface opened"
                    )
                },
            },
            required=["works_from", "works_to"],
            documents=[
                PASSPORT,
                _doc("scheme", t("Схема производства работ", "Эш схемасы", "Works scheme")),
            ],
            variants=[
                {
                    "code": "emergency",
                    "title": t("Аварийные", "Авария", "Emergency"),
                    "parameters": ["emergency"],
                    "typical": True,
                },
                {
                    "code": "planned",
                    "title": t("Плановые", "Планлы", "Planned"),
                    "parameters": ["emergency", "road_surface"],
                },
            ],
            rules=[
                {
                    "code": "emergency",
                    "variant": "emergency",
                    "when": {"==": [{"var": "emergency"}, True]},
                    "decision": {
                        "outcome": "approve",
                        "mode": "auto",
                        "reason": t(
                            "Аварийные работы: ордер выдаётся в день обращения",
                            "Авария эшләре",
                            "Emergency works: same-day permit",
                        ),
                    },
                    "examples": [
                        {
                            "input": {"emergency": True},
                            "variant": "emergency",
                            "decision": "approve",
                        }
                    ],
                },
                {
                    "code": "planned",
                    "variant": "planned",
                    "when": True,
                    "examples": [
                        {"input": {"road_surface": True}, "variant": "planned", "decision": ""}
                    ],
                },
            ],
            result="ордер выдан",
            registry="excavation-permits",
        ),
        _service(
            code="traffic-restriction",
            department=IMPROVEMENT,
            name=t(
                "Согласование временного ограничения движения транспорта",
                "Транспорт хәрәкәтен вакытлыча чикләүне килештерү",
                "Temporary traffic restriction",
            ),
            term_days=7,
            fields={
                "street": {"type": "string", "minLength": 3},
                "restriction": {"type": "string", "enum": ["partial", "full"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 90},
            },
            hints={
                "street": {"label": t("Улица", "Урам", "Street")},
                "restriction": {
                    "label": t("Ограничение", "Чикләү", "Restriction"),
                    "choices": {
                        "partial": t("Частичное", "Өлешчә", "Partial"),
                        "full": t("Полное перекрытие", "Тулы ябу", "Full closure"),
                    },
                },
                "days": {"label": t("Срок, дней", "Срок, көн", "Duration, days")},
            },
            required=["street", "restriction", "days"],
            documents=[
                _doc(
                    "traffic_scheme",
                    t("Схема организации движения", "Хәрәкәт схемасы", "Traffic scheme"),
                )
            ],
            variants=[
                {
                    "code": "short-partial",
                    "title": t("Частичное до 3 дней", "3 көнгә кадәр", "Partial, ≤ 3 days"),
                    "parameters": ["restriction", "days"],
                    "typical": True,
                },
                {
                    "code": "general",
                    "title": t("Общий порядок", "Гомуми тәртип", "General"),
                    "parameters": ["restriction", "days"],
                },
            ],
            rules=[
                {
                    "code": "short-partial",
                    "variant": "short-partial",
                    "when": {
                        "and": [
                            {"==": [{"var": "restriction"}, "partial"]},
                            {"<=": [{"var": "days"}, 3]},
                        ]
                    },
                    "decision": {
                        "outcome": "approve",
                        "mode": "propose",
                        "reason": t(
                            "Частичное ограничение до 3 дней",
                            "3 көнгә кадәр өлешчә чикләү",
                            "Partial restriction up to 3 days",
                        ),
                    },
                    "examples": [
                        {
                            "input": {"restriction": "partial", "days": 2},
                            "variant": "short-partial",
                            "decision": "approve",
                        }
                    ],
                },
                {
                    "code": "general",
                    "variant": "general",
                    "when": True,
                    "examples": [
                        {
                            "input": {"restriction": "full", "days": 2},
                            "variant": "general",
                            "decision": "",
                        }
                    ],
                },
            ],
            result="ограничение согласовано",
        ),
        _service(
            code="commissioning-permit",
            department=PERMITS,
            name=t(
                "Выдача разрешения на ввод объекта в эксплуатацию",
                "Объектны файдалануга кертүгә рөхсәт",
                "Commissioning permit",
            ),
            term_days=5,
            fields={
                "building_permit_number": {"type": "string", "minLength": 5},
                "total_area": {"type": "number", "minimum": 10, "maximum": 500000},
            },
            hints={
                "building_permit_number": {
                    "label": t(
                        "Номер разрешения на строительство",
                        "Төзелеш рөхсәте номеры",
                        "Building permit number",
                    )
                },
                "total_area": {
                    "label": t("Фактическая площадь, м²", "Мәйдан, м²", "Actual area, m²")
                },
            },
            required=["building_permit_number", "total_area", "cadastral_number"],
            documents=[
                PASSPORT,
                _doc(
                    "acceptance_act",
                    t("Акт приёмки объекта", "Кабул итү акты", "Acceptance certificate"),
                ),
                _doc(
                    "technical_plan", t("Технический план", "Техник план", "Technical plan"), mb=30
                ),
            ],
            variants=[
                {
                    "code": "general",
                    "title": t("Общий порядок", "Гомуми тәртип", "General"),
                    "parameters": [],
                }
            ],
            rules=[{"code": "general", "variant": "general", "when": True}],
            result="разрешение на ввод выдано",
            registry="commissioning-permits",
        ),
        _service(
            code="territory-improvement",
            department=IMPROVEMENT,
            name=t(
                "Согласование проекта благоустройства прилегающей территории",
                "Янәшәдәге территорияне төзекләндерү проектын килештерү",
                "Approval of the improvement of the adjacent territory",
            ),
            term_days=10,
            fields={
                "greenery_sqm": {"type": "number", "minimum": 0, "maximum": 100000},
                "parking_places": {"type": "integer", "minimum": 0, "maximum": 1000},
            },
            hints={
                "greenery_sqm": {"label": t("Озеленение, м²", "Яшелләндерү, м²", "Greenery, m²")},
                "parking_places": {
                    "label": t("Парковочные места", "Парковка урыннары", "Parking places")
                },
            },
            required=["greenery_sqm"],
            documents=[
                _doc(
                    "improvement_project",
                    t("Проект благоустройства", "Төзекләндерү проекты", "Improvement project"),
                    mb=20,
                )
            ],
            variants=[
                {
                    "code": "general",
                    "title": t("Общий порядок", "Гомуми тәртип", "General"),
                    "parameters": [],
                }
            ],
            rules=[{"code": "general", "variant": "general", "when": True}],
            result="проект благоустройства согласован",
        ),
        _service(
            code="facade-design",
            department=ARCHITECTURE,
            name=t(
                "Согласование дизайн-проекта фасада и вывески",
                "Фасад һәм элмә дизайн-проектын килештерү",
                "Facade and signage design approval",
            ),
            term_days=10,
            fields={
                "signage": {"type": "boolean"},
                "facade_colour": {"type": "string", "maxLength": 50},
                "historic_centre": {"type": "boolean"},
            },
            hints={
                "signage": {"label": t("С вывеской", "Элмә белән", "With signage")},
                "facade_colour": {
                    "label": t(
                        "Цвет фасада (по паспорту цветовых решений)", "Фасад төсе", "Facade colour"
                    )
                },
                "historic_centre": {
                    "label": t(
                        "В границах исторического центра", "Тарихи үзәктә", "In the historic centre"
                    )
                },
            },
            required=[],
            documents=[
                _doc("design", t("Дизайн-проект", "Дизайн-проект", "Design project"), mb=20)
            ],
            variants=[
                {
                    "code": "outside-centre",
                    "title": t("Вне центра", "Үзәктән читтә", "Outside the centre"),
                    "parameters": ["historic_centre", "signage"],
                    "typical": True,
                },
                {
                    "code": "historic",
                    "title": t("Исторический центр", "Тарихи үзәк", "Historic centre"),
                    "parameters": ["historic_centre"],
                },
            ],
            rules=[
                {
                    "code": "historic",
                    "variant": "historic",
                    "when": {"==": [{"var": "historic_centre"}, True]},
                },
                {
                    "code": "outside-centre",
                    "variant": "outside-centre",
                    "when": True,
                    "decision": {
                        "outcome": "approve",
                        "mode": "auto",
                        "reason": t(
                            "Вне исторического центра, по типовым решениям",
                            "Тарихи үзәктән читтә, типик чишелешләр",
                            "Outside the historic centre, standard solutions",
                        ),
                    },
                    "examples": [
                        {
                            "input": {"signage": True},
                            "variant": "outside-centre",
                            "decision": "approve",
                        },
                        {"input": {"historic_centre": True}, "variant": "historic", "decision": ""},
                    ],
                },
            ],
            result="дизайн-проект согласован",
            registry="facade-approvals",
        ),
    ]


#: The "build an office" life situation: questionnaire fields → each service's fields.
OFFICE_QUESTIONNAIRE = {
    "type": "object",
    "properties": {
        "company": {"type": "string", "minLength": 3, "maxLength": 300},
        "inn": {"type": "string", "pattern": "^([0-9]{10}|[0-9]{12})$"},
        "address": {"type": "string", "minLength": 5},
        "cadastral_number": {"type": "string", "pattern": "^16:50:[0-9]{6}:[0-9]{1,5}$"},
        "floors": {"type": "integer", "minimum": 1, "maximum": 60},
        "underground_networks": {"type": "boolean"},
        "traffic_restriction": {"type": "boolean"},
    },
    "required": ["company", "inn", "address", "cadastral_number", "floors"],
}
OFFICE_UI = {
    "order": list(OFFICE_QUESTIONNAIRE["properties"]),
    "fields": {
        "company": {"label": t("Организация", "Оешма", "Company")},
        "inn": COMMON_HINTS["inn"],
        "address": {"label": t("Адрес будущего офиса", "Офис адресы", "Address of the office")},
        "cadastral_number": COMMON_HINTS["cadastral_number"],
        "floors": {"label": t("Этажность", "Катлар саны", "Floors")},
        "underground_networks": {
            "label": t(
                "Будут прокладываться подземные сети",
                "Җир асты челтәрләре салыначак",
                "Underground networks will be laid",
            )
        },
        "traffic_restriction": {
            "label": t(
                "Потребуется ограничить движение",
                "Хәрәкәтне чикләү кирәк",
                "Traffic will need to be restricted",
            )
        },
    },
}
SHARED = {
    "applicant_name": "company",
    "inn": "inn",
    "address": "address",
    "cadastral_number": "cadastral_number",
}
OFFICE_STEPS = [
    ("land-plot-lease", None, {"purpose": "office", "lease_years": 10, "area_sqm": 1200}),
    ("office-project-approval", None, {"purpose": "office"}),
    (
        "utility-connection",
        None,
        {"networks": ["water", "sewerage", "heat", "power"], "load_kw": 120},
    ),
    ("building-permit", None, {"purpose": "office", "total_area": 900}),
    (
        "excavation-permit",
        {"==": [{"var": "underground_networks"}, True]},
        {"works_from": "2027-04-01", "works_to": "2027-04-20"},
    ),
    (
        "traffic-restriction",
        {"==": [{"var": "traffic_restriction"}, True]},
        {"restriction": "partial", "days": 3, "street": "ул. Сибгата Хакима"},
    ),
    ("commissioning-permit", None, {}),
    ("territory-improvement", None, {"greenery_sqm": 150}),
    ("facade-design", None, {"signage": True}),
]

#: Steps decided only after others' results are issued (the permit after the lease and the
#: approved project; digging and commissioning after the permit).
OFFICE_REQUIRES = {
    "building-permit": ["land-plot-lease", "office-project-approval"],
    "excavation-permit": ["building-permit"],
    "commissioning-permit": ["building-permit"],
}

REQUEST_TYPES = [
    (
        "land-registry-extract",
        LAND,
        t(
            "Выписка из реестра муниципального имущества",
            "Муниципаль милек реестрыннан өземтә",
            "Extract from the municipal property register",
        ),
        5,
        {
            "type": "object",
            "properties": {"cadastral_number": COMMON_FIELDS["cadastral_number"]},
            "required": ["cadastral_number"],
        },
    ),
    (
        "utility-capacity-opinion",
        HOUSING,
        t(
            "Заключение о наличии мощностей сетей",
            "Челтәр куәтләре турында бәяләмә",
            "Utility capacity opinion",
        ),
        7,
        {
            "type": "object",
            "properties": {"address": {"type": "string"}, "load_kw": {"type": "number"}},
            "required": ["address"],
        },
    ),
    (
        "town-planning-info",
        ARCHITECTURE,
        t(
            "Сведения ИСОГД о территории",
            "Территория турында ИСОГД мәгълүматлары",
            "Town-planning information on the territory",
        ),
        5,
        {
            "type": "object",
            "properties": {"cadastral_number": COMMON_FIELDS["cadastral_number"]},
            "required": ["cadastral_number"],
        },
    ),
]
