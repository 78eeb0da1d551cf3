"""The web form and the call-centre screen: one intake, clear field errors, nothing
half-created, the acknowledgement only after commit (with its notification in the outbox)."""

from __future__ import annotations

from django.urls import reverse

from cityhall.core.models import AuditRecord, InboxItem
from cityhall.notifications.models import Message
from cityhall.service_requests.models import Channel, Photo, ServiceRequest, Status

from .factories import photo, submit


def _form(world, **extra):
    data = {
        "category": "leak",
        "address": "ул. Баумана, 5",
        "description": "Water drips from the ceiling in the stairwell",
        "contact_phone": "+79005550000",
        "applicant_kind": "person",
    }
    data.update(extra)
    return data


def test_resident_reports_a_leak_and_follows_it(client, world):
    client.force_login(world.resident)
    response = client.post(reverse("service_requests:new"), _form(world, photos=[photo()]))
    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("service_requests:track", args=[request.public_token])
    assert request.author == world.resident
    assert request.channel == Channel.WEB
    assert request.organisation == world.manager
    assert request.photos.get().width == 40
    assert AuditRecord.objects.filter(
        action="service_requests.submitted", object_id=str(request.pk)
    ).exists()
    assert Message.objects.filter(
        recipient=world.resident, event="service_requests.received"
    ).exists()
    page = client.get(response["Location"])
    assert request.number in page.content.decode()
    assert "UK Baumana" in page.content.decode()


def test_the_form_works_without_an_account(client, world):
    response = client.post(
        reverse("service_requests:new"), _form(world, contact_email="a@example.org")
    )
    assert response.status_code == 302
    request = ServiceRequest.objects.get()
    assert request.author is None and request.contact_phone == "+79005550000"
    assert Message.objects.filter(address="a@example.org", channel="email").exists()


