"""Sub-services and decision rules: the rules pick the variant from the answers, a typical
variant gets its decision proposed or taken automatically with the reason recorded, and the
examples stored beside the rules are run on publish."""

from __future__ import annotations

import pytest

from cityhall.core.errors import InvalidInput
from cityhall.municipal_services import services
from cityhall.municipal_services.definition import compile_rules
from cityhall.municipal_services.models import Application, ApplicationEvent, RegistryRecord

from .factories import Department, definition, published_service, submitted_application, texts

pytestmark = pytest.mark.django_db


def test_stored_examples_of_every_rule_hold():
    rules = definition()["rules"]
    compiled = compile_rules(rules)
    for rule in rules:
        for example in rule["examples"]:
            outcome = compiled.evaluate(example["input"])
            assert (outcome.variant, outcome.decision) == (example["variant"], example["decision"])


def test_a_failing_example_stops_publication_with_both_outcomes_named():
    dept = Department()
    rules = definition()["rules"]
    rules[0]["examples"][0]["decision"] = "refuse"
    service = services.create_service(actor=None, code="x", department=dept.org, name=texts("X"))
    draft = services.create_draft(actor=None, service=service, definition=definition(rules=rules))
    with pytest.raises(InvalidInput) as exc:
        services.publish_version(actor=None, version=draft)
    message = " ".join(exc.value.fields["rules"])
    assert "expects variant “small-office” and decision “refuse”" in message
    assert "the rules give “small-office” and “approve”" in message


def test_the_variant_is_chosen_on_submission():
    dept = Department()
    service = published_service(dept)
    shop = submitted_application(service)
    assert shop.variant == "general" and shop.proposed_decision == ""
    office = submitted_application(
        service,
        answers={
            "applicant_name": "ООО Офис",
            "purpose": "office",
            "area": 150,
            "heritage_zone": True,
        },
    )
    assert office.variant == "general"  # heritage zone: not the typical variant


def test_a_typical_variant_is_decided_automatically_after_the_document_check():
    dept = Department()
    service = published_service(dept)
    application = submitted_application(
        service, answers={"applicant_name": "ООО Офис", "purpose": "office", "area": 120}
    )
    assert application.variant == "small-office"
    assert application.proposed_decision == "approve"
    services.accept_application(application=application, actor=dept.operator)
    application.refresh_from_db()
    assert application.status == Application.Status.RESULT_ISSUED
    approved = ApplicationEvent.objects.get(application=application, kind="approved")
    assert approved.actor is None and approved.data["automatic"] is True
    assert "Typical office up to 300" in approved.text or "Типовой офис" in approved.text
    assert application.result.stored.file.read().startswith(b"%PDF")
    assert RegistryRecord.objects.filter(
        application=application, registry="building-permits"
    ).exists()


def test_a_proposed_decision_waits_for_the_decision_maker():
    dept = Department()
    rules = definition()["rules"]
    rules[0]["decision"]["mode"] = "propose"
    service = published_service(dept, rules=rules)
    application = submitted_application(
        service, answers={"applicant_name": "ООО Офис", "purpose": "office", "area": 120}
    )
    services.accept_application(application=application, actor=dept.operator)
    application.refresh_from_db()
    assert application.status == Application.Status.CONSIDERATION
    assert application.proposed_decision == "approve"
    assert application.proposal_reason


def test_fifty_rules_pick_the_right_variant():
    rules = [
        {
            "code": f"r{i}",
            "when": {
                "and": [
                    {"==": [{"var": "purpose"}, "office"]},
                    {">=": [{"var": "area"}, i * 10]},
                    {"<": [{"var": "area"}, i * 10 + 10]},
                ]
            },
            "variant": f"v{i}",
        }
        for i in range(50)
    ]
    compiled = compile_rules(rules)
    assert compiled.evaluate({"purpose": "office", "area": 437}).variant == "v43"
    assert compiled.evaluate({"purpose": "shop", "area": 437}).matched is False
