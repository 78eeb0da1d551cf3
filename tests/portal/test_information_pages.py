"""Issue 16 item 27: the accessibility statement, privacy notice, help and contacts pages in
ru/tt/en linked from every page's footer; the favicon served by the app; a branded 500 page
in the reader's language; personal-data consent required and recorded at registration;
autocomplete on the contact fields people fill in about themselves."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import path, reverse

from cityhall import urls as site_urls

PAGES = ["/accessibility/", "/privacy/", "/help/", "/contacts/"]
HEADINGS = {
    "ru": [
        "Заявление о доступности",
        "Политика обработки персональных данных",
        "Помощь",
        "Контакты",
    ],
    "tt": [
        "Үтемлелек турында белдерү",
        "Шәхси мәгълүматларны эшкәртү сәясәте",
        "Ярдәм",
        "Контактлар",
    ],
    "en": ["Accessibility statement", "Privacy notice", "Help", "Contacts"],
}
# A sentence of each page's own text, to tell that the body is in the language too.
BODY = {
    "ru": "152-ФЗ",
    "tt": "шәхси мәгълүматлар",
    "en": "152-FZ",
}


def get(client, url: str, language: str):
    client.cookies["django_language"] = language
    return client.get(url)


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_information_pages_exist_in_each_language(client, db, language):
    for url, heading in zip(PAGES, HEADINGS[language], strict=True):
        response = get(client, url, language)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f"<h1>{heading}</h1>" in html
        assert f'<html lang="{language}">' in html
    assert BODY[language] in get(client, "/privacy/", language).content.decode()


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_every_page_footer_links_the_information_pages(client, db, language):
    html = get(client, reverse("discussions:list"), language).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    for url in PAGES:
        assert f'href="{url}"' in footer


def test_the_accessibility_statement_leads_to_the_feedback_form_with_its_topic(client, db):
    html = get(client, "/accessibility/", "en").content.decode()
    assert "/feedback/?topic=accessibility" in html
    form = get(client, "/feedback/?topic=accessibility", "en").content.decode()
    assert '<option value="accessibility" selected>' in form


def test_favicon_is_served_by_the_app(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header


def _boom(request):
    raise RuntimeError("the database is down")


urlpatterns = [path("boom/", _boom), *site_urls.urlpatterns]
handler500 = site_urls.handler500


@pytest.mark.urls("tests.portal.test_information_pages")
@pytest.mark.parametrize(
    ("language", "heading", "sentence"),
    [
        ("ru", "Ошибка сервера", "попробуйте ещё раз"),
        ("tt", "Сервер хатасы", "кабатлап карагыз"),
        ("en", "Server error", "please try again"),
    ],
)
def test_the_500_page_is_branded_and_in_the_readers_language(db, language, heading, sentence):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html and sentence in html
    assert 'class="site-header"' in html and "favicon.svg" in html


REGISTRATION = {
    "kind": "resident",
    "last_name": "Галиева",
    "first_name": "Алсу",
    "contact": "alsu@example.org",
    "password": "Kazan-river-2026",
    "password_again": "Kazan-river-2026",
}


def test_registration_needs_consent_to_personal_data_processing(client, db):
    response = client.post(reverse("accounts:register"), REGISTRATION)
    assert response.status_code == 422
    assert not get_user_model().objects.filter(email="alsu@example.org").exists()
    html = response.content.decode()
    assert 'name="personal_data_consent"' in html and 'href="/privacy/"' in html


def test_consent_given_at_registration_is_recorded(client, db):
    response = client.post(
        reverse("accounts:register"), {**REGISTRATION, "personal_data_consent": "on"}
    )
    assert response.status_code == 302
    person = get_user_model().objects.get(email="alsu@example.org")
    assert person.personal_data_consent_at is not None


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/feedback/", {"name": "name", "email": "email"}),
        (
            "/requests/new/",
            {"contact_name": "name", "contact_email": "email", "contact_phone": "tel"},
        ),
        ("/discussions/subscribe/", {"email": "email"}),
    ],
)
def test_contact_fields_say_what_to_autocomplete(client, db, url, fields):
    html = client.get(url).content.decode()
    for name, token in fields.items():
        start = html.index(f'name="{name}"')
        tag = html[html.rindex("<", 0, start) : html.index(">", start)]
        assert f'autocomplete="{token}"' in tag, tag
