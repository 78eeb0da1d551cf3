"""Notification templates edited by a city's administrator on the staff pages: per event and
language, with the variables listed and a preview; refusals name the field; a withdrawn
translation falls back visibly to Russian and is listed among the missing translations; two
administrators saving the same wording see a conflict."""

from __future__ import annotations

import pytest

from cityhall.core.models import AuditRecord
from cityhall.notifications import services
from cityhall.notifications.models import NotificationTemplate
from cityhall.notifications.rendering import render_notification
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

EVENT = "support_ticket.submitted"
URL = f"/notifications/staff/templates/{EVENT}/"


@pytest.fixture
def administrator(settings):
    settings.STAFF_REQUIRE_OTP = False
    services.sync_templates()
    return MembershipFactory(organisation=OrganisationFactory(), role="administrator").user


def _active(language: str) -> NotificationTemplate:
    return NotificationTemplate.objects.get(event=EVENT, language=language, is_active=True)


def test_an_administrator_previews_and_saves_a_tatar_wording(client, administrator):
    client.force_login(administrator)
    page = client.get(URL + "tt/").content.decode()
    assert "{{ number }}" in page and "{{ topic }}" in page and "{{ site_url }}" in page
    data = {
        "version": "1",
        "subject": "Яңа мөрәҗәгать {{ number }}",
        "body": "Темасы: {{ topic }}",
        "short_text": "",
    }
    preview = client.post(URL + "tt/", data | {"action": "preview"}).content.decode()
    assert "Яңа мөрәҗәгать ‹number›" in preview and "Темасы: ‹topic›" in preview
    assert _active("tt").version == 1  # a preview saves nothing
    assert client.post(URL + "tt/", data | {"action": "save"}).status_code == 302
    assert (_active("tt").version, _active("tt").subject) == (2, "Яңа мөрәҗәгать {{ number }}")
    assert AuditRecord.objects.filter(action="notification_template.edited").count() == 1


def test_a_variable_the_event_does_not_provide_is_refused_on_its_field(client, administrator):
    client.force_login(administrator)
    response = client.post(
        URL + "en/",
        {"version": "1", "subject": "Ticket {{ numbr }}", "body": "ok", "action": "save"},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "This event does not provide {{ numbr }}" in text and 'id="id_subject_error"' in text
    broken = client.post(
        URL + "en/",
        {"version": "1", "subject": "x", "body": "{% if topic %}open", "action": "preview"},
    )
    assert broken.status_code == 422 and "does not compile" in broken.content.decode()
    assert _active("en").version == 1


def test_a_withdrawn_translation_falls_back_visibly_and_is_listed_as_missing(client, administrator):
    client.force_login(administrator)
    assert client.post(URL + "tt/withdraw/").status_code == 302
    page = client.get(URL + "tt/").content.decode()
    assert "There is no Tatar wording: its readers get the Russian text" in page
    assert "Новое обращение в техподдержку ‹number›" in page  # the preview shows what they get
    missing = client.get("/notifications/staff/templates/missing/").content.decode()
    assert "Tatar" in missing and "no Tatar wording" in missing
    rendered = render_notification(EVENT, "tt", {"number": "7", "topic": "x"})
    assert rendered.language == "ru" and rendered.subject.startswith("Новое обращение")
    services.sync_templates()  # the next deploy does not bring the withdrawn text back
    assert not NotificationTemplate.objects.filter(event=EVENT, language="tt", is_active=True)
    assert client.post(URL + "ru/withdraw/").status_code == 302
    assert _active("ru")  # Russian, which the others fall back to, stays


def test_two_administrators_saving_one_wording_see_a_conflict(client, administrator):
    other = MembershipFactory(organisation=OrganisationFactory(), role="administrator").user
    data = {"version": "1", "subject": "Ticket {{ number }}", "body": "Topic {{ topic }}"}
    client.force_login(other)
    assert client.post(URL + "en/", data | {"action": "save"}).status_code == 302
    client.force_login(administrator)
    response = client.post(URL + "en/", data | {"subject": "Mine", "action": "save"})
    assert response.status_code == 409
    assert "Saved meanwhile: version 2" in response.content.decode()
    assert _active("en").subject == "Ticket {{ number }}"


def test_only_administrators_edit_templates(client, administrator):
    dispatcher = MembershipFactory(organisation=OrganisationFactory(), role="dispatcher").user
    client.force_login(dispatcher)
    assert client.get("/notifications/staff/templates/").status_code == 403
    assert client.post(URL + "tt/withdraw/").status_code == 403
    client.force_login(administrator)
    assert EVENT in client.get("/notifications/staff/templates/").content.decode()
