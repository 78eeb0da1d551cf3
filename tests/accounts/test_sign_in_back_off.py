"""Wrong passwords slow the guesser down, per account, per client address and per both; the
counts live in the database every worker shares; sign-ins, failures and back-offs are audited
(issue 12, item 3)."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cityhall.accounts.models import RateCounter, Role
from cityhall.core.models import AuditRecord
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _sign_in(client, login, password):
    return client.post(LOGIN, {"login": login, "password": password})


def test_the_guessers_wait_doubles_after_each_further_wrong_password(password):
    UserFactory(username="anna")
    guesser = _from("203.0.113.7")
    with time_machine.travel("2026-03-02 10:00 +03:00", tick=False) as traveller:
        assert [_sign_in(guesser, "anna", "guess").status_code for _ in range(5)] == [
            422,
            422,
            422,
            422,
            429,
        ]
        traveller.shift(61)
        assert _sign_in(guesser, "anna", "guess").status_code == 429  # sixth: wait 2 minutes
        traveller.shift(61)
        refused = _sign_in(guesser, "anna", password)
        assert refused.status_code == 429
        assert "Try again in 1 minutes" in refused.content.decode()
        traveller.shift(60)
        assert _sign_in(guesser, "anna", password).status_code == 302


def test_a_guesser_cannot_lock_a_staff_member_out(password):
    """Guessing from another address leaves the staff member's own address free, and guesses
    spread over many addresses delay the account by at most a minute, never a quarter of an
    hour."""
    staff = MembershipFactory(role=Role.DISPATCHER, user__username="dispatcher").user
    with time_machine.travel("2026-03-02 10:00 +03:00", tick=False) as traveller:
        for _ in range(5):
            _sign_in(_from("203.0.113.7"), "dispatcher", "guess")
        assert _sign_in(_from("198.51.100.1"), "dispatcher", password).status_code == 302
        for number in range(40):
            _sign_in(_from(f"203.0.113.{number + 10}"), "dispatcher", "guess")
        waiting = _sign_in(_from("198.51.100.1"), "dispatcher", password)
        assert waiting.status_code == 429
        traveller.shift(60)
        response = _sign_in(_from("198.51.100.1"), "dispatcher", password)
        assert response.status_code == 302
    assert AuditRecord.objects.filter(
        action="accounts.sign_in_locked", object_id=str(staff.pk)
    ).exists()


def test_one_address_guessing_many_accounts_is_slowed_down(password):
    for number in range(31):
        UserFactory(username=f"person{number}")
    guesser = _from("203.0.113.7")
    with time_machine.travel("2026-03-02 10:00 +03:00", tick=False):
        statuses = [_sign_in(guesser, f"person{n}", "Password1").status_code for n in range(31)]
        assert statuses[:29] == [422] * 29 and statuses[29:] == [429, 429]
        # the address is held back even for a right password; others are not
        assert _sign_in(guesser, "person30", password).status_code == 429
        assert _sign_in(_from("198.51.100.1"), "person30", password).status_code == 302
    lock = AuditRecord.objects.get(action="accounts.sign_in_locked", message="password")
    assert lock.object_type == "accounts.client_address" and lock.object_id == "203.0.113.7"


def test_a_forged_forwarded_for_header_does_not_change_the_address(password):
    UserFactory(username="anna")
    for number in range(5):
        _from("203.0.113.7").post(
            LOGIN,
            {"login": "anna", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}",
        )
    assert _sign_in(_from("203.0.113.7"), "anna", password).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings, password):
    settings.CITYHALL_PROXY_HOPS = 1
    UserFactory(username="anna")
    proxy = _from("10.0.0.1")
    for _ in range(5):
        proxy.post(
            LOGIN, {"login": "anna", "password": "guess"}, HTTP_X_FORWARDED_FOR="203.0.113.7"
        )
    other = proxy.post(
        LOGIN, {"login": "anna", "password": password}, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert other.status_code == 302


def test_the_count_lives_in_the_shared_database_not_in_a_workers_memory(password):
    UserFactory(username="anna")
    for _ in range(4):
        _sign_in(_from("203.0.113.7"), "anna", "guess")
    assert RateCounter.objects.filter(key__startswith="password-account-address:").get().count == 4
    cache.clear()  # what another worker's memory would hold: nothing
    assert _sign_in(_from("203.0.113.7"), "anna", "guess").status_code == 429


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_count(password):
    """Each thread has its own database connection, as each worker process has."""
    UserFactory(username="anna")
    statuses: list[int] = []

    def worker(attempts: int) -> None:
        from django.db import connection

        client = _from("203.0.113.7")
        try:
            for _ in range(attempts):
                statuses.append(_sign_in(client, "anna", "guess").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(4,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [422, 422, 422, 422, 429, 429, 429, 429]


def test_sign_ins_and_failures_are_audited(password):
    anna = UserFactory(username="anna")
    _sign_in(_from("203.0.113.7"), "anna", "guess")
    _sign_in(_from("203.0.113.7"), "nobody-by-this-name", "guess")
    _sign_in(_from("203.0.113.7"), "anna", password)
    failed = AuditRecord.objects.filter(action="accounts.sign_in_failed").order_by("pk")
    assert [(r.object_type, r.object_id) for r in failed] == [
        ("accounts.user", str(anna.pk)),
        ("accounts.user", "unknown"),
    ]
    assert failed[0].after["address"] == "203.0.113.7"
    signed_in = AuditRecord.objects.get(action="accounts.signed_in")
    assert signed_in.object_id == str(anna.pk) and signed_in.actor_id == anna.pk
    assert signed_in.after == {
        "method": "password",
        "address": "203.0.113.7",
        "second_factor": False,
    }
