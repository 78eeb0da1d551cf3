"""Factories for municipal services: a department with its staff, a valid definition and a
published service, and applications in any stage (built through the services)."""

from __future__ import annotations

import copy

from django.utils import timezone

from cityhall.municipal_services import services
from cityhall.municipal_services.demo import DEMO_PDF as PDF_BYTES  # a PDF pypdf reads
from cityhall.municipal_services.models import LifeSituation, LifeSituationVersion, Service
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


def texts(ru: str, en: str | None = None) -> dict:
    return {"ru": ru, "tt": ru, "en": en or ru}


BASE_DEFINITION = {
    "form_schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "applicant_name": {"type": "string", "minLength": 3, "maxLength": 200},
            "purpose": {"type": "string", "enum": ["office", "shop", "warehouse"]},
            "area": {"type": "number", "minimum": 1, "maximum": 100000},
            "floors": {"type": "integer", "minimum": 1, "maximum": 50},
            "address": {"type": "string", "maxLength": 300},
            "heritage_zone": {"type": "boolean"},
        },
        "required": ["applicant_name", "purpose", "area"],
    },
    "ui": {
        "order": ["applicant_name", "purpose", "area", "floors", "address", "heritage_zone"],
        "fields": {
            "applicant_name": {"label": texts("Заявитель", "Applicant")},
            "purpose": {
                "label": texts("Назначение", "Purpose"),
                "choices": {"office": texts("Офис", "Office")},
            },
            "area": {"label": texts("Площадь, м²", "Area, m²"), "help": texts("Общая", "Total")},
            "floors": {
                "label": texts("Этажность", "Floors"),
                "show_if": {"==": [{"var": "purpose"}, "office"]},
            },
        },
    },
    "documents": [
        {
            "code": "plan",
            "title": texts("План участка", "Site plan"),
            "required": True,
            "types": ["application/pdf", "image/jpeg", "image/png"],
            "max_size_mb": 1,
        },
        {
            "code": "extra",
            "title": texts("Прочее", "Other"),
            "required": False,
            "types": ["application/pdf"],
            "max_size_mb": 1,
        },
    ],
    "fees": [{"title": texts("Пошлина", "Fee"), "amount": "0"}],
    "term_days": 10,
    "identity": "account",
    "result_types": ["document", "registry_record"],
    "registry": "building-permits",
    "refusal_reasons": [
        {"code": "incomplete", "title": texts("Неполный комплект документов", "Incomplete set")}
    ],
    "workflow": {
        "stages": {
            "acceptance": {"roles": ["operator"]},
            "consideration": {"roles": ["expert"]},
            "decision": {"roles": ["decision_maker"]},
        },
        "separation": [["acceptance", "decision"]],
    },
    "status_texts": {
        "acceptance": texts(
            "Заявление принято к проверке документов", "Documents are being checked"
        ),
        "returned": texts("Заявление возвращено на доработку", "Returned for corrections"),
        "result_issued": texts("Разрешение выдано", "The permit has been issued"),
        "refused": texts("В выдаче отказано", "Refused"),
    },
    "variants": [
        {
            "code": "small-office",
            "title": texts("Небольшой офис", "Small office"),
            "parameters": ["purpose", "area", "heritage_zone"],
            "typical": True,
        },
        {
            "code": "general",
            "title": texts("Общий порядок", "General"),
            "parameters": ["purpose", "area"],
        },
    ],
    "rules": [
        {
            "code": "small-office-auto",
            "when": {
                "and": [
                    {"==": [{"var": "purpose"}, "office"]},
                    {"<=": [{"var": "area"}, 300]},
                    {"!": {"var": "heritage_zone"}},
                ]
            },
            "variant": "small-office",
            "decision": {
                "outcome": "approve",
                "mode": "auto",
                "reason": texts(
                    "Типовой офис до 300 м² вне охранной зоны",
                    "Typical office up to 300 m² outside heritage zones",
                ),
            },
            "examples": [
                {
                    "input": {"purpose": "office", "area": 120},
                    "variant": "small-office",
                    "decision": "approve",
                },
                {
                    "input": {"purpose": "office", "area": 120, "heritage_zone": True},
                    "variant": "general",
                    "decision": "",
                },
            ],
        },
        {
            "code": "general",
            "when": True,
            "variant": "general",
            "examples": [
                {"input": {"purpose": "shop", "area": 50}, "variant": "general", "decision": ""}
            ],
        },
    ],
    "result_template": {
        "title": texts("Разрешение на строительство", "Building permit"),
        "body": texts(
            "Выдано: {{ holder }}\nНазначение: {{ answers.purpose }}, площадь {{ answers.area }} м²"
        ),
    },
}


