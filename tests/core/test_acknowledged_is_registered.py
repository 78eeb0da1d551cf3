"""Nothing acknowledged ends unregistered (issue 12, item 1).

Every kind of submission that the intake inbox acknowledges — an Open311 request, a request
through the JSON API, a proposal, an application — is sent with generated text at every length
limit, with control characters, NUL, lone surrogates and Unicode, and with file names of every
length. Each must be either refused at once with a 4xx (nothing stored) or acknowledged and
then registered by the inbox worker: never a 5xx, never acknowledged and then failed. The
PostgreSQL run of the suite is the one that matters most: SQLite forgives lengths and NUL.
"""

from __future__ import annotations

import io
import random
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from cityhall.accounts.tokens import create_api_token
from cityhall.core import inbox
from cityhall.core.models import InboxItem
from cityhall.service_requests import services as request_services
from tests.discussions.factories import DiscussionFactory, verified_person
from tests.factories import OrganisationFactory, UserFactory
from tests.municipal_services.factories import BASE_DEFINITION, Department, published_service
from tests.service_requests.factories import make_world

pytestmark = pytest.mark.django_db

# Lengths around every column and form limit of the submissions (30, 100, 150, 200, 254/255,
# 300, 5000 …), so that a value just over a limit is tried as well as one just under it.
LIMITS = (0, 1, 29, 30, 31, 99, 100, 101, 150, 151, 199, 200, 201, 254, 255, 256, 300, 301,
          2000, 4999, 5000, 5001)  # fmt: skip
AWKWARD = ("\x00", "\x01", "\x08", "\x1b", "\x7f", "\x85", "\u200b", "\ufeff", "\u2028",
           "\ufffe", "\U0001f600", "ё", "ә", "\t", "\n", "\r", "'", '"', "<", "&", "\\u0000",
           "/", "..", "%00", " ")  # fmt: skip
SURROGATES = ("\ud800", "\udfff", "\udc80")


def _awkward_text(length: int, filler: str, inserts: list[str], seed: int) -> str:
    """``length`` characters of ``filler`` with the awkward ones put in at random places."""
    chars = list(filler * length)
    rng = random.Random(seed)
    for insert in inserts:
        if chars:
            chars[rng.randrange(len(chars))] = insert
    return "".join(chars)[: max(length, 0)] if length else "".join(inserts)[:1]


def texts(*, surrogates: bool) -> st.SearchStrategy[str]:
    awkward = AWKWARD + (SURROGATES if surrogates else ())
    return st.builds(
        _awkward_text,
        st.sampled_from(LIMITS),
        st.sampled_from(["a", "Ж", "ә", " ", "9", "\U0001f600"]),
        st.lists(st.sampled_from(awkward), max_size=4),
        st.integers(0, 2**16),
    )


def file_names() -> st.SearchStrategy[str]:
    stems = st.builds(
        _awkward_text,
        st.sampled_from((1, 8, 50, 95, 100, 101, 200, 240, 255, 256, 300)),
        st.sampled_from(["f", "Ф", "x"]),
        st.lists(st.sampled_from(("ё", " ", "'", "..", "\U0001f600", ";", "%")), max_size=3),
        st.integers(0, 2**16),
    )
    suffixes = st.sampled_from(
        (".png", ".PNG", ".jpeg", "", ".html", ".png.exe", ".tar.gz", "." + "p" * 40)
    )
    # names Django's own upload classes refuse to carry ("." and "..") are no upload at all
    return st.builds(lambda stem, suffix: stem + suffix, stems, suffixes).filter(
        lambda name: name.strip() not in {"", ".", ".."}
    )


def png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 200, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _registered_or_refused(response, accepted=(200, 201, 202)) -> None:
    """The contract: a 4xx refusal at once, or an acknowledgement that registration keeps."""
    assert response.status_code < 500, response.content[:500]
    if response.status_code not in accepted:
        assert 400 <= response.status_code < 500
        return
    inbox.drain()
    failed = InboxItem.objects.exclude(state__in=[InboxItem.DONE, InboxItem.REFUSED])
    assert not failed.exists(), [(i.state, i.attempts, i.kind) for i in failed]
    refused = InboxItem.objects.filter(state=InboxItem.REFUSED)
    # a refusal after the acknowledgement is only for what could change in between (a repeat
    # seen by the worker, a deadline passed); none applies to these generated submissions
    assert not refused.exists(), [(i.kind, i.error) for i in refused]


@pytest.fixture
def background(settings):
    settings.INBOX_INLINE = False


@pytest.fixture
def requests_world(db, settings):
    settings.STAFF_REQUIRE_OTP = False
    request_services.forget_catalogue()
    world = make_world()
    _client, key = request_services.create_open311_client(name="City app", actor=None)
    yield world, key
    request_services.forget_catalogue()


