"""Issue 20.9: an administrator imports a verification register (CSV/XLSX of people with
document numbers or identity-portal ids, birth dates and addresses) that verifies matching
accounts and pre-verifies future sign-ups, with a report, audited, progress shown for big
files, bad rows reported and nothing half-applied."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cityhall.accounts import services
from cityhall.accounts.models import (
    RegisterEntry,
    RegisterImport,
    Role,
    User,
    VerifiedIdentity,
)
from cityhall.accounts.services import register_import
from cityhall.accounts.verification import FederatedProfile, VerifiedAttributes
from cityhall.core.models import AuditRecord
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.geo.factories import BuildingFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("accounts:register_imports")
HEADER = (
    "last_name;first_name;middle_name;birth_date;document_number;portal_id;"
    "registered_address;phone;email"
)


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_REQUIRE_OTP = False


@pytest.fixture
def administrator(client):
    centre = OrganisationFactory(service_centre=True)
    user = MembershipFactory(organisation=centre, role=Role.ADMINISTRATOR).user
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def _jobs_after_commit(django_capture_on_commit_callbacks):
    """Run the jobs a request starts after its commit (the test's transaction never ends)."""
    global _capture
    _capture = django_capture_on_commit_callbacks


_capture = None


@pytest.fixture
def home(db):
    return BuildingFactory(street="ул. Короленко", house="32")


def _upload(client, text: str, name: str = "register.csv"):
    with _capture(execute=True):
        return client.post(REGISTER, {"file": SimpleUploadedFile(name, text.encode("utf-8"))})


def _csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_the_register_verifies_matching_accounts_and_reports_what_matched(
    client, administrator, home
):
    waiting_phone = UserFactory(
        last_name="Галиев", first_name="Айдар", phone="+79170000001", phone_confirmed_at=None
    )
    matched = UserFactory(
        last_name="Сафина",
        first_name="Алия",
        phone="+79170000002",
        phone_confirmed_at=timezone.now(),
    )
    already = UserFactory(last_name="Хабибуллин", first_name="Рустем")
    services.apply_verification(
        person=already,
        attributes=VerifiedAttributes(
            last_name="Хабибуллин",
            first_name="Рустем",
            birth_date=timezone.localdate().replace(year=1970),
            document_number="9201 111111",
        ),
        method=VerifiedIdentity.Method.SERVICE_CENTRE,
        actor=None,
    )
    response = _upload(
        client,
        _csv(
            "Сафина;Алия;Ринатовна;03.02.1990;9210 654321;;"
            "ул. Короленко, д. 32, кв. 126;8 917 000-00-02;",
            "Хабибуллин;Рустем;;1970-01-01;92 01 111111;;;;",
            "Галиев;Айдар;;1985-05-05;9202 222222;;ул. Короленко, 32, кв. 5;+79170000001;",
            "Иванова;Анна;;1991-01-01;;portal-77;ул. Короленко, д. 32;;",
        ),
    )
    assert response.status_code == 302
    register = RegisterImport.objects.get()
    assert response["Location"] == reverse("accounts:register_import", args=[register.pk])
    report = client.get(response["Location"]).content.decode()
    assert register.state == "applied"
    assert (register.verified_now, register.already_verified, register.waiting) == (1, 1, 2)
    assert 'id="register-report"' in report and matched.username in report

    identity = VerifiedIdentity.objects.get(user=matched)
    assert identity.method == VerifiedIdentity.Method.REGISTER
    assert identity.registered_building == home  # the flat is read apart (issue 20.7)
    assert identity.document_masked == "*******321" and identity.verified_by == administrator
    assert not VerifiedIdentity.objects.filter(user=waiting_phone).exists()  # phone unconfirmed
    assert not RegisterEntry.objects.filter(document_masked__contains="654321").exists()
    record = AuditRecord.objects.get(action="accounts.register_imported")
    assert record.actor_id == administrator.pk
    assert AuditRecord.objects.filter(
        action="accounts.identity_verified", message__contains="register import"
    ).exists()


def test_a_file_with_bad_rows_is_refused_whole_and_every_bad_row_is_listed(client, administrator):
    response = _upload(
        client,
        _csv(
            "Сафина;Алия;;1990-02-03;9210 654321;;;;",
            "Галиев;;;1985-05-05;9202 222222;;;;",
            "Иванова;Анна;;31.02.1991;;portal-1;;;",
            "Петров;Пётр;;1980-01-01;;;;;",
            "Сидоров;Олег;;1980-01-01;9210 654321;;;;",
        ),
    )
    assert response.status_code == 422
    page = response.content.decode()
    for row in ("row 3", "row 4", "row 5", "row 6"):
        assert row in page
    assert "row 2:" not in page
    assert "The same document is in row 2." in page
    assert not RegisterImport.objects.exists() and not RegisterEntry.objects.exists()


def test_missing_columns_are_named(client, administrator):
    response = _upload(client, "last_name;first_name\nСафина;Алия\n")
    assert response.status_code == 422
    assert "birth_date" in response.content.decode()


def test_a_future_sign_up_with_the_listed_e_mail_is_verified_on_confirmation(
    client, administrator, home, django_capture_on_commit_callbacks
):
    _upload(
        client,
        _csv(
            "Галиев;Айдар;;1985-05-05;9202 222222;;ул. Короленко, д. 32, кв. 5;;aidar@example.org"
        ),
    )
    assert RegisterImport.objects.get().waiting == 1
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:register"),
            {
                "kind": "resident",
                "last_name": "Галиев",
                "first_name": "Айдар",
                "contact": "aidar@example.org",
                "password": "Kazan-river-2026",
                "password_again": "Kazan-river-2026",
                "personal_data_consent": "on",
            },
        )
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    client.post(reverse("accounts:confirm"), {"code": code, "action": "confirm"})
    person = User.objects.get(email="aidar@example.org")
    identity = VerifiedIdentity.objects.get(user=person)
    assert identity.method == "register" and identity.registered_building == home
    assert RegisterEntry.objects.get().outcome == "verified"


