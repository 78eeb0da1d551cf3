"""Uploading a document on the application form keeps what was typed (issue 16 item 12): the
form posts the answers with every chosen file, whichever button is pressed, and works the same
without JavaScript (there is no script on the form)."""

from __future__ import annotations

import re

import pytest

from cityhall.municipal_services.models import Application
from tests.factories import UserFactory

from .factories import Department, published_service, upload

pytestmark = pytest.mark.django_db

TYPED = {
    "applicant_name": "ООО Ромашка",
    "purpose": "shop",
    "area": "500",
    "address": "ул. Баумана",
}


@pytest.fixture
def draft(client):
    service = published_service(Department())
    applicant = UserFactory()
    client.force_login(applicant)
    client.post(f"/services/{service.code}/apply/")
    return Application.objects.get(applicant=applicant)


def test_uploading_a_document_saves_the_answers_typed_with_it(client, draft):
    url = f"/services/applications/{draft.pk}/edit/"
    form = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="file-plan"' in form
    # Enter in a text field presses the first submit button: it must save, not remove a file.
    first_button = re.search(r"<button[^>]*>", form.split('<form method="post" class="form"')[1])
    assert 'value="save"' in first_button.group(0)

    response = client.post(url, {"action": "upload", **TYPED, "file-plan": upload("plan.pdf")})
    assert response.status_code == 302 and response.url == url
    draft.refresh_from_db()
    assert draft.answers == {
        "applicant_name": "ООО Ромашка",
        "purpose": "shop",
        "area": 500,
        "address": "ул. Баумана",
    }
    assert draft.files.get().document_code == "plan"
    page = client.get(url).content.decode()
    assert 'value="ООО Ромашка"' in page and "plan.pdf" in page


def test_a_refused_file_comes_back_beside_its_document_with_the_answers_kept(client, draft):
    url = f"/services/applications/{draft.pk}/edit/"
    response = client.post(
        url, {"action": "upload", **TYPED, "file-plan": upload("plan.exe", b"MZ" + b"\0" * 99)}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "This file type is not accepted" in page
    assert 'value="ООО Ромашка"' in page  # shown again as typed …
    draft.refresh_from_db()
    assert draft.answers["applicant_name"] == "ООО Ромашка"  # … and saved
    assert not draft.files.exists()


def test_removing_a_file_or_saving_keeps_the_answers_and_stores_chosen_files(client, draft):
    url = f"/services/applications/{draft.pk}/edit/"
    client.post(url, {"action": "save", **TYPED, "file-plan": upload("plan.pdf")})
    stored = draft.files.get()
    changed = {**TYPED, "applicant_name": "ООО Ландыш"}
    response = client.post(url, {"remove": str(stored.pk), **changed})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.answers["applicant_name"] == "ООО Ландыш"
    assert not draft.files.exists()
