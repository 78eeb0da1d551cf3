"""Issue 16 item 25: the request pages speak the reader's language — a category's questions
and their choices are worded per language (no "ru / en" labels), and staff read routing
decisions in words, not codes such as ``building_manager``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.service_requests import services

from .factories import EMERGENCY_LIMITS, ROUTINE_LIMITS, submit

YES_NO = [
    {"key": "yes", "name": "Да", "name_tt": "Әйе", "name_en": "Yes"},
    {"key": "no", "name": "Нет", "name_tt": "Юк", "name_en": "No"},
]
QUESTION = {
    "code": "people_inside",
    "datatype": "singlevaluelist",
    "required": True,
    "description": "Есть ли люди в кабине?",
    "description_tt": "Кабинада кешеләр бармы?",
    "description_en": "Is anybody inside?",
    "values": YES_NO,
}


@pytest.mark.parametrize(
    ("language", "question", "yes", "others"),
    [
        ("ru", "Есть ли люди в кабине?", "Да", ["Is anybody inside?", "Кабинада"]),
        ("tt", "Кабинада кешеләр бармы?", "Әйе", ["Is anybody inside?", "Есть ли люди"]),
        ("en", "Is anybody inside?", "Yes", ["Есть ли люди", "Кабинада"]),
    ],
)
def test_category_questions_are_worded_in_the_readers_language(
    client, world, language, question, yes, others
):
    services.publish_category_version(
        category=world.lift,
        actor=None,
        attributes=[QUESTION],
        limits=EMERGENCY_LIMITS if world.lift.is_emergency else ROUTINE_LIMITS,
    )
    client.cookies["django_language"] = language
    html = client.get(reverse("service_requests:new") + "?category=lift").content.decode()
    assert question in html and f">{yes}<" in html
    for other in others:
        assert other not in html


def test_staff_read_the_routing_decision_in_words(client, world):
    request = submit(world)
    client.force_login(world.executor)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("service_requests:staff_detail", args=[request.pk])).content.decode()
    assert "building_manager" not in html
    assert "Routed to the organisation that manages the building." in html
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("service_requests:staff_detail", args=[request.pk])).content.decode()
    assert "Направлена организации, управляющей зданием." in html
