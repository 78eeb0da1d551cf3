"""Sign and submit: a simple electronic signature by a one-time code to the applicant's
confirmed phone (SMS) or e-mail, over a digest of exactly what is shown (service, version,
answers, files by SHA-256). The code is hashed at rest, allows 5 attempts, expires in 10
minutes and is rationed; a changed draft must be signed again; the signature is on the case page
with a "verify" action and in the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cityhall.core.models import AuditRecord
from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application, ApplicationSignature, SigningCode
from cityhall.notifications.models import SmsLog
from tests.factories import UserFactory

from .factories import PDF_BYTES, Department, published_service, sign_through_pages, upload

pytestmark = pytest.mark.django_db

ANSWERS = {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": "500"}


@pytest.fixture
def dept():
    return Department()


@pytest.fixture
def service(dept):
    return published_service(dept)


def _applicant(**contacts):
    now = timezone.now()
    person = UserFactory(**contacts)
    if person.email:
        person.email_confirmed_at = now
    if person.phone:
        person.phone_confirmed_at = now
    person.save()
    return person


def _draft(client, service, applicant) -> Application:
    client.force_login(applicant)
    client.post(f"/services/{service.code}/apply/")
    application = Application.objects.get(applicant=applicant)
    client.post(
        f"/services/applications/{application.pk}/upload/",
        {"document_code": "plan", "file": upload("plan.pdf")},
    )
    response = client.post(
        f"/services/applications/{application.pk}/edit/", {"action": "submit", **ANSWERS}
    )
    assert response.status_code == 302
    assert response.url == f"/services/applications/{application.pk}/sign/"
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT  # not submitted before signing
    return application


def _sign_url(application) -> str:
    return f"/services/applications/{application.pk}/sign/"


def _expected_digest(application, service) -> str:
    """The digest recomputed here from first principles: SHA-256 of the canonical JSON."""
    content = {
        "format": "cityhall.application-signature/1",
        "application": application.pk,
        "applicant": application.applicant_id,
        "service": service.code,
        "version": 1,
        "answers": {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 500},
        "files": [
            {
                "document": "plan",
                "name": "plan.pdf",
                "size": len(PDF_BYTES),
                "sha256": hashlib.sha256(PDF_BYTES).hexdigest(),
            }
        ],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _code_from_email() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def _code_from_sms(phone: str) -> str:
    return re.search(
        r"\b(\d{6})\b", SmsLog.objects.filter(phone=phone).order_by("-pk").first().text
    ).group(1)


def test_the_applicant_sees_what_is_signed_and_signs_with_an_emailed_code(
    client, dept, service, django_capture_on_commit_callbacks
):
    applicant = _applicant()
    application = _draft(client, service, applicant)
    digest = _expected_digest(application, service)

    page = client.get(_sign_url(application)).content.decode()
    assert "Building permit" in page or "Разрешение на строительство" in page
    assert "ООО Ромашка" in page and "plan.pdf" in page
    assert hashlib.sha256(PDF_BYTES).hexdigest() in page
    assert digest in page
    assert 'name="code"' not in page  # no code asked for yet

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_sign_url(application), {"action": "send", "channel": "email"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [applicant.email]
    code = _code_from_email()
    stored = SigningCode.objects.get()
    assert stored.digest == digest and stored.channel == "email"
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    assert stored.expires_at - stored.sent_at == dt.timedelta(minutes=10)

    page = client.get(_sign_url(application)).content.decode()
    assert 'name="code"' in page and 'autocomplete="one-time-code"' in page
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(
        _sign_url(application), {"action": "sign", "code": wrong, "digest": digest}
    )
    assert response.status_code == 422
    assert "Wrong code. Attempts left: 4." in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _sign_url(application),
            {"action": "sign", "code": code, "digest": digest},
            REMOTE_ADDR="192.0.2.10",
        )
    assert response.status_code == 302
    assert response.url == f"/services/applications/{application.pk}/"
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTANCE and application.number
    signature = ApplicationSignature.objects.get()
    assert signature.application == application and signature.signer == applicant
    assert signature.method == "simple" and signature.digest == digest
    assert signature.channel == "email" and signature.ip == "192.0.2.10"
    assert signature.content["files"][0]["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()

    signed = AuditRecord.objects.get(action="municipal_services.application_signed")
    assert signed.after["digest"] == digest and signed.after["method"] == "simple"
    assert AuditRecord.objects.filter(action="municipal_services.signing_code_sent").exists()

    case_page = client.get(f"/services/applications/{application.pk}/").content.decode()
    assert "Signatures" in case_page and digest in case_page
    response = client.post(
        f"/services/applications/{application.pk}/signatures/{signature.pk}/verify/", follow=True
    )
    assert "The signature is valid" in response.content.decode()

    client.force_login(dept.operator)  # staff of the department see and verify it too
    case_page = client.get(f"/services/applications/{application.pk}/").content.decode()
    assert digest in case_page and "192.0.2.10" in case_page
    response = client.post(
        f"/services/applications/{application.pk}/signatures/{signature.pk}/verify/", follow=True
    )
    assert "The signature is valid" in response.content.decode()
    client.force_login(UserFactory())  # a stranger neither sees nor verifies it
    response = client.post(
        f"/services/applications/{application.pk}/signatures/{signature.pk}/verify/"
    )
    assert response.status_code == 403

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    listing = client.get("/admin/municipal_services/applicationsignature/")
    assert listing.status_code == 200 and digest in listing.content.decode()
    detail = client.get(f"/admin/municipal_services/applicationsignature/{signature.pk}/change/")
    assert detail.status_code == 200 and b'name="digest"' not in detail.content  # read-only


def test_an_sms_code_has_five_attempts_expires_and_is_rationed(
    client, service, django_capture_on_commit_callbacks
):
    applicant = _applicant(email=None, phone="+79171112233")
    application = _draft(client, service, applicant)
    page = client.get(_sign_url(application)).content.decode()
    assert 'value="sms"' in page and 'value="email"' not in page
    digest = _expected_digest(application, service)

    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_sign_url(application), {"action": "send", "channel": "sms"})
        code = _code_from_sms("+79171112233")
        assert mail.outbox == []
        response = client.post(_sign_url(application), {"action": "send", "channel": "sms"})
        assert response.status_code == 422
        assert "You can ask for a new one in" in response.content.decode()

        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            response = client.post(
                _sign_url(application), {"action": "sign", "code": wrong, "digest": digest}
            )
        assert "Too many wrong attempts" in response.content.decode()
        response = client.post(
            _sign_url(application), {"action": "sign", "code": code, "digest": digest}
        )
        assert response.status_code == 422  # the right code no longer helps
        assert "Too many wrong attempts" in response.content.decode()

        clock.shift(dt.timedelta(seconds=61))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_sign_url(application), {"action": "send", "channel": "sms"})
        code = _code_from_sms("+79171112233")
        clock.shift(dt.timedelta(minutes=10, seconds=1))
        response = client.post(
            _sign_url(application), {"action": "sign", "code": code, "digest": digest}
        )
        assert response.status_code == 422
        assert "no code waiting" in response.content.decode() or "expired" in (
            response.content.decode()
        )

        for _ in range(3):  # five codes an hour in all
            clock.shift(dt.timedelta(seconds=61))
            with django_capture_on_commit_callbacks(execute=True):
                assert (
                    client.post(
                        _sign_url(application), {"action": "send", "channel": "sms"}
                    ).status_code
                    == 302
                )
        clock.shift(dt.timedelta(seconds=61))
        response = client.post(_sign_url(application), {"action": "send", "channel": "sms"})
        assert response.status_code == 422
        assert "Too many codes were sent" in response.content.decode()
        assert SmsLog.objects.filter(phone="+79171112233").count() == 5

    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert not ApplicationSignature.objects.exists()


def test_a_draft_changed_after_the_code_was_sent_must_be_signed_again(
    client, service, django_capture_on_commit_callbacks
):
    applicant = _applicant()
    application = _draft(client, service, applicant)
    old_digest = _expected_digest(application, service)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_sign_url(application), {"action": "send", "channel": "email"})
    code = _code_from_email()
    # In another tab the applicant changes an answer.
    client.post(
        f"/services/applications/{application.pk}/edit/",
        {"action": "save", **ANSWERS, "area": "450"},
    )
    page = client.get(_sign_url(application)).content.decode()
    assert old_digest not in page and 'name="code"' not in page  # the old code signs nothing
    response = client.post(
        _sign_url(application), {"action": "sign", "code": code, "digest": old_digest}
    )
    assert response.status_code == 422
    assert "changed since the code was sent" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        response = sign_through_pages(client, application, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTANCE
    assert ApplicationSignature.objects.get().content["answers"]["area"] == 450


def test_a_returned_application_changed_after_signing_fails_verification_and_is_signed_again(
    client, dept, service, django_capture_on_commit_callbacks
):
    applicant = _applicant()
    application = _draft(client, service, applicant)
    sign_through_pages(client, application, django_capture_on_commit_callbacks)
    first = ApplicationSignature.objects.get()
    services.return_application(
        application=application, actor=dept.operator, reasons=["The area is wrong"]
    )
    client.post(
        f"/services/applications/{application.pk}/edit/",
        {"action": "save", **ANSWERS, "area": "480"},
    )
    verify = f"/services/applications/{application.pk}/signatures/{first.pk}/verify/"
    response = client.post(verify, follow=True)
    assert "The signature does not match" in response.content.decode()

    response = client.post(
        f"/services/applications/{application.pk}/edit/",
        {"action": "submit", **ANSWERS, "area": "480"},
    )
    assert response.url == _sign_url(application)  # a resubmission is signed again
    application.refresh_from_db()
    assert application.status == Application.Status.RETURNED
    sign_through_pages(client, application, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTANCE
    second = ApplicationSignature.objects.exclude(pk=first.pk).get()
    response = client.post(
        f"/services/applications/{application.pk}/signatures/{second.pk}/verify/", follow=True
    )
    assert "The signature is valid" in response.content.decode()

    # A file changed on the storage behind the application's back is caught as well.
    stored = application.files.get().stored
    with stored.file.storage.open(stored.file.name, "wb") as handle:
        handle.write(PDF_BYTES + b"tampered")
    response = client.post(
        f"/services/applications/{application.pk}/signatures/{second.pk}/verify/", follow=True
    )
    assert "The signature does not match" in response.content.decode()


def test_signing_needs_a_confirmed_contact_and_a_complete_application(
    client, service, django_capture_on_commit_callbacks
):
    unconfirmed = UserFactory()  # an e-mail address, never confirmed
    application = _draft(client, service, unconfirmed)
    page = client.get(_sign_url(application)).content.decode()
    assert "needs a confirmed phone number or e-mail address" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_sign_url(application), {"action": "send", "channel": "email"})
    assert response.status_code == 422 and mail.outbox == []

    applicant = _applicant()
    client.force_login(applicant)
    client.post(f"/services/{service.code}/apply/")
    draft = Application.objects.get(applicant=applicant)
    response = client.post(
        f"/services/applications/{draft.pk}/edit/", {"action": "submit", **ANSWERS}
    )
    assert response.status_code == 422  # the site plan is missing: nothing to sign yet
    assert "Attach this document." in response.content.decode()
    response = client.post(_sign_url(draft), {"action": "send", "channel": "email"})
    assert response.status_code == 422 and mail.outbox == []
    client.force_login(unconfirmed)
    assert client.get(_sign_url(draft)).status_code == 403  # only the applicant signs
