"""Paper applicants are told (issue 16 item 13): a person an operator registered from a paper
form has no password and never opted in to SMS, yet gets SMS by default; the result text does
not promise a cabinet they cannot open; the operator is asked to print a letter, which the
service centre prints in the applicant's language."""

from __future__ import annotations

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application
from cityhall.notifications.models import Message
from tests.factories import UserFactory

from .factories import Department, published_service, upload

pytestmark = pytest.mark.django_db


def _paper_application(client, dept, service) -> Application:
    client.force_login(dept.operator)
    client.post(
        f"/services/desk/register/{service.code}/",
        {"contact": "+79171234567", "last_name": "Гарипов", "first_name": "Ильдар"},
    )
    application = Application.objects.get()
    client.post(
        f"/services/applications/{application.pk}/edit/",
        {
            "action": "submit",
            "applicant_name": "Гарипов Ильдар",
            "purpose": "shop",
            "area": "40",
            "file-plan": upload("scan.pdf"),
        },
    )
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTANCE
    return application


def test_a_paper_applicant_without_an_account_is_told_by_sms_without_a_cabinet_promise(client):
    dept = Department()
    service = published_service(dept)
    application = _paper_application(client, dept, service)
    person = application.applicant
    assert not person.has_usable_password()
    sms = Message.objects.filter(recipient=person, channel="sms")
    assert sms.count() == 1 and sms.get().address == "+79171234567"  # registered: SMS by default

    services.accept_application(application=application, actor=dept.operator)
    services.send_to_decision(application=application, actor=dept.expert, conclusion="ok")
    services.decide(
        application=application, actor=dept.decider, outcome="refuse", reasons=["Нет плана"]
    )
    last = sms.order_by("-pk").first()
    assert "центре обслуживания" in last.body and "кабинет" not in last.body
    letter = Message.objects.get(
        recipient=dept.operator, event="municipal_services.letter_to_print", channel="cabinet"
    )
    assert letter.url == f"/services/applications/{application.pk}/letter/"

    client.force_login(dept.operator)
    case_page = client.get(f"/services/applications/{application.pk}/").content.decode()
    assert letter.url in case_page
    page = client.get(letter.url).content.decode()
    assert 'lang="ru"' in page and "Гарипов" in page and "Нет плана" in page
    assert "центре обслуживания" in page


def test_a_person_who_signs_in_keeps_the_definition_text_and_sms_stays_opt_in():
    dept = Department()
    service = published_service(dept)
    from .factories import submitted_application

    applicant = UserFactory(phone="+79170000002")
    application = submitted_application(service, applicant)
    assert not Message.objects.filter(recipient=applicant, channel="sms").exists()
    services.accept_application(application=application, actor=dept.operator)
    services.send_to_decision(application=application, actor=dept.expert, conclusion="ok")
    services.decide(application=application, actor=dept.decider, outcome="approve", reasons=[])
    cabinet = Message.objects.filter(recipient=applicant, channel="cabinet").order_by("-pk")
    assert "Разрешение выдано" in cabinet.first().body
    assert not Message.objects.filter(event="municipal_services.letter_to_print").exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "Письмо заявителю"), ("tt", "Гариза бирүчегә хат"), ("en", "Letter for the applicant")],
)
def test_the_letter_link_is_offered_in_every_language(client, language, expected):
    dept = Department()
    application = _paper_application(client, dept, published_service(dept))
    page = client.get(f"/services/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert expected in page.content.decode()
    letter = client.get(
        f"/services/applications/{application.pk}/letter/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    # The letter itself is in the applicant's language (Russian here), whatever the page's.
    assert 'lang="ru"' in letter and "Заявление" in letter
