"""What an administrator posts on the designer's pages to build "permit to build an office"
(small offices decided automatically, large ones to an expert with a land-registry request),
shared by the page tests."""

from __future__ import annotations

from cityhall.municipal_services.models import Service, StandardRequestType

BASE = "/staff/services"


def texts(prefix: str, ru: str, tt: str, en: str) -> dict:
    return {f"{prefix}_ru": ru, f"{prefix}_tt": tt, f"{prefix}_en": en}


def land_registry(addressee) -> StandardRequestType:
    return StandardRequestType.objects.create(
        code="land-registry",
        name={"ru": "Выписка из ЕГРН", "tt": "ЕГРН өземтәсе", "en": "Land registry extract"},
        form_schema={"type": "object", "properties": {"cadastral_number": {"type": "string"}}},
        addressee=addressee,
    )


def revision(client, url: str) -> str:
    page = client.get(url).content.decode()
    return page.split('name="revision" value="', 1)[1].split('"', 1)[0]


def ok(response) -> None:
    assert response.status_code == 302, response.content.decode()[:3000]


def build_office_permit(client, department) -> Service:
    ok(
        client.post(
            f"{BASE}/new/",
            {
                **texts(
                    "name",
                    "Разрешение на строительство офиса",
                    "Офис төзүгә рөхсәт",
                    "Permit to build an office",
                ),
                "department": department.pk,
            },
        )
    )
    service = Service.objects.get(code="permit-to-build-an-office")
    v = f"{BASE}/{service.code}/v1"
    fields = [
        {
            "kind": "text",
            "required": "on",
            **texts("label", "Заявитель", "Гариза бирүче", "Applicant"),
        },
        {
            "kind": "choice",
            "required": "on",
            **texts("label", "Назначение", "Билгеләнеш", "Purpose"),
            **texts("options", "Офис\nМагазин", "Офис\nКибет", "Office\nShop"),
        },
        {
            "kind": "number",
            "required": "on",
            "unit": "м²",
            "minimum": "1",
            "maximum": "100000",
            **texts("label", "Площадь", "Мәйдан", "Area"),
        },
        {"kind": "yes_no", **texts("label", "Охранная зона", "Саклау зонасы", "Heritage zone")},
        {
            "kind": "cadastral_number",
            **texts("label", "Кадастровый номер", "Кадастр номеры", "Cadastral number"),
        },
    ]
    for field in fields:
        ok(client.post(f"{v}/fields/", {"revision": revision(client, f"{v}/fields/"), **field}))
    ok(
        client.post(
            f"{v}/documents/",
            {
                "revision": revision(client, f"{v}/documents/"),
                "rows": "1",
                **texts("r0-title", "План участка", "Участок планы", "Site plan"),
                "r0-required": "on",
                "r0-types": ["application/pdf", "image/png"],
                "r0-max_size_mb": "5",
            },
        )
    )
    ok(
        client.post(
            f"{v}/variants/",
            {
                "revision": revision(client, f"{v}/variants/"),
                "rows": "2",
                **texts("r0-title", "Небольшой офис", "Кечкенә офис", "Small office"),
                "r0-typical": "on",
                "r0-parameters": ["purpose", "area", "heritage_zone"],
                **texts("r1-title", "Крупный офис", "Зур офис", "Large office"),
                "r1-parameters": ["purpose", "area"],
                "r1-requests": ["land-registry"],
                "r1-documents": ["site-plan"],
            },
        )
    )
    ok(
        client.post(
            f"{v}/rules/",
            {
                "revision": revision(client, f"{v}/rules/"),
                "rows": "2",
                "r0-variant": "small-office",
                "r0-match": "all",
                "r0-field1": "purpose",
                "r0-operator1": "eq",
                "r0-value1": "Офис",
                "r0-field2": "area",
                "r0-operator2": "le",
                "r0-value2": "300",
                "r0-field3": "heritage_zone",
                "r0-operator3": "no",
                "r0-outcome": "auto",
                "r1-variant": "large-office",
                "r1-match": "all",
                "r1-operator1": "eq",
                "r1-operator2": "eq",
                "r1-operator3": "eq",
                "r1-outcome": "expert",
            },
        )
    )
    ok(
        client.post(
            f"{v}/stages/",
            {
                "revision": revision(client, f"{v}/stages/"),
                "term_days": "10",
                "term_in": "calendar",
                "identity": "account",
                "result_types": ["document"],
                "registry": "",
                "separation": ["acceptance:decision"],
                "roles_acceptance": ["operator"],
                "roles_consideration": ["expert"],
                "roles_decision": ["decision_maker"],
            },
        )
    )
    ok(
        client.post(
            f"{v}/template/",
            {
                "revision": revision(client, f"{v}/template/"),
                "action": "save",
                **texts("title", "Разрешение", "Рөхсәт", "Permit"),
                **texts(
                    "body",
                    "Выдано: {{ holder }}\nПлощадь: {{ answers.area }} м²",
                    "Бирелде: {{ holder }}\nМәйдан: {{ answers.area }} м²",
                    "Issued to: {{ holder }}\nArea: {{ answers.area }} m²",
                ),
            },
        )
    )
    return service
