"""A decision rule's examples edited in the rule builder (issue 15): sample answers chosen and
typed in boxes per field and the expected outcome picked from a list, no JSON; publishing tries
them against the rules and refuses naming the example that fails; removing it lets it publish."""

from __future__ import annotations

import pytest

from cityhall.municipal_services.models import ServiceVersion
from tests.factories import MembershipFactory, OrganisationFactory

from .designer_steps import BASE, build_office_permit, land_registry, ok
from .factories import Department

pytestmark = pytest.mark.django_db

SMALL = {
    "title": "Офис 120 м²",
    "purpose": "office",
    "area": "120",
    "heritage_zone": "no",
    "expect": "small-office:approve",
}
WRONG = {"title": "Магазин", "purpose": "shop", "area": "50", "expect": "small-office:approve"}


def rules_post(version, examples: list[dict]) -> dict:
    """The rules page as posted: both rules as built, rule 1 with these example rows."""
    codes = [r["code"] for r in version.rules]
    data = {
        "revision": version.revision,
        "rows": "2",
        "r0-code": codes[0],
        "r0-variant": "small-office",
        "r0-match": "all",
        "r0-field1": "purpose",
        "r0-operator1": "eq",
        "r0-value1": "Офис",
        "r0-field2": "area",
        "r0-operator2": "le",
        "r0-value2": "300",
        "r0-field3": "heritage_zone",
        "r0-operator3": "no",
        "r0-outcome": "auto",
        "r0-examples": str(len(examples)),
        "r1-code": codes[1],
        "r1-variant": "large-office",
        "r1-match": "all",
        "r1-outcome": "expert",
    }
    for k, example in enumerate(examples):
        data.update({f"r0-ex{k}_{key}": value for key, value in example.items()})
    return data


def test_rule_examples_are_edited_without_json_and_a_failing_one_is_named_at_publishing(client):
    dept = Department()
    admin = MembershipFactory(organisation=dept.org, role="administrator").user
    land_registry(OrganisationFactory(name="Rosreestr"))
    client.force_login(admin)
    service = build_office_permit(client, dept.org)
    url = f"{BASE}/{service.code}/v1/rules/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="r0-ex0_area"' in page and 'name="r0-ex0_expect"' in page
    assert "Small office — approved automatically" in page
    version = service.versions.get()
    ok(client.post(url, rules_post(version, [SMALL, WRONG])))
    version.refresh_from_db()
    assert version.rules[0]["examples"] == [
        {
            "input": {"purpose": "office", "area": 120, "heritage_zone": False},
            "variant": "small-office",
            "decision": "approve",
            "title": "Офис 120 м²",
        },
        {
            "input": {"purpose": "shop", "area": 50},
            "variant": "small-office",
            "decision": "approve",
            "title": "Магазин",
        },
    ]
    # the stored examples come back in their boxes, words for choices
    page = client.get(url).content.decode()
    assert 'value="Офис 120 м²"' in page and 'value="120"' in page
    response = client.post(
        f"{BASE}/{service.code}/v1/publish/",
        {"revision": version.revision},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = response.content.decode()
    assert "Example “Магазин” of rule" in text and "large-office" in text
    version.refresh_from_db()
    assert version.status == ServiceVersion.Status.DRAFT
    # the failing example removed ("remove" ticked), the version publishes
    ok(client.post(url, rules_post(version, [SMALL, {**WRONG, "remove": "on"}])))
    version.refresh_from_db()
    assert [e["title"] for e in version.rules[0]["examples"]] == ["Офис 120 м²"]
    ok(client.post(f"{BASE}/{service.code}/v1/publish/", {"revision": version.revision}))
    version.refresh_from_db()
    assert version.status == ServiceVersion.Status.PUBLISHED
