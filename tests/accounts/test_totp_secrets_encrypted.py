"""Authenticator secrets are encrypted at rest: the database column holds a Fernet token, never
the secret; existing clear-text devices are encrypted by the migration."""

from __future__ import annotations

import base64

import pytest
from django.core.management import call_command
from django.db import connection

from cityhall.accounts import totp_secrets
from cityhall.accounts.models import Authenticator
from cityhall.accounts.services import provision_totp_device
from tests.factories import UserFactory

from .factories import totp_code

pytestmark = pytest.mark.django_db

SECRET = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, hex


def _raw_key_column(device_id: int) -> str:
    table = Authenticator._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key FROM {table} WHERE id = %s", [device_id])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_database_holds_no_authenticator_secret(client, capsys):
    person = UserFactory(username="clerk")
    device = provision_totp_device(actor=None, user=person, key=SECRET)
    raw = _raw_key_column(device.pk)
    b32 = base64.b32encode(bytes.fromhex(SECRET)).decode().rstrip("=")
    assert SECRET not in raw and SECRET.upper() not in raw and b32 not in raw
    assert bytes.fromhex(SECRET).decode() not in raw
    # ...yet the code is right (the operator's command reads it the same way).
    call_command("totp_code", "clerk")
    assert capsys.readouterr().out.strip() == totp_code(Authenticator.objects.get(pk=device.pk))
    assert Authenticator.objects.get(pk=device.pk).bin_key == bytes.fromhex(SECRET)


def test_a_new_authenticator_is_encrypted_from_the_start():
    device = Authenticator.objects.create(user=UserFactory(), name="authenticator")
    raw = _raw_key_column(device.pk)
    assert device.bin_key.hex() not in raw
    assert totp_secrets.decrypt_secret(raw) == device.bin_key.hex()


def test_the_key_setting_is_used_and_can_be_rotated(settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CITYHALL_TOTP_KEY = old
    device = provision_totp_device(actor=None, user=UserFactory(), key=SECRET)
    settings.CITYHALL_TOTP_KEY = f"{new},{old}"  # rotation: the new key first, the old still read
    assert Authenticator.objects.get(pk=device.pk).bin_key == bytes.fromhex(SECRET)
    settings.CITYHALL_TOTP_KEY = new
    with pytest.raises(totp_secrets.InvalidToken):
        Authenticator.objects.get(pk=device.pk).bin_key  # noqa: B018


def test_migration_encrypts_existing_clear_text_secrets():
    from importlib import import_module

    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    person = UserFactory()
    TOTPDevice.objects.create(user=person, name="old phone", confirmed=True, key=SECRET)
    migration = import_module("cityhall.accounts.migrations.0007_authenticator_encrypted_secret")
    migration.encrypt_existing_secrets(apps, None)
    assert not TOTPDevice.objects.exists()
    device = Authenticator.objects.get(user=person)
    assert device.confirmed and device.name == "old phone"
    assert SECRET not in _raw_key_column(device.pk)
    assert device.bin_key == bytes.fromhex(SECRET)
