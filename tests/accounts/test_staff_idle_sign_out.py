"""A staff member's session idle longer than CITYHALL_STAFF_IDLE_MINUTES is signed out;
activity keeps it alive; residents are not affected."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.accounts.models import Role
from cityhall.core.models import AuditRecord
from tests.factories import MembershipFactory, UserFactory, sign_in_with_second_factor

pytestmark = pytest.mark.django_db

PEOPLE = reverse("accounts:people")


@pytest.fixture
def administrator():
    return MembershipFactory(role=Role.ADMINISTRATOR).user


def test_staff_session_idle_too_long_is_signed_out(client, administrator, time_machine):
    time_machine.move_to("2026-03-02 09:00:00+03:00", tick=False)
    sign_in_with_second_factor(client, administrator)
    assert client.get(PEOPLE).status_code == 200
    time_machine.shift(29 * 60)
    assert client.get(PEOPLE).status_code == 200  # activity resets the clock
    time_machine.shift(29 * 60)
    assert client.get(PEOPLE).status_code == 200
    time_machine.shift(31 * 60)
    response = client.get(PEOPLE)
    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('accounts:login')}?next=%2Faccounts%2Fstaff%2Fpeople%2F"
    )
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page
    assert AuditRecord.objects.filter(
        action="accounts.signed_out_idle", object_id=str(administrator.pk)
    ).exists()


def test_the_idle_limit_is_a_setting(client, administrator, settings, time_machine):
    settings.CITYHALL_STAFF_IDLE_MINUTES = 5
    time_machine.move_to("2026-03-02 09:00:00+03:00", tick=False)
    sign_in_with_second_factor(client, administrator)
    client.get(PEOPLE)
    time_machine.shift(6 * 60)
    assert client.get(PEOPLE).status_code == 302


def test_residents_keep_their_session(client, time_machine):
    time_machine.move_to("2026-03-02 09:00:00+03:00", tick=False)
    resident = UserFactory()
    client.force_login(resident)
    client.get(reverse("accounts:profile"))
    time_machine.shift(3 * 3600)
    assert client.get(reverse("accounts:profile")).status_code == 200