def test_ambiguous_address_offers_the_buildings_to_choose(client, world):
    response = client.post(reverse("service_requests:new"), _form(world, address="Баумана"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "ул. Баумана, д. 5" in body or "Баумана" in body
    assert f'value="{world.other_building.pk}"' in body
    assert not ServiceRequest.objects.exists()
    chosen = client.post(
        reverse("service_requests:new"),
        _form(world, address="Баумана", building=str(world.other_building.pk)),
    )
    assert chosen.status_code == 302
    assert ServiceRequest.objects.get().building == world.other_building


def test_each_bad_field_gets_its_own_error_and_nothing_is_created(client, world):
    bad_file = __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
        "virus.png", b"MZ not really a picture", content_type="image/png"
    )
    response = client.post(
        reverse("service_requests:new"),
        _form(
            world,
            category="teleport",
            address="",
            description="",
            contact_phone="",
            photos=[bad_file],
        ),
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Choose a category from the list." in body
    assert "Give the address or a point on the map." in body
    assert "virus.png is not a file of an accepted type (JPEG, PNG, WebP, GIF)." in body
    assert "Leave a phone number or an e-mail" in body
    assert not ServiceRequest.objects.exists() and not Photo.objects.exists()


def test_a_point_outside_the_city_is_refused(client, world):
    response = client.post(
        reverse("service_requests:new"), _form(world, address="", lat="59.93", lon="30.31")
    )
    assert response.status_code == 422
    assert "This point is outside the city." in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_an_oversized_photo_is_refused(client, world, settings):
    from cityhall.service_requests.services import photos as photo_rules

    big = photo(size=(2000, 2000), fmt="BMP", name="huge.bmp")
    assert big.size > 1024 * 1024
    original = photo_rules.MAX_PHOTO_BYTES
    photo_rules.MAX_PHOTO_BYTES = 1024 * 1024
    try:
        response = client.post(reverse("service_requests:new"), _form(world, photos=[big]))
    finally:
        photo_rules.MAX_PHOTO_BYTES = original
    assert response.status_code == 422
    assert "huge.bmp is larger than 1 MB." in response.content.decode()


def test_required_question_of_the_category(client, world):
    response = client.post(reverse("service_requests:new"), _form(world, category="lift"))
    assert response.status_code == 422
    assert "Answer this question." in response.content.decode()
    ok = client.post(
        reverse("service_requests:new"),
        _form(world, category="lift", **{"attribute[people_inside]": "yes"}),
    )
    assert ok.status_code == 302
    assert ServiceRequest.objects.get().attributes == {"people_inside": "yes"}


def test_likely_duplicates_are_shown_before_sending_again(client, world):
    first = submit(world)
    response = client.post(
        reverse("service_requests:new"),
        _form(world, building=str(world.building.pk), description=""),
    )
    assert response.status_code == 422
    assert first.number in response.content.decode()


def test_operator_registers_a_call_for_a_person_without_account(client, world):
    earlier = submit(world, author=None, contact_name="Ivan", contact_phone="+79007770000")
    client.force_login(world.operator)
    page = client.get(reverse("service_requests:operator") + "?phone=%2B79007770000")
    assert earlier.number in page.content.decode()
    response = client.post(
        reverse("service_requests:operator"),
        _form(world, contact_name="Ivan Petrov", contact_phone="+79007770000", category="heating"),
    )
    assert response.status_code == 302
    created = ServiceRequest.objects.exclude(pk=earlier.pk).get()
    assert created.channel == Channel.OPERATOR
    assert created.entered_by == world.operator
    assert created.author is None and created.contact_name == "Ivan Petrov"
    assert created.organisation == world.supplier
    assert Message.objects.filter(address="+79007770000", channel="sms").count() == 2


def test_operator_links_a_known_caller_to_their_account(client, world):
    client.force_login(world.operator)
    response = client.post(
        reverse("service_requests:operator"),
        _form(world, contact_name="", contact_phone=world.resident.phone),
    )
    assert response.status_code == 302
    assert ServiceRequest.objects.get().author == world.resident


def test_residents_cannot_open_the_call_centre(client, world):
    client.force_login(world.resident)
    assert client.get(reverse("service_requests:operator")).status_code == 403


def test_emergency_request_is_flagged_and_timed_in_hours(world):
    request = submit(world, category=world.lift, attributes={"people_inside": "no"})
    assert request.status == Status.ROUTED
    assert (request.stage_due_at - request.created_at).total_seconds() == 3600


def test_emergency_alerts_the_organisations_crew(world):
    request = submit(world, category=world.lift, attributes={"people_inside": "yes"})
    alert = Message.objects.get(
        recipient=world.executor, event="service_requests.emergency", channel="cabinet"
    )
    assert request.number in alert.subject
    submit(world)  # routine: no alert
    assert (
        Message.objects.filter(event="service_requests.emergency").count()
        == Message.objects.filter(
            event="service_requests.emergency", subject__contains=request.number
        ).count()
    )


def test_the_call_centre_registers_through_the_intake_inbox_with_the_operator_as_actor(
    client, world
):
    client.force_login(world.operator)
    response = client.post(
        reverse("service_requests:operator"),
        _form(world, contact_name="Ivan Petrov", contact_phone="+79007770001"),
    )
    assert response.status_code == 302
    created = ServiceRequest.objects.get()
    receipt = InboxItem.objects.get()
    assert receipt.kind == "service_requests.request" and receipt.state == "done"
    assert receipt.actor_id == world.operator.pk and receipt.ref == created.number
    assert created.history.get().actor == world.operator
    record = AuditRecord.objects.get(action="service_requests.submitted")
    assert record.actor_id == world.operator.pk and record.after["channel"] == "operator"
    assert created.number.endswith("-0000001")
    again = client.post(
        reverse("service_requests:operator"),
        _form(world, contact_name="Ivan Petrov", contact_phone="+79007770001"),
    )
    assert again.status_code == 302
    assert ServiceRequest.objects.latest("pk").number.endswith("-0000002")


def test_a_malformed_e_mail_is_refused_on_the_form(client, world):
    response = client.post(
        reverse("service_requests:new"), _form(world, contact_email="resident at example")
    )
    assert response.status_code == 422
    assert not ServiceRequest.objects.exists() and not InboxItem.objects.exists()