def test_a_sign_in_with_a_listed_identity_portal_id_is_verified(client, administrator):
    _upload(client, _csv("Иванова;Анна;;1991-01-01;;portal-77;;;"))
    person = services.sign_in_federated(
        profile=FederatedProfile(subject="portal-77", last_name="Иванова", first_name="Анна"),
        attributes=None,
        method=VerifiedIdentity.Method.OIDC,
    )
    assert VerifiedIdentity.objects.get(user=person).birth_date.year == 1991


def test_a_failure_while_applying_leaves_nothing_applied(client, administrator, monkeypatch):
    for n in range(3):
        UserFactory(
            last_name="Житель",
            first_name=f"Номер{n}",
            email=f"n{n}@example.org",
            email_confirmed_at=timezone.now(),
        )
    calls = []

    def failing(entry, user, actor):
        calls.append(entry.row)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return original(entry, user, actor)

    original = register_import._verify_from_entry
    monkeypatch.setattr(register_import, "_verify_from_entry", failing)
    rows = [
        f"Житель;Номер{n};;1980-01-0{n + 1};9200 00000{n};;;;n{n}@example.org" for n in range(3)
    ]
    _upload(client, _csv(*rows))
    register = RegisterImport.objects.get()
    assert register.state == "failed" and "database went away" in register.problem
    assert not VerifiedIdentity.objects.exists()
    assert not RegisterEntry.objects.exclude(outcome="").exists()


def test_a_big_file_shows_its_progress(client, administrator, monkeypatch):
    monkeypatch.setattr(register_import, "MATCH_CHUNK", 2)
    seen = []
    original = register_import._match

    def watching(entry):
        seen.append(RegisterImport.objects.get().processed_rows)
        return original(entry)

    monkeypatch.setattr(register_import, "_match", watching)
    _upload(client, _csv(*[f"Житель;Номер{n};;1980-01-01;9300 00000{n};;;;" for n in range(5)]))
    assert seen == [0, 0, 2, 2, 4]  # progress counted chunk by chunk
    register = RegisterImport.objects.get()
    RegisterImport.objects.filter(pk=register.pk).update(state="matching", processed_rows=2)
    page = client.get(reverse("accounts:register_import", args=[register.pk])).content.decode()
    assert '<progress id="register-progress" value="2" max="5">' in page
    assert 'http-equiv="refresh"' in page


def test_an_xlsx_register_is_read(client, administrator):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append(["Сафина", "Алия", "", "1990-02-03", "9210 654321", "", "", "", ""])
    data = io.BytesIO()
    book.save(data)
    with _capture(execute=True):
        response = client.post(
            REGISTER, {"file": SimpleUploadedFile("register.xlsx", data.getvalue())}
        )
    assert response.status_code == 302
    register = RegisterImport.objects.get()
    assert (register.state, register.total_rows, register.waiting) == ("applied", 1, 1), (
        register.problem
    )


def test_only_administrators_of_a_service_centre_import(client):
    for role, organisation in (
        (Role.ADMINISTRATOR, OrganisationFactory(managing=True)),
        (Role.OPERATOR, OrganisationFactory(service_centre=True)),
    ):
        user = MembershipFactory(role=role, organisation=organisation).user
        client.force_login(user)
        assert client.get(REGISTER).status_code == 403
        refused = _upload(client, _csv("Сафина;Алия;;1990-02-03;9210 654321;;;;"))
        assert refused.status_code == 403
    assert not RegisterImport.objects.exists()
