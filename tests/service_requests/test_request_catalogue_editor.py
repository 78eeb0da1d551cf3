"""The request catalogue editor, through its pages: an administrator edits a category in a
draft (texts, limits in minutes/hours/days of working or calendar time, questions with answers
in three languages), sees the difference and publishes; refusals name the field; two
administrators saving the same draft see a conflict; every publish is audited with the
difference."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from cityhall.core.models import AuditRecord
from cityhall.service_requests.models import Category, CategoryDraft
from tests.factories import MembershipFactory

from .factories import submit

BASE = "/requests/staff/catalogue/"


@pytest.fixture
def administrator(world):
    return MembershipFactory(organisation=world.committee, role="administrator").user


class _FormReader(HTMLParser):
    """The values of the page's first ``form.form``: what a browser would send unchanged."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self.depth = 0
        self.done = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and "form" in (a.get("class") or "").split():
            self.depth = 1
        if not self.depth:
            return
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[name] = "on"
            else:
                self.data[name] = a.get("value") or ""
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select] = a.get("value") or ""
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self.depth:
            self.depth, self.done = 0, True
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data.strip()


def _details(page_html: str) -> dict:
    reader = _FormReader()
    reader.feed(page_html)
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader.data


def _open_draft(client, category) -> tuple[str, dict]:
    response = client.post(BASE, {"category": category.pk})
    assert response.status_code == 302
    url = response["Location"]
    page = client.get(url)
    assert page.status_code == 200
    return url, _details(page.content.decode())


def test_an_administrator_sets_thirty_calendar_minutes_and_a_question_and_publishes(
    client, world, administrator
):
    filed = submit(world, category=world.lift, attributes={"people_inside": "yes"})
    client.force_login(administrator)
    assert (
        "Lift" in client.get(BASE).content.decode()
        or world.lift.name in client.get(BASE).content.decode()
    )
    url, data = _open_draft(client, world.lift)
    assert data["amount_new"] == "30" and data["unit_new"] == "hours"
    data |= {"amount_new": "30", "unit_new": "minutes", "kind_new": "calendar"}
    data["guidance_ru"] = "Звоните 112."
    assert client.post(url, data).status_code == 302
    # A new question, its answers given in three languages; no code typed anywhere.
    revision = CategoryDraft.objects.get().revision
    response = client.post(
        url + "questions/new/",
        {
            "revision": revision,
            "wording_ru": "Какой этаж?",
            "wording_en": "Which floor?",
            "datatype": "singlevaluelist",
            "required": "on",
            "option_count": "3",
            "option_0_ru": "Первый",
            "option_0_en": "Ground",
            "option_1_ru": "Выше",
            "option_1_tt": "Өстә",
            "option_2_ru": "",
        },
    )
    assert response.status_code == 302
    review = client.get(url + "publish/").content.decode()
    assert "30 calendar minutes" in review and "Which floor?" not in review  # ru wording shown
    assert "Какой этаж?" in review
    response = client.post(url + "publish/", {"revision": CategoryDraft.objects.get().revision})
    assert response.status_code == 302
    world.lift.refresh_from_db()
    version = world.lift.current_version
    assert version.number == 2
    assert version.limits.get(stage="new").unit == "calendar_minutes"
    assert version.limits.get(stage="new").amount == 30
    floor = version.attributes[-1]
    assert floor["code"] == "q1" and floor["description_en"] == "Which floor?"
    assert [v["key"] for v in floor["values"]] == ["a1", "a2"]
    assert floor["values"][1]["name_tt"] == "Өстә"
    assert world.lift.guidance_ru == "Звоните 112."
    filed.refresh_from_db()
    assert filed.category_version.number == 1  # filed requests keep theirs
    assert not CategoryDraft.objects.exists()
    record = AuditRecord.objects.get(action="service_requests.catalogue_draft_published")
    assert record.after["limit_new"] == "30 calendar minutes"
    assert record.before["limit_new"] == "30 calendar hours"


def test_minutes_of_working_time_are_refused_beside_the_stage(client, world, administrator):
    client.force_login(administrator)
    url, data = _open_draft(client, world.leak)
    data |= {"amount_routed": "45", "unit_routed": "minutes", "kind_routed": "working"}
    response = client.post(url, data)
    assert response.status_code == 422
    text = response.content.decode()
    assert "Minutes are counted in calendar time only" in text
    assert 'id="id_amount_routed_error"' in text
    assert CategoryDraft.objects.get().limits["routed"] == [1, "working_days"]  # unchanged


def test_publishing_an_emergency_in_working_time_is_refused_with_every_problem(
    client, world, administrator
):
    client.force_login(administrator)
    url, data = _open_draft(client, world.lift)
    data |= {"amount_in_work": "2", "unit_in_work": "days", "kind_in_work": "working"}
    data["name_ru"] = ""
    assert client.post(url, data).status_code == 302
    response = client.post(url + "publish/", {"revision": CategoryDraft.objects.get().revision})
    assert response.status_code == 422
    text = response.content.decode()
    assert "Name (Russian): Give the category" in text
    assert "Limit: In work: An emergency runs in calendar time" in text
    world.lift.refresh_from_db()
    assert world.lift.current_version.number == 1  # nothing published half-valid


def test_two_administrators_saving_one_draft_see_a_conflict(client, world, administrator):
    other = MembershipFactory(organisation=world.committee, role="administrator").user
    client.force_login(administrator)
    url, mine = _open_draft(client, world.leak)
    client.force_login(other)
    _same, theirs = _open_draft(client, world.leak)
    theirs["name_en"] = "Leaking roof"
    assert client.post(url, theirs).status_code == 302
    client.force_login(administrator)
    mine["name_en"] = "Roof leak"
    response = client.post(url, mine)
    assert response.status_code == 409
    text = response.content.decode()
    assert "Saved meanwhile by someone else" in text and "Leaking roof" in text
    assert CategoryDraft.objects.get().name_en == "Leaking roof"  # not overwritten
    # Saving again from the conflict page is a choice made with the other's value in view.
    again = _details(text)
    assert client.post(url, again).status_code == 302
    assert CategoryDraft.objects.get().name_en == "Roof leak"


def test_a_new_category_gets_its_code_from_the_english_name(client, world, administrator):
    client.force_login(administrator)
    response = client.post(BASE, {})
    url = response["Location"]
    data = _details(client.get(url).content.decode())
    data |= {
        "name_ru": "Граффити",
        "name_en": "Graffiti on walls",
        "responsible_type": "managing_organisation",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url + "publish/", {"revision": CategoryDraft.objects.get().revision})[
        "Location"
    ].endswith(BASE)
    created = Category.objects.get(code="graffiti_on_walls")
    assert created.current_version.number == 1 and created.name_ru == "Граффити"


def test_people_without_the_administrator_role_cannot_open_the_editor(client, world):
    client.force_login(world.dispatcher)
    assert client.get(BASE).status_code == 403
    assert client.post(BASE, {"category": world.leak.pk}).status_code == 403
    assert not CategoryDraft.objects.exists()


def test_a_service_designer_edits_the_catalogue(client, world):
    designer = MembershipFactory(organisation=world.committee, role="service_designer").user
    client.force_login(designer)
    assert client.get(BASE).status_code == 200
