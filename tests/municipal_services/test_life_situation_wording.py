"""Issue 16 item 25: a life situation's introduction is in the reader's language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .factories import life_situation


@pytest.mark.parametrize(
    ("language", "intro"),
    [("ru", "Одна анкета"), ("tt", "Бер анкета"), ("en", "One questionnaire for")],
)
def test_the_introduction_is_in_the_readers_language(client, db, language, intro):
    life_situation(
        "build-an-office",
        {"ru": "Построить офис", "tt": "Офис төзү", "en": "Build an office"},
        {"type": "object", "properties": {}},
        description={
            "ru": "Одна анкета — все услуги.",
            "tt": "Бер анкета — барлык хезмәтләр.",
            "en": "One questionnaire for every service.",
        },
    )
    client.cookies["django_language"] = language
    response = client.get(reverse("municipal_services:life_situation", args=["build-an-office"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert intro in html
    if language != "ru":
        assert "Одна анкета" not in html
