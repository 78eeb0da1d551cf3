"""Interdepartmental request types' forms built in the designer (issue 15), through its pages:
fields chosen by kind with where the case fills each from (no JSON, no codes), a draft
published after its checks with the difference audited, a conflict between two officials, who
may design, and staff sending the request getting the published form filled from the case."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from cityhall.core.models import AuditRecord
from cityhall.municipal_services import services
from cityhall.municipal_services.models import (
    RequestTypeFormVersion,
    StandardRequest,
    StandardRequestType,
)
from tests.factories import MembershipFactory

from .designer_steps import ok, revision, texts
from .factories import BASE_DEFINITION, Department, published_service, submitted_application

pytestmark = pytest.mark.django_db

BASE = "/staff/services/request-types"
V1 = f"{BASE}/land-registry/v1/"


@pytest.fixture
def registry():
    dept = Department("Committee of Land and Property Relations")
    dept.admin = MembershipFactory(organisation=dept.org, role="administrator").user
    dept.kind = StandardRequestType.objects.create(
        code="land-registry",
        name={"ru": "Выписка из ЕГРН", "tt": "ЕГРН өземтәсе", "en": "Land registry extract"},
        form_schema={"type": "object", "properties": {"cadastral_number": {"type": "string"}}},
        addressee=dept.org,
    )
    return dept


def _field(**values) -> dict:
    return {"kind": "text", "source": "", **values}


def _case(kind):
    """A case on a service whose "general" variant requires the land-registry request."""
    dept = Department()
    variants = [dict(v) for v in BASE_DEFINITION["variants"]]
    variants[1]["requests"] = [kind.code]
    application = submitted_application(published_service(dept, variants=variants))
    services.accept_application(application=application, actor=dept.operator)
    return dept, application


def test_an_administrator_designs_the_form_and_staff_get_it_filled_from_the_case(client, registry):
    dept, application = _case(registry.kind)
    client.force_login(registry.admin)
    listing = client.get(BASE + "/").content.decode()
    assert "Land registry extract" in listing and "not designed yet" in listing
    ok(client.post(f"{BASE}/land-registry/start/"))
    page = client.get(V1).content.decode()
    # the form used until now is the draft's start; the service's answers are offered by name
    assert "cadastral_number" in page and "the answer “Area, m²” (Building permit)" in page
    assert "{" not in page.split('id="add"', 1)[1].split("</form>", 1)[0].replace("{{", "")
    ok(
        client.post(
            V1,
            _field(
                revision=revision(client, V1),
                required="on",
                source="case:applicant",
                **texts("label", "Заявитель", "Гариза бирүче", "Applicant"),
            ),
        )
    )
    ok(
        client.post(
            V1,
            _field(
                revision=revision(client, V1),
                kind="number",
                unit="м²",
                source="answer:area",
                **texts("label", "Площадь", "Мәйдан", "Floor area"),
            ),
        )
    )
    ok(
        client.post(
            V1,
            _field(
                revision=revision(client, V1),
                source="case:number",
                **texts("label", "Номер заявления", "Гариза номеры", "Case number"),
            ),
        )
    )
    draft = RequestTypeFormVersion.objects.get()
    assert draft.ui["order"] == [
        "cadastral_number",
        "applicant",
        "floor_area",
        "case_number",
    ]
    assert draft.ui["fields"]["floor_area"]["from"] == "answer:area"
    page = client.get(V1).content.decode()
    assert "the applicant’s full name" in page or "the applicant&#x27;s full name" in page
    assert "Differences from the form used until now" in page and "floor_area" in page
    ok(client.post(V1 + "publish/", {"revision": revision(client, V1)}))
    draft.refresh_from_db()
    registry.kind.refresh_from_db()
    assert draft.status == "published"
    assert set(registry.kind.form_schema["properties"]) == set(draft.form_schema["properties"])
    published = AuditRecord.objects.get(action="municipal_services.request_form_published")
    assert {c["item"] for c in published.after["difference"]} >= {
        "applicant",
        "floor_area",
        "case_number",
    }
    # Staff sending the request get the published form, its labels and values from the case.
    client.force_login(dept.expert)
    url = f"/services/applications/{application.pk}/"
    form = client.get(url, {"request_type": registry.kind.pk}).content.decode()
    assert "Floor area" in form or "Площадь" in form
    assert 'value="500"' in form and f'value="{application.number}"' in form
    assert f'value="{escape(str(application.applicant))}"' in form
    ok(
        client.post(
            url + "act/",
            {
                "action": "send_request",
                "type": registry.kind.pk,
                "cadastral_number": "16:50:110101:42",
                "applicant": str(application.applicant),
                "floor_area": "500",
                "case_number": application.number,
            },
        )
    )
    assert StandardRequest.objects.get().payload["floor_area"] == 500


def test_a_save_from_an_older_revision_is_a_conflict_not_an_overwrite(client, registry):
    client.force_login(registry.admin)
    ok(client.post(f"{BASE}/land-registry/start/"))
    stale = revision(client, V1)
    other = MembershipFactory(organisation=registry.org, role="service_designer").user
    client.force_login(other)
    ok(client.post(V1, _field(revision=stale, **texts("label", "Адрес", "Адрес", "Address"))))
    client.force_login(registry.admin)
    response = client.post(
        V1, _field(revision=stale, **texts("label", "Телефон", "Телефон", "Phone")), follow=True
    )
    assert "Someone else saved this draft" in response.content.decode()
    properties = RequestTypeFormVersion.objects.get().form_schema["properties"]
    assert "address" in properties and "phone" not in properties
    # publishing what one did not review is refused the same way
    response = client.post(V1 + "publish/", {"revision": stale}, follow=True)
    assert "Someone else saved this draft" in response.content.decode()
    assert RequestTypeFormVersion.objects.get().status == "draft"


def test_an_empty_form_is_refused_at_publishing_with_the_reason(client, registry):
    client.force_login(registry.admin)
    ok(client.post(f"{BASE}/land-registry/start/"))
    ok(client.post(V1 + "fields/cadastral_number/act/", {"action": "remove", "revision": "0"}))
    response = client.post(V1 + "publish/", {"revision": revision(client, V1)}, follow=True)
    assert "The form has no fields: add at least one." in response.content.decode()
    assert RequestTypeFormVersion.objects.get().status == "draft"


def test_a_published_form_is_kept_and_a_new_version_starts_from_it(client, registry):
    client.force_login(registry.admin)
    ok(client.post(f"{BASE}/land-registry/start/"))
    ok(client.post(V1 + "publish/", {"revision": revision(client, V1)}))
    page = client.get(V1).content.decode()
    assert "cannot be changed" in page and 'id="add"' not in page
    client.post(V1, _field(revision="1", **texts("label", "Х", "Х", "X")))
    assert set(RequestTypeFormVersion.objects.get().form_schema["properties"]) == {
        "cadastral_number"
    }
    ok(client.post(f"{BASE}/land-registry/start/"))
    v2 = RequestTypeFormVersion.objects.get(number=2)
    assert v2.status == "draft" and set(v2.form_schema["properties"]) == {"cadastral_number"}


def test_only_designers_of_the_addressee_department_design_its_form(client, registry):
    outsider = MembershipFactory(role="administrator").user
    client.force_login(outsider)
    assert client.post(f"{BASE}/land-registry/start/").status_code == 403
    client.force_login(registry.expert)
    assert client.get(BASE + "/").status_code == 403
    assert not RequestTypeFormVersion.objects.exists()