def definition(**overrides) -> dict:
    data = copy.deepcopy(BASE_DEFINITION)
    data.update(copy.deepcopy(overrides))
    return data


class Department:
    """A department with one person per role (operator, two experts, decision maker) and a
    person who holds both operator and decision-maker roles (to test separation of duties)."""

    def __init__(self, name: str = "Department of Urban Planning Permits"):
        self.org = OrganisationFactory(name=name)
        self.operator = MembershipFactory(organisation=self.org, role="operator").user
        self.expert = MembershipFactory(organisation=self.org, role="expert").user
        self.expert2 = MembershipFactory(organisation=self.org, role="expert").user
        self.decider = MembershipFactory(organisation=self.org, role="decision_maker").user
        self.both = MembershipFactory(organisation=self.org, role="operator").user
        MembershipFactory(organisation=self.org, role="decision_maker", user=self.both)


def published_service(dept: Department, code: str = "building-permit", **overrides) -> Service:
    service = services.create_service(
        actor=None,
        code=code,
        department=dept.org,
        name=texts("Разрешение на строительство", "Building permit"),
    )
    version = services.create_draft(actor=None, service=service, definition=definition(**overrides))
    services.publish_version(actor=None, version=version)
    return service


def upload(name: str = "plan.pdf", data: bytes = PDF_BYTES):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def submitted_application(service: Service, applicant=None, answers=None):
    applicant = applicant or UserFactory()
    application = services.start_application(actor=applicant, service=service)
    services.save_draft(
        application=application,
        actor=applicant,
        answers=answers or {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 500},
    )
    services.upload_file(
        application=application, actor=applicant, document_code="plan", upload=upload()
    )
    services.submit_application(application=application, actor=applicant)
    application.refresh_from_db()
    return application


def sign_through_pages(client, application, capture, channel: str = "email"):
    """Walk the "sign and submit" page as the signed-in applicant: ask for a code, read it from
    the e-mail (or the SMS log) and type it in. The applicant needs a confirmed contact."""
    import re

    from django.core import mail

    from cityhall.notifications.models import SmsLog

    url = f"/services/applications/{application.pk}/sign/"
    with capture(execute=True):
        client.post(url, {"action": "send", "channel": channel})
    if channel == "email":
        text = mail.outbox[-1].body
    else:
        text = SmsLog.objects.order_by("-pk").first().text
    code = re.search(r"\b(\d{6})\b", text).group(1)
    page = client.get(url).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)
    with capture(execute=True):
        return client.post(url, {"action": "sign", "code": code, "digest": digest})


def life_situation(
    code: str,
    name: dict,
    questionnaire: dict,
    ui: dict | None = None,
    *,
    status: str = LifeSituationVersion.Status.PUBLISHED,
    **fields,
) -> LifeSituation:
    """A situation with its version 1 (published unless ``status`` says otherwise); steps are
    added to ``situation.versions.get()``."""
    situation = LifeSituation.objects.create(code=code, name=name, **fields)
    LifeSituationVersion.objects.create(
        situation=situation,
        number=1,
        status=status,
        questionnaire=questionnaire,
        ui=ui or {},
        published_at=timezone.now() if status == LifeSituationVersion.Status.PUBLISHED else None,
    )
    return situation


def published_steps(situation: LifeSituation):
    """The steps residents' cases open now (the published version's)."""
    return situation.published_version().steps