@HYPOTHESIS
@given(
    description=texts(surrogates=False),
    name=texts(surrogates=False),
    email=st.sampled_from(["", "a@example.org", "x" * 250 + "@e.org", "bad"]),
    phone=texts(surrogates=False),
    address=texts(surrogates=False),
    photo_name=file_names(),
)
def test_open311_post(
    client, background, requests_world, description, name, email, phone, address, photo_name
):
    _world, key = requests_world
    data = {
        "api_key": key,
        "service_code": "leak",
        "description": description,
        "first_name": name,
        "last_name": name[:10],
        "email": email,
        "phone": phone,
        "media": png(photo_name),
    }
    if address.strip():
        data["address_string"] = address
    else:
        data.update(lat="55.78001", long="49.05001")
    _registered_or_refused(client.post("/open311/v2/requests.json", data))


@HYPOTHESIS
@given(
    description=texts(surrogates=True),
    phone=texts(surrogates=True),
    address=texts(surrogates=True),
    answer=texts(surrogates=True),
)
def test_api_request(client, background, requests_world, description, phone, address, answer):
    person = UserFactory()
    body = {
        "category": "lift",
        "description": description,
        "contact_phone": phone,
        "attributes": {"people_inside": "yes", "note": answer},
    }
    if address.strip():
        body["address"] = address
    else:
        body.update(lat=55.78001, lon=49.05001)
    response = client.post(
        "/api/v1/requests/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {create_api_token(user=person, name='t')}"},
    )
    _registered_or_refused(response)


@pytest.fixture
def open_discussion(db, settings):
    settings.STAFF_REQUIRE_OTP = False
    from tests.geo.factories import BuildingFactory, make_city

    city = make_city()
    home = BuildingFactory(street="ул. Западная", house="1", lat=55.78, lon=49.05)
    discussion = DiscussionFactory(
        organiser=OrganisationFactory(council=True, name="Городская Дума"), districts=[city.west]
    )
    return discussion, home


@HYPOTHESIS
@given(text=texts(surrogates=True), kind=st.sampled_from(["proposal", "question", "x" * 30]))
def test_api_proposal(client, background, open_discussion, text, kind):
    discussion, home = open_discussion
    person = verified_person(home)
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": text, "kind": kind},
        content_type="application/json",
        headers={"Authorization": f"Bearer {create_api_token(user=person, name='t')}"},
    )
    _registered_or_refused(response)


@HYPOTHESIS
@given(text=texts(surrogates=False), name=file_names())
def test_web_proposal_with_attachment(client, open_discussion, text, name):
    """The web form registers inline: a 302 to the proposal, or the form again with errors."""
    discussion, home = open_discussion
    client.force_login(verified_person(home))
    response = client.post(
        f"/discussions/{discussion.pk}/propose/",
        {"kind": "proposal", "text": text, "attachments": png(name)},
    )
    assert response.status_code in (200, 302, 400, 403, 409, 422), response.content[:300]
    assert not InboxItem.objects.exclude(state__in=[InboxItem.DONE, InboxItem.REFUSED]).exists()


NO_DOCUMENTS = {"documents": [BASE_DEFINITION["documents"][1]]}  # only an optional one


@pytest.fixture
def service(db):
    return published_service(Department(), **NO_DOCUMENTS)


@HYPOTHESIS
@given(name=texts(surrogates=True), address=texts(surrogates=True), key=texts(surrogates=True))
def test_api_application(client, background, service, name, address, key):
    person = UserFactory()
    answers = {"applicant_name": name, "purpose": "office", "area": 120, "address": address}
    if key:
        answers[key[:50]] = "extra"
    response = client.post(
        "/api/v1/applications",
        {"service": service.code, "submit": True, "answers": answers},
        content_type="application/json",
        headers={"Authorization": f"Bearer {create_api_token(user=person, name='t')}"},
    )
    _registered_or_refused(response)


@pytest.mark.parametrize("length", [200, 300])
def test_web_request_with_a_long_photo_name_is_registered_under_a_platform_name(
    client, requests_world, length
):
    """The issue's case: a 200-character photo name was a 500 on PostgreSQL (varchar(100))."""
    from cityhall.service_requests.models import ServiceRequest

    world, _key = requests_world
    client.force_login(world.resident)
    name = "фото-" + "x" * (length - 9) + ".PNG"
    response = client.post(
        "/requests/new/",
        {
            "category": "leak",
            "address": "ул. Баумана, 5",
            "description": "Water drips from the ceiling",
            "contact_phone": "+79005550000",
            "applicant_kind": "person",
            "photos": [png(name)],
        },
    )
    assert response.status_code == 302, response.content[:300]
    stored = ServiceRequest.objects.get().photos.get().stored.file.name
    assert re.fullmatch(r"requests/\d{4}/\d{2}/[0-9a-f]{32}\.png", stored), stored
