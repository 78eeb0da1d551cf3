"""Databases that already hold life situations move onto versions (migration
municipal_services 0013): each situation's questionnaire, hints and steps become its version 1,
published when the situation is offered (a draft when it is not and nobody applied; retired when
cases were submitted on it), and existing cases point at that version. Run with rows on SQLite
and PostgreSQL (where filling and altering the tables in one transaction fails)."""

from __future__ import annotations

import pytest

from tests.migration_steps import migrate_to

QUESTIONNAIRE = {"type": "object", "properties": {"company": {"type": "string"}}}


@pytest.mark.django_db(transaction=True)
def test_existing_situations_become_version_1_and_their_cases_keep_it(client):
    old = migrate_to([("municipal_services", "0012_request_type_form_versions")])
    try:
        User = old.get_model("accounts", "User")
        Organisation = old.get_model("accounts", "Organisation")
        Service = old.get_model("municipal_services", "Service")
        Situation = old.get_model("municipal_services", "LifeSituation")
        Step = old.get_model("municipal_services", "LifeSituationStep")
        Case = old.get_model("municipal_services", "LifeSituationCase")
        applicant = User.objects.create(username="applicant")
        department = Organisation.objects.create(name="Architecture", type="executive_department")
        lease = Service.objects.create(code="lease", department=department)
        permit = Service.objects.create(code="permit", department=department)
        offered = Situation.objects.create(
            code="office", questionnaire=QUESTIONNAIRE, ui={"fields": {"company": {}}}
        )
        first = Step.objects.create(situation=offered, service=lease, order=1)
        second = Step.objects.create(
            situation=offered, service=permit, order=2, prefill={"name": "company"}
        )
        second.requires.add(first)
        Case.objects.create(situation=offered, applicant=applicant, number="LS-1")
        Situation.objects.create(code="resting", questionnaire=QUESTIONNAIRE, is_active=False)
        closed = Situation.objects.create(code="closed", is_active=False)
        Case.objects.create(situation=closed, applicant=applicant, number="LS-2")
    finally:
        new = migrate_to()

    Version = new.get_model("municipal_services", "LifeSituationVersion")
    Case = new.get_model("municipal_services", "LifeSituationCase")
    office = Version.objects.get(situation__code="office")
    assert (office.number, office.status) == (1, "published") and office.published_at
    assert office.questionnaire == QUESTIONNAIRE and office.ui == {"fields": {"company": {}}}
    steps = {s.service.code: s for s in office.steps.all()}
    assert steps["permit"].prefill == {"name": "company"}
    assert list(steps["permit"].requires.all()) == [steps["lease"]]
    assert Case.objects.get(number="LS-1").version_id == office.pk
    assert Version.objects.get(situation__code="resting").status == "draft"
    closed = Version.objects.get(situation__code="closed")
    assert closed.status == "retired" and Case.objects.get(number="LS-2").version_id == closed.pk
    # The offered situation is what residents see, read from its version.
    assert client.get("/services/situations/office/").status_code == 200
    assert client.get("/services/situations/resting/").status_code == 404
