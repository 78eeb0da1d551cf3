"""An automatically decided case tells the applicant the outcome only (issue 16 item 23): no
"a specialist is considering" and "a draft decision" messages from the same second."""

from __future__ import annotations

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application
from cityhall.notifications.models import ChannelPreference, Message
from tests.factories import UserFactory

from .factories import Department, definition, published_service, submitted_application, texts

pytestmark = pytest.mark.django_db


def test_an_automatic_decision_sends_the_outcome_only(client):
    dept = Department()
    status_texts = {
        **definition()["status_texts"],
        "consideration": texts("Заявление рассматривает специалист", "An expert is considering"),
        "decision": texts("Подготовлен проект решения", "A draft decision is ready"),
    }
    service = published_service(dept, status_texts=status_texts)
    applicant = UserFactory(phone="+79170000001")
    ChannelPreference.objects.create(user=applicant, channel="sms", enabled=True)
    application = submitted_application(
        service, applicant, {"applicant_name": "ООО Ромашка", "purpose": "office", "area": 120}
    )
    before = set(Message.objects.filter(recipient=applicant).values_list("pk", flat=True))
    client.force_login(dept.operator)
    client.post(f"/services/applications/{application.pk}/act/", {"action": "accept"})
    application.refresh_from_db()
    assert application.status == Application.Status.RESULT_ISSUED
    sms = Message.objects.filter(recipient=applicant, channel="sms").exclude(pk__in=before)
    assert [m.body for m in sms] == [f"Заявление {application.number}: Разрешение выдано"]
    assert not Message.objects.filter(body__contains="considering").exists()
    # The steps are still on record.
    kinds = list(application.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["accepted", "auto_concluded", "approved"]


def test_a_case_accepted_by_hand_still_tells_each_stage():
    dept = Department()
    service = published_service(dept)
    application = submitted_application(service)  # a shop: no automatic decision
    told = Message.objects.filter(recipient=application.applicant, channel="cabinet")
    before = told.count()
    services.accept_application(application=application, actor=dept.operator)
    assert told.count() == before + 1
