"""Service definitions as versioned data: publish refuses broken definitions with clear
errors, published versions are immutable (service layer and admin), open applications keep
their version, and definitions move between installations as files."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from cityhall.core.errors import Conflict, InvalidInput
from cityhall.core.models import AuditRecord
from cityhall.municipal_services import services
from cityhall.municipal_services.models import ServiceVersion
from tests.factories import UserFactory

from .factories import Department, definition, published_service, submitted_application, texts

pytestmark = pytest.mark.django_db


def _draft(dept, **overrides):
    service = services.create_service(
        actor=None, code="excavation", department=dept.org, name=texts("Ордер на земляные работы")
    )
    return services.create_draft(actor=None, service=service, definition=definition(**overrides))


def test_a_valid_definition_is_published_and_audited():
    dept = Department()
    version = _draft(dept)
    services.publish_version(actor=dept.decider, version=version)
    version.refresh_from_db()
    assert version.status == ServiceVersion.Status.PUBLISHED
    assert AuditRecord.objects.filter(action="municipal_services.version_published").exists()


def test_an_invalid_json_schema_cannot_be_published():
    dept = Department()
    broken = definition()["form_schema"]
    broken["properties"]["area"]["type"] = "decimal"  # not a JSON Schema type
    version = _draft(dept, form_schema=broken)
    with pytest.raises(InvalidInput) as exc:
        services.publish_version(actor=None, version=version)
    assert "form_schema" in exc.value.fields
    assert "not a valid JSON Schema" in exc.value.fields["form_schema"][0]
    version.refresh_from_db()
    assert version.status == ServiceVersion.Status.DRAFT


def test_rules_that_reference_unknown_fields_cannot_be_published():
    dept = Department()
    rules = definition()["rules"]
    rules[0]["when"] = {"==": [{"var": "land_category"}, "urban"]}
    version = _draft(dept, rules=rules)
    with pytest.raises(InvalidInput) as exc:
        services.publish_version(actor=None, version=version)
    messages = " ".join(exc.value.fields["rules"])
    assert "unknown fields: land_category" in messages


def test_a_rule_may_read_only_its_variants_closed_parameters():
    dept = Department()
    rules = definition()["rules"]
    rules[0]["when"] = {
        "==": [{"var": "floors"}, 2]
    }  # a form field, not a parameter of the variant
    version = _draft(dept, rules=rules)
    with pytest.raises(InvalidInput) as exc:
        services.publish_version(actor=None, version=version)
    assert "unknown fields: floors" in " ".join(exc.value.fields["rules"])


def test_ui_hints_and_workflow_are_checked_too():
    dept = Department()
    ui = definition()["ui"]
    ui["order"].append("nonexistent")
    workflow = {"stages": {"acceptance": {"roles": ["janitor"]}}, "separation": [["x", "y"]]}
    version = _draft(dept, ui=ui, workflow=workflow)
    with pytest.raises(InvalidInput) as exc:
        services.publish_version(actor=None, version=version)
    assert set(exc.value.fields) >= {"ui", "workflow"}
    assert "unknown field: nonexistent" in " ".join(exc.value.fields["ui"])
    with pytest.raises(InvalidInput) as exc:
        services.update_draft(actor=None, version=version, definition={"term_days": 0})
    assert "term_days" in exc.value.fields


def test_a_published_version_is_immutable_and_a_new_draft_retires_it_on_publish():
    dept = Department()
    service = published_service(dept)
    v1 = service.versions.get()
    with pytest.raises(Conflict):
        services.update_draft(actor=None, version=v1, definition={"term_days": 5})
    v1.refresh_from_db()
    assert v1.term_days == 10

    application = submitted_application(service)
    v2 = services.create_draft(actor=None, service=service)
    services.update_draft(actor=None, version=v2, definition={"term_days": 30})
    services.publish_version(actor=None, version=v2)
    v1.refresh_from_db()
    assert v1.status == ServiceVersion.Status.RETIRED
    application.refresh_from_db()
    assert application.version_id == v1.pk  # the open case keeps the version it started on
    new = services.start_application(actor=UserFactory(), service=service)
    assert new.version_id == v2.pk


def test_the_admin_refuses_to_edit_a_published_version(client):
    dept = Department()
    service = published_service(dept)
    version = service.versions.get()
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get(f"/admin/municipal_services/serviceversion/{version.pk}/change/")
    assert page.status_code == 200
    assert b'name="term_days"' not in page.content  # shown read-only
    response = client.post(
        f"/admin/municipal_services/serviceversion/{version.pk}/change/",
        {"service": service.pk, "term_days": 1},
    )
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.term_days == 10


def test_the_admin_shows_publish_problems_beside_the_fields(client):
    dept = Department()
    version = _draft(dept)
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    data = {name: json.dumps(value) for name, value in version.definition().items()}
    data["term_days"] = "10"
    data["registry"] = "building-permits"
    data["identity"] = "account"
    data["service"] = version.service_id
    data["rules"] = json.dumps([{"code": "x", "when": {"==": [{"var": "nope"}, 1]}}])
    data["publish_now"] = "on"
    response = client.post(f"/admin/municipal_services/serviceversion/{version.pk}/change/", data)
    assert response.status_code == 200
    assert "unknown fields: nope" in response.content.decode()
    version.refresh_from_db()
    assert version.status == ServiceVersion.Status.DRAFT

    data["rules"] = json.dumps(definition()["rules"])
    response = client.post(f"/admin/municipal_services/serviceversion/{version.pk}/change/", data)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == ServiceVersion.Status.PUBLISHED


def test_the_preview_renders_the_form_from_the_schema_and_checks_answers(client):
    dept = Department()
    version = _draft(dept)
    client.force_login(UserFactory(is_staff=True))
    page = client.get(f"/services/preview/{version.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<label for="f-area">Area, m²' in html
    assert '<option value="office">Office</option>' in html
    response = client.post(f"/services/preview/{version.pk}/", {"area": "-5", "purpose": "x"})
    html = response.content.decode()
    assert "Enter a number not less than 1." in html
    assert "Choose one of the listed values." in html
    assert "This field is required." in html  # applicant_name


def test_export_and_import_move_a_service_between_installations(tmp_path):
    dept = Department()
    service = published_service(dept)
    path = tmp_path / "building-permit.json"
    call_command("export_service", "building-permit", "-o", str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["code"] == "building-permit"
    assert data["definition"]["term_days"] == 10

    # Another installation: same department name, no service yet.
    service.applications.all().delete()
    service.versions.all().delete()
    service.delete()
    call_command("import_service", str(path), "--publish")
    imported = ServiceVersion.objects.get(service__code="building-permit")
    assert imported.status == ServiceVersion.Status.PUBLISHED
    assert imported.definition() == definition()
    assert imported.service.department == dept.org


def test_import_refuses_a_file_that_would_not_publish(tmp_path):
    dept = Department()
    bad = {
        "format": "cityhall.municipal_service/1",
        "code": "broken",
        "department": dept.org.name,
        "name": texts("Сломанная"),
        "definition": definition(term_days=-1),
    }
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import_service", str(path), "--publish")
    assert "term_days" in str(exc.value)
    assert not ServiceVersion.objects.filter(service__code="broken").exists()


def test_the_admin_previews_unsaved_edits_live(client):
    dept = Department()
    version = _draft(dept)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(f"/admin/municipal_services/serviceversion/{version.pk}/change/")
    assert b'formaction="/services/preview/draft/"' in page.content
    data = {name: json.dumps(value) for name, value in version.definition().items()}
    data.update(term_days="10", registry="building-permits", service=version.service_id)
    schema = definition()["form_schema"]
    schema["properties"]["plot_owner"] = {"type": "string"}
    ui = definition()["ui"]
    ui["fields"]["plot_owner"] = {"label": texts("Собственник участка", "Plot owner")}
    data.update(form_schema=json.dumps(schema), ui=json.dumps(ui))
    html = client.post("/services/preview/draft/", data).content.decode()
    assert '<label for="f-plot_owner">Plot owner' in html
    version.refresh_from_db()
    assert "plot_owner" not in version.form_schema  # nothing saved
    data["rules"] = "{not json"
    html = client.post("/services/preview/draft/", data).content.decode()
    assert "This part is not valid JSON." in html


def test_definitions_are_exported_and_imported_in_the_admin(client, tmp_path):
    dept = Department()
    service = published_service(dept)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(
        "/admin/municipal_services/service/",
        {"action": "export_definition", "_selected_action": [service.pk]},
    )
    data = json.loads(response.content)
    assert data["code"] == "building-permit"
    data["code"] = "building-permit-copy"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("copy.json", json.dumps(data).encode())
    response = client.post(
        "/admin/municipal_services/service/import/",
        {"file": upload, "department": dept.org.pk, "publish": "on"},
    )
    assert response.status_code == 302
    copy = ServiceVersion.objects.get(service__code="building-permit-copy")
    assert copy.status == ServiceVersion.Status.PUBLISHED
