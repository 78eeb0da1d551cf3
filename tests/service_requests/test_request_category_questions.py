"""The category's questions on the request forms (issue 16, items 1 and 2): the call centre is
prompted with the chosen category's questions; the resident's form shows only the chosen
category's questions (a two-step form without JavaScript); a category whose choice question has
an empty option cannot be published."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cityhall.core.errors import InvalidInput
from cityhall.service_requests import services
from cityhall.service_requests.models import Channel, ServiceRequest

from .factories import make_category

QUESTION = "Is anybody stuck inside?"


def _form(**extra):
    data = {
        "category": "lift",
        "address": "ул. Баумана, 5",
        "description": "Stuck between floors",
        "contact_phone": "+79007770000",
        "contact_name": "Ivan",
        "applicant_kind": "person",
    }
    data.update(extra)
    return data


def _visible_sets(body: str) -> list[str]:
    """Codes of the question fieldsets that are neither hidden nor disabled."""
    return [
        m.group(1)
        for m in re.finditer(r'<fieldset[^>]*data-category="([\w-]+)"([^>]*)>', body)
        if "hidden" not in m.group(2)
    ]


def test_the_call_centre_is_prompted_with_the_chosen_categorys_questions(client, world):
    client.force_login(world.operator)
    first = client.post(
        reverse("service_requests:operator"), _form(step="questions", description="typed")
    )
    body = first.content.decode()
    assert first.status_code == 200
    assert _visible_sets(body) == ["lift"]
    assert QUESTION in body and 'name="attribute[people_inside]"' in body
    assert "typed" in body  # what was typed comes back
    assert not ServiceRequest.objects.exists()
    missing = client.post(reverse("service_requests:operator"), _form())
    assert missing.status_code == 422
    assert "Answer this question." in missing.content.decode()
    assert "attribute[people_inside]:" not in missing.content.decode()
    done = client.post(
        reverse("service_requests:operator"), _form(**{"attribute[people_inside]": "yes"})
    )
    assert done.status_code == 302
    created = ServiceRequest.objects.get()
    assert created.channel == Channel.OPERATOR and created.attributes == {"people_inside": "yes"}


def test_the_report_form_shows_only_the_chosen_categorys_questions(client, world):
    page = client.get(reverse("service_requests:new"))
    assert _visible_sets(page.content.decode()) == []
    assert "Show the questions for this category" in page.content.decode()
    routine = client.post(reverse("service_requests:new"), _form(category="leak", step="questions"))
    assert routine.status_code == 200 and _visible_sets(routine.content.decode()) == []
    lift = client.post(reverse("service_requests:new"), _form(step="questions"))
    assert lift.status_code == 200 and _visible_sets(lift.content.decode()) == ["lift"]
    assert 'value="yes"' in lift.content.decode()
    by_link = client.get(reverse("service_requests:new") + "?category=lift")
    assert _visible_sets(by_link.content.decode()) == ["lift"]
    sent = client.post(reverse("service_requests:new"), _form(**{"attribute[people_inside]": "no"}))
    assert sent.status_code == 302


def test_a_choice_with_an_empty_option_cannot_be_published(world):
    bad = [
        {
            "code": "entrance",
            "datatype": "singlevaluelist",
            "description": "Entrance number",
            "values": [{"key": "", "name": ""}, {"key": "1", "name": "1"}],
        }
    ]
    with pytest.raises(InvalidInput) as refused:
        services.publish_category_version(category=world.lift, actor=None, attributes=bad)
    assert "entrance" in str(refused.value.fields["attributes"][0])
    with pytest.raises(InvalidInput):
        make_category("pipe", attributes=bad)
    world.lift.refresh_from_db()
    assert world.lift.current_version.number == 1


def test_the_admin_refuses_a_version_with_an_empty_option(client, world, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", password="x" * 12)
    client.force_login(admin)
    response = client.post(
        reverse("admin:service_requests_categoryversion_add"),
        {
            "category": world.lift.pk,
            "attributes": '[{"code": "e", "datatype": "singlevaluelist", '
            '"values": [{"key": "", "name": ""}]}]',
            "limits-TOTAL_FORMS": "0",
            "limits-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "empty value or label" in response.content.decode()
