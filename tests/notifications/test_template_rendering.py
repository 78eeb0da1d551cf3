"""Templates: declared defaults, officials' versions, language fallback, escaping, declaration
errors, and the sync command."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from cityhall.core.errors import InvalidInput
from cityhall.core.models import AuditRecord
from cityhall.notifications import services
from cityhall.notifications.events import register_event, unregister_event
from cityhall.notifications.models import NotificationTemplate
from cityhall.notifications.rendering import language_order, render_notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL = {
    "ru": {"subject": "Заявка {{ number }}", "body": "Текст: {{ text }}"},
    "tt": {"subject": "Гариза {{ number }}", "body": "Текст: {{ text }}"},
    "en": {
        "subject": "Request {{ number }}",
        "body": "Text: {{ text }}",
        "sms": "Req {{ number }}",
    },
}


@pytest.fixture
def throwaway_event():
    codes = []

    def declare(code="testing.something_happened", templates=ALL, **kwargs):
        codes.append(code)
        return register_event(code, description="for a test", default_templates=templates, **kwargs)

    yield declare
    for code in codes:
        unregister_event(code)


def test_language_order_is_wanted_then_russian_then_english_then_any():
    assert language_order("tt", ["en", "ru", "tt"]) == ["tt", "ru", "en"]
    assert language_order("tt", ["en", "ru"]) == ["ru", "en"]
    assert language_order("tt", ["en", "ba"]) == ["en", "ba"]
    assert language_order(None, ["ba"]) == ["ba"]


def test_fallback_to_russian_for_a_language_without_a_template(throwaway_event):
    throwaway_event()
    rendered = render_notification("testing.something_happened", "de", {"number": 7, "text": ""})
    assert (rendered.language, rendered.subject) == ("ru", "Заявка 7")


def test_fallback_to_any_language_there_is(throwaway_event, settings):
    settings.LANGUAGES = [("en", "English")]
    throwaway_event(code="testing.english_only", templates={"en": ALL["en"]})
    rendered = render_notification("testing.english_only", "tt", {"number": 8, "text": ""})
    assert (rendered.language, rendered.subject) == ("en", "Request 8")


def test_active_database_row_wins_over_the_declared_default(throwaway_event):
    throwaway_event()
    NotificationTemplate.objects.create(
        event="testing.something_happened", language="tt", subject="Базадан {{ number }}", body="-"
    )
    rendered = render_notification("testing.something_happened", "tt", {"number": 9, "text": ""})
    assert rendered.subject == "Базадан 9"


def test_plain_text_is_not_escaped_but_html_is(throwaway_event):
    throwaway_event()
    rendered = render_notification(
        "testing.something_happened",
        "en",
        {"number": 1, "text": "<script>alert('x')</script> & Co"},
    )
    assert rendered.body == "Text: <script>alert('x')</script> & Co"
    assert "<script>" not in rendered.body_html
    assert "&lt;script&gt;" in rendered.body_html and "&amp; Co" in rendered.body_html
    assert rendered.short_text == "Req 1"


def test_short_text_falls_back_to_the_subject(throwaway_event):
    throwaway_event()
    rendered = render_notification("testing.something_happened", "ru", {"number": 3, "text": ""})
    assert rendered.short_text == "Заявка 3"


def test_officials_version_is_used_once_synced_and_edited(throwaway_event):
    throwaway_event()
    services.sync_templates()
    official = UserFactory(staff=True)
    services.save_template(
        actor=official,
        event="testing.something_happened",
        language="en",
        subject="Your request {{ number }} has news",
        body="See {{ text }}",
    )
    rendered = render_notification("testing.something_happened", "en", {"number": 5, "text": "x"})
    assert rendered.subject == "Your request 5 has news"
    assert rendered.template_version == 2
    versions = NotificationTemplate.objects.filter(
        event="testing.something_happened", language="en"
    ).order_by("version")
    assert [(t.version, t.is_active, t.source) for t in versions] == [
        (1, False, "default"),
        (2, True, "edited"),
    ]
    assert AuditRecord.objects.filter(action="notification_template.edited").count() == 1

    # going back to version 1
    services.activate_template(actor=official, template=versions[0])
    rendered = render_notification("testing.something_happened", "en", {"number": 5, "text": "x"})
    assert rendered.subject == "Request 5"


def test_broken_template_edit_is_refused(throwaway_event):
    throwaway_event()
    with pytest.raises(InvalidInput) as exc:
        services.save_template(
            actor=UserFactory(staff=True),
            event="testing.something_happened",
            language="en",
            subject="{% if %}",
            body="ok",
        )
    assert "subject" in exc.value.fields


def test_missing_language_is_an_error_at_declaration(throwaway_event):
    with pytest.raises(ImproperlyConfigured, match="no default template for: tt"):
        throwaway_event(templates={"ru": ALL["ru"], "en": ALL["en"]})


def test_template_that_does_not_compile_is_an_error_at_declaration(throwaway_event):
    broken = {**ALL, "tt": {"subject": "{% for %}", "body": "x"}}
    with pytest.raises(ImproperlyConfigured, match="tt subject template does not compile"):
        throwaway_event(templates=broken)


def test_empty_body_is_an_error_at_declaration(throwaway_event):
    with pytest.raises(ImproperlyConfigured, match="needs both a subject and a body"):
        throwaway_event(templates={**ALL, "en": {"subject": "x", "body": "  "}})


def test_declaring_an_event_twice_differently_is_an_error(throwaway_event):
    throwaway_event()
    throwaway_event()  # same content: harmless (e.g. ready() twice)
    with pytest.raises(ImproperlyConfigured, match="declared twice"):
        throwaway_event(templates={**ALL, "en": {"subject": "Other", "body": "x"}})


def test_sync_command_seeds_templates_and_keeps_officials_edits(capsys):
    call_command("sync_notification_templates")
    seeded = NotificationTemplate.objects.filter(event="accounts.confirmation_code")
    assert sorted(seeded.values_list("language", flat=True)) == ["en", "ru", "tt"]
    assert "created" in capsys.readouterr().out

    services.save_template(
        actor=UserFactory(staff=True),
        event="accounts.confirmation_code",
        language="ru",
        subject="Код: {{ code }}",
        body="Код {{ code }} на {{ minutes }} мин.",
    )
    before = NotificationTemplate.objects.count()
    call_command("sync_notification_templates")
    assert NotificationTemplate.objects.count() == before  # idempotent
    active = NotificationTemplate.objects.get(
        event="accounts.confirmation_code", language="ru", is_active=True
    )
    assert active.subject == "Код: {{ code }}"  # the official's wording survives


def test_demo_loader_syncs_templates():
    from io import StringIO

    from cityhall.notifications import demo

    assert demo.load(StringIO()) == []
    assert NotificationTemplate.objects.filter(event="support_ticket.submitted").count() == 3
    assert demo.load(StringIO()) == []
    assert NotificationTemplate.objects.filter(event="support_ticket.submitted").count() == 3
